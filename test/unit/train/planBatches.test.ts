import { describe, expect, it } from "vitest";
import { microBatchAt, planEpoch } from "../../../electron/engine/train/planBatches.js";
import { mixedLengths, plannerViolations, planViolations } from "./batchPlanExpectations.js";

const lengths = [10, 20, 30, 40, 50, 60, 70];

describe("planBatches", () => {
  it("covers every example once per epoch in seeded order", () => {
    const plan = planEpoch(lengths, { batchSize: 3, seed: 1 }, 0);
    expect(plan.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(plan.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(planEpoch(lengths, { batchSize: 3, seed: 1 }, 0)).toEqual(plan);
    expect(planEpoch(lengths, { batchSize: 3, seed: 1 }, 1)).not.toEqual(plan);
    expect(planEpoch(lengths, { batchSize: 3, seed: 2 }, 0)).not.toEqual(plan);
  });

  it("by token budget, packs several examples up to the budget and never over it, whatever the batch size", () => {
    expect(plannerViolations(planEpoch)).toEqual([]);
    // Lengths averaging 62 tokens under a budget of 256: about four examples a micro-batch, not one.
    const plan = planEpoch(mixedLengths, { batchSize: 1, tokenBudget: 256, seed: 3 }, 0);
    expect(plan.length).toBeLessThan(mixedLengths.length / 3);
    const filled = plan.slice(0, -1).map((b) => b.reduce((s, i) => s + mixedLengths[i]!, 0)).filter((t) => t <= 256);
    expect(filled.reduce((s, t) => s + t, 0) / filled.length).toBeGreaterThan(0.7 * 256);
    // The one example longer than the budget goes alone.
    expect(plan.find((b) => b.includes(17))).toEqual([17]);
  });

  it("fills the budget exactly when the lengths allow", () => {
    const plan = planEpoch(Array.from({ length: 20 }, () => 32), { batchSize: 1, tokenBudget: 128, seed: 5 }, 0);
    expect(plan.map((b) => b.length)).toEqual([4, 4, 4, 4, 4]);
    expect(planViolations(Array.from({ length: 20 }, () => 32), { batchSize: 1, tokenBudget: 128, seed: 5 }, plan)).toEqual([]);
  });

  it("continues across epochs by global step", () => {
    const o = { batchSize: 3, seed: 1 };
    expect(microBatchAt(lengths, o, 0)).toEqual({ epoch: 0, batch: planEpoch(lengths, o, 0)[0] });
    expect(microBatchAt(lengths, o, 4)).toEqual({ epoch: 1, batch: planEpoch(lengths, o, 1)[1] });
    const budget = { batchSize: 1, tokenBudget: 256, seed: 2 };
    const first = planEpoch(mixedLengths, budget, 0);
    expect(microBatchAt(mixedLengths, budget, first.length)).toEqual({ epoch: 1, batch: planEpoch(mixedLengths, budget, 1)[0] });
  });
});
