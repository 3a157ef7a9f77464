// Per-language and overall means of a suite's item scores, on 0–100, each with a 95% percentile
// bootstrap interval over items (and, for sampled outputs, over each item's seeds). Every suite calls
// this, so all intervals are computed one way.
import type { Aggregate, ItemScore } from "./SuiteScore.js";
import { bootstrapNestedMean, bootstrapStatistic, bootstrapDefaults } from "./statistics/bootstrap.js";

/**
 * How one metric is aggregated.
 * - `perItem: "fraction"` — item values are 0/1 or 0–1 (e.g. exact match per question); the mean is ×100.
 * - `perItem: "percent"` — item values are already 0–100 (e.g. F1 per question); the mean is taken as is.
 * - `corpus` — a corpus-level statistic (e.g. SARI over n-gram counts summed over sentences): given
 *   indices into `items` (with repeats, in bootstrap resamples), returns the statistic on 0–100.
 *   The per-item value then only decides which items take part (non-null).
 */
export interface MetricSpec {
  metric: string;
  perItem: "fraction" | "percent";
  corpus?: (indices: readonly number[]) => number;
}

export interface AggregateOptions {
  resamples?: number;
  seed?: number;
  /** Also one aggregate per language (default true); the overall one (language null) always comes first. */
  perLanguage?: boolean;
  /**
   * Per item (same order as `items`), its scores under each sampling seed, whose mean is the item's
   * score. Where an item has more than one, a per-item metric's interval comes from the two-level
   * bootstrap (items, then each drawn item's seeds), so the spread between seeds widens it; without
   * replicates, or with one per item, the interval is the bootstrap over items alone. A corpus
   * metric's interval is always over items (its statistic takes item indices only).
   */
  replicates?: ReadonlyArray<ReadonlyArray<Record<string, number | null>> | undefined>;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A metric given by name alone is taken as per-item 0–100 ("percent"). */
export type MetricInput = MetricSpec | string;

const spec = (m: MetricInput): MetricSpec => (typeof m === "string" ? { metric: m, perItem: "percent" } : m);

/**
 * Aggregates, overall (language null) then per language in code order, for every metric. Items whose
 * value is null or absent for a metric are left out of that metric's n and mean — missing is never 0.
 * A group with no scored item gives no aggregate for that metric.
 */
export function aggregate(items: readonly ItemScore[], metrics: readonly MetricInput[], options: AggregateOptions = {}): Aggregate[] {
  const resamples = options.resamples ?? bootstrapDefaults.resamples;
  const seed = options.seed ?? bootstrapDefaults.seed;
  const languages = [...new Set(items.map((i) => i.language).filter((l): l is string => l !== null))].sort();
  const groups: Array<{ language: string | null; indices: number[] }> = [{ language: null, indices: items.map((_, i) => i) }];
  if (options.perLanguage ?? true) {
    for (const language of languages) groups.push({ language, indices: items.flatMap((it, i) => (it.language === language ? [i] : [])) });
  }
  const out: Aggregate[] = [];
  for (const group of groups) {
    for (const m of metrics.map(spec)) {
      const scored = group.indices.filter((i) => typeof items[i]!.scores[m.metric] === "number" && Number.isFinite(items[i]!.scores[m.metric]));
      if (scored.length === 0) continue;
      const scale = m.perItem === "fraction" ? 100 : 1;
      const corpus = m.corpus;
      const statistic = corpus
        ? (idx: readonly number[]) => corpus(idx.map((k) => scored[k]!))
        : (idx: readonly number[]) => {
            let s = 0;
            for (const k of idx) s += items[scored[k]!]!.scores[m.metric]!;
            return (scale * s) / idx.length;
          };
      const replicates = corpus ? undefined : replicatesOf(options.replicates, scored, items, m.metric);
      if (replicates) {
        // The estimate as without replicates (the item scores' mean); only the interval draws seeds too.
        const estimate = statistic(scored.map((_, k) => k));
        const { ci } = bootstrapNestedMean(replicates, { resamples, seed });
        out.push({ language: group.language, metric: m.metric, n: scored.length, mean: estimate, ci95: ci ? [scale * ci[0], scale * ci[1]] : null });
        continue;
      }
      const { estimate, ci } = bootstrapStatistic(scored.length, statistic, { resamples, seed });
      out.push({ language: group.language, metric: m.metric, n: scored.length, mean: estimate, ci95: ci });
    }
  }
  return out;
}

/** Each scored item's finite replicate values of `metric` (its own score where it has none); undefined when no item has two. */
function replicatesOf(given: AggregateOptions["replicates"], scored: readonly number[], items: readonly ItemScore[], metric: string): number[][] | undefined {
  if (!given) return undefined;
  const rows = scored.map((i) => {
    const values = (given[i] ?? []).map((r) => r[metric]).filter(finite);
    return values.length > 0 ? values : [items[i]!.scores[metric]!];
  });
  return rows.some((r) => r.length > 1) ? rows : undefined;
}
