import { useId } from "react";
import { ErrorMessage } from "../../../components/ErrorMessage.js";
import { useReveal } from "../../../components/useReveal.js";
import { useSubmitErrors } from "../../../components/useSubmitErrors.js";
import { languageLabel } from "../../../format/languageName.js";
import { strings } from "../../../i18n/strings.js";
import { useAppStore } from "../../../store/AppStoreProvider.js";
import { commonTargetLanguages, translateRequest, type TranslateDraftField } from "./translateDraft.js";

const s = strings.translate;

/** What to translate, with which model, into which languages: the form that starts a translation job. */
export function TranslateForm() {
  const draft = useAppStore((st) => st.translateDraft);
  const set = useAppStore((st) => st.setTranslateDraft);
  const datasets = useAppStore((st) => st.datasets);
  const mixes = useAppStore((st) => st.mixes);
  const models = useAppStore((st) => st.models);
  const starting = useAppStore((st) => st.translateStarting);
  const startError = useAppStore((st) => st.translateStartError);
  const started = useAppStore((st) => st.translateStarted);
  const start = useAppStore((st) => st.startTranslation);
  const id = useId();
  const headingRef = useReveal<HTMLHeadingElement>(true, "translate");

  const { errors } = translateRequest(draft);
  const { errorOf: shownError, attempt } = useSubmitErrors(errors);
  const describedBy = (field: TranslateDraftField, help = false) => [shownError(field) ? `${id}-${field}-error` : "", help ? `${id}-${field}-help` : ""].filter(Boolean).join(" ") || undefined;
  const errorOf = (field: TranslateDraftField) =>
    shownError(field) ? (
      <p className="field-error" id={`${id}-${field}-error`} data-field={field}>
        {shownError(field)}
      </p>
    ) : null;

  const instructionSets = datasets.filter((d) => d.kind === "instructions");
  const usable = models.filter((m) => m.status === "ok" || m.status === "changed");
  const sourceValue = draft.source ? `${draft.source.kind}:${draft.source.id}` : "";

  return (
    <form
      className="card translate-form"
      aria-labelledby={`${id}-heading`}
      data-testid="translate-form"
      noValidate
      onSubmit={attempt(start)}
    >
      <h2 id={`${id}-heading`} ref={headingRef} tabIndex={-1}>
        {s.formHeading}
      </h2>
      <p className="muted">{s.formIntro}</p>
      <div className="field-grid">
        <div className="field field-wide">
          <label htmlFor={`${id}-source`}>{s.source}</label>
          <select
            id={`${id}-source`}
            value={sourceValue}
            aria-invalid={shownError("source") ? true : undefined}
            aria-describedby={describedBy("source")}
            onChange={(e) => {
              const [kind, ...rest] = e.target.value.split(":");
              set({ source: e.target.value ? { kind: kind as "dataset" | "mix", id: rest.join(":") } : null });
            }}
          >
            <option value="">{s.sourceNone}</option>
            {instructionSets.length ? (
              <optgroup label={s.sourceGroups.datasets}>
                {instructionSets.map((d) => (
                  <option key={d.id} value={`dataset:${d.id}`}>
                    {s.sourceDataset(d.name, d.examples)}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {mixes.length ? (
              <optgroup label={s.sourceGroups.mixes}>
                {mixes.map((m) => (
                  <option key={m.id} value={`mix:${m.id}`}>
                    {s.sourceMix(m.name, m.counts.total)}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
          {errorOf("source")}
        </div>
        <div className="field field-wide">
          <label htmlFor={`${id}-model`}>{s.model}</label>
          <select id={`${id}-model`} value={draft.model} aria-invalid={shownError("model") ? true : undefined} aria-describedby={describedBy("model")} onChange={(e) => set({ model: e.target.value })}>
            <option value="">{s.modelNone}</option>
            {usable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          {usable.length ? null : <p className="help">{s.noModels}</p>}
          {errorOf("model")}
        </div>
        <fieldset className="field field-wide" aria-describedby={describedBy("languages", true)}>
          <legend className="field-label">{s.languages}</legend>
          <div className="inline-list">
            {commonTargetLanguages.map((l) => (
              <label key={l} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.languages.includes(l)}
                  onChange={(e) => set({ languages: e.target.checked ? commonTargetLanguages.filter((x) => x === l || draft.languages.includes(x)) : draft.languages.filter((x) => x !== l) })}
                />{" "}
                {languageLabel(l)}
              </label>
            ))}
          </div>
          <label htmlFor={`${id}-other`}>{s.other}</label>
          <input id={`${id}-other`} type="text" value={draft.other} placeholder={s.otherPlaceholder} spellCheck={false} onChange={(e) => set({ other: e.target.value })} />
          {errorOf("languages")}
          <p className="help" id={`${id}-languages-help`}>
            {s.languagesHelp}
          </p>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-from`}>{s.from}</label>
          <input id={`${id}-from`} type="text" value={draft.from} spellCheck={false} aria-invalid={shownError("from") ? true : undefined} aria-describedby={describedBy("from")} onChange={(e) => set({ from: e.target.value })} />
          {errorOf("from")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-limit`}>{s.limit}</label>
          <input id={`${id}-limit`} type="text" inputMode="numeric" value={draft.limit} placeholder={s.limitPlaceholder} aria-invalid={shownError("limit") ? true : undefined} aria-describedby={describedBy("limit")} onChange={(e) => set({ limit: e.target.value })} />
          {errorOf("limit")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-threads`}>{s.threads}</label>
          <input id={`${id}-threads`} type="text" inputMode="numeric" value={draft.threads} placeholder={s.threadsPlaceholder} aria-invalid={shownError("threads") ? true : undefined} aria-describedby={describedBy("threads", true)} onChange={(e) => set({ threads: e.target.value })} />
          {errorOf("threads")}
          <p className="help" id={`${id}-threads-help`}>
            {s.threadsHelp}
          </p>
        </div>
        <div className="field field-wide">
          <label htmlFor={`${id}-name`}>{s.name}</label>
          <input id={`${id}-name`} type="text" value={draft.name} onChange={(e) => set({ name: e.target.value })} />
        </div>
      </div>
      <div className="button-row">
        <button type="submit" className="primary" disabled={starting}>
          {starting ? s.starting : s.start}
        </button>
      </div>
      {startError ? <ErrorMessage error={startError} alert /> : null}
      {started ? (
        <p className="banner banner-info" role="status" data-testid="translate-started">
          {s.started(started.total)}
        </p>
      ) : null}
    </form>
  );
}
