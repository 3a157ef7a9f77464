import { useId } from "react";
import { judgements } from "../../../../electron/shared/evalContract.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { useSubmitErrors } from "../../components/useSubmitErrors.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { evalRequest } from "./evalDraft.js";
import { EvalTextField } from "./EvalTextField.js";
import { SuiteList } from "./SuiteList.js";

const s = strings.evaluate;

/** What to evaluate, on which suites and languages, decoded how, judged by whom: the form that starts an evaluation job. */
export function EvalForm() {
  const draft = useAppStore((st) => st.evalDraft);
  const set = useAppStore((st) => st.setEvalDraft);
  const models = useAppStore((st) => st.models);
  const runs = useAppStore((st) => st.runs);
  const starting = useAppStore((st) => st.evalStarting);
  const startError = useAppStore((st) => st.evalStartError);
  const started = useAppStore((st) => st.evalStarted);
  const start = useAppStore((st) => st.startEval);
  const id = useId();

  const { errorOf, attempt } = useSubmitErrors(evalRequest(draft).errors);
  const usable = models.filter((m) => m.status === "ok" || m.status === "changed");
  const completed = runs.filter((r) => r.status === "completed" && r.adapterPath);
  const chosenRun = draft.source === "run" ? (completed.find((r) => r.id === draft.run) ?? null) : null;
  const modelName = (modelId: string | null) => models.find((m) => m.id === modelId)?.name ?? modelId ?? "";
  const numberField = (key: "repeatPenalty" | "temperature" | "topP" | "seeds" | "maxTokens" | "parallel") => (
    <EvalTextField id={`${id}-${key}`} field={`decoding.${key}`} label={s[key]} value={draft[key]} error={errorOf(`decoding.${key}`)} numeric onChange={(value) => set({ [key]: value })} />
  );
  const selectError = (field: string) =>
    errorOf(field) ? (
      <p className="field-error" id={`${id}-${field}-error`} data-field={field}>
        {errorOf(field)}
      </p>
    ) : null;

  return (
    <form
      className="card eval-form"
      aria-labelledby={`${id}-heading`}
      data-testid="eval-form"
      noValidate
      onSubmit={attempt(start)}
    >
      <h2 id={`${id}-heading`}>{s.formHeading}</h2>
      <div className="field-grid">
        <fieldset className="field field-wide">
          <legend className="field-label">{s.what}</legend>
          <div className="inline-list">
            {(["model", "run"] as const).map((kind) => (
              <label key={kind} className="checkbox">
                <input type="radio" name={`${id}-source`} value={kind} checked={draft.source === kind} onChange={() => set({ source: kind })} /> {s.sourceKinds[kind]}
              </label>
            ))}
          </div>
        </fieldset>
        {draft.source === "model" ? (
          <>
            <div className="field field-wide">
              <label htmlFor={`${id}-model`}>{s.model}</label>
              <select id={`${id}-model`} value={draft.model} aria-invalid={errorOf("model") ? true : undefined} aria-describedby={errorOf("model") ? `${id}-model-error` : undefined} onChange={(e) => set({ model: e.target.value })}>
                <option value="">{s.modelNone}</option>
                {usable.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
              {usable.length ? null : <p className="help">{s.noModels}</p>}
              {selectError("model")}
            </div>
            <EvalTextField id={`${id}-adapters`} field="adapters" label={s.adapters} value={draft.adapters} error={errorOf("adapters")} help={s.adaptersHelp} multiline wide onChange={(adapters) => set({ adapters })} />
          </>
        ) : (
          <div className="field field-wide">
            <label htmlFor={`${id}-run`}>{s.run}</label>
            <select id={`${id}-run`} value={draft.run} aria-invalid={errorOf("run") ? true : undefined} aria-describedby={`${id}-run-help${errorOf("run") ? ` ${id}-run-error` : ""}`} onChange={(e) => set({ run: e.target.value })}>
              <option value="">{s.runNone}</option>
              {completed.map((r) => (
                <option key={r.id} value={r.id}>
                  {s.runOption(r.name, modelName(r.modelId))}
                </option>
              ))}
            </select>
            <p className="help" id={`${id}-run-help`}>
              {completed.length ? s.runHelp : s.noRuns}
            </p>
            {chosenRun ? (
              <p className="small" data-testid="eval-run-brings">
                {s.runBrings(modelName(chosenRun.modelId), chosenRun.adapterPath ?? "", chosenRun.config.format, chosenRun.mix ? `${chosenRun.mix.name} (${chosenRun.mix.counts.languages.map((l) => l.language).join(" ")})` : null)}
              </p>
            ) : null}
            {selectError("run")}
          </div>
        )}
        <label className="checkbox field-wide">
          <input type="checkbox" checked={draft.baseline} onChange={(e) => set({ baseline: e.target.checked })} /> {s.baseline}
        </label>
      </div>

      <h3 className="subheading">{s.suitesHeading}</h3>
      <SuiteList id={id} suites={draft.suites} errorOf={errorOf} onChange={(suites) => set({ suites })}>
        {selectError("suites")}
      </SuiteList>
      <div className="field-grid">
        <EvalTextField id={`${id}-languages`} field="languages" label={s.languages} value={draft.languages} placeholder={s.languagesPlaceholder} error={errorOf("languages")} onChange={(languages) => set({ languages })} />
        <EvalTextField id={`${id}-limit`} field="limit" label={s.limit} value={draft.limit} error={errorOf("limit")} numeric onChange={(limit) => set({ limit })} />
      </div>

      <h3 className="subheading">{s.decodingHeading}</h3>
      <p className="help" id={`${id}-defaults`}>
        {s.defaultsHelp}
      </p>
      <div className="field-grid">
        <div className="field field-wide">
          <label htmlFor={`${id}-mode`}>{s.mode}</label>
          <select id={`${id}-mode`} value={draft.mode} onChange={(e) => set({ mode: e.target.value as "greedy" | "sampling" })}>
            <option value="greedy">{s.modes.greedy}</option>
            <option value="sampling">{s.modes.sampling}</option>
          </select>
        </div>
        {numberField("repeatPenalty")}
        {draft.mode === "sampling" ? (
          <>
            {numberField("temperature")}
            {numberField("topP")}
            {numberField("seeds")}
          </>
        ) : null}
        {numberField("maxTokens")}
        {numberField("parallel")}
        <EvalTextField id={`${id}-stop`} field="decoding.stop" label={s.stop} value={draft.stop} error={errorOf("decoding.stop")} help={s.stopHelp} multiline onChange={(stop) => set({ stop })} />
        <EvalTextField id={`${id}-threads`} field="threads" label={s.threads} value={draft.threads} error={errorOf("threads")} numeric onChange={(threads) => set({ threads })} />
      </div>

      <h3 className="subheading">{s.judgeHeading}</h3>
      <div className="field-grid">
        <div className="field field-wide">
          <label htmlFor={`${id}-judge`}>{s.judge}</label>
          <select id={`${id}-judge`} value={draft.judge} aria-describedby={errorOf("judge") ? `${id}-judge-error` : undefined} onChange={(e) => set({ judge: e.target.value })}>
            <option value="">{s.judgeNone}</option>
            {usable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          {selectError("judge")}
        </div>
        {draft.judge ? (
          <fieldset className="field field-wide">
            <legend className="field-label">{s.judgements}</legend>
            <div className="inline-list">
              {judgements.map((j) => (
                <label key={j} className="checkbox">
                  <input
                    type="checkbox"
                    checked={draft.judgements.includes(j)}
                    onChange={(e) => set({ judgements: e.target.checked ? judgements.filter((x) => x === j || draft.judgements.includes(x)) : draft.judgements.filter((x) => x !== j) })}
                  />{" "}
                  {s.judgementNames[j]}
                </label>
              ))}
            </div>
            {selectError("judge.judgements")}
          </fieldset>
        ) : null}
        <EvalTextField id={`${id}-name`} field="name" label={s.name} value={draft.name} error={errorOf("name")} wide onChange={(name) => set({ name })} />
      </div>
      <div className="button-row">
        <button type="submit" className="primary" disabled={starting}>
          {starting ? s.starting : s.start}
        </button>
      </div>
      {startError ? <ErrorMessage error={startError} alert /> : null}
      {started ? (
        <p className="banner banner-info" role="status" data-testid="eval-started">
          {s.started(started.total)}
        </p>
      ) : null}
    </form>
  );
}
