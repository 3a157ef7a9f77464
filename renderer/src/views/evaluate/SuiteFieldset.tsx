import { evalSuites, type EvalSuiteName } from "../../../../electron/shared/evalContract.js";
import { strings } from "../../i18n/strings.js";
import { crossLingualSuites, type SuiteDraft } from "./evalDraft.js";
import { EvalTextField } from "./EvalTextField.js";

const s = strings.evaluate;

export interface SuiteFieldsetProps {
  id: string;
  index: number;
  suite: SuiteDraft;
  onChange: (patch: Partial<SuiteDraft>) => void;
  /** Absent for the only suite (a job needs one). */
  onRemove?: (() => void) | undefined;
  errorOf: (field: string) => string | undefined;
}

/** One suite of the job: its kind, its data files, and the cross-lingual toggle where the suite has one. */
export function SuiteFieldset({ id, index, suite, onChange, onRemove, errorOf }: SuiteFieldsetProps) {
  const n = index + 1;
  const base = `suites.${index}`;
  return (
    <fieldset className="field field-wide eval-suite" data-testid="eval-suite" data-index={index}>
      <legend className="field-label">{s.suiteLegend(n)}</legend>
      <div className="field-grid">
        <div className="field">
          <label htmlFor={`${id}-kind`}>{s.suite}</label>
          <select id={`${id}-kind`} value={suite.suite} onChange={(e) => onChange({ suite: e.target.value as EvalSuiteName })}>
            {evalSuites.map((name) => (
              <option key={name} value={name}>
                {s.suiteNames[name]}
              </option>
            ))}
          </select>
        </div>
        <EvalTextField id={`${id}-language`} field={`${base}.language`} label={s.suiteLanguage} value={suite.language} error={errorOf(`${base}.language`)} onChange={(language) => onChange({ language })} />
        <EvalTextField id={`${id}-data`} field={`${base}.data`} label={s.suiteData} value={suite.data} error={errorOf(`${base}.data`)} help={s.suiteDataHelp} multiline wide onChange={(data) => onChange({ data })} />
        {crossLingualSuites.includes(suite.suite) ? (
          <label className="checkbox field-wide">
            <input type="checkbox" checked={suite.crossLingual} onChange={(e) => onChange({ crossLingual: e.target.checked })} /> {s.crossLingual}
          </label>
        ) : null}
      </div>
      {onRemove ? (
        <div className="button-row">
          <button type="button" className="danger-outline" onClick={onRemove}>
            {s.removeSuite(n)}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}
