import { useEffect, useId } from "react";
import { formatDuration } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { useReveal } from "../../components/useReveal.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { evalPhaseText } from "../evaluate/evalLive.js";
import { LossChart } from "../runs/LossChart.js";
import { LrDecisions } from "./LrDecisions.js";

const s = strings.experiments;

/** One queued run: its live training chart (runs.step events), its evaluation's progress, and its configuration's learning-rate choice. */
export function ExperimentItemDetail() {
  const open = useAppStore((st) => st.openExperimentItem);
  const experiment = useAppStore((st) => (open ? st.experiments.find((e) => e.id === open.experiment) : undefined));
  const item = experiment?.items.find((i) => i.id === open?.item);
  const runDetail = useAppStore((st) => (item?.run && st.runDetail?.id === item.run ? st.runDetail : null));
  const runError = useAppStore((st) => st.runActionError);
  const evalJob = useAppStore((st) => (item?.evalJob ? st.evalJobs.find((j) => j.id === item.evalJob) : undefined));
  const evalLive = useAppStore((st) => (item?.evalJob ? st.evalLive[item.evalJob] : undefined));
  const loadEvalJobs = useAppStore((st) => st.loadEvalJobs);
  const select = useAppStore((st) => st.selectExperimentItem);
  const navigate = useAppStore((st) => st.navigate);
  const openCompare = useAppStore((st) => st.openCompare);
  const heading = useReveal<HTMLHeadingElement>(item !== undefined);
  const id = useId();

  // An evaluation the queue just started is not in the Evaluate list yet: read it once.
  useEffect(() => {
    if (item?.evalJob && !evalJob) void loadEvalJobs();
  }, [item?.evalJob, evalJob, loadEvalJobs]);

  if (!experiment || !item) return null;
  return (
    <section className="card experiment-item-detail" aria-labelledby={`${id}-heading`} data-testid="experiment-item-detail" data-item-id={item.id} data-state={item.state}>
      <h2 id={`${id}-heading`} ref={heading} tabIndex={-1}>
        {s.itemHeading(item.label)}
      </h2>
      <p>
        <span className="badge">{s.itemStates[item.state]}</span>{" "}
        {item.etaSeconds !== null && (item.state === "training" || item.state === "evaluating") ? <span className="muted">{s.eta(formatDuration(item.etaSeconds))}</span> : null}
      </p>
      {item.error ? <ErrorMessage error={item.error} /> : null}
      {item.run ? (
        <p>
          <a href="#/runs" onClick={(e) => (e.preventDefault(), navigate("runs"))}>
            {s.itemRun(runDetail?.name ?? item.run)}
          </a>
        </p>
      ) : (
        <p className="muted">{s.noRunYet}</p>
      )}
      {runError && item.run && !runDetail ? <ErrorMessage error={runError} /> : null}
      {runDetail ? <LossChart metrics={runDetail.metrics} runId={runDetail.id} /> : null}
      <section aria-labelledby={`${id}-eval`} data-testid="experiment-item-eval">
        <h3 id={`${id}-eval`}>{s.evalHeadingItem}</h3>
        {evalJob ? (
          <p>
            <progress max={Math.max(evalJob.total, 1)} value={Math.min(evalJob.done, evalJob.total)} aria-label={s.evalProgress(evalJob.done, evalJob.total)} /> <span data-testid="experiment-item-eval-progress">{s.evalProgress(evalJob.done, evalJob.total)}</span>{" "}
            <span className="muted">
              {strings.evaluate.statuses[evalJob.status]} {evalJob.status === "running" ? evalPhaseText(evalJob, evalLive) : null}
            </span>
          </p>
        ) : (
          <p className="muted">{s.evalNotYet}</p>
        )}
      </section>
      <LrDecisions experiment={experiment} configuration={item.configuration} />
      <div className="button-row">
        {experiment.items.some((i) => i.run) ? (
          <button type="button" onClick={() => void openCompare(experiment.items.flatMap((i) => (i.run ? [i.run] : [])))} aria-label={s.compareExperiment(experiment.name)}>
            {s.compare}
          </button>
        ) : null}
        <button type="button" onClick={() => void select(experiment.id, null)}>
          {s.closeItem}
        </button>
      </div>
    </section>
  );
}
