import { Fragment } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { formatBytes } from "../../format/formatBytes.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { LossChart } from "./LossChart.js";
import { RunStatusBadge } from "./RunStatusBadge.js";

const s = strings.runs;

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const t = Math.round(seconds);
  return t >= 3600 ? `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min` : t >= 60 ? `${Math.floor(t / 60)} min ${t % 60} s` : `${t} s`;
}

/** One run: progress with rate and ETA, the live loss chart, the actions its status allows, its settings. */
export function RunDetail() {
  const run = useAppStore((st) => st.runDetail);
  const live = useAppStore((st) => st.runLive);
  const selected = useAppStore((st) => st.selectedRunId);
  const actionError = useAppStore((st) => st.runActionError);
  const runAction = useAppStore((st) => st.runAction);
  const models = useAppStore((st) => st.models);
  if (!selected) return <p className="muted select-hint">{s.selectHint}</p>;
  if (!run) return actionError ? <ErrorMessage error={actionError} alert /> : <p className="muted">{strings.common.loading}</p>;
  const pct = run.totalSteps > 0 ? Math.round((100 * run.step) / run.totalSteps) : 0;
  const c = run.config;
  const settings: Array<[string, string]> = [
    [s.fields.model.label, models.find((m) => m.id === (run.modelId ?? c.model))?.name ?? c.model],
    [s.fields.data.label, c.data],
    [s.fields.format.label, c.format],
    [s.fields.steps.label, String(c.steps ?? `${c.epochs ?? 1} epoch(s)`)],
    [s.fields.lr.label, `${c.lr} (${c.schedule}${c.warmupSteps ? `, warm-up ${c.warmupSteps}` : ""})`],
    [s.fields.rank.label, `r ${c.rank}, α ${c.alpha}${c.rslora ? " (rsLoRA: α/√r)" : ""}`],
    [s.fields.dropout.label, c.dropout > 0 ? String(c.dropout) : strings.common.no],
    [s.fields.targets.label, c.targets.join(", ")],
    [s.fields.seqLen.label, String(c.seqLen)],
    [s.fields.batchSize.label, `${c.batchSize} × ${c.gradAccum}`],
    [s.fields.seed.label, String(c.seed)],
    [s.fields.maskPrompt.label, c.maskPrompt ? strings.common.yes : strings.common.no],
    [s.fields.backend.label, s.backends[c.backend]],
    [s.fields.baseWeights.label, c.baseWeights === "as-stored" ? strings.common.yes : strings.common.no],
  ];
  const lastMemory = run.metrics.at(-1)?.memoryBytes ?? null;
  const note = typeof run.summary?.backendNote === "string" ? ` (${run.summary.backendNote})` : "";
  const ranOn = run.summary && typeof run.summary.device === "string" ? `${String(run.summary.backend)} · ${run.summary.device}${note}` : null;
  if (ranOn) settings.push([s.fields.device.label, ranOn]);
  return (
    <div className="details-stack" data-testid="run-detail">
      <section className="card" aria-labelledby="run-heading">
        <div className="card-title-row">
          <h2 id="run-heading" className="wrap">
            {run.name}
          </h2>
          <RunStatusBadge status={run.status} />
        </div>
        <div className="run-progress">
          <progress max={Math.max(1, run.totalSteps)} value={run.step} aria-label={s.progress(run.step, run.totalSteps)} />
          <span role="status" aria-live="polite" data-testid="run-progress">
            {s.progress(run.step, run.totalSteps)} · {pct}%
            {run.status === "running" && live ? ` · ${s.rate(live.tokensPerSecond.toFixed(0), duration(live.etaSeconds))}` : ""}
            {run.status === "running" && lastMemory ? ` · ${s.memoryUse(formatBytes(lastMemory))}` : ""}
          </span>
        </div>
        {run.status === "interrupted" ? <p className="banner banner-info">{s.interrupted}</p> : null}
        {run.error && run.status !== "interrupted" ? <ErrorMessage error={run.error} /> : null}
        {actionError ? <ErrorMessage error={actionError} alert /> : null}
        {run.adapterPath && run.status === "completed" ? (
          <p>
            {s.adapter}: <code className="wrap" data-testid="run-adapter">{run.adapterPath}</code>
          </p>
        ) : null}
        {run.status === "completed" && typeof run.summary?.mergedModel === "string" ? (
          <p>
            {s.mergedModel}: <code className="wrap">{run.summary.mergedModel}</code>
          </p>
        ) : null}
        <div className="button-row">
          {run.status === "running" ? (
            <button type="button" onClick={() => void runAction("pause", run.id)}>
              {s.pause}
            </button>
          ) : null}
          {["paused", "interrupted", "failed"].includes(run.status) ? (
            <button type="button" className="primary" onClick={() => void runAction("resume", run.id)}>
              {s.resume}
            </button>
          ) : null}
          {["paused", "interrupted", "queued"].includes(run.status) ? (
            <button type="button" className="danger-outline" onClick={() => void runAction("cancel", run.id)}>
              {s.cancel}
            </button>
          ) : null}
        </div>
      </section>
      <LossChart metrics={run.metrics} runId={run.id} />
      <section className="card" aria-labelledby="run-settings-heading">
        <h2 id="run-settings-heading">{s.settingsHeading}</h2>
        <dl className="facts">
          {settings.map(([k, v]) => (
            <Fragment key={k}>
              <dt>{k}</dt>
              <dd className="wrap">{v}</dd>
            </Fragment>
          ))}
        </dl>
      </section>
    </div>
  );
}
