// Percentile-bootstrap confidence intervals (Efron & Tibshirani 1993, ch. 13): resample the items
// with replacement, recompute the statistic, and take the 2.5th and 97.5th percentiles of the
// resampled values. Seeded, so the same scores always print the same interval.
import { seededRandom } from "../../random/seededRandom.js";

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
}

export const bootstrapDefaults = { resamples: 1000, seed: 1, confidence: 0.95 } as const;

export interface Interval {
  /** The statistic on the original sample. */
  estimate: number;
  /** Percentile interval; null when fewer than two items (no spread to resample). */
  ci: [number, number] | null;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending `sorted` values by linear interpolation between closest
 * ranks — numpy's default ("linear", Hyndman & Fan type 7), so intervals match what a reviewer
 * recomputes with `np.percentile`.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of no values");
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function settings(options: BootstrapOptions): { resamples: number; seed: number; alpha: number } {
  const resamples = options.resamples ?? bootstrapDefaults.resamples;
  const confidence = options.confidence ?? bootstrapDefaults.confidence;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must lie strictly between 0 and 1, got ${confidence}`);
  return { resamples, seed: options.seed ?? bootstrapDefaults.seed, alpha: 1 - confidence };
}

/** The percentile interval of resampled statistics. */
export function percentileInterval(resampled: number[], alpha: number): [number, number] {
  const sorted = resampled.slice().sort((a, b) => a - b);
  return [quantileSorted(sorted, alpha / 2), quantileSorted(sorted, 1 - alpha / 2)];
}

/**
 * Bootstrap of any statistic of n items: `statistic` receives the item indices of one resample
 * (with repeats) and returns its value. Corpus-level metrics (SARI, corpus BLEU) pass a function
 * that recomputes the corpus statistic on those indices.
 */
export function bootstrapStatistic(n: number, statistic: (indices: readonly number[]) => number, options: BootstrapOptions = {}): Interval {
  const { resamples, seed, alpha } = settings(options);
  const all = Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(all);
  if (n < 2) return { estimate, ci: null };
  const rand = seededRandom(seed);
  const values = new Array<number>(resamples);
  const indices = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = Math.floor(rand() * n);
    values[r] = statistic(indices);
  }
  return { estimate, ci: percentileInterval(values, alpha) };
}

/**
 * Two-level bootstrap of a mean over items that each have replicates (one value per sampling seed):
 * each resample draws n items with replacement and, within each drawn item, as many of its replicates
 * as it has, with replacement; the item's value is the mean of its drawn replicates and the statistic
 * the mean over the drawn items (Davison & Hinkley 1997, §3.8). An item with one replicate draws
 * nothing within, so with one replicate per item this is exactly bootstrapMean of the items (same
 * draws). The estimate is the mean of the items' replicate means; no interval below two items.
 */
export function bootstrapNestedMean(replicates: readonly (readonly number[])[], options: BootstrapOptions = {}): Interval {
  const n = replicates.length;
  if (n === 0) throw new RangeError("bootstrap of no items");
  replicates.forEach((row, i) => {
    if (row.length === 0) throw new RangeError(`item ${i} has no replicate`);
  });
  const { resamples, seed, alpha } = settings(options);
  const estimate = mean(replicates.map((row) => mean(row)));
  if (n < 2) return { estimate, ci: null };
  const rand = seededRandom(seed);
  const values = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const row = replicates[Math.floor(rand() * n)]!;
      const m = row.length;
      if (m === 1) {
        total += row[0]!;
        continue;
      }
      let s = 0;
      for (let k = 0; k < m; k++) s += row[Math.floor(rand() * m)]!;
      total += s / m;
    }
    values[r] = total / n;
  }
  return { estimate, ci: percentileInterval(values, alpha) };
}

export const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

/** Mean of per-item values with its percentile-bootstrap interval over items. */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions = {}): Interval {
  if (values.length === 0) throw new RangeError("bootstrap of no values");
  return bootstrapStatistic(values.length, (idx) => {
    let s = 0;
    for (const i of idx) s += values[i]!;
    return s / idx.length;
  }, options);
}

/**
 * Mean over sampling seeds and items, with an interval that carries both sources of variance:
 * `runs[s][i]` is item i's score under seed s (every seed scores the same items). Each resample
 * draws seeds with replacement and, independently, items with replacement (the same items for every
 * drawn seed, as runs are paired by item), and takes the mean of the drawn cells — a two-way
 * bootstrap (seed × item), so a single lucky seed cannot narrow the interval.
 */
export function bootstrapOverSeeds(runs: readonly (readonly number[])[], options: BootstrapOptions = {}): Interval & { seeds: number; items: number } {
  const seeds = runs.length;
  if (seeds === 0) throw new RangeError("bootstrap over no seeds");
  const items = runs[0]!.length;
  if (items === 0) throw new RangeError("bootstrap over seeds with no items");
  runs.forEach((row, s) => {
    if (row.length !== items) throw new RangeError(`seed ${s} scored ${row.length} items, seed 0 scored ${items}; runs over seeds must score the same items`);
  });
  const { resamples, seed, alpha } = settings(options);
  const estimate = mean(runs.map((row) => mean(row)));
  if (seeds * items < 2) return { estimate, ci: null, seeds, items };
  const rand = seededRandom(seed);
  const values = new Array<number>(resamples);
  const drawnItems = new Array<number>(items);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < items; i++) drawnItems[i] = Math.floor(rand() * items);
    let total = 0;
    for (let k = 0; k < seeds; k++) {
      const row = runs[Math.floor(rand() * seeds)]!;
      for (const i of drawnItems) total += row[i]!;
    }
    values[r] = total / (seeds * items);
  }
  return { estimate, ci: percentileInterval(values, alpha), seeds, items };
}
