import { useCallback } from "react";
import type { CompareRunsResult } from "../../../../electron/shared/compareContract.js";
import type { Experiment } from "../../../../electron/shared/experimentContract.js";
import type { FigureDocument } from "../../../../electron/shared/figures/FigureDocument.js";
import { learningRateFigure } from "../../../../electron/shared/figures/learningRateFigure.js";
import { formatLearningRate } from "../../../../electron/shared/trainSettings.js";
import { strings } from "../../i18n/strings.js";
import { CompareFigure } from "../compare/CompareFigure.js";

const s = strings.experiments;

/**
 * Each configuration's learning-rate choice (paper 002 §5.3): every rate's values on the rule's criteria
 * in order, the chosen rate marked, and the rule's reason in words.
 */
export function LrDecisions({ experiment, configuration }: { experiment: Experiment; configuration?: string }) {
  const criteria = experiment.spec.lrChoice?.criteria ?? [];
  const decisions = experiment.decisions.filter((d) => configuration === undefined || d.configuration === configuration);
  const configurations = new Set(experiment.items.map((i) => i.configuration));
  const labelOf = (config: string) => {
    const item = experiment.items.find((i) => i.configuration === config);
    return item ? item.label.replace(/\s*·\s*lr [^·]+$/, "") : config;
  };
  const shown = decisions.filter((d) => configurations.has(d.configuration));
  // The figure draws the first criterion any rate has a value for (the one that decides first), once
  // some configuration has two rates to draw a line between.
  const swept = shown.some((d) => d.candidates.length > 1);
  const criterion = swept ? criteria.findIndex((_, i) => shown.some((d) => d.candidates.some((c) => c.values[i] != null))) : -1;
  const metric = criterion >= 0 ? s.criterionText(s.metricName(criteria[criterion]!.metric), strings.evaluate.suiteNames[criteria[criterion]!.suite]) : "";
  const draw = useCallback(
    (document: Document, width: number) => {
      if (criterion < 0) return null;
      const c = criteria[criterion]!;
      const learningRates = shown.flatMap((d) =>
        d.candidates.flatMap((x) => {
          const mean = x.values[criterion];
          return mean == null ? [] : [{ configuration: labelOf(d.configuration), run: x.item, lr: x.lr, suite: c.suite, metric: c.metric, mean, ci95: null, chosen: x.item === d.chosenItem }];
        }),
      );
      // Only the learning-rate points: the figure reads nothing else of a comparison.
      const result: CompareRunsResult = { runs: [], settingsDiff: [], languages: [], cells: [], heatmap: [], pairs: [], categories: [], learningRates, missing: [] };
      return learningRateFigure(result, { document: document as unknown as FigureDocument, width, suite: c.suite, metric: c.metric, title: s.decisionChart(metric) }) as unknown as SVGSVGElement;
    },
    // Redrawn when the decisions change (a new evaluation), not on every progress event.
    [JSON.stringify(shown), criterion],
  );
  return (
    <details className="experiment-decisions" data-testid="experiment-decisions" open={configuration !== undefined || decisions.length > 0}>
      <summary>{s.decisionsHeading}</summary>
      {decisions.length === 0 ? <p className="muted">{s.decisionsEmpty}</p> : null}
      {criterion >= 0 ? <CompareFigure title={s.decisionChart(metric)} summary={shown.map((d) => `${labelOf(d.configuration)}: ${d.reason}`).join(" ")} fileStem={`learning-rate-${experiment.name}`} testId="experiment-lr-figure" draw={draw} /> : null}
      {shown.map((d) => (
          <div key={d.configuration} className="table-scroll" data-configuration={d.configuration}>
            <table className="data-table" data-testid="experiment-decision">
              <caption>{labelOf(d.configuration)}</caption>
              <thead>
                <tr>
                  <th scope="col">{s.decisionColumns.lr}</th>
                  {criteria.map((c, i) => (
                    <th scope="col" key={i}>
                      {s.criterionText(s.metricName(c.metric), strings.evaluate.suiteNames[c.suite])}
                    </th>
                  ))}
                  <th scope="col">{s.decisionColumns.chosen}</th>
                </tr>
              </thead>
              <tbody>
                {d.candidates.map((c) => (
                  <tr key={c.item} data-chosen={c.item === d.chosenItem ? "true" : undefined}>
                    <td>{formatLearningRate(c.lr)}</td>
                    {criteria.map((_, i) => (
                      <td key={i}>{c.values[i] == null ? s.missing : c.values[i]!.toFixed(1)}</td>
                    ))}
                    <td>
                      {c.item === d.chosenItem ? (
                        <>
                          <span aria-hidden="true">✓</span>
                          <span className="visually-hidden">{s.chosen}</span>
                        </>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="help" data-testid="experiment-decision-reason">
              {d.reason}
            </p>
          </div>
        ))}
    </details>
  );
}
