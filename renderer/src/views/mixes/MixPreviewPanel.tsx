import { useId, useMemo } from "react";
import { exampleProvenances } from "../../../../electron/shared/datasetContract.js";
import { formatCount, formatInteger } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { clip, turnText } from "../data/datasetRows.js";
import { DistributionChart } from "./DistributionChart.js";
import { inRecipeOrder, previewBars, provenanceColours } from "./distributionData.js";

const s = strings.mixes.preview;
const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "–");

/** What the recipe being built would hold, before anything is saved: counts and tokens per language and provenance, the chart, samples, warnings. */
export function MixPreviewPanel({ valid, recipeKey, order }: { valid: boolean; recipeKey: string | null; order: string[] }) {
  const preview = useAppStore((st) => st.mixPreview);
  const previewOf = useAppStore((st) => st.mixPreviewOf);
  const error = useAppStore((st) => st.mixPreviewError);
  const previewing = useAppStore((st) => st.mixPreviewing);
  const id = useId();
  const current = previewOf !== null && previewOf === recipeKey;
  const bars = useMemo(() => (preview ? previewBars(preview.counts, order) : []), [preview, order]);
  const xDomain = useMemo(() => [...new Set(bars.map((b) => b.x))], [bars]);
  const fills = useMemo(() => [...exampleProvenances, "unknown" as const].map((p) => ({ key: p, colour: provenanceColours[p], label: s.provenances[p] })), []);

  const counts = preview?.counts;
  const tokens = preview?.tokens ?? null;
  const tokenOf = (language: string) => tokens?.languages.find((l) => l.language === language)?.tokens ?? null;
  const available = (language: string) => preview?.available.find((a) => a.language === language)?.examples ?? null;

  return (
    <section className="card mix-preview" aria-labelledby={`${id}-heading`} data-testid="mix-preview" aria-busy={previewing || undefined}>
      <h2 id={`${id}-heading`}>{s.heading}</h2>
      <p className="muted" role="status" data-testid="mix-preview-status">
        {!valid ? s.invalid : previewing ? s.updating : !current && preview ? s.stale : !preview && !error ? s.waiting : ""}
      </p>
      {error && current ? <ErrorMessage error={error} /> : null}
      {preview && counts && !(error && current) ? (
        <div className={current ? undefined : "stale"}>
          <p className="lead" data-testid="mix-total">
            {s.total(formatInteger(counts.total), tokens ? formatInteger(tokens.total) : null)}
          </p>
          {preview.lowConfidenceExcluded || preview.duplicatesDropped ? <p className="muted">{s.excluded(formatInteger(preview.lowConfidenceExcluded), formatInteger(preview.duplicatesDropped))}</p> : null}
          {preview.warnings.length ? (
            <ul className="banner banner-info plain-list warn-list" aria-label={s.warnings} data-testid="mix-warnings">
              {preview.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <div className="table-scroll">
            <table className="data-table compact" data-testid="mix-languages">
              <caption>{s.byLanguage}</caption>
              <thead>
                <tr>
                  <th scope="col">{s.language}</th>
                  <th scope="col" className="num">
                    {s.examples}
                  </th>
                  <th scope="col" className="num">
                    {s.share}
                  </th>
                  <th scope="col" className="num">
                    {s.tokens}
                  </th>
                  <th scope="col" className="num" title={s.availableHelp}>
                    {s.available}
                  </th>
                </tr>
              </thead>
              <tbody>
                {inRecipeOrder(counts.languages, order).map((l) => (
                  <tr key={l.language} data-language={l.language}>
                    <th scope="row">{languageLabel(l.language)}</th>
                    <td className="num">{formatInteger(l.examples)}</td>
                    <td className="num">{percent(l.examples, counts.total)}</td>
                    <td className="num">{tokenOf(l.language) === null ? "–" : formatCount(tokenOf(l.language))}</td>
                    <td className="num">{available(l.language) === null ? "–" : formatInteger(available(l.language))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-scroll">
            <table className="data-table compact" data-testid="mix-provenance">
              <caption>{s.byProvenance}</caption>
              <thead>
                <tr>
                  <th scope="col">{s.provenance}</th>
                  <th scope="col" className="num">
                    {s.examples}
                  </th>
                  <th scope="col" className="num">
                    {s.share}
                  </th>
                  <th scope="col" className="num">
                    {s.tokens}
                  </th>
                </tr>
              </thead>
              <tbody>
                {counts.provenance
                  .filter((p) => p.examples > 0)
                  .map((p) => {
                    const t = tokens?.provenance.find((x) => x.provenance === p.provenance)?.tokens;
                    return (
                      <tr key={p.provenance}>
                        <th scope="row">{strings.data.provenances[p.provenance]}</th>
                        <td className="num">{formatInteger(p.examples)}</td>
                        <td className="num">{percent(p.examples, counts.total)}</td>
                        <td className="num">{t === undefined ? "–" : formatCount(t)}</td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          </div>
          {!tokens ? <p className="help">{s.noTokens}</p> : null}
          <DistributionChart
            bars={bars}
            xDomain={xDomain}
            fills={fills}
            xLabel={s.chartX}
            yLabel={s.chartY}
            legendLabel={s.provenance}
            xTick={languageLabel}
            title={s.chartTitle}
            summary={s.chartSummary(inRecipeOrder(counts.languages, order).filter((l) => l.examples > 0).map((l) => `${l.language} ${l.examples}`))}
            fileStem="polytune-mix-preview"
            testId="mix-preview-chart"
          />
          {preview.samples.length ? (
            <details className="mix-samples" data-testid="mix-samples">
              <summary>{s.samples(preview.samples.length)}</summary>
              <ul className="plain-list">
                {preview.samples.map((sample, i) => (
                  <li key={`${sample.dataset}-${sample.id ?? i}`}>
                    <span className="badge badge-off">{sample.language}</span> <span className="muted">{strings.data.provenances[sample.provenance]}</span>
                    <div className="sample-text">
                      <strong>{clip(turnText(sample, "user"), 200)}</strong>
                      <div>{clip(turnText(sample, "assistant"), 200)}</div>
                    </div>
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
