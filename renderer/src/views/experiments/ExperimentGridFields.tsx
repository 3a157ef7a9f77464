import { evalSuites, type EvalSuiteName } from "../../../../electron/shared/evalContract.js";
import { trainMethods } from "../../../../electron/shared/trainContract.js";
import { strings } from "../../i18n/strings.js";
import { EvalTextField } from "../evaluate/EvalTextField.js";
import { criterionMetrics, defaultRatesText, lrChoiceInWords, type CriterionDraft } from "./experimentDraft.js";
import { GroupError, type FieldsProps } from "./ExperimentMixesFields.js";

const s = strings.experiments;

/** The training grid (methods, learning rates per method with their defaults, ranks, steps). */
export function ExperimentGridFields({ id, draft, set, errorOf }: FieldsProps) {
  return (
    <>
      <p className="help field-wide">{s.gridHelp}</p>
      <fieldset className="field field-wide">
        <legend className="field-label">{s.methods}</legend>
        <div className="inline-list">
          {trainMethods.map((m) => (
            <label key={m} className="checkbox">
              <input type="checkbox" checked={draft.methods.includes(m)} onChange={(e) => set({ methods: e.target.checked ? trainMethods.filter((x) => x === m || draft.methods.includes(x)) : draft.methods.filter((x) => x !== m) })} />{" "}
              {s.methodNames[m]}
            </label>
          ))}
        </div>
        <GroupError id={`${id}-methods`} field="grid.method" errorOf={errorOf} />
      </fieldset>
      {draft.methods.includes("lora") ? (
        <EvalTextField id={`${id}-lr-lora`} field="grid.lr.lora" label={s.learningRates("lora")} value={draft.lrLora} placeholder={defaultRatesText.lora} help={s.lrDefaults(defaultRatesText.lora)} error={errorOf("grid.lr.lora")} onChange={(lrLora) => set({ lrLora })} />
      ) : null}
      {draft.methods.includes("full") ? (
        <EvalTextField id={`${id}-lr-full`} field="grid.lr.full" label={s.learningRates("full")} value={draft.lrFull} placeholder={defaultRatesText.full} help={s.lrDefaults(defaultRatesText.full)} error={errorOf("grid.lr.full")} onChange={(lrFull) => set({ lrFull })} />
      ) : null}
      {draft.methods.includes("lora") ? <EvalTextField id={`${id}-ranks`} field="grid.rank" label={s.ranks} value={draft.ranks} help={s.ranksHelp} error={errorOf("grid.rank")} onChange={(ranks) => set({ ranks })} /> : null}
      <EvalTextField id={`${id}-steps`} field="grid.steps" label={s.steps} value={draft.steps} help={s.stepsHelp} error={errorOf("grid.steps")} onChange={(steps) => set({ steps })} />
      <EvalTextField id={`${id}-train-threads`} field="train.threads" label={s.trainThreads} value={draft.trainThreads} error={errorOf("train.threads")} numeric onChange={(trainThreads) => set({ trainThreads })} />
    </>
  );
}

/** The learning-rate choice: criteria in order (add, remove, reorder), the tolerance, and the rule in words. */
export function LrChoiceFields({ id, draft, set, errorOf }: FieldsProps) {
  const criteria = draft.criteria;
  const setCriterion = (i: number, patch: Partial<CriterionDraft>) => set({ criteria: criteria.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const swap = (i: number, j: number) => {
    const next = [...criteria];
    [next[i], next[j]] = [next[j]!, next[i]!];
    set({ criteria: next });
  };
  return (
    <>
      <ol className="field field-wide plain-list experiment-criteria" data-testid="experiment-criteria">
        {criteria.map((c, i) => {
          const n = i + 1;
          const name = s.criterion(n);
          return (
            <li key={i} className="inline-list" data-testid="experiment-criterion">
              <span className="field-label">{name}</span>
              <label className="visually-hidden" htmlFor={`${id}-criterion-${i}-suite`}>
                {s.criterionSuite(n)}
              </label>
              <select id={`${id}-criterion-${i}-suite`} value={c.suite} onChange={(e) => setCriterion(i, { suite: e.target.value as EvalSuiteName })}>
                {evalSuites.map((x) => (
                  <option key={x} value={x}>
                    {strings.evaluate.suiteNames[x]}
                  </option>
                ))}
              </select>
              <label className="visually-hidden" htmlFor={`${id}-criterion-${i}-metric`}>
                {s.criterionMetric(n)}
              </label>
              <select id={`${id}-criterion-${i}-metric`} value={c.metric} onChange={(e) => setCriterion(i, { metric: e.target.value })}>
                {[...new Set([...criterionMetrics, c.metric])].map((m) => (
                  <option key={m} value={m}>
                    {s.metricName(m)}
                  </option>
                ))}
              </select>
              <button type="button" onClick={() => swap(i, i - 1)} disabled={i === 0} aria-label={s.moveUp(name)}>
                {s.up}
              </button>
              <button type="button" onClick={() => swap(i, i + 1)} disabled={i === criteria.length - 1} aria-label={s.moveDown(name)}>
                {s.down}
              </button>
              <button type="button" className="danger-outline" onClick={() => set({ criteria: criteria.filter((_, j) => j !== i) })} disabled={criteria.length === 1} aria-label={s.removeCriterion(n)}>
                {s.remove}
              </button>
            </li>
          );
        })}
      </ol>
      <GroupError id={`${id}-criteria`} field="lrChoice.criteria" errorOf={errorOf} />
      <div className="button-row field-wide">
        <button type="button" onClick={() => set({ criteria: [...criteria, { suite: "open", metric: "language_correctness" }] })} disabled={criteria.length >= 8}>
          {s.addCriterion}
        </button>
      </div>
      <EvalTextField id={`${id}-tolerance`} field="lrChoice.tolerance" label={s.tolerance} value={draft.tolerance} error={errorOf("lrChoice.tolerance")} numeric onChange={(tolerance) => set({ tolerance })} />
      <p className="help field-wide" data-testid="experiment-rule" aria-live="polite">
        {lrChoiceInWords(criteria, draft.tolerance)}
      </p>
    </>
  );
}
