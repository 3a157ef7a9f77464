import { useEffect, useId, useMemo } from "react";
import { formatLearningRate } from "../../../../electron/shared/trainSettings.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { comparableRuns, filterComparable } from "./comparableRuns.js";

const s = strings.compare;

/** The evaluated runs to choose from (filtered by experiment, mix and method), the reference, and the button that compares them. */
export function ComparePicker() {
  const runs = useAppStore((st) => st.runs);
  const jobs = useAppStore((st) => st.evalJobs);
  const experiments = useAppStore((st) => st.compareExperiments);
  const filter = useAppStore((st) => st.comparePicker);
  const selected = useAppStore((st) => st.compareRunIds);
  const reference = useAppStore((st) => st.compareReference);
  const loading = useAppStore((st) => st.compareLoading);
  const error = useAppStore((st) => st.compareError);
  const setComparePicker = useAppStore((st) => st.setComparePicker);
  const setCompareRuns = useAppStore((st) => st.setCompareRuns);
  const setCompareReference = useAppStore((st) => st.setCompareReference);
  const runCompare = useAppStore((st) => st.runCompare);
  const loadCompareExperiments = useAppStore((st) => st.loadCompareExperiments);
  const id = useId();

  useEffect(() => void loadCompareExperiments(), [loadCompareExperiments]);

  const all = useMemo(() => comparableRuns(runs, jobs, experiments), [runs, jobs, experiments]);
  const shown = useMemo(() => filterComparable(all, filter), [all, filter]);
  const mixes = useMemo(() => [...new Set(all.map((c) => c.run.mix?.name).filter((m): m is string => !!m))].sort(), [all]);
  const methods = useMemo(() => [...new Set(all.map((c) => c.run.config.method))], [all]);
  const chosen = new Set(selected);
  const nameOf = (run: string) => all.find((c) => c.run.id === run)?.run.name ?? run;
  const toggle = (run: string, on: boolean) => setCompareRuns(on ? [...selected.filter((r) => r !== run), run] : selected.filter((r) => r !== run));

  return (
    <section className="card compare-picker" aria-labelledby={`${id}-heading`} data-testid="compare-picker">
      <h2 id={`${id}-heading`}>{s.pickHeading}</h2>
      <p className="muted small">{s.pickIntro}</p>
      {all.length === 0 ? (
        <p className="muted">{s.pickEmpty}</p>
      ) : (
        <>
          <div className="list-toolbar">
            {experiments.length ? (
              <>
                <label htmlFor={`${id}-experiment`}>{s.filters.experiment}</label>
                <select id={`${id}-experiment`} value={filter.experiment} onChange={(e) => setComparePicker({ experiment: e.target.value })}>
                  <option value="">{s.filters.any}</option>
                  {experiments.map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.name}
                    </option>
                  ))}
                </select>
              </>
            ) : null}
            <label htmlFor={`${id}-mix`}>{s.filters.mix}</label>
            <select id={`${id}-mix`} value={filter.mix} onChange={(e) => setComparePicker({ mix: e.target.value })}>
              <option value="">{s.filters.any}</option>
              {mixes.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-method`}>{s.filters.method}</label>
            <select id={`${id}-method`} value={filter.method} onChange={(e) => setComparePicker({ method: e.target.value })}>
              <option value="">{s.filters.any}</option>
              {methods.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => setCompareRuns([...selected, ...shown.map((c) => c.run.id).filter((r) => !chosen.has(r))])}>
              {s.selectShown}
            </button>
            <button type="button" onClick={() => setCompareRuns([])} disabled={selected.length === 0}>
              {s.clearSelection}
            </button>
          </div>
          <div className="table-scroll compare-pick-list">
            <table className="data-table compact" data-testid="compare-runs-table">
              <thead>
                <tr>
                  <th scope="col">{s.pickColumns.pick}</th>
                  <th scope="col">{s.pickColumns.run}</th>
                  <th scope="col">{s.pickColumns.mix}</th>
                  <th scope="col">{s.pickColumns.method}</th>
                  <th scope="col" className="num">
                    {s.pickColumns.lr}
                  </th>
                  <th scope="col">{s.pickColumns.evaluated}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map(({ run, evalJob }) => (
                  <tr key={run.id} data-run={run.id}>
                    <td>
                      <input type="checkbox" checked={chosen.has(run.id)} onChange={(e) => toggle(run.id, e.target.checked)} aria-label={s.pickLabel(run.name)} />
                    </td>
                    <td>{run.name}</td>
                    <td>{run.mix?.name ?? <span className="muted">{s.noMix}</span>}</td>
                    <td>{run.config.method}</td>
                    <td className="num mono">{formatLearningRate(run.config.lr)}</td>
                    <td className="small">{evalJob.name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="list-toolbar">
            <label htmlFor={`${id}-reference`}>{s.reference}</label>
            <select id={`${id}-reference`} value={reference ?? ""} onChange={(e) => void setCompareReference(e.target.value || null)} disabled={selected.length === 0} title={s.referenceHelp}>
              <option value="">{selected[0] ? nameOf(selected[0]) : "—"}</option>
              {selected.slice(1).map((r) => (
                <option key={r} value={r}>
                  {nameOf(r)}
                </option>
              ))}
            </select>
            <span className="muted" role="status" data-testid="compare-selected">
              {s.selected(selected.length)}
            </span>
            <button type="button" className="primary" onClick={() => void runCompare()} disabled={selected.length === 0 || loading}>
              {loading ? s.comparing : s.compare}
            </button>
          </div>
        </>
      )}
      {error ? <ErrorMessage error={error} /> : null}
    </section>
  );
}
