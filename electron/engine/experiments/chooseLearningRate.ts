import type { LrChoice } from "../../shared/experimentContract.js";
import { formatLearningRate } from "../../shared/trainSettings.js";

export interface LrCandidate {
  item: string;
  lr: number;
  /** One value per criterion of the rule, in its order; null where the run has none (never read as 0). */
  values: Array<number | null>;
}

export interface LrDecision {
  configuration: string;
  chosenItem: string | null;
  chosenLr: number | null;
  candidates: LrCandidate[];
  reason: string;
}

const points = (v: number): string => v.toFixed(1);
const named = (c: LrChoice["criteria"][number]): string => `${c.metric} (${c.suite})`;

/**
 * Paper 002 §5.3's choice among a configuration's learning rates by surface metrics. The criteria are
 * applied in order to the rates still in the running: those within `tolerance` points of the best value
 * stay, so a later criterion only breaks what an earlier one left tied. A criterion no rate in the running
 * has a value for is skipped. A rate missing a value others have is dropped at that criterion: a metric
 * that could not be measured is not evidence for the rate. Still tied after every criterion: the higher
 * value on the first criterion that has one, then the lower rate (the gentler update).
 */
export function chooseLearningRate(configuration: string, candidates: readonly LrCandidate[], rule: LrChoice): LrDecision {
  const lr = (c: LrCandidate): string => `lr ${formatLearningRate(c.lr)}`;
  const reasons: string[] = [];
  let running = [...candidates];
  let firstUsed: number | null = null;
  rule.criteria.forEach((criterion, k) => {
    if (running.length <= 1) return;
    const measured = running.filter((c) => c.values[k] !== null && c.values[k] !== undefined);
    if (measured.length === 0) {
      reasons.push(`${named(criterion)} skipped: no rate has a value for it.`);
      return;
    }
    firstUsed ??= k;
    const best = Math.max(...measured.map((c) => c.values[k]!));
    const kept = measured.filter((c) => c.values[k]! >= best - rule.tolerance);
    const out = running.filter((c) => !kept.includes(c));
    const said = (c: LrCandidate): string => `${lr(c)} ${c.values[k] === null || c.values[k] === undefined ? "has no value" : points(c.values[k]!)}`;
    reasons.push(
      `${named(criterion)}: best ${points(best)}; ${kept.length === 1 ? `${said(kept[0]!)} leads by more than ${rule.tolerance}` : `within ${rule.tolerance} of it: ${kept.map(said).join(", ")}`}${out.length ? `; out: ${out.map(said).join(", ")}` : ""}.`,
    );
    running = kept;
  });
  if (running.length === 0 || firstUsed === null) {
    if (candidates.length === 1 && firstUsed === null && candidates[0]!.values.some((v) => v !== null)) running = [...candidates];
    else return { configuration, chosenItem: null, chosenLr: null, candidates: [...candidates], reason: [...reasons, "No rate has a value on any criterion of the rule, so none was chosen."].join(" ") };
  }
  if (running.length > 1) {
    const k = firstUsed ?? 0;
    running.sort((a, b) => (b.values[k] ?? -Infinity) - (a.values[k] ?? -Infinity) || a.lr - b.lr);
    reasons.push(`Still tied after every criterion: the higher ${named(rule.criteria[k]!)}, then the lower rate.`);
  }
  const chosen = running[0]!;
  return { configuration, chosenItem: chosen.item, chosenLr: chosen.lr, candidates: [...candidates], reason: [...reasons, `Chosen: ${lr(chosen)}.`].join(" ") };
}
