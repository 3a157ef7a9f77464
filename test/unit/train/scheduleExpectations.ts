// Learning rates worked out by hand from the schedules' formulas (lrSchedule.ts), and the check both the
// schedule test and its mutation test use: a schedule passes only if it gives every one of them.
import type { LrScheduleOptions } from "../../../electron/engine/train/lrSchedule.js";

export type Schedule = (step: number, o: LrScheduleOptions) => number;

interface ScheduleCase {
  name: string;
  options: LrScheduleOptions;
  /** [0-based optimizer step, expected rate]. */
  rates: Array<[number, number]>;
}

const peak = 2e-4;
const s2 = Math.SQRT1_2; // cos(π/4)

/**
 * Warm-up is linear from peak/warm at step 0 to the peak at step warm−1; the decay then runs over the
 * remaining totalSteps − warm steps, reaching zero at step totalSteps.
 */
export const scheduleCases: ScheduleCase[] = [
  {
    name: "constant, 10 warm-up steps",
    options: { schedule: "constant", peakLr: peak, totalSteps: 100, warmupSteps: 10 },
    rates: [
      [0, 2e-5], // peak · 1/10
      [4, 1e-4], // peak · 5/10
      [8, 1.8e-4], // peak · 9/10
      [9, 2e-4], // warm-up ends at the peak
      [10, 2e-4],
      [57, 2e-4],
      [99, 2e-4],
    ],
  },
  {
    name: "constant, no warm-up",
    options: { schedule: "constant", peakLr: peak, totalSteps: 100, warmupSteps: 0 },
    rates: [
      [0, 2e-4],
      [99, 2e-4],
    ],
  },
  {
    name: "linear, 10 warm-up steps over 110",
    options: { schedule: "linear", peakLr: peak, totalSteps: 110, warmupSteps: 10 },
    rates: [
      [0, 2e-5],
      [9, 2e-4],
      [10, 2e-4], // decay starts at the peak: 1 − 0/100
      [35, 1.5e-4], // 1 − 25/100
      [60, 1e-4], // half-way
      [109, 2e-6], // last step: 1 − 99/100
      [110, 0],
      [130, 0], // never negative
    ],
  },
  {
    name: "linear, no warm-up",
    options: { schedule: "linear", peakLr: peak, totalSteps: 40, warmupSteps: 0 },
    rates: [
      [0, 2e-4],
      [10, 1.5e-4],
      [39, 5e-6], // 1 − 39/40
    ],
  },
  {
    name: "cosine, 10 warm-up steps over 110",
    options: { schedule: "cosine", peakLr: peak, totalSteps: 110, warmupSteps: 10 },
    rates: [
      [0, 2e-5],
      [4, 1e-4],
      [9, 2e-4],
      [10, 2e-4], // ½(1 + cos 0)
      [35, 1e-4 * (1 + s2)], // ½(1 + cos π/4)
      [60, 1e-4], // ½(1 + cos π/2)
      [85, 1e-4 * (1 - s2)], // ½(1 + cos 3π/4)
      [109, 1e-4 * (1 - Math.cos(0.01 * Math.PI))], // ½(1 + cos 0.99π) = ½(1 − cos 0.01π)
      [110, 0],
      [150, 0], // stays at zero past the end, does not rise again
    ],
  },
  {
    name: "cosine, no warm-up",
    options: { schedule: "cosine", peakLr: peak, totalSteps: 100, warmupSteps: 0 },
    rates: [
      [0, 2e-4],
      [25, 1e-4 * (1 + s2)],
      [50, 1e-4],
      [75, 1e-4 * (1 - s2)],
    ],
  },
  {
    // Chirkova & Nikoulina's schedule has no warm-up: a warm-up setting does not apply to it.
    name: "inverse square root (warm-up set, not applied)",
    options: { schedule: "inverse-sqrt", peakLr: peak, totalSteps: 10_000, warmupSteps: 100 },
    rates: [
      [0, 2e-4], // peak / √1
      [1, 2e-4 * s2], // peak / √2
      [3, 1e-4], // peak / √4
      [15, 5e-5], // peak / √16
      [99, 2e-5], // peak / √100
      [9999, 2e-6], // peak / √10000
    ],
  },
];

/** Relative tolerance: the rates are products of a few doubles, exact to about 1e-16. */
export const relativeTolerance = 1e-9;

/** Every (case, step) where the schedule misses the hand-derived rate by more than the relative tolerance. */
export function scheduleMismatches(schedule: Schedule): string[] {
  const misses: string[] = [];
  for (const c of scheduleCases) {
    for (const [step, expected] of c.rates) {
      const actual = schedule(step, c.options);
      // Zero is expected exactly (up to a rounding of the peak); elsewhere, relative to the value.
      const allowed = expected === 0 ? 1e-12 * c.options.peakLr : relativeTolerance * Math.abs(expected);
      if (!(Math.abs(actual - expected) <= allowed)) misses.push(`${c.name}, step ${step}: ${actual} instead of ${expected}`);
    }
  }
  return misses;
}
