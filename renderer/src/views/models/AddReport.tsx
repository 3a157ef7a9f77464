import { ErrorMessage } from "../../components/ErrorMessage.js";
import { fileName } from "../../format/fileName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";

const s = strings.models.report;

/** What an add did: what came in, what was read again, and each failure as "file: message. hint". */
export function AddReport() {
  const report = useAppStore((st) => st.addReport);
  const adding = useAppStore((st) => st.adding);
  const dismiss = useAppStore((st) => st.dismissAddReport);
  const select = useAppStore((st) => st.select);
  if (!report || adding) return null;
  const { result, errors } = report;

  return (
    <section className="card add-report" aria-labelledby="add-report-heading" role="status">
      <div className="card-title-row">
        <h2 id="add-report-heading">{s.heading}</h2>
        <button type="button" className="link-button" onClick={dismiss}>
          {strings.common.dismiss}
        </button>
      </div>
      <p className="muted mono wrap">{report.sources.length ? report.sources.join(", ") : s.fromDiscovery}</p>
      {errors.map((error, i) => (
        <ErrorMessage key={i} error={error} alert />
      ))}
      {result ? (
        <>
          <p className="add-summary">
            {result.scannedFiles === 0
              ? s.nothingFound
              : s.summary(result.added.length, result.updated.length, result.failed.length, result.scannedFiles)}
          </p>
          {result.added.length ? (
            <>
              <h3>{s.added}</h3>
              <ul className="plain-list added-list">
                {result.added.map((m) => (
                  <li key={m.id}>
                    <button type="button" className="link-button" onClick={() => void select(m.id)}>
                      {m.name}
                    </button>{" "}
                    <span className="muted mono">{fileName(m.path)}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {result.updated.length ? (
            <>
              <h3>{s.updated}</h3>
              <ul className="plain-list">
                {result.updated.map((m) => (
                  <li key={m.id}>
                    {m.name} <span className="muted mono">{fileName(m.path)}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {result.failed.length ? (
            <>
              <h3>{s.failed}</h3>
              <ul className="plain-list failed-list">
                {result.failed.map((m) => (
                  <li key={m.id}>
                    {m.error ? (
                      <ErrorMessage error={m.error} subject={fileName(m.path)} />
                    ) : (
                      <span>{fileName(m.path)}</span>
                    )}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
