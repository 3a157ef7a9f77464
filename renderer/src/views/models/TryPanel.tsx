import { useId, type FormEvent } from "react";
import type { Model, TryOptions } from "../../../../electron/shared/contract.js";
import { tryKey } from "../../store/createTrySlice.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { formatRate } from "../../../../electron/shared/formatQuantities.js";

const s = strings.tryIt;

/** A prompt, a run, the text as it streams in with its speed, and a stop button. */
export function TryPanel({ model, adapter, format, heading }: { model: Model; adapter?: string; format?: TryOptions["format"]; heading?: string }) {
  const tryRun = useAppStore((st) => st.tryRun);
  const startTry = useAppStore((st) => st.startTry);
  const stopTry = useAppStore((st) => st.stopTry);
  const { prompt, maxTokens, repeatPenalty } = useAppStore((st) => st.tryDraft);
  const setDraft = useAppStore((st) => st.setTryDraft);
  const id = useId();

  const run = tryRun && tryRun.modelId === tryKey(model.id, adapter) ? tryRun : null;
  const busy = tryRun?.status === "running" || tryRun?.status === "stopping";
  const max = Number(maxTokens);
  const penalty = Number(repeatPenalty);
  const maxValid = Number.isInteger(max) && max >= 1 && max <= 4096;
  const penaltyValid = repeatPenalty.trim() !== "" && Number.isFinite(penalty) && penalty >= 1 && penalty <= 2;
  const runnable = model.status !== "error" && model.status !== "missing";
  const canRun = runnable && !busy && prompt.trim().length > 0 && maxValid && penaltyValid;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canRun) void startTry({ model: model.id, prompt, maxTokens: max, repeatPenalty: penalty, ...(adapter ? { adapter } : {}), ...(format ? { format } : {}) });
  };

  return (
    <section className="card try-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{heading ?? s.heading}</h2>
      {!runnable ? <p className="help warn">{s.unavailable}</p> : null}
      {/* make-tiny's models, whether Polytune registered them or they were added as files later. */}
      {model.source === "generated" || model.name.startsWith("polytune-tiny-") ? <p className="help">{s.generatedNote}</p> : null}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-prompt`}>{s.prompt}</label>
          <textarea
            id={`${id}-prompt`}
            rows={3}
            value={prompt}
            placeholder={s.promptPlaceholder}
            onChange={(e) => setDraft({ prompt: e.target.value })}
            onKeyDown={(e) => {
              // Ctrl/Cmd+Enter runs, as in most prompt boxes; Enter alone keeps making new lines.
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit(e);
            }}
            aria-describedby={`${id}-note`}
          />
          <p id={`${id}-note`} className="help">
            {s.greedyNote}
          </p>
        </div>
        <div className="input-row">
          <div className="field">
            <label htmlFor={`${id}-max`}>{s.maxTokens}</label>
            <input
              id={`${id}-max`}
              type="number"
              min={1}
              max={4096}
              value={maxTokens}
              aria-invalid={!maxValid || undefined}
              onChange={(e) => setDraft({ maxTokens: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-penalty`}>{s.repeatPenalty}</label>
            <input
              id={`${id}-penalty`}
              type="number"
              min={1}
              max={2}
              step={0.05}
              value={repeatPenalty}
              aria-invalid={!penaltyValid || undefined}
              onChange={(e) => setDraft({ repeatPenalty: e.target.value })}
            />
          </div>
          <div className="button-row">
            <button type="submit" className="primary" disabled={!canRun}>
              {s.run}
            </button>
            <button type="button" disabled={run?.status !== "running"} onClick={() => void stopTry()}>
              {run?.status === "stopping" ? s.stopping : s.stop}
            </button>
          </div>
        </div>
      </form>
      <h3 id={`${id}-out`}>{s.output}</h3>
      <div className="try-output" role="log" aria-live="polite" aria-labelledby={`${id}-out`} data-testid="try-output">
        {run ? (
          run.text ? (
            <span>{run.text}</span>
          ) : run.status === "running" ? (
            <span className="muted">{s.waiting}</span>
          ) : run.result ? (
            <span className="muted">{s.emptyOutput}</span>
          ) : null
        ) : null}
      </div>
      {run && !run.result && run.tokens > 0 ? (
        <p className="try-live" aria-live="off" data-testid="try-live">
          {s.live(formatRate(run.tokensPerSecond), run.tokens)}
        </p>
      ) : null}
      {run?.error ? <ErrorMessage error={run.error} alert /> : null}
      {run?.result ? (
        <dl className="facts small try-result" data-testid="try-result">
          <dt>{s.finalRate}</dt>
          <dd>{s.finalRateValue(formatRate(run.result.tokensPerSecond))}</dd>
          <dt>{s.finalTokens}</dt>
          <dd>{s.finalTokensValue(run.result.tokens, run.result.promptTokens)}</dd>
          <dt>{s.finalTime}</dt>
          <dd>{s.finalTimeValue(run.result.seconds)}</dd>
          <dt>{s.backend}</dt>
          <dd>{run.result.backend}</dd>
          <dt>{s.stopReason}</dt>
          <dd>{s.stopReasons[run.result.stopReason]}</dd>
        </dl>
      ) : null}
    </section>
  );
}
