import { useId } from "react";
import { formatDuration } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { useReveal } from "../../components/useReveal.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { EvalItemDetail } from "./EvalItemDetail.js";
import { EvalItems } from "./EvalItems.js";
import { EvalResultsTable } from "./EvalResultsTable.js";
import { suitesWithResults } from "./resultRows.js";

const s = strings.evaluate;

/** One evaluation: what was evaluated how, its results per suite and language, and its items. */
export function EvalJobDetail() {
  const job = useAppStore((st) => st.evalJobs.find((j) => j.id === st.selectedEvalId) ?? null);
  const openItem = useAppStore((st) => st.openEvalItem);
  const id = useId();
  const headingRef = useReveal<HTMLHeadingElement>(job !== null);
  if (!job) return null;
  const suites = suitesWithResults(job);

  return (
    <>
      <section className="card eval-detail" aria-labelledby={`${id}-heading`} data-testid="eval-detail" data-status={job.status}>
        <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
          {s.jobHeading(job.name)}
        </h2>
        {job.error ? <ErrorMessage error={job.error} /> : null}
        <dl className="facts small">
          <dt>{s.facts.model}</dt>
          <dd>
            {job.model.name} <span className="mono muted">{job.model.fingerprint.slice(0, 16)}</span>
          </dd>
          {job.run ? (
            <>
              <dt>{s.facts.run}</dt>
              <dd className="mono">{job.run}</dd>
            </>
          ) : null}
          <dt>{s.facts.adapters}</dt>
          <dd className="wrap">
            {job.adapters.length
              ? job.adapters.map((a) => (
                  <div key={a.path} className="mono">
                    {a.path}
                  </div>
                ))
              : s.facts.none}
          </dd>
          <dt>{s.facts.format}</dt>
          <dd className="mono">{job.format}</dd>
          <dt>{s.facts.decoding}</dt>
          <dd>{s.decodingValue(job.decoding)}</dd>
          <dt>{s.facts.judge}</dt>
          <dd>{job.judge ? `${job.judge.model} (${job.judge.judgements.join(", ")})` : s.facts.none}</dd>
          <dt>{s.facts.outputs}</dt>
          <dd data-testid="eval-counts">{s.outputsValue(job.done, job.total, job.tokens)}</dd>
          <dt>{s.facts.time}</dt>
          <dd>{formatDuration(job.seconds)}</dd>
        </dl>
        {suites.length === 0 ? <p className="muted">{s.resultsPending}</p> : suites.map((suite) => <EvalResultsTable key={suite} job={job} suite={suite} />)}
      </section>
      <EvalItems job={job} />
      {openItem && openItem.job === job.id ? <EvalItemDetail item={openItem} /> : null}
    </>
  );
}
