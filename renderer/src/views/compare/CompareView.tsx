import { useId, useMemo } from "react";
import type { CompareRunsResult } from "../../../../electron/shared/compareContract.js";
import type { EvalSuiteName } from "../../../../electron/shared/evalContract.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { CompareFigures } from "./CompareFigures.js";
import { CompareItems } from "./CompareItems.js";
import { ComparePicker } from "./ComparePicker.js";
import { CompareTable, MissingRuns } from "./CompareTable.js";
import { languageGroup, type LanguageGroup } from "../../../../electron/shared/figures/languageTableRows.js";
import { resultChoices, type CompareSelection } from "./compareRows.js";

const s = strings.compare;
const groups: LanguageGroup[] = ["tuned", "zero-shot", "unknown"];

/** Compare: pick evaluated runs, then one compare.runs result drawn as figures, a table and the items side by side. */
export function CompareView() {
  const result = useAppStore((st) => st.compareResult);
  const view = useAppStore((st) => st.compareView);
  const reference = useAppStore((st) => st.compareReference);
  // Memoised on the store's own objects, so figures and table redraw only when the result or a choice changes.
  const selection = useMemo<CompareSelection | null>(() => (view.suite && view.metric ? { suite: view.suite, metric: view.metric, languages: view.languages } : null), [view]);
  const referenceId = reference ?? result?.pairs[0]?.reference ?? result?.runs[0]?.id ?? "";
  const fileStem = selection ? `compare-${selection.suite}-${selection.metric}` : "compare";

  return (
    <div className="view compare-view">
      <h1>{s.title}</h1>
      <p className="muted">{s.intro}</p>
      <ComparePicker />
      {result && selection ? (
        <>
          <CompareControls result={result} />
          <CompareFigures result={result} selection={selection} fileStem={fileStem} />
          <CompareTable result={result} selection={selection} reference={referenceId} fileStem={fileStem} />
          <CompareItems result={result} />
        </>
      ) : result ? (
        <CompareTableless result={result} />
      ) : null}
    </div>
  );
}

/** A result without any number (every run left out): only why. */
function CompareTableless({ result }: { result: CompareRunsResult }) {
  return (
    <section className="card" data-testid="compare-missing">
      <h2>{s.missingHeading}</h2>
      <MissingRuns missing={result.missing} />
    </section>
  );
}

/** Suite, metric and languages (grouped by how the runs were tuned on them); choosing redraws from the same result. */
function CompareControls({ result }: { result: CompareRunsResult }) {
  const view = useAppStore((st) => st.compareView);
  const setView = useAppStore((st) => st.setCompareView);
  const id = useId();
  const choices = useMemo(() => resultChoices(result), [result]);
  const grouped = useMemo(() => {
    const by: Record<LanguageGroup, string[]> = { tuned: [], "zero-shot": [], unknown: [] };
    for (const l of result.languages) by[languageGroup(l.tuning)].push(l.language);
    return by;
  }, [result]);
  const metrics = view.suite ? (choices.metrics[view.suite] ?? []) : [];
  const chosen = new Set(view.languages);
  const toggle = (language: string, on: boolean) => void setView({ languages: on ? [...view.languages, language] : view.languages.filter((l) => l !== language) });

  return (
    <section className="card compare-controls" aria-labelledby={`${id}-heading`} data-testid="compare-controls">
      <h2 id={`${id}-heading`}>{s.viewHeading}</h2>
      <div className="list-toolbar">
        <label htmlFor={`${id}-suite`}>{s.suite}</label>
        <select id={`${id}-suite`} value={view.suite} onChange={(e) => void setView({ suite: e.target.value as EvalSuiteName, metric: choices.metrics[e.target.value]?.[0] ?? "" })}>
          {choices.suites.map((x) => (
            <option key={x} value={x}>
              {strings.evaluate.suiteNames[x]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-metric`}>{s.metric}</label>
        <select id={`${id}-metric`} value={view.metric} onChange={(e) => void setView({ metric: e.target.value })} title={strings.evaluate.metricHelp(view.metric)}>
          {metrics.map((m) => (
            <option key={m} value={m}>
              {strings.evaluate.metricName(m)}
            </option>
          ))}
        </select>
        <span className="info-icon" role="img" aria-label={strings.evaluate.metricHelp(view.metric)} title={strings.evaluate.metricHelp(view.metric)}>
          i
        </span>
      </div>
      <fieldset className="field field-wide compare-languages">
        <legend>
          {s.languages} <span className="muted small">({view.languages.length ? view.languages.length : s.allLanguages})</span>
        </legend>
        <p className="muted small">{s.groupsHelp}</p>
        {groups
          .filter((g) => grouped[g].length)
          .map((g) => (
            <div key={g} className="compare-language-group" data-group={g}>
              <span className="small">{s.groups[g]}:</span>{" "}
              {grouped[g].map((language) => (
                <label key={language} className="checkbox">
                  <input type="checkbox" checked={chosen.has(language)} onChange={(e) => toggle(language, e.target.checked)} /> {languageLabel(language)}
                </label>
              ))}
            </div>
          ))}
      </fieldset>
    </section>
  );
}
