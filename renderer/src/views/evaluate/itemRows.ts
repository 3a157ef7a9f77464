// How an item's scores read in one line of the items table.
import { strings } from "../../i18n/strings.js";

/** "language correctness 1 · spelling 87.5"; missing metrics say so (never 0); "" before scoring. */
export function itemScoreSummary(scores: Record<string, number | null> | null): string {
  if (!scores) return "";
  return Object.entries(scores)
    .map(([metric, value]) => `${strings.evaluate.metricName(metric)} ${value === null ? strings.common.unknown : Number.isInteger(value) ? String(value) : value.toFixed(1)}`)
    .join(" · ");
}
