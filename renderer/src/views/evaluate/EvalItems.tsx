import { useId } from "react";
import type { EvalJob, EvalSuiteName, EvalSystem } from "../../../../electron/shared/evalContract.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { evalItemsPage } from "../../store/createEvalSlice.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { itemScoreSummary } from "./itemRows.js";

const s = strings.evaluate;

/** A job's items a page at a time, filtered by suite, language, system and "changed between tuned and base"; each opens its detail. */
export function EvalItems({ job }: { job: EvalJob }) {
  const filters = useAppStore((st) => st.evalItemFilters);
  const page = useAppStore((st) => (st.evalItems?.job === job.id ? st.evalItems : null));
  const error = useAppStore((st) => st.evalItemsError);
  const setFilters = useAppStore((st) => st.setEvalItemFilters);
  const openItem = useAppStore((st) => st.openItem);
  const opened = useAppStore((st) => st.openEvalItem);
  const id = useId();
  const suites = [...new Set(job.suites.map((x) => x.suite))];
  const from = page && page.total ? page.filters.offset + 1 : 0;
  const to = page ? page.filters.offset + page.items.length : 0;

  return (
    <section className="card eval-items" aria-labelledby={`${id}-heading`} data-testid="eval-items">
      <h2 id={`${id}-heading`} tabIndex={-1} data-focus="eval-items">
        {s.itemsHeading}
      </h2>
      <div className="list-toolbar">
        <label htmlFor={`${id}-suite`}>{s.filters.suite}</label>
        <select id={`${id}-suite`} value={filters.suite} onChange={(e) => void setFilters({ suite: e.target.value as EvalSuiteName | "" })}>
          <option value="">{s.filters.any}</option>
          {suites.map((x) => (
            <option key={x} value={x}>
              {s.suiteNames[x]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-language`}>{s.filters.language}</label>
        <select id={`${id}-language`} value={filters.language} onChange={(e) => void setFilters({ language: e.target.value })}>
          <option value="">{s.filters.any}</option>
          {job.languages.map((l) => (
            <option key={l.language} value={l.language}>
              {l.language}
            </option>
          ))}
        </select>
        {job.baseline ? (
          <>
            <label htmlFor={`${id}-system`}>{s.filters.system}</label>
            <select id={`${id}-system`} value={filters.system} onChange={(e) => void setFilters({ system: e.target.value as EvalSystem | "" })}>
              <option value="">{s.filters.any}</option>
              <option value="tuned">{s.systems.tuned}</option>
              <option value="base">{s.systems.base}</option>
            </select>
            <label className="checkbox">
              <input type="checkbox" checked={filters.changed} onChange={(e) => void setFilters({ changed: e.target.checked })} /> {s.filters.changed}
            </label>
          </>
        ) : null}
        <span className="muted" role="status" data-testid="eval-items-showing">
          {page ? s.itemsShowing(from, to, page.total) : strings.common.loading}
        </span>
      </div>
      {error ? <ErrorMessage error={error} /> : null}
      {page && page.items.length ? (
        <div className="table-scroll">
          <table className="data-table compact" data-testid="eval-items-table">
            <thead>
              <tr>
                <th scope="col">{s.itemColumns.id}</th>
                <th scope="col">{s.itemColumns.language}</th>
                <th scope="col">{s.itemColumns.system}</th>
                <th scope="col" className="num">
                  {s.itemColumns.seed}
                </th>
                <th scope="col">{s.itemColumns.response}</th>
                <th scope="col">{s.itemColumns.scores}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item) => {
                const current = opened?.suite === item.suite && opened.id === item.id;
                return (
                  <tr key={`${item.suite}-${item.id}-${item.system}-${item.seed ?? ""}`} data-item-id={item.id} data-system={item.system} className={current ? "selected" : undefined} aria-current={current ? "true" : undefined}>
                    <td className="mono">
                      <button type="button" className="link-button" onClick={() => void openItem(item.suite, item.id)} aria-label={s.openItem(item.id, s.systems[item.system])}>
                        {item.id}
                      </button>
                    </td>
                    <td className="mono">{item.language}</td>
                    <td>{s.systems[item.system]}</td>
                    <td className="num">{item.seed ?? ""}</td>
                    <td className="wrap small" data-testid="eval-item-response">
                      {item.status === "pending" ? <span className="muted">{s.pending}</span> : clipText(item.response ?? "") || <span className="muted">{s.emptyResponse}</span>}
                    </td>
                    <td className="small mono">{itemScoreSummary(item.scores)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {page && page.total > evalItemsPage ? (
        <div className="button-row">
          <button type="button" disabled={filters.offset === 0} onClick={() => void setFilters({ offset: Math.max(0, filters.offset - evalItemsPage) })}>
            {s.previous}
          </button>
          <button type="button" disabled={filters.offset + evalItemsPage >= page.total} onClick={() => void setFilters({ offset: filters.offset + evalItemsPage })}>
            {s.next}
          </button>
        </div>
      ) : null}
    </section>
  );
}

const clipText = (text: string) => (text.length > 160 ? `${text.slice(0, 159)}…` : text);
