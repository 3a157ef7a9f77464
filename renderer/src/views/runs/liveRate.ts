import type { RunMetric } from "../../../../electron/shared/contract.js";

/** Steps a rate is averaged over, and how many it needs before it says anything. */
export const rateWindow = 20;
export const rateMinimumSteps = 3;

/**
 * Tokens per second and the time left, from the last steps of the current session: a single step's
 * rate swings (validation, checkpoints, the first step after a resume loads the model), an average over
 * a window does not. Null while there is not enough to say (the UI then says "estimating…").
 */
export function liveRate(metrics: readonly RunMetric[], totalSteps: number): { tokensPerSecond: number; etaSeconds: number } | null {
  // A resumed session restarts its clock: only the steps since the last restart form one timeline.
  let start = metrics.length - 1;
  while (start > 0 && metrics[start - 1]!.elapsedMs <= metrics[start]!.elapsedMs && metrics.length - start < rateWindow) start--;
  const window = metrics.slice(start);
  if (window.length < rateMinimumSteps) return null;
  const first = window[0]!;
  const last = window.at(-1)!;
  const seconds = (last.elapsedMs - first.elapsedMs) / 1000;
  const steps = last.step - first.step;
  if (seconds <= 0 || steps <= 0) return null;
  const tokens = window.slice(1).reduce((sum, m) => sum + m.tokens, 0);
  return { tokensPerSecond: tokens / seconds, etaSeconds: Math.max(0, totalSteps - last.step) * (seconds / steps) };
}
