import { describe, expect, it } from "vitest";
import { learningRateAt } from "../../../electron/engine/train/lrSchedule.js";

describe("learning-rate schedules", () => {
  it("constant stays put after warm-up", () => {
    const o = { schedule: "constant" as const, lr: 1e-4, totalSteps: 100, warmupSteps: 10 };
    expect(learningRateAt(0, o)).toBeCloseTo(1e-5);
    expect(learningRateAt(9, o)).toBeCloseTo(1e-4);
    expect(learningRateAt(50, o)).toBe(1e-4);
  });
  it("linear decays from the peak to zero at the last step", () => {
    const o = { schedule: "linear" as const, lr: 2e-4, totalSteps: 110, warmupSteps: 10 };
    expect(learningRateAt(10, o)).toBeCloseTo(2e-4);
    expect(learningRateAt(60, o)).toBeCloseTo(1e-4);
    expect(learningRateAt(110, o)).toBeCloseTo(0);
  });
  it("cosine is half-way at the middle", () => {
    const o = { schedule: "cosine" as const, lr: 1e-3, totalSteps: 100, warmupSteps: 0 };
    expect(learningRateAt(0, o)).toBeCloseTo(1e-3);
    expect(learningRateAt(50, o)).toBeCloseTo(5e-4);
    expect(learningRateAt(100, o)).toBeCloseTo(0);
  });
  it("inverse-sqrt has no warm-up and falls as 1/sqrt(t)", () => {
    const o = { schedule: "inverse-sqrt" as const, lr: 1e-4, totalSteps: 1000, warmupSteps: 100 };
    expect(learningRateAt(0, o)).toBe(1e-4);
    expect(learningRateAt(3, o)).toBeCloseTo(5e-5);
    expect(learningRateAt(99, o)).toBeCloseTo(1e-5);
  });
});
