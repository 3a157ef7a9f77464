import { useId } from "react";
import { formatDuration, formatInteger } from "../../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../../components/ErrorMessage.js";
import { useReveal } from "../../../components/useReveal.js";
import { languageLabel } from "../../../format/languageName.js";
import { strings } from "../../../i18n/strings.js";
import { useAppStore } from "../../../store/AppStoreProvider.js";
import { clip } from "../datasetRows.js";
import { flagReasons } from "./translateDraft.js";

const s = strings.translate;

/** One job: what it translated with which model and prompt, counts per language, its output dataset, and every flagged output with its reasons. */
export function TranslationJobDetail() {
  const job = useAppStore((st) => st.translations.find((j) => j.id === st.selectedTranslationId) ?? null);
  const detail = useAppStore((st) => (st.translationDetail?.job === st.selectedTranslationId ? st.translationDetail : null));
  const detailError = useAppStore((st) => st.translationDetailError);
  const showOutput = useAppStore((st) => st.showTranslationOutput);
  const moreFlagged = useAppStore((st) => st.moreFlagged);
  const id = useId();
  const headingRef = useReveal<HTMLHeadingElement>(job !== null);
  if (!job) return null;
  const reasons = flagReasons(job);

  return (
    <section className="card translation-detail" aria-labelledby={`${id}-heading`} data-testid="translation-detail" data-status={job.status}>
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        {s.jobHeading(job.outputName)}
      </h2>
      {job.error ? <ErrorMessage error={job.error} /> : null}
      <dl className="facts small">
        <dt>{s.facts.source}</dt>
        <dd>
          {job.source.name} <span className="muted">({s.facts.sourceKinds[job.source.kind]})</span>
        </dd>
        <dt>{s.facts.model}</dt>
        <dd>
          {job.model.name} <span className="mono muted">{job.model.fingerprint.slice(0, 16)}</span>
        </dd>
        <dt>{s.facts.prompt}</dt>
        <dd className="wrap">
          {job.prompt.label} <span className="mono muted">{`${job.prompt.template}@${job.prompt.hash.slice(0, 16)}`}</span>
        </dd>
        <dt>{s.facts.languages}</dt>
        <dd>
          {job.from} → {job.languages.join(" ")}
        </dd>
        <dt>{s.facts.counts}</dt>
        <dd data-testid="translation-counts">{s.facts.countsValue(job.done, job.total, job.kept, job.flagged)}</dd>
        <dt>{s.facts.time}</dt>
        <dd>{formatDuration(job.seconds)}</dd>
        <dt>{s.facts.output}</dt>
        <dd data-testid="translation-output">
          {job.outputDataset ? (
            <button type="button" className="link-button" onClick={() => void showOutput(job.outputDataset!)}>
              {s.showOutput(job.outputName)}
            </button>
          ) : (
            s.outputNone(job.status === "completed" ? job.flagged : 0)
          )}
        </dd>
      </dl>
      {job.perLanguage.length ? (
        <div className="table-scroll">
          <table className="data-table compact" data-testid="translation-languages">
            <caption className="visually-hidden">{s.perLanguage}</caption>
            <thead>
              <tr>
                <th scope="col">{s.perLanguageColumns.language}</th>
                <th scope="col" className="num">
                  {s.perLanguageColumns.done}
                </th>
                <th scope="col" className="num">
                  {s.perLanguageColumns.kept}
                </th>
                <th scope="col" className="num">
                  {s.perLanguageColumns.flagged}
                </th>
              </tr>
            </thead>
            <tbody>
              {job.perLanguage.map((l) => (
                <tr key={l.language} data-language={l.language}>
                  <th scope="row">{languageLabel(l.language)}</th>
                  <td className="num">{s.progress(l.done, l.total)}</td>
                  <td className="num">{formatInteger(l.kept)}</td>
                  <td className="num">{formatInteger(l.flagged)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {reasons.length ? (
        <>
          <h3 className="subheading">{s.reasonsHeading}</h3>
          <ul className="plain-list" data-testid="translation-reasons">
            {reasons.map((r) => (
              <li key={r.code} data-flag={r.code}>
                {s.reasonCount(s.flagName(r.code), r.count)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {detailError ? <ErrorMessage error={detailError} /> : null}
      {detail ? (
        detail.flaggedTotal ? (
          <>
            <h3 className="subheading">{s.flaggedHeading(detail.flagged.length, detail.flaggedTotal)}</h3>
            <div className="table-scroll">
              <table className="data-table compact" data-testid="translation-flagged-items">
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      {s.itemColumns.item}
                    </th>
                    <th scope="col">{s.itemColumns.language}</th>
                    <th scope="col">{s.itemColumns.reasons}</th>
                    <th scope="col">{s.itemColumns.output}</th>
                    <th scope="col">{s.itemColumns.identified}</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.flagged.map((item) => (
                    <tr key={`${item.ordinal}-${item.language}`} className="row-flagged" data-language={item.language}>
                      <td className="num">{item.ordinal + 1}</td>
                      <td className="mono">{item.language}</td>
                      <td className="wrap" data-testid="item-reasons">
                        <ul className="plain-list">
                          {item.flags.map((f) => (
                            <li key={f.code} data-flag={f.code} title={f.message}>
                              {s.flagName(f.code)}
                              <div className="muted small">{f.message}</div>
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td className="wrap mono small" title={item.raw ?? undefined}>
                        {item.raw ? clip(item.raw) : s.rawEmpty}
                      </td>
                      <td className="mono">{s.identified(item.identifiedLanguage, item.confidence)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {detail.flagged.length < detail.flaggedTotal && detail.flaggedLimit < 500 ? (
              <div className="button-row">
                <button type="button" onClick={() => void moreFlagged()}>
                  {s.moreFlagged}
                </button>
              </div>
            ) : null}
          </>
        ) : job.done ? (
          <p className="muted">{s.flaggedNone}</p>
        ) : null
      ) : null}
    </section>
  );
}
