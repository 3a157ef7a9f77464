// The Compare area's choices and exports built from compare.runs' result alone (no call per cell): the
// suites and metrics offered, the figure's languages in the table's order, and the JSON export; the table
// and its CSV are the shared languageTableRows' (electron/shared/figures).
import type { CompareRunsResult } from "../../../../electron/shared/compareContract.js";
import type { EvalSuiteName } from "../../../../electron/shared/evalContract.js";
import { comparedMetrics, languageTableRows, type LanguageTableSelection } from "../../../../electron/shared/figures/languageTableRows.js";

/** The view's choice: a suite, a metric and the languages shown (all when empty). */
export type CompareSelection = Required<LanguageTableSelection>;

/** The suites and metrics the result has numbers for, in the order the engine reports them. */
export function resultChoices(result: CompareRunsResult): { suites: EvalSuiteName[]; metrics: Record<string, string[]> } {
  const suites: EvalSuiteName[] = [];
  const metrics: Record<string, string[]> = {};
  for (const { suite, metric } of comparedMetrics(result)) {
    if (!suites.includes(suite)) suites.push(suite);
    (metrics[suite] ??= []).push(metric);
  }
  return { suites, metrics };
}

/**
 * The result the per-language figure draws: the chosen languages only, cells in the table's language
 * order (tuned, zero-shot, unknown) so the figure groups them as the table does.
 */
export function figureResult(result: CompareRunsResult, selection: CompareSelection): CompareRunsResult {
  const rank = new Map(languageTableRows(result, selection).map((r, i) => [r.language, i]));
  const cells = result.cells.filter((c) => rank.has(c.language)).sort((a, b) => rank.get(a.language)! - rank.get(b.language)!);
  return { ...result, cells };
}

/** The table as JSON: the runs, the settings that differ, the rows (values and deltas aligned with the runs) and the runs left out. */
export function compareJson(result: CompareRunsResult, selection: CompareSelection, reference: string | null): string {
  return `${JSON.stringify(
    {
      suite: selection.suite,
      metric: selection.metric,
      reference,
      runs: result.runs.map((r) => ({ id: r.id, name: r.name, label: r.label, method: r.method, lr: r.lr, mix: r.mix?.name ?? null, evalJob: r.evalJob })),
      settingsDiff: result.settingsDiff,
      rows: languageTableRows(result, selection),
      missing: result.missing,
    },
    null,
    2,
  )}\n`;
}
