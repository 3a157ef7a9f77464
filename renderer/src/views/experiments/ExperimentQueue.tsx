import { useId } from "react";
import type { Experiment, ExperimentItem } from "../../../../electron/shared/experimentContract.js";
import { formatDuration } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { LrDecisions } from "./LrDecisions.js";

const s = strings.experiments;
const statusTone: Record<Experiment["status"], string> = { queued: "off", running: "ok", paused: "changed", interrupted: "changed", completed: "ok", failed: "error", cancelled: "off" };
const stateTone: Record<ExperimentItem["state"], string> = { queued: "off", training: "ok", evaluating: "ok", done: "ok", failed: "error", cancelled: "off" };
const active = (state: ExperimentItem["state"]) => state === "training" || state === "evaluating";

/** Every experiment with its queue of runs: state, progress, time left, errors, and the actions on each. */
export function ExperimentQueue() {
  const experiments = useAppStore((st) => st.experiments);
  const loaded = useAppStore((st) => st.experimentsLoaded);
  const error = useAppStore((st) => st.experimentsError);
  const notice = useAppStore((st) => (st.experimentNotice?.experiment === "" ? st.experimentNotice : null));
  const id = useId();
  return (
    <section className="card experiment-queue" aria-labelledby={`${id}-heading`} data-testid="experiment-queue">
      <h2 id={`${id}-heading`}>{s.queueHeading}</h2>
      {error ? <ErrorMessage error={error} /> : null}
      {notice?.text ? (
        <p className="banner banner-info" role="status">
          {notice.text}
        </p>
      ) : null}
      {!loaded ? <p className="muted">{strings.common.loading}</p> : experiments.length === 0 ? <p className="muted">{s.queueEmpty}</p> : experiments.map((e) => <ExperimentCard key={e.id} experiment={e} />)}
    </section>
  );
}

function ExperimentCard({ experiment: e }: { experiment: Experiment }) {
  const notice = useAppStore((st) => (st.experimentNotice?.experiment === e.id && st.experimentNotice.item === null ? st.experimentNotice : null));
  const reporting = useAppStore((st) => st.experimentReporting === e.id);
  const cancel = useAppStore((st) => st.cancelExperiment);
  const resume = useAppStore((st) => st.resumeExperiment);
  const remove = useAppStore((st) => st.removeExperiment);
  const report = useAppStore((st) => st.reportExperiment);
  const openCompare = useAppStore((st) => st.openCompare);
  const id = useId();
  const done = e.items.filter((i) => i.state === "done").length;
  const going = e.status === "running" || e.status === "queued";
  const runs = e.items.flatMap((i) => (i.run ? [i.run] : []));
  return (
    <section className="experiment" aria-labelledby={`${id}-name`} data-testid="experiment" data-experiment-id={e.id} data-status={e.status}>
      <header className="experiment-header">
        <h3 id={`${id}-name`}>{e.name}</h3>
        <span className={`badge badge-${statusTone[e.status]}`} data-testid="experiment-status">
          {s.statuses[e.status]}
        </span>{" "}
        <span className="muted" data-testid="experiment-summary">
          {s.summary(done, e.items.length)}
        </span>
      </header>
      {e.error ? <ErrorMessage error={e.error} /> : null}
      <div className="button-row row-actions">
        {going ? (
          <button type="button" className="danger-outline" onClick={() => void cancel(e.id)} aria-label={s.cancelExperiment(e.name)}>
            {s.cancel}
          </button>
        ) : null}
        {e.status === "interrupted" || e.status === "paused" ? (
          <button type="button" className="primary" onClick={() => void resume(e.id)} aria-label={s.resumeExperiment(e.name)}>
            {s.resume}
          </button>
        ) : null}
        <button type="button" onClick={() => void report(e.id)} disabled={reporting} aria-label={s.reportExperiment(e.name)}>
          {reporting ? s.reporting : s.report}
        </button>
        {runs.length ? (
          <button type="button" onClick={() => void openCompare(runs)} aria-label={s.compareExperiment(e.name)}>
            {s.compare}
          </button>
        ) : null}
        {!going ? (
          <button type="button" className="danger-outline" onClick={() => window.confirm(s.removeConfirm(e.name)) && void remove(e.id)} aria-label={s.removeExperiment(e.name)}>
            {s.remove}
          </button>
        ) : null}
      </div>
      {notice?.text ? (
        <p className="banner banner-info" role="status" data-testid="experiment-notice">
          {notice.text}
        </p>
      ) : null}
      {notice?.error ? <ErrorMessage error={notice.error} alert /> : null}
      <div className="table-scroll">
        <table className="data-table" data-testid="experiment-items">
          <thead>
            <tr>
              <th scope="col">{s.itemColumns.item}</th>
              <th scope="col">{s.itemColumns.state}</th>
              <th scope="col">{s.itemColumns.progress}</th>
              <th scope="col">{s.itemColumns.actions}</th>
            </tr>
          </thead>
          <tbody>
            {[...e.items]
              .sort((a, b) => a.position - b.position)
              .map((item, i, all) => (
                <ItemRow key={item.id} experiment={e} item={item} first={i === 0 || all[i - 1]!.state !== "queued"} last={i === all.length - 1} />
              ))}
          </tbody>
        </table>
      </div>
      <LrDecisions experiment={e} />
    </section>
  );
}

function ItemRow({ experiment, item, first, last }: { experiment: Experiment; item: ExperimentItem; first: boolean; last: boolean }) {
  const notice = useAppStore((st) => (st.experimentNotice?.experiment === experiment.id && st.experimentNotice.item === item.id ? st.experimentNotice : null));
  const open = useAppStore((st) => st.openExperimentItem?.experiment === experiment.id && st.openExperimentItem.item === item.id);
  const select = useAppStore((st) => st.selectExperimentItem);
  const reveal = useAppStore((st) => st.reveal);
  const cancel = useAppStore((st) => st.cancelExperiment);
  const retry = useAppStore((st) => st.retryExperimentItem);
  const move = useAppStore((st) => st.moveExperimentItem);
  const unit = s.units[item.state];
  return (
    <tr data-item-id={item.id} data-state={item.state} aria-current={open ? "true" : undefined} className={open ? "selected" : undefined}>
      <td className="wrap">
        {item.label}
        {item.chosen ? (
          <span className="badge badge-ok" data-testid="experiment-item-chosen">
            {" "}
            {s.chosen}
          </span>
        ) : null}
      </td>
      <td>
        <span className={`badge badge-${stateTone[item.state]}`} data-testid="experiment-item-state">
          {s.itemStates[item.state]}
        </span>
        {item.error ? <ErrorMessage error={item.error} /> : null}
      </td>
      <td className="experiment-progress" data-testid="experiment-item-progress">
        {active(item.state) || item.total > 0 ? (
          <>
            <progress max={Math.max(item.total, 1)} value={Math.min(item.done, item.total)} aria-label={unit ? s.progress(item.done, item.total, unit) : `${item.done}/${item.total}`} />{" "}
            {unit ? <span>{s.progress(item.done, item.total, unit)}</span> : null}
            {active(item.state) && item.etaSeconds !== null ? <span className="muted"> · {s.eta(formatDuration(item.etaSeconds))}</span> : null}
          </>
        ) : null}
      </td>
      <td>
        <div className="button-row row-actions">
          <button type="button" onClick={() => void select(experiment.id, item.id).then(() => reveal())} aria-label={s.detailsItem(item.label)}>
            {s.details}
          </button>
          {item.state === "queued" ? (
            <>
              <button type="button" disabled={first} onClick={() => void move(experiment.id, item.id, item.position - 1)} aria-label={s.moveUp(item.label)}>
                {s.up}
              </button>
              <button type="button" disabled={last} onClick={() => void move(experiment.id, item.id, item.position + 1)} aria-label={s.moveDown(item.label)}>
                {s.down}
              </button>
            </>
          ) : null}
          {item.state === "queued" || active(item.state) ? (
            <button type="button" className="danger-outline" onClick={() => void cancel(experiment.id, item.id)} aria-label={s.cancelItem(item.label)}>
              {s.cancel}
            </button>
          ) : null}
          {item.state === "failed" || item.state === "cancelled" ? (
            <button type="button" className="primary" onClick={() => void retry(experiment.id, item.id)} aria-label={s.retryItem(item.label)}>
              {s.retry}
            </button>
          ) : null}
        </div>
        {notice?.text ? (
          <p className="small" role="status" data-testid="experiment-item-notice">
            {notice.text}
          </p>
        ) : null}
        {notice?.error ? <ErrorMessage error={notice.error} alert /> : null}
      </td>
    </tr>
  );
}
