import { ErrorMessage } from "../../components/ErrorMessage.js";
import { formatInteger } from "../../../../electron/shared/formatQuantities.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { DatasetPreview } from "./DatasetPreview.js";
import { languageSummary } from "./datasetRows.js";
import { ImportPanel } from "./ImportPanel.js";

const s = strings.data;

/** Import, the list of datasets, and the selected one's rows. */
export function DatasetsPanel() {
  const datasets = useAppStore((st) => st.datasets);
  const loaded = useAppStore((st) => st.datasetsLoaded);
  const error = useAppStore((st) => st.datasetsError);
  const selected = useAppStore((st) => st.selectedDatasetId);
  const select = useAppStore((st) => st.selectDataset);
  const reveal = useAppStore((st) => st.reveal);
  const open = (id: string) => void select(id).then(() => reveal());

  return (
    <>
      <ImportPanel />
      {error ? <ErrorMessage error={error} alert /> : null}
      <section className="card" aria-labelledby="datasets-heading">
        <h2 id="datasets-heading">{s.listHeading}</h2>
        {!loaded ? (
          <p className="muted">{strings.common.loading}</p>
        ) : datasets.length === 0 ? (
          <div className="empty-state">
            <p>{s.empty}</p>
          </div>
        ) : (
          <div className="table-scroll">
            <table className="data-table dataset-table" data-testid="datasets-table">
              <thead>
                <tr>
                  <th scope="col">{s.columns.name}</th>
                  <th scope="col">{s.columns.kind}</th>
                  <th scope="col">{s.columns.format}</th>
                  <th scope="col" className="num">
                    {s.columns.examples}
                  </th>
                  <th scope="col">{s.columns.languages}</th>
                  <th scope="col" className="num" title={s.lowConfidenceHelp}>
                    {s.columns.lowConfidence}
                  </th>
                  <th scope="col" className="num">
                    {s.columns.errors}
                  </th>
                  <th scope="col" className="col-optional">
                    {s.columns.created}
                  </th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((d) => (
                  <tr
                    key={d.id}
                    tabIndex={0}
                    data-dataset-id={d.id}
                    aria-current={d.id === selected ? "true" : undefined}
                    className={d.id === selected ? "selected" : undefined}
                    onClick={() => open(d.id)}
                    onKeyDown={(e) => {
                      if (e.key === "Enter" || e.key === " ") {
                        e.preventDefault();
                        open(d.id);
                      }
                    }}
                  >
                    <td className="wrap">{d.name}</td>
                    <td>{s.kinds[d.kind]}</td>
                    <td>{s.import.formats[d.format as keyof typeof s.import.formats] ?? d.format}</td>
                    <td className="num">{formatInteger(d.examples)}</td>
                    <td className="wrap" data-testid="dataset-languages-cell">
                      {languageSummary(d)}
                    </td>
                    <td className="num">{s.countOf(d.lowConfidence, d.examples)}</td>
                    <td className="num">{d.errorCount ? formatInteger(d.errorCount) : "–"}</td>
                    <td className="muted col-optional">{new Date(d.createdAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected ? <DatasetPreview /> : datasets.length ? <p className="muted select-hint">{s.selectHint}</p> : null}
    </>
  );
}
