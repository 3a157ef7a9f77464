// The schedule check must catch a broken schedule: each deliberately wrong variant below has to fail it.
import { describe, expect, it } from "vitest";
import { learningRateAt, type LrScheduleOptions } from "../../../electron/engine/train/lrSchedule.js";
import { scheduleMismatches, type Schedule } from "./scheduleExpectations.js";

/** Wraps the real schedule, changing only what `when` selects. */
const alter = (when: (o: LrScheduleOptions) => boolean, broken: Schedule): Schedule => (step, o) => (when(o) ? broken(step, o) : learningRateAt(step, o));
const is = (name: LrScheduleOptions["schedule"]) => (o: LrScheduleOptions) => o.schedule === name;
const warmedUp = (o: LrScheduleOptions) => o.schedule !== "inverse-sqrt" && o.warmupSteps > 0;
const decayProgress = (step: number, o: LrScheduleOptions) => Math.min(1, (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps));

const broken: Array<[string, Schedule]> = [
  ["no warm-up", alter(warmedUp, (step, o) => learningRateAt(step, { ...o, warmupSteps: 0 }))],
  ["warm-up starting at zero (step / warm)", alter(warmedUp, (step, o) => (step < o.warmupSteps ? (o.peakLr * step) / o.warmupSteps : learningRateAt(step, o)))],
  ["warm-up one step too long", alter(warmedUp, (step, o) => learningRateAt(step, { ...o, warmupSteps: o.warmupSteps + 1 }))],
  ["linear without decay", alter(is("linear"), (step, o) => learningRateAt(step, { ...o, schedule: "constant" }))],
  ["linear decaying over all steps, warm-up included", alter(is("linear"), (step, o) => (step < o.warmupSteps ? learningRateAt(step, o) : o.peakLr * Math.max(0, 1 - step / o.totalSteps)))],
  ["linear decaying to 10 %", alter(is("linear"), (step, o) => 0.1 * o.peakLr + 0.9 * learningRateAt(step, o))],
  ["cosine at twice the rate", alter(is("cosine"), (step, o) => (step < o.warmupSteps ? learningRateAt(step, o) : o.peakLr * 0.5 * (1 + Math.cos(2 * Math.PI * decayProgress(step, o)))))],
  ["cosine as linear", alter(is("cosine"), (step, o) => learningRateAt(step, { ...o, schedule: "linear" }))],
  ["cosine without decay", alter(is("cosine"), (step, o) => learningRateAt(step, { ...o, schedule: "constant" }))],
  ["inverse square root at three times the rate", alter(is("inverse-sqrt"), (step, o) => o.peakLr / Math.sqrt(3 * (step + 1)))],
  ["inverse square root off by one step", alter(is("inverse-sqrt"), (step, o) => o.peakLr / Math.sqrt(step + 2))],
  ["inverse square root with warm-up", alter(is("inverse-sqrt"), (step, o) => (step < o.warmupSteps ? (o.peakLr * (step + 1)) / o.warmupSteps : learningRateAt(step, o)))],
  ["inverse (not square root)", alter(is("inverse-sqrt"), (step, o) => o.peakLr / (step + 1))],
  ["every rate 0.1 % high", (step, o) => learningRateAt(step, o) * 1.001],
];

describe("the schedule check catches broken schedules", () => {
  it.each(broken)("%s", (_name, schedule) => {
    expect(scheduleMismatches(schedule).length).toBeGreaterThan(0);
  });
});
