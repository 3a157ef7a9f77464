import { seededShuffle } from "../random/seededRandom.js";

export interface BatchPlanOptions {
  /** Sequences per micro-batch (ignored when tokenBudget is set). */
  batchSize: number;
  /** Pack micro-batches up to this many tokens instead (Chirkova & Nikoulina: 4,000 tokens). */
  tokenBudget?: number;
  seed: number;
}

/**
 * The order examples are seen in: a seeded shuffle per epoch, cut into micro-batches. It is a pure
 * function of (lengths, options, epoch), so a resumed run sees exactly the data an uninterrupted one would.
 */
export function planEpoch(lengths: readonly number[], options: BatchPlanOptions, epoch: number): number[][] {
  const order = seededShuffle(lengths.map((_, i) => i), options.seed * 7919 + epoch);
  const batches: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  for (const i of order) {
    const len = lengths[i] ?? 0;
    const full = options.tokenBudget ? current.length > 0 && tokens + len > options.tokenBudget : current.length >= options.batchSize;
    if (full) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(i);
    tokens += len;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The micro-batch for a global micro-step, across epochs. */
export function microBatchAt(lengths: readonly number[], options: BatchPlanOptions, microStep: number): { epoch: number; batch: number[] } {
  let epoch = 0;
  let offset = microStep;
  for (;;) {
    const plan = planEpoch(lengths, options, epoch);
    if (offset < plan.length) return { epoch, batch: plan[offset]! };
    offset -= plan.length;
    epoch++;
  }
}
