import { describe, expect, it } from "vitest";
import { microBatchAt, planEpoch } from "../../../electron/engine/train/planBatches.js";

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
  it("packs by token budget", () => {
    const plan = planEpoch(lengths, { batchSize: 1, tokenBudget: 100, seed: 3 }, 0);
    for (const batch of plan) {
      const total = batch.reduce((s, i) => s + lengths[i]!, 0);
      expect(batch.length === 1 || total <= 100).toBe(true);
    }
    expect(plan.flat()).toHaveLength(lengths.length);
  });
  it("continues across epochs by global step", () => {
    const o = { batchSize: 3, seed: 1 };
    expect(microBatchAt(lengths, o, 0)).toEqual({ epoch: 0, batch: planEpoch(lengths, o, 0)[0] });
    expect(microBatchAt(lengths, o, 4)).toEqual({ epoch: 1, batch: planEpoch(lengths, o, 1)[1] });
  });
});
