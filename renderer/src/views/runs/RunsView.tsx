import { useId, useMemo, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { formatDuration } from "../../../../electron/shared/formatQuantities.js";
import { RunDetail } from "./RunDetail.js";
import { filterRuns, runRow, sortRuns, type RunSortKey } from "./runRows.js";
import { NewRunForm } from "./NewRunForm.js";
import { RunStatusBadge } from "./RunStatusBadge.js";

const s = strings.runs;
const columns: RunSortKey[] = ["name", "status", "model", "data", "steps", "lr", "rank", "loss", "valLoss", "seconds", "ranOn", "created"];
const numeric = new Set<RunSortKey>(["steps", "lr", "rank", "loss", "valLoss", "seconds"]);
// Shown only where there is room; the run's page has them all.
const optional = new Set<RunSortKey>(["data", "ranOn", "created"]);
const loss = (n: number | null) => (n === null ? "–" : n.toFixed(3));

/** Training runs: a list to compare them (sortable, filterable), the selected run live, and a form to start another. */
export function RunsView() {
  const runs = useAppStore((st) => st.runs);
  const models = useAppStore((st) => st.models);
  const loaded = useAppStore((st) => st.runsLoaded);
  const error = useAppStore((st) => st.runsError);
  const selected = useAppStore((st) => st.selectedRunId);
  const selectRun = useAppStore((st) => st.selectRun);
  const reveal = useAppStore((st) => st.reveal);
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<{ key: RunSortKey; dir: "asc" | "desc" }>({ key: "created", dir: "desc" });
  const filterId = useId();
  const rows = useMemo(() => sortRuns(filterRuns(runs.map((r) => runRow(r, models)), filter), sort.key, sort.dir), [runs, models, filter, sort]);
  const open = (id: string) => void selectRun(id).then(() => reveal());

  return (
    <div className="view runs-view">
      <h1>{s.title}</h1>
      {error ? <ErrorMessage error={error} alert /> : null}
      <section className="runs-list" aria-label={s.listLabel}>
        {!loaded ? (
          <p className="muted">{strings.common.loading}</p>
        ) : runs.length === 0 ? (
          <div className="empty-state">
            <p>{s.empty}</p>
          </div>
        ) : (
          <>
            <div className="list-toolbar">
              <label htmlFor={filterId}>{s.filterLabel}</label>
              <input id={filterId} type="search" value={filter} placeholder={s.filterPlaceholder} onChange={(e) => setFilter(e.target.value)} />
              <span className="muted" role="status">
                {s.showing(rows.length, runs.length)}
              </span>
            </div>
            <div className="table-scroll">
              <table className="data-table runs-table" data-testid="runs-table">
                <thead>
                  <tr>
                    {columns.map((key) => {
                      const active = sort.key === key;
                      return (
                        <th key={key} scope="col" className={[numeric.has(key) ? "num" : "", optional.has(key) ? "col-optional" : ""].join(" ").trim() || undefined} aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
                          <button type="button" className="sort-button" title={s.sortBy(s.columns[key])} onClick={() => setSort({ key, dir: active && sort.dir === "asc" ? "desc" : "asc" })}>
                            {s.columns[key]}
                            <span aria-hidden="true">{active ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                          </button>
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr
                      key={r.run.id}
                      tabIndex={0}
                      data-run-id={r.run.id}
                      aria-current={r.run.id === selected ? "true" : undefined}
                      className={r.run.id === selected ? "selected" : undefined}
                      onClick={() => open(r.run.id)}
                      onKeyDown={(e) => {
                        if (e.key === "Enter" || e.key === " ") {
                          e.preventDefault();
                          open(r.run.id);
                        }
                      }}
                    >
                      <td className="wrap">{r.name}</td>
                      <td>
                        <RunStatusBadge status={r.status} />
                      </td>
                      <td className="wrap">{r.model}</td>
                      <td className="wrap col-optional">{r.data}</td>
                      <td className="num">{r.run.totalSteps > 0 ? `${r.run.step}/${r.run.totalSteps}` : "–"}</td>
                      <td className="num">{r.lr.toExponential().replace(/\.?0+e/, "e")}</td>
                      <td className="num">{r.rank ?? s.choices.full}</td>
                      <td className="num">{loss(r.loss)}</td>
                      <td className="num">{loss(r.valLoss)}</td>
                      <td className="num">{r.seconds === null ? "–" : formatDuration(r.seconds)}</td>
                      <td className="col-optional">{r.ranOn || "–"}</td>
                      <td className="muted col-optional">{new Date(r.created).toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
      <div className={runs.length ? "runs-split" : "runs-split single"}>
        {runs.length ? (
          <section className="runs-details" aria-label={s.detailsLabel}>
            <RunDetail />
          </section>
        ) : null}
        <NewRunForm />
      </div>
    </div>
  );
}
