import { useEffect, useId, useState } from "react";
import type { MemoryEstimate as Estimate, PolytuneErrorShape } from "../../../../electron/shared/contract.js";
import { toErrorShape } from "../../../../electron/shared/PolytuneError.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import type { EstimateField } from "../../store/AppState.js";
import { formatBytes } from "../../../../electron/shared/formatQuantities.js";

const s = strings.estimate;

// Ranges of the contract's models.estimate input (its defaults are the store's initial draft).
const fields: { key: EstimateField; min: number; max: number; step?: number }[] = [
  { key: "contextSize", min: 64, max: 1_048_576, step: 64 },
  { key: "sequences", min: 1, max: 256 },
  { key: "seqLen", min: 16, max: 131_072, step: 16 },
  { key: "batch", min: 1, max: 1024 },
  { key: "rank", min: 1, max: 1024 },
];

function parseField(value: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(value.trim())) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** How much memory this model needs to run and to train a LoRA on it, re-estimated as the numbers change. */
export function MemoryEstimate({ modelId, contextLength }: { modelId: string; contextLength: number | null }) {
  const api = useAppStore((st) => st.api);
  const draft = useAppStore((st) => st.estimateDraft);
  // Until the user types one, the context is the model's own (up to 4096): never more than it was trained for.
  const values = { ...draft, contextSize: draft.contextSize || String(Math.min(4096, contextLength ?? 4096)) };
  const setValues = useAppStore((st) => st.setEstimateDraft);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<PolytuneErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const idBase = useId();

  const parsed = fields.map((f) => parseField(values[f.key], f.min, f.max));
  const valid = parsed.every((n) => n !== null);
  const key = valid ? parsed.join(",") : null;

  useEffect(() => {
    if (!key) return;
    const [contextSize, sequences, seqLen, batch, rank] = key.split(",").map(Number) as [number, number, number, number, number];
    let current = true;
    // Debounced so typing "8192" asks once, not four times.
    const timer = setTimeout(() => {
      setBusy(true);
      api
        .call("models.estimate", { model: modelId, contextSize, sequences, seqLen, batch, rank })
        .then((result) => current && (setEstimate(result), setError(null)))
        .catch((e: unknown) => current && (setEstimate(null), setError(toErrorShape(e))))
        .finally(() => current && setBusy(false));
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, modelId, key]);

  return (
    <section className="card estimate" aria-labelledby={`${idBase}-h`} aria-busy={busy}>
      <h2 id={`${idBase}-h`}>{s.heading}</h2>
      <div className="field-grid">
        {fields.map((f, i) => {
          const invalid = parsed[i] === null;
          return (
            <div key={f.key} className="field">
              <label htmlFor={`${idBase}-${f.key}`}>{s[f.key]}</label>
              <input
                id={`${idBase}-${f.key}`}
                type="number"
                inputMode="numeric"
                min={f.min}
                max={f.max}
                step={f.step ?? 1}
                value={values[f.key]}
                aria-invalid={invalid || undefined}
                onChange={(e) => setValues({ [f.key]: e.target.value })}
              />
            </div>
          );
        })}
      </div>
      <p className="help">{s.defaultsNote}</p>
      {!valid ? <p className="help warn">{s.invalid}</p> : null}
      {error ? <ErrorMessage error={error} /> : null}
      {estimate ? (
        <div className="estimate-results" aria-live="polite">
          <div className="estimate-block" data-testid="estimate-inference">
            <h3>{s.inference}</h3>
            <p className="big-number" data-bytes={estimate.inference.totalBytes}>
              {formatBytes(estimate.inference.totalBytes)}
            </p>
            <dl className="facts small">
              <dt>{s.weights}</dt>
              <dd>{formatBytes(estimate.inference.weightsBytes)}</dd>
              <dt>{s.kvCache}</dt>
              <dd data-testid="estimate-kv" data-bytes={estimate.inference.kvCacheBytes}>
                {formatBytes(estimate.inference.kvCacheBytes)}
              </dd>
              <dt>{s.compute}</dt>
              <dd>{formatBytes(estimate.inference.computeBytes)}</dd>
            </dl>
          </div>
          <div className="estimate-block" data-testid="estimate-training">
            <h3>{s.training}</h3>
            <p className="big-number">{formatBytes(estimate.training.totalBytes)}</p>
            <dl className="facts small">
              <dt>{s.baseF32}</dt>
              <dd>{formatBytes(estimate.training.baseBytes)}</dd>
              <dt>{s.lora}</dt>
              <dd>{formatBytes(estimate.training.loraBytes)}</dd>
              <dt>{s.optimizer}</dt>
              <dd>{formatBytes(estimate.training.optimizerBytes)}</dd>
              <dt>{s.activations}</dt>
              <dd>{formatBytes(estimate.training.activationBytes)}</dd>
            </dl>
          </div>
          {estimate.notes.length ? (
            <div className="estimate-notes">
              <h3>{s.notes}</h3>
              <ul>
                {estimate.notes.map((note, i) => (
                  <li key={i}>{note}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : busy ? (
        <p className="muted">{s.working}</p>
      ) : null}
    </section>
  );
}
