import { useEffect, useId, useMemo, useState } from "react";
import { crossAlpacaDirections, mixStrategyKinds, templateLanguages, type MixStrategyKind } from "../../../../electron/shared/mixContract.js";
import { formatInteger } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { languageSummary } from "../data/datasetRows.js";
import { ladderFromDraft, parseLanguageList, recipeFromDraft, strategyKnobs, type MixDraft, type MixDraftField } from "./mixDraft.js";
import { recipeLanguages } from "./distributionData.js";
import { MixPreviewPanel } from "./MixPreviewPanel.js";

const s = strings.mixes;
// Long enough that typing "3200" asks once, short enough to feel live.
const previewPause = 350;

/** Compose a mix: sources, a strategy with its knobs, filters and seed, with a live preview; save it or build a whole ladder. */
export function MixBuilder() {
  const datasets = useAppStore((st) => st.datasets);
  const allModels = useAppStore((st) => st.models);
  const draft = useAppStore((st) => st.mixDraft);
  const setDraft = useAppStore((st) => st.setMixDraft);
  const previewMix = useAppStore((st) => st.previewMix);
  const saveMix = useAppStore((st) => st.saveMix);
  const buildLadder = useAppStore((st) => st.buildLadder);
  const saving = useAppStore((st) => st.mixSaving);
  const notice = useAppStore((st) => st.mixNotice);
  const actionError = useAppStore((st) => st.mixActionError);
  const connected = useAppStore((st) => st.connection.status === "open");
  const models = useMemo(() => allModels.filter((m) => m.status === "ok" || m.status === "changed"), [allModels]);
  const [tokenModel, setTokenModel] = useState<string | null>(null);
  const [touched, setTouched] = useState<Set<MixDraftField>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const id = useId();
  // Token counts need a model; the first one in the library unless the user picks another or none.
  const model = tokenModel === null ? (models[0]?.id ?? "") : tokenModel;

  const { recipe, errors } = useMemo(() => recipeFromDraft(draft, datasets), [draft, datasets]);
  const recipeKey = recipe ? JSON.stringify(recipe) : null;
  // The preview lists languages in the recipe's order (Multi-i adds them in order); a stable array per recipe.
  const order = useMemo(() => (recipe ? recipeLanguages(recipe.strategy) : []), [recipeKey]); // recipeKey stands for the recipe

  useEffect(() => {
    if (!recipe || !connected) return;
    const timer = setTimeout(() => void previewMix(recipe, model || undefined), previewPause);
    return () => clearTimeout(timer);
    // The recipe is compared by its JSON: a new object with the same content asks nothing.
  }, [recipeKey, model, connected]);

  const set = (patch: Partial<MixDraft>) => {
    setTouched((t) => {
      const next = new Set(t);
      for (const k of Object.keys(patch)) next.add(k as MixDraftField);
      return next;
    });
    setDraft(patch);
  };
  const shownError = (field: MixDraftField) => (submitted || touched.has(field) ? errors[field] : undefined);
  const ladder = draft.strategy === "multi" ? ladderFromDraft(draft, datasets) : null;
  const ladderNames = ["Mono", ...parseLanguageList(draft.languages).map((_, i) => `Multi-${i + 2}`)];

  const save = () => {
    setSubmitted(true);
    if (recipe) void saveMix(recipe);
  };
  const buildSeries = () => {
    setSubmitted(true);
    if (ladder) void buildLadder(ladder);
  };

  const fieldProps = (field: MixDraftField) => ({
    id: `${id}-${field}`,
    "aria-invalid": shownError(field) ? true : undefined,
    "aria-describedby": [shownError(field) ? `${id}-${field}-error` : "", `${id}-${field}-help`].filter(Boolean).join(" "),
  });
  const errorOf = (field: MixDraftField) =>
    shownError(field) ? (
      <p className="field-error" id={`${id}-${field}-error`} data-field={field}>
        {shownError(field)}
      </p>
    ) : null;
  const helpOf = (field: MixDraftField, text: string) => (
    <p className="help" id={`${id}-${field}-help`}>
      {text}
    </p>
  );
  const labelOf = (field: MixDraftField): string => {
    if (field === "base") return draft.strategy === "mono" ? s.knobs.monoLanguage : draft.strategy === "crossalpaca" ? s.knobs.pivot : s.knobs.base;
    if (field === "languages") return draft.strategy === "temperature" || draft.strategy === "crossalpaca" ? s.knobs.languagesOptional : s.knobs.languages;
    if (field === "perLanguage" && draft.strategy === "translated") return s.knobs.perLanguageTranslated;
    if (field === "english") return draft.translatedMode === "add" ? s.knobs.englishAdd : s.knobs.englishReplace;
    return s.knobs[field as keyof typeof s.knobs] as string;
  };
  const helpText = (field: MixDraftField): string => {
    const h = s.knobHelp as Record<string, string>;
    return h[`${draft.strategy}.${field}`] ?? h[field] ?? "";
  };

  const knob = (field: MixDraftField) => {
    const text = (numeric: boolean, step = "1") => (
      <input
        {...fieldProps(field)}
        type={numeric ? "number" : "text"}
        inputMode={numeric ? "decimal" : undefined}
        step={numeric ? step : undefined}
        min={numeric ? 0 : undefined}
        value={String(draft[field])}
        onChange={(e) => set({ [field]: e.target.value } as Partial<MixDraft>)}
      />
    );
    let control;
    switch (field) {
      case "ratiosBy":
        control = (
          <select {...fieldProps(field)} value={draft.ratiosBy} onChange={(e) => set({ ratiosBy: e.target.value as MixDraft["ratiosBy"] })}>
            <option value="language">{s.knobs.byLanguage}</option>
            <option value="source">{s.knobs.bySource}</option>
          </select>
        );
        break;
      case "translatedMode":
        control = (
          <select {...fieldProps(field)} value={draft.translatedMode} onChange={(e) => set({ translatedMode: e.target.value as MixDraft["translatedMode"] })}>
            <option value="add">{s.knobs.modeAdd}</option>
            <option value="replace">{s.knobs.modeReplace}</option>
          </select>
        );
        break;
      case "templateLanguage":
        control = (
          <select {...fieldProps(field)} value={draft.templateLanguage} onChange={(e) => set({ templateLanguage: e.target.value as MixDraft["templateLanguage"] })}>
            {templateLanguages.map((t) => (
              <option key={t} value={t}>
                {s.knobs.templates[t]}
              </option>
            ))}
          </select>
        );
        break;
      case "directions":
        return (
          <fieldset className="field" key={field} aria-describedby={`${id}-${field}-help`}>
            <legend>{s.knobs.directions}</legend>
            <div className="inline-list">
              {crossAlpacaDirections.map((d) => (
                <label key={d} className="checkbox">
                  <input
                    type="checkbox"
                    id={d === crossAlpacaDirections[0] ? `${id}-${field}` : undefined}
                    checked={draft.directions.includes(d)}
                    onChange={(e) => set({ directions: e.target.checked ? crossAlpacaDirections.filter((x) => x === d || draft.directions.includes(x)) : draft.directions.filter((x) => x !== d) })}
                  />{" "}
                  {s.knobs.directionNames[d]}
                </label>
              ))}
            </div>
            {errorOf(field)}
            {helpOf(field, helpText(field))}
          </fieldset>
        );
      case "temperature":
        control = text(true, "any");
        break;
      case "base":
      case "languages":
      case "shares":
        control = text(false);
        break;
      default:
        control = text(true);
    }
    return (
      <div className={field === "languages" || field === "shares" ? "field field-wide" : "field"} key={field}>
        <label htmlFor={`${id}-${field}`}>{labelOf(field)}</label>
        {control}
        {errorOf(field)}
        {helpOf(field, helpText(field))}
      </div>
    );
  };

  const instructionSets = datasets.filter((d) => d.kind === "instructions");
  const parallelSets = datasets.filter((d) => d.kind === "parallel");
  const sourceList = (list: typeof datasets) =>
    list.map((d) => (
      <li key={d.id}>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.sources.includes(d.id)}
            aria-describedby={`${id}-sources-help`}
            onChange={(e) => set({ sources: e.target.checked ? [...draft.sources, d.id] : draft.sources.filter((x) => x !== d.id) })}
          />{" "}
          {d.name} <span className="muted">— {s.sourceLine(formatInteger(d.examples), languageSummary(d, 6))}</span>
        </label>
      </li>
    ));

  return (
    <div className="mix-split">
      <form
        className="card mix-builder"
        aria-labelledby={`${id}-heading`}
        data-testid="mix-builder"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <h2 id={`${id}-heading`} tabIndex={-1}>
          {s.builderHeading}
        </h2>
        <p className="muted">{s.builderIntro}</p>
        <fieldset className="field-group" aria-describedby={`${id}-sources-help`}>
          <legend>{s.sources}</legend>
          {instructionSets.length ? (
            <>
              <h3 className="subheading">{s.instructionSources}</h3>
              <ul className="plain-list">{sourceList(instructionSets)}</ul>
            </>
          ) : null}
          {parallelSets.length ? (
            <>
              <h3 className="subheading">{s.parallelSources}</h3>
              <ul className="plain-list">{sourceList(parallelSets)}</ul>
            </>
          ) : null}
          {errorOf("sources")}
          <p className="help" id={`${id}-sources-help`}>
            {s.sourcesHelp}
          </p>
        </fieldset>
        <div className="field-grid">
          <div className="field field-wide">
            <label htmlFor={`${id}-strategy`}>{s.strategy}</label>
            <select id={`${id}-strategy`} value={draft.strategy} aria-describedby={`${id}-strategy-help`} onChange={(e) => set({ strategy: e.target.value as MixStrategyKind })}>
              {mixStrategyKinds.map((k) => (
                <option key={k} value={k}>
                  {s.strategies[k].label}
                </option>
              ))}
            </select>
            <p className="help" id={`${id}-strategy-help`}>
              {s.strategies[draft.strategy].help}
            </p>
          </div>
          {strategyKnobs[draft.strategy].map(knob)}
        </div>
        <fieldset className="field-group">
          <legend>{s.filtersLegend}</legend>
          <div className="field-grid">
            {knob("minConfidence")}
            {knob("seed")}
            <div className="field field-wide">
              <label className="checkbox">
                <input type="checkbox" checked={draft.includeLowConfidence} onChange={(e) => set({ includeLowConfidence: e.target.checked })} /> {s.knobs.includeLowConfidence}
              </label>
              <label className="checkbox">
                <input type="checkbox" checked={draft.excludeMismatched} onChange={(e) => set({ excludeMismatched: e.target.checked })} /> {s.knobs.excludeMismatched}
              </label>
            </div>
            <div className="field">
              <label htmlFor={`${id}-model`}>{s.tokenModel}</label>
              <select id={`${id}-model`} value={model} aria-describedby={`${id}-model-help`} onChange={(e) => setTokenModel(e.target.value)}>
                <option value="">{s.noTokenModel}</option>
                {models.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
              <p className="help" id={`${id}-model-help`}>
                {s.tokenModelHelp}
              </p>
            </div>
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-name`}>{draft.strategy === "multi" ? s.nameOrPrefix : s.name}</label>
          <input id={`${id}-name`} type="text" value={draft.name} placeholder={s.namePlaceholder} onChange={(e) => set({ name: e.target.value })} />
        </div>
        {submitted && !recipe ? (
          <p className="field-error" role="alert">
            {s.check.summary(Object.keys(errors).length)}
          </p>
        ) : null}
        {actionError ? <ErrorMessage error={actionError} alert /> : null}
        <div className="button-row">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? s.saving : s.save}
          </button>
          {draft.strategy === "multi" ? (
            <button type="button" disabled={saving} onClick={buildSeries} aria-describedby={`${id}-ladder-help`}>
              {s.buildLadder(ladderNames.length)}
            </button>
          ) : null}
        </div>
        {draft.strategy === "multi" ? (
          <p className="help" id={`${id}-ladder-help`}>
            {s.ladderHelp(ladderNames)}
          </p>
        ) : null}
        {notice ? (
          <p className="banner banner-info" role="status" data-testid="mix-notice">
            {notice.kind === "saved" ? s.saved(notice.mixes[0]?.name ?? "") : s.ladderBuilt(notice.mixes.map((m) => m.name))}
          </p>
        ) : null}
      </form>
      <MixPreviewPanel valid={recipe !== null} recipeKey={recipeKey} order={order} />
    </div>
  );
}
