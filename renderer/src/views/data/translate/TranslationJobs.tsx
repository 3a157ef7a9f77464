import { useId } from "react";
import type { TranslationJob } from "../../../../../electron/shared/translateContract.js";
import { formatDuration } from "../../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../../components/ErrorMessage.js";
import { strings } from "../../../i18n/strings.js";
import { useAppStore } from "../../../store/AppStoreProvider.js";
import { canResume } from "./translateDraft.js";
import { TranslationJobDetail } from "./TranslationJobDetail.js";

const s = strings.translate;

/** The translation jobs, newest first: live progress, flagged count, ETA, cancel and resume; the selected one's results below. */
export function TranslationJobs() {
  const jobs = useAppStore((st) => st.translations);
  const loaded = useAppStore((st) => st.translationsLoaded);
  const error = useAppStore((st) => st.translationsError);
  const selected = useAppStore((st) => st.selectedTranslationId);
  const select = useAppStore((st) => st.selectTranslation);
  const reveal = useAppStore((st) => st.reveal);
  const id = useId();
  const open = (job: string) => void select(job).then(() => reveal());

  return (
    <>
      <section className="card translation-jobs" aria-labelledby={`${id}-heading`} data-testid="translation-jobs">
        <h2 id={`${id}-heading`}>{s.jobsHeading}</h2>
        {error ? <ErrorMessage error={error} /> : null}
        {!loaded ? (
          <p className="muted">{strings.common.loading}</p>
        ) : jobs.length === 0 ? (
          <p className="muted">{s.jobsEmpty}</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table translation-table" data-testid="translations-table">
              <thead>
                <tr>
                  <th scope="col">{s.columns.job}</th>
                  <th scope="col" className="col-optional">
                    {s.columns.model}
                  </th>
                  <th scope="col">{s.columns.languages}</th>
                  <th scope="col">{s.columns.progress}</th>
                  <th scope="col" className="num">
                    {s.columns.flagged}
                  </th>
                  <th scope="col">{s.columns.status}</th>
                  <th scope="col">{s.columns.actions}</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <JobRow key={j.id} job={j} selected={j.id === selected} onOpen={() => open(j.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {selected ? <TranslationJobDetail /> : null}
    </>
  );
}

function JobRow({ job, selected, onOpen }: { job: TranslationJob; selected: boolean; onOpen: () => void }) {
  const eta = useAppStore((st) => st.translationEta[job.id]);
  const cancel = useAppStore((st) => st.cancelTranslation);
  const resume = useAppStore((st) => st.resumeTranslation);
  const actionError = useAppStore((st) => (st.translationActionError?.job === job.id ? st.translationActionError.error : null));
  const running = job.status === "running";
  return (
    <tr data-job-id={job.id} data-status={job.status} aria-current={selected ? "true" : undefined} className={selected ? "selected" : undefined}>
      <td className="wrap">
        {job.outputName}
        <div className="muted small">{job.source.name}</div>
      </td>
      <td className="wrap col-optional">{job.model.name}</td>
      <td className="mono">{job.languages.join(" ")}</td>
      <td className="translation-progress" data-testid="translation-progress">
        <progress max={Math.max(job.total, 1)} value={Math.min(job.done, job.total)} aria-label={s.progress(job.done, job.total)} />
        <span>{s.progress(job.done, job.total)}</span>
        {running && eta !== undefined && eta !== null ? <span className="muted"> · {s.eta(formatDuration(eta))}</span> : null}
      </td>
      <td className={job.flagged ? "num warn" : "num"} data-testid="translation-flagged">
        {s.flaggedCount(job.flagged, job.done)}
      </td>
      <td>
        <span className={`badge badge-translation-${job.status}`}>{s.statuses[job.status] ?? job.status}</span>
        {actionError ? <ErrorMessage error={actionError} alert /> : null}
      </td>
      <td>
        <div className="button-row row-actions">
          <button type="button" onClick={onOpen} aria-label={s.detailsLabel(job.outputName)}>
            {s.details}
          </button>
          {running ? (
            <button type="button" className="danger-outline" onClick={() => void cancel(job.id)} aria-label={s.cancelLabel(job.outputName)}>
              {s.cancel}
            </button>
          ) : null}
          {canResume(job) ? (
            <button type="button" className="primary" onClick={() => void resume(job.id)} aria-label={s.resumeLabel(job.outputName)}>
              {s.resume}
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}
