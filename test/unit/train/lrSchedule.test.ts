import { describe, expect, it } from "vitest";
import { lrSchedules } from "../../../electron/shared/contract.js";
import { learningRateAt } from "../../../electron/engine/train/lrSchedule.js";
import { scheduleCases, scheduleMismatches } from "./scheduleExpectations.js";

describe("learning-rate schedules", () => {
  it("give the hand-derived rate at warm-up start and end, mid-decay and the last step, to 1e-9 of the value", () => {
    expect(scheduleMismatches(learningRateAt)).toEqual([]);
  });

  it("are all covered, with and without warm-up where warm-up applies", () => {
    for (const schedule of lrSchedules) expect(scheduleCases.some((c) => c.options.schedule === schedule)).toBe(true);
    for (const schedule of ["constant", "linear", "cosine"] as const) {
      expect(scheduleCases.some((c) => c.options.schedule === schedule && c.options.warmupSteps > 0)).toBe(true);
      expect(scheduleCases.some((c) => c.options.schedule === schedule && c.options.warmupSteps === 0)).toBe(true);
    }
  });

  it("never exceed the peak and never go negative, step by step over a whole run", () => {
    for (const c of scheduleCases) {
      for (let step = 0; step < c.options.totalSteps + 20; step++) {
        const lr = learningRateAt(step, c.options);
        expect(lr, `${c.name}, step ${step}`).toBeGreaterThanOrEqual(0);
        expect(lr, `${c.name}, step ${step}`).toBeLessThanOrEqual(c.options.peakLr);
      }
    }
  });

  it("rise through warm-up and fall after it, monotonically", () => {
    for (const c of scheduleCases.filter((x) => x.options.schedule !== "constant")) {
      const { warmupSteps, totalSteps } = c.options;
      const warm = c.options.schedule === "inverse-sqrt" ? 0 : warmupSteps;
      for (let step = 1; step < totalSteps; step++) {
        const [before, now] = [learningRateAt(step - 1, c.options), learningRateAt(step, c.options)];
        if (step < warm) expect(now, `${c.name}, step ${step}`).toBeGreaterThan(before);
        else if (step > warm) expect(now, `${c.name}, step ${step}`).toBeLessThan(before);
      }
    }
  });
});
