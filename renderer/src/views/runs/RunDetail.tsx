import { Fragment, useEffect, useId, useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { useReveal } from "../../components/useReveal.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import type { RunDetail as RunDetailData } from "../../store/AppState.js";
import { liveRate } from "./liveRate.js";
import { TryPanel } from "../models/TryPanel.js";
import { languageLine } from "../mixes/distributionData.js";
import { LossChart } from "./LossChart.js";
import { RunStatusBadge } from "./RunStatusBadge.js";
import { formatBytes, formatDuration } from "../../../../electron/shared/formatQuantities.js";
import type { PolytuneErrorShape } from "../../../../electron/shared/contract.js";
import { toErrorShape } from "../../../../electron/shared/PolytuneError.js";

const s = strings.runs;

/** What the progress line says: the step, and while training the averaged rate and time left (or that it is still estimating). */
function progressText(run: RunDetailData): string {
  if (run.totalSteps === 0) return run.status === "failed" ? s.failedBeforeStart : run.status === "running" || run.status === "queued" ? s.preparing : s.noSteps;
  const pct = Math.round((100 * run.step) / run.totalSteps);
  const parts = [`${s.progress(run.step, run.totalSteps)} · ${pct}%`];
  if (run.status === "running") {
    const rate = liveRate(run.metrics, run.totalSteps);
    parts.push(rate ? s.rate(rate.tokensPerSecond.toFixed(0), formatDuration(rate.etaSeconds)) : s.estimating);
    const memory = run.metrics.at(-1)?.memoryBytes;
    if (memory) parts.push(s.memoryUse(formatBytes(memory)));
  }
  return parts.join(" · ");
}

/** Copies text; true when the clipboard took it (it may be refused outside a secure context). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** One run: progress with rate and ETA, the live loss chart, the actions its status allows, its settings. */
export function RunDetail() {
  const run = useAppStore((st) => st.runDetail);
  const selected = useAppStore((st) => st.selectedRunId);
  const actionError = useAppStore((st) => st.runActionError);
  const runAction = useAppStore((st) => st.runAction);
  const duplicateRun = useAppStore((st) => st.duplicateRun);
  const models = useAppStore((st) => st.models);
  const renameRun = useAppStore((st) => st.renameRun);
  const deleteRun = useAppStore((st) => st.deleteRun);
  const headingRef = useReveal<HTMLHeadingElement>(run !== null && run.id === selected);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [copied, setCopied] = useState(false);
  // Only the desktop app can open the file manager; the browser is never offered the button.
  const desktop = useAppStore((st) => st.api.desktop);
  const [revealError, setRevealError] = useState<PolytuneErrorShape | null>(null);
  const renameId = useId();
  useEffect(() => (setRenaming(null), setConfirmingDelete(false), setCopied(false), setRevealError(null)), [selected]);
  if (!selected) return <p className="muted select-hint">{s.selectHint}</p>;
  if (!run) return actionError ? <ErrorMessage error={actionError} alert /> : <p className="muted">{strings.common.loading}</p>;
  const c = run.config;
  const model = models.find((m) => m.id === (run.modelId ?? c.model));
  // A full run's model joined the library when the run ended.
  const writtenModel = run.modelPath ? models.find((m) => m.path === run.modelPath) : undefined;
  const settings: Array<[string, string]> = [
    [s.fields.model.label, models.find((m) => m.id === (run.modelId ?? c.model))?.name ?? c.model],
    c.mix || run.mix
      ? [s.fields.mix.label, run.mix ? `${run.mix.name} — ${languageLine(run.mix)}` : (c.mix ?? "")]
      : c.text
        ? [s.fields.text.label, c.text.join(", ")]
        : [s.fields.data.label, c.data ?? ""],
    [s.fields.method.label, `${s.choices[c.method] ?? c.method}${typeof run.summary?.methodNote === "string" ? ` — ${run.summary.methodNote}` : ""}`],
    [s.fields.format.label, s.choices[c.format] ?? c.format],
    [s.fields.steps.label, String(c.steps ?? `${c.epochs ?? 1} epoch(s)`)],
    [s.fields.lr.label, `${c.lr} (${s.choices[c.schedule] ?? c.schedule}${c.warmupSteps ? `, warm-up ${c.warmupSteps}` : ""})`],
    // A full run trains every weight: the adapter's settings were not used, so they are not shown.
    ...(c.method === "full"
      ? []
      : ([
          [s.fields.rank.label, `r ${c.rank}, α ${c.alpha}${c.rslora ? " (rsLoRA: α/√r)" : ""}`],
          [s.fields.dropout.label, c.dropout > 0 ? String(c.dropout) : strings.common.no],
          [s.fields.targets.label, c.targets.join(", ")],
        ] as Array<[string, string]>)),
    [s.fields.seqLen.label, String(c.seqLen)],
    [s.fields.batchSize.label, `${c.batchSize} × ${c.gradAccum}`],
    [s.fields.seed.label, String(c.seed)],
    [s.fields.maskPrompt.label, c.maskPrompt ? strings.common.yes : strings.common.no],
    [s.fields.backend.label, s.backends[c.backend]],
    ...(c.method === "full" ? [] : ([[s.fields.baseWeights.label, s.choices[c.baseWeights] ?? c.baseWeights]] as Array<[string, string]>)),
  ];
  const note = typeof run.summary?.backendNote === "string" ? ` (${run.summary.backendNote})` : "";
  const ranOn = run.summary && typeof run.summary.device === "string" ? `${String(run.summary.backend)} · ${run.summary.device}${note}` : null;
  if (ranOn) settings.push([s.ranOn, ranOn]);
  // Only actions that can work: a failed run resumes only from progress it made, else it is run again.
  const canResume = run.status === "paused" || run.status === "interrupted" || (run.status === "failed" && run.step > 0);
  const finished = run.status === "completed" || run.status === "failed" || run.status === "cancelled";
  return (
    <div className="details-stack" data-testid="run-detail">
      <section className="card" aria-labelledby="run-heading">
        <div className="card-title-row">
          <h2 id="run-heading" className="wrap" ref={headingRef} tabIndex={-1}>
            {run.name}
          </h2>
          <RunStatusBadge status={run.status} />
        </div>
        {renaming !== null ? (
          <form
            className="rename-form"
            onSubmit={(e) => {
              e.preventDefault();
              void renameRun(run.id, renaming).then((ok) => ok && setRenaming(null));
            }}
          >
            <label htmlFor={renameId}>{s.renameLabel}</label>
            <input id={renameId} type="text" value={renaming} maxLength={200} required autoFocus onChange={(e) => setRenaming(e.target.value)} />
            <button type="submit" className="primary" disabled={renaming.trim() === ""}>
              {s.renameSave}
            </button>
            <button type="button" onClick={() => setRenaming(null)}>
              {s.renameCancel}
            </button>
          </form>
        ) : null}
        <div className="run-progress">
          {run.totalSteps > 0 ? <progress max={run.totalSteps} value={run.step} aria-label={s.progress(run.step, run.totalSteps)} /> : null}
          <span role="status" aria-live="polite" data-testid="run-progress">
            {progressText(run)}
          </span>
        </div>
        {run.status === "interrupted" ? <p className="banner banner-info" data-testid="run-interrupted">{s.interrupted}</p> : null}
        {run.error && run.status !== "interrupted" ? <ErrorMessage error={run.error} /> : null}
        {actionError ? <ErrorMessage error={actionError} alert /> : null}
        {run.adapterPath && run.status === "completed" ? (
          <p className="adapter-path">
            {s.adapter}: <code className="wrap" data-testid="run-adapter">{run.adapterPath}</code>{" "}
            <button type="button" className="link-button" onClick={() => void copyText(run.adapterPath!).then(setCopied)}>
              {copied ? s.copied : s.copyPath}
            </button>
            {desktop ? (
              <>
                {" "}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setRevealError(null);
                    desktop.showRunAdapter(run.id).catch((error: unknown) => setRevealError(toErrorShape(error)));
                  }}
                >
                  {s.showInFolder}
                </button>
              </>
            ) : null}
          </p>
        ) : null}
        {revealError ? <ErrorMessage error={revealError} alert /> : null}
        {run.modelPath && run.status === "completed" ? (
          <p>
            {s.writtenModel}: <code className="wrap" data-testid="run-model">{run.modelPath}</code>
          </p>
        ) : null}
        {run.status === "completed" && typeof run.summary?.quantizedModel === "string" ? (
          <p>
            {s.quantizedModel}: <code className="wrap">{run.summary.quantizedModel}</code>
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
          {canResume ? (
            <button type="button" className="primary" onClick={() => void runAction("resume", run.id)}>
              {s.resume}
            </button>
          ) : null}
          {finished ? (
            <button type="button" className={run.status === "failed" && !canResume ? "primary" : undefined} onClick={() => duplicateRun(run.id)}>
              {s.duplicate}
            </button>
          ) : null}
          {["running", "paused", "interrupted", "queued"].includes(run.status) ? (
            <button type="button" className="danger-outline" onClick={() => void runAction("cancel", run.id)}>
              {s.cancel}
            </button>
          ) : null}
          {renaming === null ? (
            <button type="button" onClick={() => setRenaming(run.name)}>
              {s.rename}
            </button>
          ) : null}
          {run.status !== "running" && run.status !== "queued" ? (
            <button type="button" className="danger-outline" onClick={() => setConfirmingDelete(true)} disabled={confirmingDelete}>
              {s.delete}
            </button>
          ) : null}
        </div>
        {confirmingDelete ? (
          <div className="confirm danger-zone" role="alertdialog" aria-labelledby={`${renameId}-delete`}>
            <p id={`${renameId}-delete`}>{s.deleteConfirm(run.name)}</p>
            <ul className="mono wrap">
              <li>{s.deleteCheckpoints}</li>
              {run.adapterPath ? <li>{run.adapterPath}</li> : null}
              {/* A full run's model in its own folder goes with it; one written where `out` said stays. */}
              {run.modelPath && c.out === undefined ? <li>{run.modelPath}</li> : null}
            </ul>
            {run.modelPath && c.out !== undefined ? <p className="muted">{s.deleteKeepsModel(run.modelPath)}</p> : null}
            {typeof run.summary?.mergedModel === "string" ? <p className="muted">{s.deleteKeeps(run.summary.mergedModel)}</p> : null}
            <button type="button" className="danger" autoFocus onClick={() => void deleteRun(run.id)}>
              {s.deleteYes}
            </button>
            <button type="button" onClick={() => setConfirmingDelete(false)}>
              {s.deleteNo}
            </button>
          </div>
        ) : null}
      </section>
      <LossChart metrics={run.metrics} runId={run.id} />
      {run.status === "completed" && run.adapterPath && model ? <TryPanel model={model} adapter={run.adapterPath} format={c.format} heading={s.tryWithAdapter} /> : null}
      {run.status === "completed" && writtenModel ? <TryPanel model={writtenModel} format={c.format} heading={s.tryWrittenModel} /> : null}
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
