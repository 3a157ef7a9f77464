import { useEffect, useId, useState } from "react";
import { allLoraTargets, loraTargets, trainBackends, type MemoryEstimate, type TrainConfigInput } from "../../../../electron/shared/contract.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { formatBytes } from "../../format/formatBytes.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";

const s = strings.runs;
type Form = {
  model: string;
  data: string;
  format: "alpaca" | "guanaco" | "chat";
  steps: number;
  lr: number;
  schedule: "constant" | "linear" | "cosine" | "inverse-sqrt";
  warmupSteps: number;
  rank: number;
  alpha: number;
  targets: string[];
  seqLen: number;
  batchSize: number;
  gradAccum: number;
  seed: number;
  maskPrompt: boolean;
  rslora: boolean;
  dropout: number;
  baseWeights: "f32" | "as-stored";
  backend: (typeof trainBackends)[number];
  mergedOut: string;
};

// The papers' settings as one-click presets; Kew et al. 2024 is the default.
const kew = { rank: 64, alpha: 16, lr: 1e-5, schedule: "constant" as const, warmupSteps: 0, steps: 2000 };
const chirkova = { rank: 64, alpha: 16, lr: 1e-4, schedule: "inverse-sqrt" as const, warmupSteps: 0, steps: 1000, gradAccum: 4 };

/** Start a training run: every field explained in one line, the papers' defaults, memory shown first. */
export function NewRunForm() {
  const models = useAppStore((st) => st.models).filter((m) => m.status === "ok" || m.status === "changed");
  const startRun = useAppStore((st) => st.startRun);
  const startError = useAppStore((st) => st.startError);
  const api = useAppStore((st) => st.api);
  const [form, setForm] = useState<Form>({ model: "", data: "", format: "alpaca", ...kew, targets: [...loraTargets], seqLen: 1024, batchSize: 4, gradAccum: 1, seed: 1, maskPrompt: true, rslora: false, dropout: 0, baseWeights: "as-stored", backend: "auto", mergedOut: "" });
  const [starting, setStarting] = useState(false);
  const [estimate, setEstimate] = useState<MemoryEstimate | null>(null);
  const id = useId();
  const model = form.model || models[0]?.id || "";

  useEffect(() => {
    if (!model) return;
    let live = true;
    api
      .call("models.estimate", { model, seqLen: form.seqLen, batch: form.batchSize, rank: form.rank, baseWeights: form.baseWeights, dropout: form.dropout })
      .then((e) => live && setEstimate(e))
      .catch(() => live && setEstimate(null));
    return () => {
      live = false;
    };
  }, [api, model, form.seqLen, form.batchSize, form.rank, form.baseWeights, form.dropout]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const field = (key: keyof typeof s.fields, control: React.ReactNode) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{s.fields[key].label}</label>
      {control}
      <p className="help" id={`${id}-${key}-help`}>
        {s.fields[key].help}
      </p>
    </div>
  );
  const num = (key: "steps" | "lr" | "warmupSteps" | "rank" | "alpha" | "dropout" | "seqLen" | "batchSize" | "gradAccum" | "seed", step = "1", max?: number) =>
    field(key, <input id={`${id}-${key}`} type="number" step={step} min={0} max={max} value={form[key]} aria-describedby={`${id}-${key}-help`} onChange={(e) => set(key, Number(e.target.value))} />);

  if (models.length === 0) return <p className="muted">{s.noModels}</p>;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setStarting(true);
    const { mergedOut, ...rest } = form;
    const config: TrainConfigInput = { ...rest, model, targets: form.targets as TrainConfigInput["targets"], ...(mergedOut.trim() ? { mergedOut: mergedOut.trim() } : {}) };
    await startRun(config);
    setStarting(false);
  };

  return (
    <form className="card new-run" aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)}>
      <h2 id={`${id}-heading`}>{s.newRun}</h2>
      <p className="muted">{s.defaultsNote}</p>
      <div className="button-row" role="group" aria-label={s.presets}>
        <button type="button" onClick={() => setForm((f) => ({ ...f, ...kew, gradAccum: 1 }))}>
          {s.presetKew}
        </button>
        <button type="button" onClick={() => setForm((f) => ({ ...f, ...chirkova }))}>
          {s.presetChirkova}
        </button>
      </div>
      <div className="field-grid">
        {field(
          "model",
          <select id={`${id}-model`} value={model} aria-describedby={`${id}-model-help`} onChange={(e) => set("model", e.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>,
        )}
        {field("data", <input id={`${id}-data`} type="text" required value={form.data} placeholder="/path/to/instructions.jsonl" aria-describedby={`${id}-data-help`} onChange={(e) => set("data", e.target.value)} />)}
        {field(
          "format",
          <select id={`${id}-format`} value={form.format} aria-describedby={`${id}-format-help`} onChange={(e) => set("format", e.target.value as Form["format"])}>
            <option value="alpaca">Alpaca</option>
            <option value="guanaco">Guanaco</option>
            <option value="chat">Chat template</option>
          </select>,
        )}
        {num("steps")}
        {num("lr", "any")}
        {field(
          "schedule",
          <select id={`${id}-schedule`} value={form.schedule} aria-describedby={`${id}-schedule-help`} onChange={(e) => set("schedule", e.target.value as Form["schedule"])}>
            <option value="constant">constant</option>
            <option value="linear">linear</option>
            <option value="cosine">cosine</option>
            <option value="inverse-sqrt">inverse square root</option>
          </select>,
        )}
        {num("warmupSteps")}
        {num("rank")}
        {num("alpha", "any")}
        {num("dropout", "0.01", 0.9)}
        {num("seqLen")}
        {num("batchSize")}
        {num("gradAccum")}
        {num("seed")}
        {field(
          "backend",
          <select id={`${id}-backend`} value={form.backend} aria-describedby={`${id}-backend-help`} onChange={(e) => set("backend", e.target.value as Form["backend"])}>
            {trainBackends.map((b) => (
              <option key={b} value={b}>
                {s.backends[b]}
              </option>
            ))}
          </select>,
        )}
        {field("mergedOut", <input id={`${id}-mergedOut`} type="text" value={form.mergedOut} placeholder="/path/to/merged.gguf" aria-describedby={`${id}-mergedOut-help`} onChange={(e) => set("mergedOut", e.target.value)} />)}
      </div>
      <fieldset className="field">
        <legend>{s.fields.targets.label}</legend>
        <div className="inline-list">
          {allLoraTargets.map((t) => (
            <label key={t} className="checkbox">
              <input type="checkbox" checked={form.targets.includes(t)} onChange={(e) => set("targets", e.target.checked ? [...form.targets, t] : form.targets.filter((x) => x !== t))} /> {t}
            </label>
          ))}
        </div>
        <p className="help">{s.fields.targets.help}</p>
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={form.baseWeights === "as-stored"} onChange={(e) => set("baseWeights", e.target.checked ? "as-stored" : "f32")} /> {s.fields.baseWeights.label} — <span className="muted">{s.fields.baseWeights.help}</span>
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={form.rslora} onChange={(e) => set("rslora", e.target.checked)} /> {s.fields.rslora.label} — <span className="muted">{s.fields.rslora.help}</span>
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={form.maskPrompt} onChange={(e) => set("maskPrompt", e.target.checked)} /> {s.fields.maskPrompt.label} — <span className="muted">{s.fields.maskPrompt.help}</span>
      </label>
      {estimate ? <p data-testid="run-memory">{s.memory(formatBytes(estimate.inference.totalBytes), formatBytes(estimate.training.totalBytes))}</p> : null}
      {startError ? <ErrorMessage error={startError} alert /> : null}
      <div className="button-row">
        <button type="submit" className="primary" disabled={starting}>
          {starting ? s.starting : s.start}
        </button>
      </div>
    </form>
  );
}
