export const lrSchedules = ["constant", "linear", "cosine", "inverse-sqrt"] as const;
export type LrScheduleName = (typeof lrSchedules)[number];

export interface LrScheduleOptions {
  schedule: LrScheduleName;
  lr: number;
  totalSteps: number;
  warmupSteps: number;
}

/**
 * Learning rate for optimizer step `step` (0-based). Linear and cosine decay to zero after a linear
 * warm-up; inverse-sqrt is Chirkova & Nikoulina's schedule without warm-up: lr / sqrt(step + 1).
 */
export function learningRateAt(step: number, o: LrScheduleOptions): number {
  const warm = Math.max(0, o.warmupSteps);
  if (o.schedule !== "inverse-sqrt" && warm > 0 && step < warm) return (o.lr * (step + 1)) / warm;
  switch (o.schedule) {
    case "constant":
      return o.lr;
    case "inverse-sqrt":
      return o.lr / Math.sqrt(step + 1);
    case "linear": {
      const span = Math.max(1, o.totalSteps - warm);
      return o.lr * Math.max(0, 1 - (step - warm) / span);
    }
    case "cosine": {
      const span = Math.max(1, o.totalSteps - warm);
      const progress = Math.min(1, (step - warm) / span);
      return o.lr * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
