import { useId } from "react";
import type { CompareRunsResult } from "../../../../electron/shared/compareContract.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { compareItemsMaxRuns, compareItemsPage, type CompareItem } from "../../store/createCompareSlice.js";

const s = strings.compare;

const scoreText = (scores: Record<string, number | null>): string =>
  Object.entries(scores)
    .map(([metric, value]) => `${strings.evaluate.metricName(metric)} ${value === null ? "—" : Number.isInteger(value) ? value : value.toFixed(2)}`)
    .join(" · ");

/** The same prompts answered by each run, side by side: filtered to changed language correctness or score, by language, a page at a time. */
export function CompareItems({ result }: { result: CompareRunsResult }) {
  const filters = useAppStore((st) => st.compareItemFilters);
  const page = useAppStore((st) => st.compareItems);
  const error = useAppStore((st) => st.compareItemsError);
  const metric = useAppStore((st) => st.compareView.metric);
  const setFilters = useAppStore((st) => st.setCompareItemFilters);
  const id = useId();
  const runs = result.runs.slice(0, compareItemsMaxRuns);
  const from = page && page.total ? filters.offset + 1 : 0;
  const to = page ? filters.offset + page.items.length : 0;

  return (
    <section className="card compare-items" aria-labelledby={`${id}-heading`} data-testid="compare-items">
      <h2 id={`${id}-heading`}>{s.itemsHeading}</h2>
      {runs.length < 2 ? (
        <p className="muted">{s.itemsNeedTwo}</p>
      ) : (
        <>
          <p className="muted small">
            {s.itemsIntro(runs.length)} {result.runs.length > compareItemsMaxRuns ? s.itemsTooMany(compareItemsMaxRuns) : null}
          </p>
          <div className="list-toolbar">
            <label htmlFor={`${id}-language`}>{s.itemFilters.language}</label>
            <select id={`${id}-language`} value={filters.language} onChange={(e) => void setFilters({ language: e.target.value })}>
              <option value="">{s.itemFilters.any}</option>
              {result.languages.map((l) => (
                <option key={l.language} value={l.language}>
                  {languageLabel(l.language)}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-changed`}>{s.itemFilters.changed}</label>
            <select id={`${id}-changed`} value={filters.changed} onChange={(e) => void setFilters({ changed: e.target.value as "" | "language" | "score" })}>
              <option value="">{s.itemFilters.all}</option>
              <option value="language">{s.itemFilters.languageChanged}</option>
              <option value="score">{s.itemFilters.scoreChanged(strings.evaluate.metricName(metric))}</option>
            </select>
            <span className="muted" role="status" data-testid="compare-items-showing">
              {page ? s.itemsShowing(from, to, page.total) : strings.common.loading}
            </span>
          </div>
          {error ? <ErrorMessage error={error} /> : null}
          {page?.items.map((item) => <CompareItemCard key={`${item.suite}-${item.id}`} item={item} runs={runs} />)}
          {page && page.total > compareItemsPage ? (
            <div className="button-row">
              <button type="button" disabled={filters.offset === 0} onClick={() => void setFilters({ offset: Math.max(0, filters.offset - compareItemsPage) })}>
                {s.previous}
              </button>
              <button type="button" disabled={filters.offset + compareItemsPage >= page.total} onClick={() => void setFilters({ offset: filters.offset + compareItemsPage })}>
                {s.next}
              </button>
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

/** One prompt and every run's response to it, each with its detected language, scores and judge rationales. */
function CompareItemCard({ item, runs }: { item: CompareItem; runs: CompareRunsResult["runs"] }) {
  return (
    <article className="compare-item" data-testid="compare-item" data-item-id={item.id} data-language={item.language}>
      <h3 className="subheading mono">{s.item(item.id, item.language)}</h3>
      <p className="small muted">
        {s.prompt}
        {item.category ? ` · ${s.category(item.category)}` : ""}
      </p>
      <pre className="wrap compare-prompt" data-testid="compare-item-prompt">
        {item.prompt}
      </pre>
      {item.reference ? (
        <details className="small">
          <summary>{s.referenceAnswer}</summary>
          <pre className="wrap">{item.reference}</pre>
        </details>
      ) : null}
      <div className="compare-responses">
        {runs.map((run, i) => {
          const r = item.responses[i] ?? null;
          return (
            <div key={run.id} className="compare-response" data-testid="compare-response" data-run={run.id} data-detected={r?.detectedLanguage ?? ""}>
              <h4 className="small">{run.label || run.name}</h4>
              {r === null ? (
                <p className="muted small">{s.noOutput}</p>
              ) : (
                <>
                  <pre className="wrap small" data-testid="compare-response-text">
                    {r.response ? r.response : <span className="muted">{s.emptyResponse}</span>}
                  </pre>
                  <p className="small">{r.detectedLanguage ? s.detected(languageLabel(r.detectedLanguage)) : s.undetected}</p>
                  {Object.keys(r.scores).length ? (
                    <p className="small mono" aria-label={s.scores}>
                      {scoreText(r.scores)}
                    </p>
                  ) : null}
                  {r.judgements.length ? (
                    <ul className="plain-list small" aria-label={s.judge}>
                      {r.judgements.map((j) => (
                        <li key={j.judgement}>
                          <strong>{s.verdict(j.judgement, j.verdict)}</strong>
                          {j.rationale ? ` — ${j.rationale}` : ""}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </>
              )}
            </div>
          );
        })}
      </div>
    </article>
  );
}
