// The batch-plan check must catch a broken planner: each deliberately wrong copy below has to fail it.
import { describe, expect, it } from "vitest";
import { planEpoch, type BatchPlanOptions } from "../../../electron/engine/train/planBatches.js";
import { seededShuffle } from "../../../electron/engine/random/seededRandom.js";
import { plannerViolations, type Planner } from "./batchPlanExpectations.js";

/** planEpoch's loop with the closing rule and the tail handling swappable. */
const variant =
  (full: (tokens: number, len: number, count: number, o: BatchPlanOptions) => boolean, keepLast = true, addAfter = false): Planner =>
  (lengths, options, epoch) => {
    const order = seededShuffle(lengths.map((_, i) => i), options.seed * 7919 + epoch);
    const batches: number[][] = [];
    let current: number[] = [];
    let tokens = 0;
    for (const i of order) {
      const len = lengths[i] ?? 0;
      if (addAfter) {
        current.push(i);
        tokens += len;
      }
      if (full(tokens, len, current.length, options) && current.length > 0) {
        batches.push(current);
        current = [];
        tokens = 0;
      }
      if (!addAfter) {
        current.push(i);
        tokens += len;
      }
    }
    if (current.length > 0 && keepLast) batches.push(current);
    return batches;
  };

const budget = (o: BatchPlanOptions): number => o.tokenBudget ?? Number.POSITIVE_INFINITY;
const bySize = (count: number, o: BatchPlanOptions): boolean => count >= o.batchSize;

const broken: Array<[string, Planner]> = [
  ["ignores the token budget (batch size only)", variant((_t, _l, count, o) => bySize(count, o))],
  ["one example a micro-batch", variant((_t, _l, count) => count >= 1)],
  ["closes when the budget is reached rather than exceeded", variant((tokens, len, count, o) => (o.tokenBudget ? tokens + len >= budget(o) : bySize(count, o)))],
  ["lets the example that crosses the budget in", variant((tokens, _l, count, o) => (o.tokenBudget ? tokens >= budget(o) : bySize(count, o)), true, true)],
  ["caps by batch size as well as the budget", variant((tokens, len, count, o) => (o.tokenBudget ? tokens + len > budget(o) || count >= 4 : bySize(count, o)))],
  ["drops the last partial micro-batch", variant((tokens, len, count, o) => (o.tokenBudget ? tokens + len > budget(o) : bySize(count, o)), false)],
  ["batches of one more than the batch size", variant((tokens, len, count, o) => (o.tokenBudget ? tokens + len > budget(o) : count > o.batchSize))],
  ["repeats an example", (lengths, o, epoch) => planEpoch(lengths, o, epoch).map((b, i) => (i === 0 ? [...b, b[0]!] : b))],
];

describe("the batch-plan check catches broken planners", () => {
  it("passes the real planner and a faithful copy of it", () => {
    expect(plannerViolations(planEpoch)).toEqual([]);
    expect(plannerViolations(variant((tokens, len, count, o) => (o.tokenBudget ? tokens + len > budget(o) : bySize(count, o))))).toEqual([]);
  });
  it.each(broken)("%s", (_name, planner) => {
    expect(plannerViolations(planner).length).toBeGreaterThan(0);
  });
});
