import { useId } from "react";
import type { EvalJob } from "../../../../electron/shared/evalContract.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { canResumeEval } from "./evalDraft.js";
import { evalPhaseText } from "./evalLive.js";

const s = strings.evaluate;
const tone: Record<EvalJob["status"], string> = { running: "ok", completed: "ok", cancelled: "off", interrupted: "changed", failed: "error" };

/** The evaluation jobs, newest first: live progress with phase, ETA and rate (verdicts while judging); cancel, resume, remove, and the way to the results. */
export function EvalJobs() {
  const jobs = useAppStore((st) => st.evalJobs);
  const loaded = useAppStore((st) => st.evalJobsLoaded);
  const error = useAppStore((st) => st.evalJobsError);
  const selected = useAppStore((st) => st.selectedEvalId);
  const select = useAppStore((st) => st.selectEval);
  const reveal = useAppStore((st) => st.reveal);
  const id = useId();
  const open = (job: string) => void select(job).then(() => reveal());

  return (
    <section className="card eval-jobs" aria-labelledby={`${id}-heading`} data-testid="eval-jobs">
      <h2 id={`${id}-heading`}>{s.jobsHeading}</h2>
      {error ? <ErrorMessage error={error} /> : null}
      {!loaded ? (
        <p className="muted">{strings.common.loading}</p>
      ) : jobs.length === 0 ? (
        <p className="muted">{s.jobsEmpty}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="eval-jobs-table">
            <thead>
              <tr>
                <th scope="col">{s.columns.job}</th>
                <th scope="col" className="col-optional">
                  {s.columns.model}
                </th>
                <th scope="col">{s.columns.suites}</th>
                <th scope="col">{s.columns.progress}</th>
                <th scope="col">{s.columns.status}</th>
                <th scope="col">{s.columns.actions}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <EvalJobRow key={j.id} job={j} selected={j.id === selected} onOpen={() => open(j.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function EvalJobRow({ job, selected, onOpen }: { job: EvalJob; selected: boolean; onOpen: () => void }) {
  const live = useAppStore((st) => st.evalLive[job.id]);
  const cancel = useAppStore((st) => st.cancelEval);
  const resume = useAppStore((st) => st.resumeEval);
  const remove = useAppStore((st) => st.removeEval);
  const actionError = useAppStore((st) => (st.evalActionError?.job === job.id ? st.evalActionError.error : null));
  const running = job.status === "running";
  const suites = [...new Set(job.suites.map((x) => s.suiteNames[x.suite]))].join(", ");
  return (
    <tr data-job-id={job.id} data-status={job.status} aria-current={selected ? "true" : undefined} className={selected ? "selected" : undefined}>
      <td className="wrap">{job.name}</td>
      <td className="wrap col-optional">
        {job.model.name}
        {job.adapters.length ? <div className="muted small">+ {job.adapters.length} adapter(s)</div> : null}
      </td>
      <td className="wrap">{suites}</td>
      <td className="eval-progress" data-testid="eval-progress">
        <progress max={Math.max(job.total, 1)} value={Math.min(job.done, job.total)} aria-label={s.progress(job.done, job.total)} />
        <span data-testid="eval-progress-count">{s.progress(job.done, job.total)}</span>
        {running ? (
          <span className="muted" data-testid="eval-phase">
            {" "}
            {evalPhaseText(job, live)}
          </span>
        ) : null}
      </td>
      <td>
        <span className={`badge badge-${tone[job.status]}`} data-status={job.status}>
          {s.statuses[job.status]}
        </span>
        {job.error && !selected ? <div className="muted small">{job.error.message}</div> : null}
        {actionError ? <ErrorMessage error={actionError} alert /> : null}
      </td>
      <td>
        <div className="button-row row-actions">
          <button type="button" onClick={onOpen} aria-label={s.detailsLabel(job.name)}>
            {s.details}
          </button>
          {running ? (
            <button type="button" className="danger-outline" onClick={() => void cancel(job.id)} aria-label={s.cancelLabel(job.name)}>
              {s.cancel}
            </button>
          ) : null}
          {canResumeEval(job) ? (
            <button type="button" className="primary" onClick={() => void resume(job.id)} aria-label={s.resumeLabel(job.name)}>
              {s.resume}
            </button>
          ) : null}
          {!running ? (
            <button type="button" className="danger-outline" onClick={() => window.confirm(s.removeConfirm(job.name)) && void remove(job.id)} aria-label={s.removeLabel(job.name)}>
              {s.remove}
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}
