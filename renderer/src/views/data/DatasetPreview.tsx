import { useEffect, useId, useState } from "react";
import { defaultMinConfidence, exampleProvenances, type DatasetRow, type Provenance } from "../../../../electron/shared/datasetContract.js";
import { formatInteger } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { useReveal } from "../../components/useReveal.js";
import { fileName } from "../../format/fileName.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { clip, isLowConfidence, isMismatched, pageRange, turnText } from "./datasetRows.js";
import { ImportSummary } from "./ImportSummary.js";

const s = strings.data.preview;
// Paper 003 keeps labels with confidence ≥ 0.8; rows under it are marked.
const threshold = defaultMinConfidence;
const searchPause = 250;

/** The selected dataset: its facts and languages, its rows searchable and filterable page by page, and Remove. */
export function DatasetPreview() {
  const page = useAppStore((st) => st.datasetPage);
  const dataset = useAppStore((st) => st.datasets.find((d) => d.id === st.selectedDatasetId) ?? st.datasetPage?.dataset ?? null);
  const query = useAppStore((st) => st.datasetQuery);
  const setQuery = useAppStore((st) => st.setDatasetQuery);
  const loading = useAppStore((st) => st.datasetPageLoading);
  const pageError = useAppStore((st) => st.datasetPageError);
  const actionError = useAppStore((st) => st.datasetActionError);
  const remove = useAppStore((st) => st.removeDataset);
  const openTranslate = useAppStore((st) => st.openTranslate);
  const [search, setSearch] = useState(query.search);
  const [confirming, setConfirming] = useState(false);
  const id = useId();
  const headingRef = useReveal<HTMLHeadingElement>(dataset !== null);

  useEffect(() => {
    setSearch(query.search);
    setConfirming(false);
    // A new dataset starts with an empty search.
  }, [dataset?.id]);

  useEffect(() => {
    if (search === query.search) return;
    const timer = setTimeout(() => void setQuery({ search }), searchPause);
    return () => clearTimeout(timer);
  }, [search, query.search, setQuery]);

  if (!dataset) return null;
  const rows = page?.rows ?? [];
  const total = page?.total ?? 0;
  const range = pageRange(query.offset, query.limit, rows.length, total);
  const parallel = dataset.kind === "parallel";
  const filtered = Boolean(query.search || query.language || query.provenance || query.lowConfidence || query.mismatched);

  return (
    <section className="card dataset-preview" aria-labelledby={`${id}-heading`} data-testid="dataset-preview">
      <div className="card-title-row">
        <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
          {dataset.name}
        </h2>
        <div className="button-row">
          {dataset.kind === "instructions" ? (
            <button type="button" onClick={() => openTranslate({ kind: "dataset", id: dataset.id })} aria-label={strings.translate.actionDatasetLabel(dataset.name)}>
              {strings.translate.action}
            </button>
          ) : null}
          <button type="button" className="danger-outline" onClick={() => setConfirming(true)} disabled={confirming}>
            {s.remove}
          </button>
        </div>
      </div>
      {confirming ? (
        <div className="confirm danger-zone" role="alertdialog" aria-labelledby={`${id}-confirm`}>
          <p id={`${id}-confirm`}>{s.removeConfirm(dataset.name, dataset.examples)}</p>
          <div className="button-row">
            <button type="button" className="danger" onClick={() => void remove(dataset.id)}>
              {s.removeYes}
            </button>
            <button type="button" onClick={() => setConfirming(false)} autoFocus>
              {s.removeNo}
            </button>
          </div>
        </div>
      ) : null}
      {actionError ? <ErrorMessage error={actionError} alert /> : null}
      <dl className="facts small">
        <dt>{s.facts.kind}</dt>
        <dd>{strings.data.kinds[dataset.kind]}</dd>
        <dt>{s.facts.format}</dt>
        <dd>{strings.data.import.formats[dataset.format as keyof typeof strings.data.import.formats] ?? dataset.format}</dd>
        <dt>{s.facts.examples}</dt>
        <dd>{s.facts.examplesValue(formatInteger(dataset.examples), formatInteger(dataset.skipped), formatInteger(dataset.duplicates))}</dd>
        <dt>{s.facts.provenance}</dt>
        <dd>
          {Object.entries(dataset.provenance)
            .filter(([, n]) => n > 0)
            .map(([p, n]) => `${strings.data.provenances[p as Provenance]} ${formatInteger(n)}`)
            .join(" · ") || "–"}
        </dd>
        <dt>{s.facts.encoding}</dt>
        <dd>{dataset.encoding}</dd>
        <dt>{s.facts.files}</dt>
        <dd>
          <ul className="plain-list">
            {dataset.files.map((f) => (
              <li key={f.path} className="mono wrap">
                {f.path}
              </li>
            ))}
          </ul>
        </dd>
        <dt>{s.facts.fingerprint}</dt>
        <dd className="mono wrap">{dataset.fingerprint}</dd>
      </dl>
      <details>
        <summary>{s.languagesAndErrors(dataset.languages.length, dataset.errorCount)}</summary>
        <ImportSummary dataset={dataset} compact />
      </details>

      <div className="list-toolbar preview-toolbar" role="group" aria-label={s.filtersLabel}>
        <label htmlFor={`${id}-search`}>{s.search}</label>
        <input id={`${id}-search`} type="search" value={search} placeholder={s.searchPlaceholder} onChange={(e) => setSearch(e.target.value)} />
        <label htmlFor={`${id}-lang`}>{s.language}</label>
        <select id={`${id}-lang`} value={query.language} onChange={(e) => void setQuery({ language: e.target.value })}>
          <option value="">{s.allLanguages}</option>
          {[...dataset.languages]
            .sort((a, b) => b.examples - a.examples)
            .map((l) => (
              <option key={l.language} value={l.language}>
                {languageLabel(l.language)} ({formatInteger(l.examples)})
              </option>
            ))}
        </select>
        {!parallel ? (
          <>
            <label htmlFor={`${id}-prov`}>{s.provenance}</label>
            <select id={`${id}-prov`} value={query.provenance} onChange={(e) => void setQuery({ provenance: e.target.value as Provenance | "" })}>
              <option value="">{s.allProvenances}</option>
              {exampleProvenances.map((p) => (
                <option key={p} value={p}>
                  {strings.data.provenances[p]}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label className="checkbox">
          <input type="checkbox" checked={query.lowConfidence} onChange={(e) => void setQuery({ lowConfidence: e.target.checked })} /> {s.lowConfidenceOnly}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={query.mismatched} onChange={(e) => void setQuery({ mismatched: e.target.checked })} /> {s.mismatchedOnly}
        </label>
      </div>
      <p className="muted" role="status" data-testid="preview-status">
        {loading && !page ? strings.common.loading : s.showing(range.first, range.last, total, filtered)}
      </p>
      {pageError ? <ErrorMessage error={pageError} /> : null}
      {rows.length ? (
        <div className="table-scroll">
          <table className="data-table compact example-table" data-testid="examples-table" aria-busy={loading || undefined}>
            <caption className="visually-hidden">{s.caption(dataset.name)}</caption>
            <thead>
              {parallel ? (
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">{s.columns.source}</th>
                  <th scope="col">{s.columns.target}</th>
                  <th scope="col">{s.columns.where}</th>
                </tr>
              ) : (
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">{s.columns.language}</th>
                  <th scope="col">{s.columns.prompt}</th>
                  <th scope="col">{s.columns.response}</th>
                  <th scope="col">{s.columns.provenance}</th>
                  <th scope="col">{s.columns.where}</th>
                </tr>
              )}
            </thead>
            <tbody>
              {rows.map((row) => (
                <RowView key={row.id} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      ) : !loading && page ? (
        <p className="muted">{filtered ? s.noMatch : s.noRows}</p>
      ) : null}
      {range.hasPrevious || range.hasNext ? (
        <div className="button-row pager" role="group" aria-label={s.pages}>
          <button type="button" disabled={!range.hasPrevious || loading} onClick={() => void setQuery({ offset: Math.max(0, query.offset - query.limit) })}>
            {s.previous}
          </button>
          <button type="button" disabled={!range.hasNext || loading} onClick={() => void setQuery({ offset: query.offset + query.limit })}>
            {s.next}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function LanguageCell({ language, confidence, claimed }: { language: string; confidence: number; claimed: string | null }) {
  const low = confidence < threshold;
  const mismatch = claimed !== null && claimed !== language;
  return (
    <span className="language-cell">
      <span className="mono">{language}</span> <span className={low ? "warn" : "muted"} title={low ? s.lowConfidenceHelp : undefined}>{s.confidence(confidence)}</span>
      {mismatch ? (
        <span className="badge badge-changed" title={s.mismatchHelp(claimed, language)}>
          {s.claimed(claimed)}
        </span>
      ) : null}
    </span>
  );
}

function RowView({ row }: { row: DatasetRow }) {
  const flagged = isLowConfidence(row, threshold) || isMismatched(row);
  const where = (
    <td className="mono muted" title={row.file}>
      {fileName(row.file)}:{row.line}
    </td>
  );
  if (row.kind === "pair") {
    return (
      <tr className={flagged ? "row-flagged" : undefined}>
        <td className="num">{row.ordinal + 1}</td>
        <td className="wrap">
          <LanguageCell language={row.sourceLanguage} confidence={row.sourceConfidence} claimed={row.claimedSourceLanguage} />
          <div>{clip(row.source)}</div>
        </td>
        <td className="wrap">
          <LanguageCell language={row.targetLanguage} confidence={row.targetConfidence} claimed={row.claimedTargetLanguage} />
          <div>{clip(row.target)}</div>
        </td>
        {where}
      </tr>
    );
  }
  const turns = row.turns.filter((t) => t.role !== "system").length;
  return (
    <tr className={flagged ? "row-flagged" : undefined} data-language={row.language}>
      <td className="num">{row.ordinal + 1}</td>
      <td>
        <LanguageCell language={row.language} confidence={row.confidence} claimed={row.claimedLanguage} />
      </td>
      <td className="wrap" title={turnText(row, "user")}>
        {clip(turnText(row, "user"))}
        {turns > 2 ? <span className="muted"> {s.turns(turns)}</span> : null}
      </td>
      <td className="wrap" title={turnText(row, "assistant")}>
        {clip(turnText(row, "assistant"))}
      </td>
      <td>
        {strings.data.provenances[row.provenance]}
        {row.translation ? (
          <div className="muted" title={row.translation.modelFingerprint}>
            {s.translatedBy(row.translation.model)} <span className="mono">{row.translation.prompt}</span>
          </div>
        ) : null}
        {row.category ? <div className="muted">{row.category}</div> : null}
      </td>
      {where}
    </tr>
  );
}
