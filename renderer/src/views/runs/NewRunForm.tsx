import { useEffect, useId, useMemo, useRef, useState } from "react";
import { allLoraTargets, trainSettingNames, type MemoryEstimate, type PolytuneErrorShape, type Run, type TrainSettingName } from "../../../../electron/shared/contract.js";
import { ErrorMessage, errorSentence } from "../../components/ErrorMessage.js";
import { useReveal } from "../../components/useReveal.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { languageLine } from "../mixes/distributionData.js";
import { defaultRunName } from "./defaultRunName.js";
import { choicesOf, configFromForm, dataSourceOf, dataSources, fieldError, fieldGroups, formSettings, loraOnlySettings, numberRange, runFormFields, type DataSource, type FieldValue } from "./runFormFields.js";
import { activePreset, presetValues, runPresets } from "./runPresets.js";
import { formatBytes, formatDuration } from "../../../../electron/shared/formatQuantities.js";

const s = strings.runs;

/** Which field an engine refusal is about, when its `where` names a path the form holds. */
function fieldOfError(error: PolytuneErrorShape | null, values: Record<string, FieldValue>): TrainSettingName | null {
  if (!error?.where) return null;
  for (const key of ["data", "validationData", "model", "mergedOut", "out"] as const) if (values[key] && values[key] === error.where) return key;
  return null;
}

/**
 * How long the typed number of steps should take here, from the last finished run on the same model:
 * its measured seconds per step, scaled by the sequences per step. Null until such a run exists.
 */
function stepTimeEstimate(runs: readonly Run[], model: string, values: Record<string, FieldValue>): { seconds: number; from: string } | null {
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1) return null;
  const done = runs.find((r) => r.status === "completed" && (r.modelId ?? r.config.model) === model && r.startedAt && r.finishedAt && r.totalSteps > 0);
  if (!done) return null;
  const perStep = (Date.parse(done.finishedAt!) - Date.parse(done.startedAt!)) / 1000 / done.totalSteps;
  const sequences = (c: { batchSize: number; gradAccum: number }) => c.batchSize * c.gradAccum;
  const scale = (Number(values.batchSize) * Number(values.gradAccum)) / sequences(done.config);
  return Number.isFinite(perStep * scale) && perStep > 0 ? { seconds: perStep * scale * steps, from: done.name } : null;
}

/** Start a training run: the basic four settings or every one, each checked as it is typed, the papers' defaults, memory shown first. */
export function NewRunForm() {
  const allModels = useAppStore((st) => st.models);
  const runs = useAppStore((st) => st.runs);
  const models = useMemo(() => allModels.filter((m) => m.status === "ok" || m.status === "changed"), [allModels]);
  const startRun = useAppStore((st) => st.startRun);
  const startError = useAppStore((st) => st.startError);
  const api = useAppStore((st) => st.api);
  const values = useAppStore((st) => st.runDraft);
  const setDraft = useAppStore((st) => st.setRunDraft);
  const view = useAppStore((st) => st.runFormView);
  const setView = useAppStore((st) => st.setRunFormView);
  const mixes = useAppStore((st) => st.mixes);
  const navigate = useAppStore((st) => st.navigate);
  // A data file or a saved mix: "Train from this mix" in Data arrives with the mix chosen.
  const [source, setSource] = useState<DataSource>(dataSourceOf(values));
  useEffect(() => {
    if (dataSourceOf(values) === "mix") setSource("mix");
  }, [values.mix]); // a newly picked mix switches the form to it
  useEffect(() => {
    if (dataSourceOf(values) === "text") setSource("text");
  }, [values.text]); // so does a duplicated run that trained on raw text
  const [starting, setStarting] = useState(false);
  const [touched, setTouched] = useState<Set<TrainSettingName>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [estimate, setEstimate] = useState<MemoryEstimate | null>(null);
  const id = useId();
  const formRef = useReveal<HTMLHeadingElement>(true, "form");
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const model = models.some((m) => m.id === values.model) ? String(values.model) : (models[0]?.id ?? "");
  const current = { ...values, model };
  const { rank, seqLen, batchSize, baseWeights, dropout } = current;
  const method = current.method === "full" ? "full" : "lora";
  const full = method === "full";

  useEffect(() => {
    if (!model) return;
    const numbers = { seqLen: Number(seqLen), batch: Number(batchSize), rank: Number(rank), dropout: Number(dropout) };
    if (Object.values(numbers).some((n) => !Number.isFinite(n))) return;
    let live = true;
    api
      .call("models.estimate", { model, ...numbers, method, baseWeights: baseWeights === "f32" ? "f32" : "as-stored" })
      .then((e) => live && setEstimate(e))
      .catch(() => live && setEstimate(null));
    return () => {
      live = false;
    };
  }, [api, model, seqLen, batchSize, rank, baseWeights, dropout, method]);

  if (models.length === 0) return <p className="muted">{s.noModels}</p>;

  const asked = formSettings(source, method);
  const errors: Partial<Record<TrainSettingName, string>> = {};
  for (const key of asked) {
    const error = fieldError(key, current[key]);
    if (error && (submitted || touched.has(key))) errors[key] = error;
  }
  const engineField = fieldOfError(startError, current);
  if (engineField && startError) errors[engineField] = errorSentence(startError);
  const preset = activePreset(current);
  const timeGuess = stepTimeEstimate(runs, model, current);

  const set = (key: TrainSettingName, value: FieldValue) => {
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
    setDraft({ [key]: value });
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    const { config, errors: found } = configFromForm(current, source);
    if (!config) {
      // The first field that needs a change takes focus (in the advanced view if it lives there).
      const first = asked.find((k) => found[k]);
      if (first && runFormFields[first].view === "advanced" && view === "basic") setView("advanced");
      requestAnimationFrame(() => document.getElementById(`${id}-${first}`)?.focus());
      return;
    }
    setStarting(true);
    const name = config.name ?? defaultRunName(config, models.find((m) => m.id === model)?.name ?? model, mixes.find((m) => m.id === config.mix)?.name);
    await startRun({ ...config, name });
    setStarting(false);
  };

  const describedBy = (key: TrainSettingName) => [errors[key] ? `${id}-${key}-error` : "", `${id}-${key}-help`].filter(Boolean).join(" ");
  const control = (key: TrainSettingName) => {
    const spec = runFormFields[key];
    const common = { id: `${id}-${key}`, "aria-describedby": describedBy(key), "aria-invalid": errors[key] ? true : undefined, onBlur: () => setTouched((t) => new Set(t).add(key)) };
    switch (spec.kind) {
      case "model":
        return (
          <select {...common} value={model} onChange={(e) => set(key, e.target.value)}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        );
      case "mix": {
        // A run made by the CLI may name its mix instead of giving its id; one no longer saved still shows.
        const typed = String(current[key]);
        const chosen = mixes.find((m) => m.id === typed || m.name === typed)?.id ?? typed;
        return (
          <select {...common} value={chosen} onChange={(e) => set(key, e.target.value)}>
            <option value="">{s.pickMix}</option>
            {chosen && !mixes.some((m) => m.id === chosen) ? <option value={chosen}>{s.missingMix(chosen)}</option> : null}
            {mixes.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} ({s.mixCounts(String(m.counts.total), languageLine(m))})
              </option>
            ))}
          </select>
        );
      }
      case "choice":
        return (
          <select {...common} value={String(current[key])} onChange={(e) => set(key, e.target.value)}>
            {key === "quantize" ? <option value="">{s.noQuantize}</option> : null}
            {choicesOf(key).map((c) => (
              <option key={c} value={c}>
                {key === "backend" ? s.backends[c as keyof typeof s.backends] : (s.choices[c] ?? c)}
              </option>
            ))}
          </select>
        );
      case "number": {
        const r = numberRange(key);
        return (
          <input
            {...common}
            type="number"
            inputMode="decimal"
            step={spec.step ?? "1"}
            min={r.min !== undefined && !r.minExclusive ? r.min : undefined}
            max={r.max !== undefined && !r.maxExclusive ? r.max : undefined}
            value={String(current[key])}
            onChange={(e) => set(key, e.target.value)}
          />
        );
      }
      default:
        return (
          <input
            {...common}
            type="text"
            value={String(current[key])}
            placeholder={
              key === "data" || key === "validationData"
                ? "/path/to/instructions.jsonl"
                : key === "text"
                  ? "/path/to/book.txt, /path/to/web.jsonl"
                  : key === "name"
                    ? defaultRunNamePlaceholder()
                    : spec.kind === "path"
                      ? "/path/to/file.gguf"
                      : undefined
            }
            onChange={(e) => set(key, e.target.value)}
          />
        );
    }
  };
  const defaultRunNamePlaceholder = () => {
    const parsed = configFromForm({ ...current, name: "" }, source).config;
    return parsed ? defaultRunName(parsed, models.find((m) => m.id === model)?.name ?? model, mixes.find((m) => m.id === parsed.mix)?.name) : "";
  };

  const field = (key: TrainSettingName) => {
    if (key === "data") return sourceField();
    const spec = runFormFields[key];
    const help = (
      <p className="help" id={`${id}-${key}-help`}>
        {s.fields[key].help}
      </p>
    );
    const error = errors[key] ? (
      <p className="field-error" id={`${id}-${key}-error`} data-field={key}>
        {errors[key]}
      </p>
    ) : null;
    if (spec.kind === "flag") {
      return (
        <div className="field field-wide" key={key}>
          <label className="checkbox">
            <input type="checkbox" id={`${id}-${key}`} checked={current[key] === true} aria-describedby={describedBy(key)} onChange={(e) => set(key, e.target.checked)} /> {s.fields[key].label}
          </label>
          {help}
        </div>
      );
    }
    if (spec.kind === "targets") {
      const chosen = current[key] as string[];
      return (
        <fieldset className="field field-wide" key={key} aria-describedby={describedBy(key)}>
          <legend>{s.fields[key].label}</legend>
          <div className="inline-list">
            {allLoraTargets.map((t) => (
              <label key={t} className="checkbox">
                <input type="checkbox" id={t === allLoraTargets[0] ? `${id}-${key}` : undefined} checked={chosen.includes(t)} onChange={(e) => set(key, e.target.checked ? [...chosen, t] : chosen.filter((x) => x !== t))} /> {t}
              </label>
            ))}
          </div>
          {error}
          {help}
        </fieldset>
      );
    }
    return (
      <div className={spec.kind === "path" || spec.kind === "text" ? "field field-wide" : "field"} key={key}>
        <label htmlFor={`${id}-${key}`}>{s.fields[key].label}</label>
        {control(key)}
        {error}
        {key === "steps" ? (
          <p className="help" data-testid="steps-time">
            {timeGuess ? s.stepsTime(formatDuration(timeGuess.seconds), timeGuess.from) : s.stepsTimeUnknown}
          </p>
        ) : null}
        {help}
        {key === "method" && full ? (
          <p className="help" data-testid="full-mode-note">
            {s.fullModeNote}
          </p>
        ) : null}
      </div>
    );
  };

  // The data file or the mix, with the choice between them, in the place of the one chosen.
  const sourceField = () => {
    const key = source;
    const chosen = (
      <div className="field field-wide" key={key}>
        <label htmlFor={`${id}-${key}`}>{s.fields[key].label}</label>
        {control(key)}
        {errors[key] ? (
          <p className="field-error" id={`${id}-${key}-error`} data-field={key}>
            {errors[key]}
          </p>
        ) : null}
        {key === "mix" && mixes.length === 0 ? (
          <p className="help">
            {s.noMixes}{" "}
            <button type="button" className="link-button" onClick={() => navigate("data")}>
              {s.openData}
            </button>
          </p>
        ) : null}
        <p className="help" id={`${id}-${key}-help`}>
          {s.fields[key].help}
        </p>
      </div>
    );
    return [
      <div className="field field-wide" key="source">
        <span className="field-label" id={`${id}-source-label`}>
          {s.trainOn}
        </span>
        <div className="segmented source-choice" role="radiogroup" aria-labelledby={`${id}-source-label`}>
          {dataSources.map((v) => (
            <label key={v} className={source === v ? "segment active" : "segment"}>
              <input type="radio" name={`${id}-source`} value={v} checked={source === v} onChange={() => setSource(v)} />
              {v === "data" ? s.sourceData : v === "mix" ? s.sourceMix : s.sourceText}
            </label>
          ))}
        </div>
      </div>,
      chosen,
    ];
  };

  // "data", "mix" and "text" are one place in the form (sourceField draws the choice); a full run's
  // form leaves out what it does not use (fullModeNote says why).
  const inForm = (keys: TrainSettingName[]) => keys.filter((k) => k !== "mix" && k !== "text" && !(full && loraOnlySettings.includes(k)));
  const basicKeys = inForm(trainSettingNames.filter((k) => runFormFields[k].view === "basic"));
  const errorCount = submitted ? asked.filter((k) => fieldError(k, current[k])).length : 0;
  const summaryOfRest = [
    full ? (s.choices.full ?? "full") : `r ${String(current.rank)}, α ${String(current.alpha)}`,
    `${s.choices[String(current.schedule)] ?? String(current.schedule)}`,
    `${s.fields.batchSize.label.toLowerCase()} ${String(current.batchSize)} × ${String(current.gradAccum)}`,
    `${s.fields.seqLen.label.toLowerCase()} ${String(current.seqLen)}`,
    ...(full ? [] : [(current.targets as string[]).join(" ")]),
    s.backends[current.backend as keyof typeof s.backends],
  ].join(" · ");

  return (
    <form className="card new-run" aria-labelledby={`${id}-heading`} onSubmit={(e) => void submit(e)} noValidate data-testid="new-run-form">
      <div className="card-title-row">
        <h2 id={`${id}-heading`} ref={formRef} tabIndex={-1}>
          {s.newRun}
        </h2>
        <div className="segmented" role="radiogroup" aria-label={s.formView}>
          {(["basic", "advanced"] as const).map((v) => (
            <label key={v} className={view === v ? "segment active" : "segment"}>
              <input type="radio" name={`${id}-view`} value={v} checked={view === v} onChange={() => setView(v)} />
              {v === "basic" ? s.basicView : s.advancedView}
            </label>
          ))}
        </div>
      </div>
      <p className="muted">{s.defaultsNote}</p>
      <div className="button-row" role="group" aria-label={s.presets}>
        {runPresets.map((p) => (
          <button key={p.id} type="button" aria-pressed={preset === p.id} className={preset === p.id ? "preset active" : "preset"} onClick={() => setDraft(presetValues(p.id))}>
            {p.label}
            {preset === p.id ? <span className="visually-hidden"> {s.presetActive}</span> : null}
          </button>
        ))}
      </div>
      {view === "basic" ? (
        <>
          <div className="field-grid">{basicKeys.map(field)}</div>
          <p className="muted basic-summary" data-testid="basic-summary">
            {s.basicSummary} {summaryOfRest}. {s.basicSummaryHint}
          </p>
        </>
      ) : (
        fieldGroups.map((group) => (
          <fieldset className="field-group" key={group}>
            <legend>{s.groups[group]}</legend>
            {group === "adapter" && full ? <p className="help">{s.fullModeNote}</p> : null}
            <div className="field-grid">{inForm(trainSettingNames.filter((k) => runFormFields[k].group === group)).map(field)}</div>
          </fieldset>
        ))
      )}
      {estimate ? <p data-testid="run-memory">{s.memory(formatBytes(estimate.inference.totalBytes), formatBytes(estimate.training.totalBytes))}</p> : null}
      {estimate && estimate.training.method === "full" ? (
        <p className="muted" data-testid="run-memory-full">
          {s.memoryFull(formatBytes(estimate.training.baseBytes), formatBytes(estimate.training.optimizerBytes / 3), formatBytes((2 * estimate.training.optimizerBytes) / 3), formatBytes(estimate.training.activationBytes))}
        </p>
      ) : null}
      {startError && !engineField ? <ErrorMessage error={startError} alert /> : null}
      {errorCount > 0 ? (
        <p className="field-error" role="alert" ref={summaryRef}>
          {s.check.summary(errorCount)}
        </p>
      ) : null}
      <div className="button-row">
        <button type="submit" className="primary" disabled={starting}>
          {starting ? s.starting : s.start}
        </button>
      </div>
    </form>
  );
}
