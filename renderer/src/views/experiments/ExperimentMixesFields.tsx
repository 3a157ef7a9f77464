import { templateLanguages } from "../../../../electron/shared/mixContract.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { EvalTextField } from "../evaluate/EvalTextField.js";
import type { DirectionSet, ExperimentDraft, MixKind, TemplateLanguage } from "./experimentDraft.js";

const s = strings.experiments;
const directionSets: DirectionSet[] = ["en-x", "x-en", "both"];

export interface FieldsProps {
  id: string;
  draft: ExperimentDraft;
  set: (patch: Partial<ExperimentDraft>) => void;
  errorOf: (field: string) => string | undefined;
}

/** A list's own error line (a checkbox group has no text box to carry it). */
export function GroupError({ id, field, errorOf }: { id: string; field: string; errorOf: (field: string) => string | undefined }) {
  const error = errorOf(field);
  return error ? (
    <p className="field-error" id={`${id}-error`} data-field={field}>
      {error}
    </p>
  ) : null;
}

/** Which mixes the experiment trains on: saved ones, or a study (003's ladder, 004's CrossAlpaca) that builds its own. */
export function ExperimentMixesFields({ id, draft, set, errorOf }: FieldsProps) {
  const mixes = useAppStore((st) => st.mixes);
  const datasets = useAppStore((st) => st.datasets);
  const toggle = <T,>(list: T[], value: T, on: boolean): T[] => (on ? [...list.filter((x) => x !== value), value] : list.filter((x) => x !== value));
  const text = (key: "languages" | "base" | "perLanguage" | "total" | "rungs" | "seed" | "perDirection" | "instructions", field: string, label: string, help?: string) => (
    <EvalTextField id={`${id}-${key}`} field={field} label={label} value={draft[key]} error={errorOf(field)} help={help} onChange={(value) => set({ [key]: value })} />
  );

  return (
    <>
      <fieldset className="field field-wide">
        <legend className="field-label">{s.mixesHeading}</legend>
        <div className="inline-list">
          {(["saved", "ladder", "crossalpaca"] as const).map((kind: MixKind) => (
            <label key={kind} className="checkbox">
              <input type="radio" name={`${id}-mix-kind`} value={kind} checked={draft.mixKind === kind} onChange={() => set({ mixKind: kind })} /> {s.mixKinds[kind]}
            </label>
          ))}
        </div>
      </fieldset>
      {draft.mixKind === "saved" ? (
        <fieldset className="field field-wide" aria-describedby={errorOf("mixes.mixes") ? `${id}-saved-error` : undefined}>
          <legend className="field-label">{s.savedMixes}</legend>
          {mixes.length === 0 ? <p className="help">{s.noMixes}</p> : null}
          <div className="inline-list" data-testid="experiment-saved-mixes">
            {mixes.map((m) => (
              <label key={m.id} className="checkbox">
                <input type="checkbox" checked={draft.savedMixes.includes(m.id)} onChange={(e) => set({ savedMixes: toggle(draft.savedMixes, m.id, e.target.checked) })} /> {m.name}
              </label>
            ))}
            {draft.savedMixes
              .filter((m) => !mixes.some((x) => x.id === m))
              .map((m) => (
                <label key={m} className="checkbox">
                  <input type="checkbox" checked onChange={() => set({ savedMixes: draft.savedMixes.filter((x) => x !== m) })} /> {m}
                </label>
              ))}
          </div>
          <GroupError id={`${id}-saved`} field="mixes.mixes" errorOf={errorOf} />
        </fieldset>
      ) : (
        <>
          <fieldset className="field field-wide">
            <legend className="field-label">{s.sources}</legend>
            {datasets.length === 0 ? <p className="help">{s.noDatasets}</p> : null}
            <div className="inline-list">
              {datasets.map((d) => (
                <label key={d.id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={draft.sources.some((x) => x.dataset === d.id)}
                    onChange={(e) => set({ sources: e.target.checked ? [...draft.sources.filter((x) => x.dataset !== d.id), { dataset: d.id, fingerprint: d.fingerprint }] : draft.sources.filter((x) => x.dataset !== d.id) })}
                  />{" "}
                  {d.name}
                </label>
              ))}
            </div>
            <GroupError id={`${id}-sources`} field="mixes.sources" errorOf={errorOf} />
          </fieldset>
          {draft.mixKind === "ladder" ? (
            <>
              {text("languages", "mixes.languages", s.ladderLanguages, s.ladderLanguagesHelp)}
              {text("base", "mixes.base", s.base)}
              {text("total", "mixes.total", s.total)}
              {text("perLanguage", "mixes.perLanguage", s.perLanguage)}
              {text("rungs", "mixes.rungs", s.rungs, s.rungsHelp)}
            </>
          ) : (
            <>
              <fieldset className="field field-wide">
                <legend className="field-label">{s.directions}</legend>
                <div className="inline-list">
                  {directionSets.map((d) => (
                    <label key={d} className="checkbox">
                      <input type="checkbox" checked={draft.directions.includes(d)} onChange={(e) => set({ directions: toggle(draft.directions, d, e.target.checked) })} /> {s.directionSets[d]}
                    </label>
                  ))}
                </div>
                <GroupError id={`${id}-directions`} field="mixes.directions" errorOf={errorOf} />
              </fieldset>
              {text("perDirection", "mixes.perDirection", s.perDirection, s.perDirectionHelp)}
              {text("languages", "mixes.languages", s.crossLanguages, s.crossLanguagesHelp)}
              {text("base", "mixes.pivot", s.pivot)}
              {text("instructions", "mixes.instructions", s.instructions)}
              <div className="field">
                <label htmlFor={`${id}-template`}>{s.templateLanguage}</label>
                <select id={`${id}-template`} value={draft.templateLanguage} onChange={(e) => set({ templateLanguage: e.target.value as TemplateLanguage })}>
                  {templateLanguages.map((t) => (
                    <option key={t} value={t}>
                      {s.templateLanguages[t]}
                    </option>
                  ))}
                </select>
              </div>
            </>
          )}
          {text("seed", "mixes.seed", s.seed)}
        </>
      )}
    </>
  );
}
