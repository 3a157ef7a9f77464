import type { ReactNode } from "react";
import { strings } from "../../i18n/strings.js";
import { freshSuiteDraft, type SuiteDraft } from "./evalDraft.js";
import { SuiteFieldset } from "./SuiteFieldset.js";

const s = strings.evaluate;
// The contract takes 1 to 16 suites a job.
const maxSuites = 16;

export interface SuiteListProps {
  id: string;
  suites: SuiteDraft[];
  onChange: (suites: SuiteDraft[]) => void;
  errorOf: (field: string) => string | undefined;
  /** Shown in the suites' grid after the last one (the list's own error). */
  children?: ReactNode;
}

/** The suites of an evaluation (a job's or an experiment's): each editable and removable while more than one is left, and a button that adds one. */
export function SuiteList({ id, suites, onChange, errorOf, children }: SuiteListProps) {
  return (
    <>
      <div className="field-grid">
        {suites.map((suite, i) => (
          <SuiteFieldset
            key={i}
            id={`${id}-suite-${i}`}
            index={i}
            suite={suite}
            errorOf={errorOf}
            onChange={(patch) => onChange(suites.map((x, j) => (j === i ? { ...x, ...patch } : x)))}
            onRemove={suites.length > 1 ? () => onChange(suites.filter((_, j) => j !== i)) : undefined}
          />
        ))}
        {children}
      </div>
      <div className="button-row">
        <button type="button" onClick={() => onChange([...suites, freshSuiteDraft()])} disabled={suites.length >= maxSuites}>
          {s.addSuite}
        </button>
      </div>
    </>
  );
}
