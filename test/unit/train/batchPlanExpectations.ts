// What a batch plan must be, as one check the planner test and its mutation test share: every example
// once per epoch; by size, full micro-batches of batchSize; by token budget, micro-batches packed in
// order up to the budget (a micro-batch closes only when the next example would not fit) and never over
// it, except an example longer than the budget, which goes alone.
import type { BatchPlanOptions } from "../../../electron/engine/train/planBatches.js";

export type Planner = (lengths: readonly number[], options: BatchPlanOptions, epoch: number) => number[][];

export function planViolations(lengths: readonly number[], options: BatchPlanOptions, plan: number[][]): string[] {
  const out: string[] = [];
  const seen = new Map<number, number>();
  for (const i of plan.flat()) seen.set(i, (seen.get(i) ?? 0) + 1);
  lengths.forEach((_, i) => {
    if (seen.get(i) !== 1) out.push(`example ${i} appears ${seen.get(i) ?? 0} times`);
  });
  if (seen.size !== lengths.length) out.push(`the plan holds ${seen.size} distinct examples, not ${lengths.length}`);
  const tokens = (batch: number[]): number => batch.reduce((s, i) => s + (lengths[i] ?? Number.NaN), 0);
  plan.forEach((batch, b) => {
    if (batch.length === 0) out.push(`micro-batch ${b} is empty`);
    const budget = options.tokenBudget;
    if (budget === undefined) {
      const last = b === plan.length - 1;
      if (last ? batch.length > options.batchSize : batch.length !== options.batchSize) out.push(`micro-batch ${b} has ${batch.length} examples with batch size ${options.batchSize}`);
      return;
    }
    if (tokens(batch) > budget && batch.length > 1) out.push(`micro-batch ${b} holds ${tokens(batch)} tokens, over the budget of ${budget}`);
    const next = plan[b + 1];
    if (next && next.length > 0 && tokens(batch) + (lengths[next[0]!] ?? 0) <= budget) {
      out.push(`micro-batch ${b} (${tokens(batch)} tokens) closed although the next example (${lengths[next[0]!]}) fits the budget of ${budget}`);
    }
  });
  return out;
}

/** Lengths from 5 to 120 tokens with one example (300) longer than the budget of 256. */
export const mixedLengths: number[] = Array.from({ length: 60 }, (_, i) => 5 + ((i * 37 + 11) % 116));
mixedLengths[17] = 300;

/** Every violation over several seeds and epochs, by budget (mixed and exactly-fitting lengths) and by size. */
export function plannerViolations(planner: Planner): string[] {
  const out: string[] = [];
  const cases: Array<[readonly number[], BatchPlanOptions]> = [];
  for (const seed of [1, 2, 3]) {
    cases.push([mixedLengths, { batchSize: 1, tokenBudget: 256, seed }]);
    cases.push([mixedLengths, { batchSize: 8, tokenBudget: 256, seed }]);
    // Four examples fill the budget exactly: a planner that closes at the budget rather than above it shows.
    cases.push([Array.from({ length: 20 }, () => 32), { batchSize: 1, tokenBudget: 128, seed }]);
    cases.push([mixedLengths, { batchSize: 7, seed }]);
  }
  for (const [lengths, options] of cases) {
    for (const epoch of [0, 1]) {
      for (const v of planViolations(lengths, options, planner(lengths, options, epoch))) out.push(`${JSON.stringify(options)} epoch ${epoch}: ${v}`);
    }
  }
  return out;
}
