import type { LrSchedule } from "../../shared/contract.js";

export interface LrScheduleOptions {
  schedule: LrSchedule;
  /** The configured rate (the run's `lr`): the most any step gets. */
  peakLr: number;
  totalSteps: number;
  warmupSteps: number;
}

/**
 * The scheduled learning rate of optimizer step `step` (0-based): the peak as the schedule scales it.
 * Linear and cosine decay to zero after a linear warm-up; inverse-sqrt is Chirkova & Nikoulina's
 * schedule without warm-up: peak / sqrt(step + 1).
 */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  const warm = Math.max(0, o.warmupSteps);
  if (o.schedule !== "inverse-sqrt" && warm > 0 && step < warm) return (o.peakLr * (step + 1)) / warm;
  switch (o.schedule) {
    case "constant":
      return o.peakLr;
    case "inverse-sqrt":
      return o.peakLr / Math.sqrt(step + 1);
    case "linear": {
      const span = Math.max(1, o.totalSteps - warm);
      return o.peakLr * Math.max(0, 1 - (step - warm) / span);
    }
    case "cosine": {
      const span = Math.max(1, o.totalSteps - warm);
      const progress = Math.min(1, (step - warm) / span);
      return o.peakLr * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
