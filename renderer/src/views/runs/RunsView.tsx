import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { NewRunForm } from "./NewRunForm.js";
import { RunDetail } from "./RunDetail.js";
import { RunStatusBadge } from "./RunStatusBadge.js";

const s = strings.runs;

/** Training runs: the list, the selected run live, and a form to start another. */
export function RunsView() {
  const runs = useAppStore((st) => st.runs);
  const loaded = useAppStore((st) => st.runsLoaded);
  const error = useAppStore((st) => st.runsError);
  const selected = useAppStore((st) => st.selectedRunId);
  const selectRun = useAppStore((st) => st.selectRun);

  return (
    <div className="view runs-view">
      <h1>{s.title}</h1>
      {error ? <ErrorMessage error={error} alert /> : null}
      <div className={runs.length ? "models-split" : "models-split single"}>
        <section className="models-list" aria-label={s.listLabel}>
          {!loaded ? (
            <p className="muted">{strings.common.loading}</p>
          ) : runs.length === 0 ? (
            <div className="empty-state">
              <p>{s.empty}</p>
            </div>
          ) : (
            <div className="table-scroll">
              <table className="data-table" data-testid="runs-table">
                <thead>
                  <tr>
                    <th scope="col">{s.columns.name}</th>
                    <th scope="col">{s.columns.status}</th>
                    <th scope="col">{s.columns.progress}</th>
                    <th scope="col">{s.columns.created}</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.map((r) => (
                    <tr
                      key={r.id}
                      tabIndex={0}
                      aria-selected={r.id === selected}
                      className={r.id === selected ? "selected" : undefined}
                      onClick={() => void selectRun(r.id)}
                      onKeyDown={(e) => {
                        if (e.key === "Enter" || e.key === " ") {
                          e.preventDefault();
                          void selectRun(r.id);
                        }
                      }}
                    >
                      <td>{r.name}</td>
                      <td>
                        <RunStatusBadge status={r.status} />
                      </td>
                      <td>
                        <progress max={Math.max(1, r.totalSteps)} value={r.step} aria-label={s.progress(r.step, r.totalSteps)} /> {r.step}/{r.totalSteps}
                      </td>
                      <td className="muted">{new Date(r.createdAt).toLocaleString()}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <NewRunForm />
        </section>
        {runs.length ? (
          <aside className="models-details" aria-label={s.chartHeading}>
            <RunDetail />
          </aside>
        ) : null}
      </div>
    </div>
  );
}
