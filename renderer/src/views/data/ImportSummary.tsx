import { useState } from "react";
import type { Dataset } from "../../../../electron/shared/datasetContract.js";
import { formatInteger } from "../../../../electron/shared/formatQuantities.js";
import { fileName } from "../../format/fileName.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";

const s = strings.data.summary;
const firstErrors = 10;

/** What an import kept, skipped and merged, its languages, and the error report (file:line: reason). */
export function ImportSummary({ dataset, compact = false }: { dataset: Dataset; compact?: boolean }) {
  const [all, setAll] = useState(false);
  const languages = [...dataset.languages].sort((a, b) => b.examples - a.examples);
  const shown = all ? dataset.errors : dataset.errors.slice(0, firstErrors);
  const notListed = dataset.errorCount - shown.length;
  return (
    <div className="import-summary" data-testid="import-summary">
      {!compact ? (
        <p className="lead" data-testid="import-counts">
          {s.counts(formatInteger(dataset.examples), formatInteger(dataset.skipped), formatInteger(dataset.duplicates), dataset.kind)}
        </p>
      ) : null}
      {languages.length ? (
        <div className="table-scroll">
          <table className="data-table compact" data-testid="dataset-languages">
            <caption>{s.languagesCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{s.language}</th>
                <th scope="col" className="num">
                  {dataset.kind === "parallel" ? s.sides : s.examples}
                </th>
                <th scope="col" className="num">
                  {s.share}
                </th>
                <th scope="col" className="num" title={s.lowConfidenceHelp}>
                  {s.lowConfidence}
                </th>
                <th scope="col" className="num" title={s.mismatchedHelp}>
                  {s.mismatched}
                </th>
              </tr>
            </thead>
            <tbody>
              {languages.map((l) => {
                const total = languages.reduce((sum, x) => sum + x.examples, 0);
                return (
                  <tr key={l.language} data-language={l.language}>
                    <th scope="row">{languageLabel(l.language)}</th>
                    <td className="num">{formatInteger(l.examples)}</td>
                    <td className="num">{total ? `${((100 * l.examples) / total).toFixed(1)}%` : "–"}</td>
                    <td className="num">{formatInteger(l.lowConfidence)}</td>
                    <td className="num">{formatInteger(l.mismatched)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {dataset.notes.length ? (
        <ul className="banner banner-info plain-list" aria-label={s.notes}>
          {dataset.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      {dataset.errorCount > 0 ? (
        <section className="error-report" aria-label={s.errorsHeading} data-testid="import-errors">
          <h4>{s.errorsTitle(dataset.errorCount)}</h4>
          <ul className="plain-list mono">
            {shown.map((e, i) => (
              <li key={`${e.file}:${e.line}:${i}`}>
                <span title={e.file}>
                  {fileName(e.file)}:{e.line}
                </span>
                : <span className="error-reason">{e.reason}</span>
              </li>
            ))}
          </ul>
          {notListed > 0 ? <p className="muted">{s.moreErrors(notListed, dataset.errors.length < dataset.errorCount)}</p> : null}
          {!all && dataset.errors.length > firstErrors ? (
            <button type="button" className="link-button" onClick={() => setAll(true)}>
              {s.showErrors(dataset.errors.length)}
            </button>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
