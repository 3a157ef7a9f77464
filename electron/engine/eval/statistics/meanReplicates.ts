// The bootstrap replicates of a per-language mean, kept with a job's scores (m0012) so that comparing
// jobs needs no resampling of item rows. Resample r draws item positions exactly as bootstrapMean and
// pairedBootstrap do (seeded, n draws of ⌊rand·n⌋ per resample) over the items sorted by id, so the
// draws depend only on (seed, n, resamples): two jobs over the same item ids draw the same items, and
// their replicates' difference is the paired bootstrap of the difference (mean(b − a) = mean(b) −
// mean(a) on every resample), a mean of languages' replicates the stratified bootstrap of that mean.
import { createHash } from "node:crypto";
import { seededRandom } from "../../random/seededRandom.js";
import type { ItemScore } from "../SuiteScore.js";
import { bootstrapDefaults, percentileInterval } from "./bootstrap.js";

export interface MeanReplicates {
  /** Null: all the job's scored items of the metric. */
  language: string | null;
  /** sha256 of the scored item ids, sorted, one a line: equal lists share resample indices. */
  idsHash: string;
  /** Per-item factor to the aggregates' 0–100 (100 for 0–1 values). */
  scale: number;
  /** Every scored value is 0 or 1 (with the overall row's flag, compareScores' McNemar condition). */
  binary: boolean;
  seed: number;
  /** The scaled item values, sorted by item id. */
  values: Float64Array;
  /** One resampled mean per resample. */
  replicates: Float64Array;
}

/** The scale compareScores gives a metric's item values of one job (its itemScale, else 100 for 0/1 values). */
export type ScaleOf = (metric: string, binary: boolean) => number;

/**
 * Per metric, the overall row then one per language (in code order), over the items with a finite
 * value of that metric; metrics without one get no rows.
 */
export function meanReplicates(items: readonly ItemScore[], metrics: readonly string[], scaleOf: ScaleOf, options: { resamples?: number; seed?: number } = {}): Map<string, MeanReplicates[]> {
  const resamples = options.resamples ?? bootstrapDefaults.resamples;
  const seed = options.seed ?? bootstrapDefaults.seed;
  const sorted = items.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<string, MeanReplicates[]>();
  for (const metric of metrics) {
    const scored = sorted.filter((i) => Number.isFinite(i.scores[metric]));
    if (scored.length === 0) continue;
    const binary = scored.every((i) => i.scores[metric] === 0 || i.scores[metric] === 1);
    const scale = scaleOf(metric, binary);
    const languages = [...new Set(scored.map((i) => i.language).filter((l): l is string => l !== null))].sort();
    const groups: Array<[string | null, ItemScore[]]> = [[null, scored], ...languages.map((l): [string, ItemScore[]] => [l, scored.filter((i) => i.language === l)])];
    out.set(
      metric,
      groups.map(([language, group]) => {
        const values = Float64Array.from(group, (i) => i.scores[metric]! * scale);
        const groupBinary = group.every((i) => i.scores[metric] === 0 || i.scores[metric] === 1);
        return { language, idsHash: idsHash(group.map((i) => i.id)), scale, binary: groupBinary, seed, values, replicates: resampledMeans(values, resamples, seed) };
      }),
    );
  }
  return out;
}

export function idsHash(sortedIds: readonly string[]): string {
  return createHash("sha256").update(sortedIds.join("\n")).digest("hex");
}

/** bootstrapMean's resampled means of `values`, in its draw order. */
export function resampledMeans(values: Float64Array, resamples: number, seed: number): Float64Array {
  const n = values.length;
  const rand = seededRandom(seed);
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(rand() * n)]!;
    out[r] = s / n;
  }
  return out;
}

/**
 * pairedBootstrap(a, b) from stored rows of the same items: the difference mean(b − a), the percentile
 * interval of the replicates' differences and the null-shifted two-sided p, as pairedBootstrap computes them.
 */
export function pairedFromReplicates(a: MeanReplicates, b: MeanReplicates, confidence: number = bootstrapDefaults.confidence): { n: number; difference: number; ci: [number, number] | null; p: number } {
  const n = a.values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += b.values[i]! - a.values[i]!;
  const difference = s / n;
  if (n < 2) return { n, difference, ci: null, p: 1 };
  const resamples = a.replicates.length;
  const resampled = new Array<number>(resamples);
  const eps = 1e-9 * Math.max(1, Math.abs(difference));
  let asFar = 0;
  for (let r = 0; r < resamples; r++) {
    const d = b.replicates[r]! - a.replicates[r]!;
    resampled[r] = d;
    if (Math.abs(d - difference) >= Math.abs(difference) - eps) asFar++;
  }
  return { n, difference, ci: percentileInterval(resampled, 1 - confidence), p: (1 + asFar) / (resamples + 1) };
}

/** The stratified bootstrap interval of the mean of groups' means: per resample, the mean of their replicates. */
export function stratifiedInterval(groups: readonly MeanReplicates[], confidence: number = bootstrapDefaults.confidence): [number, number] | null {
  if (groups.length === 0 || groups.every((g) => g.values.length < 2)) return null;
  const resamples = groups[0]!.replicates.length;
  const means = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (const g of groups) s += g.replicates[r]!;
    means[r] = s / groups.length;
  }
  return percentileInterval(means, 1 - confidence);
}
