// Is run B better than run A on the same items? Paired bootstrap (Koehn 2004; the p-value as in
// Berg-Kirkpatrick et al. 2012 with a null-shifted two-sided test): resample items, keep each item's
// pair together, and ask how often a resampled difference lies as far from the observed one as the
// observed one lies from zero.
import { seededRandom } from "../../random/seededRandom.js";
import { bootstrapDefaults, mean, percentileInterval, type BootstrapOptions } from "./bootstrap.js";

export interface PairedBootstrap {
  n: number;
  meanA: number;
  meanB: number;
  /** meanB − meanA. */
  difference: number;
  /** Percentile interval of the resampled difference; null when n < 2. */
  ci: [number, number] | null;
  /**
   * Two-sided p-value of "no difference": (1 + #{|d* − d| ≥ |d|}) / (resamples + 1), where d* are
   * resampled differences and d the observed one (the bootstrap distribution shifted to mean 0
   * stands for the null). The +1s keep p > 0, as a finite resampling cannot show p = 0.
   */
  p: number;
  resamples: number;
}

export function pairedBootstrap(a: readonly number[], b: readonly number[], options: BootstrapOptions = {}): PairedBootstrap {
  if (a.length !== b.length) throw new RangeError(`paired runs must score the same items: ${a.length} vs ${b.length}`);
  const n = a.length;
  if (n === 0) throw new RangeError("paired bootstrap of no items");
  const resamples = options.resamples ?? bootstrapDefaults.resamples;
  const confidence = options.confidence ?? bootstrapDefaults.confidence;
  const diffs = a.map((x, i) => b[i]! - x);
  const difference = mean(diffs);
  const base = { n, meanA: mean(a), meanB: mean(b), difference, resamples };
  if (n < 2) return { ...base, ci: null, p: 1 };
  const rand = seededRandom(options.seed ?? bootstrapDefaults.seed);
  const resampled = new Array<number>(resamples);
  let asFar = 0;
  // Tolerance so that float noise in sums of equal values does not count as "farther".
  const eps = 1e-9 * Math.max(1, Math.abs(difference));
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diffs[Math.floor(rand() * n)]!;
    const d = s / n;
    resampled[r] = d;
    if (Math.abs(d - difference) >= Math.abs(difference) - eps) asFar++;
  }
  return { ...base, ci: percentileInterval(resampled, 1 - confidence), p: (1 + asFar) / (resamples + 1) };
}
