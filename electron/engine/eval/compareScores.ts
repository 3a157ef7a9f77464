// Did a change help? Two systems' scores on the same suite and gold, paired by item id: per language
// and metric, the difference of means with a paired-bootstrap interval and p-value, and for 0/1
// metrics McNemar's exact test as well (issue 12, "Statistics").
import type { ScoreComparison } from "../../shared/evalContract.js";
import type { SuiteScore } from "./SuiteScore.js";
import { mcnemar } from "./statistics/mcnemar.js";
import { pairedBootstrap } from "./statistics/pairedBootstrap.js";

export interface CompareOptions {
  resamples?: number;
  seed?: number;
}

/**
 * Comparisons of `system` against `baseline`, overall (language null) then per language. Only items
 * both scored (same id, non-null value) take part. Per-item values are put on 0–100 as the suite's own
 * aggregate reports them (see `itemScale`); a metric whose items are all 0 or 1 is binary and gets
 * McNemar's test too. For corpus-level metrics (SARI) this compares means of per-item values, not the
 * corpus statistic: the notes of the CLI say so.
 */
export function compareScores(system: SuiteScore, baseline: SuiteScore, options: CompareOptions = {}): ScoreComparison[] {
  const base = new Map(baseline.items.map((i) => [i.id, i]));
  const pairs = system.items.flatMap((i) => {
    const b = base.get(i.id);
    return b ? [{ a: b, b: i }] : [];
  });
  const metrics = [...new Set(system.items.flatMap((i) => Object.keys(i.scores)))];
  const languages = [null, ...[...new Set(pairs.map((p) => p.b.language).filter((l): l is string => l !== null))].sort()];
  const out: ScoreComparison[] = [];
  for (const language of languages) {
    for (const metric of metrics) {
      const usable = pairs.filter((p) => (language === null || p.b.language === language) && typeof p.a.scores[metric] === "number" && typeof p.b.scores[metric] === "number");
      if (usable.length === 0) continue;
      const a = usable.map((p) => p.a.scores[metric]!);
      const b = usable.map((p) => p.b.scores[metric]!);
      const allValues = system.items.concat(baseline.items).map((i) => i.scores[metric]).filter((v): v is number => typeof v === "number");
      const binary = allValues.every((v) => v === 0 || v === 1);
      const scale = itemScale(system, metric) ?? itemScale(baseline, metric) ?? (binary ? 100 : 1);
      const boot = pairedBootstrap(a.map((v) => v * scale), b.map((v) => v * scale), options);
      const m = binary ? mcnemar(a, b) : null;
      out.push({
        language,
        metric,
        n: usable.length,
        baseline: boot.meanA,
        system: boot.meanB,
        difference: boot.difference,
        ci95: boot.ci,
        p: boot.p,
        mcnemar: m ? { b: m.b, c: m.c, p: m.p, chiSquareP: m.chiSquareP } : null,
      });
    }
  }
  return out;
}

/**
 * Whether a suite's per-item values of a metric are 0–1 (the aggregate multiplies by 100) or already
 * 0–100, read off the suite's own overall aggregate: its mean over the mean of the item values is 100
 * for the first and 1 for the second (about 1 for a corpus statistic). Null when it cannot tell (no
 * aggregate, or all values 0).
 */
export function itemScale(score: SuiteScore, metric: string): 1 | 100 | null {
  const agg = score.aggregates.find((a) => a.language === null && a.metric === metric);
  const values = score.items.map((i) => i.scores[metric]).filter((v): v is number => typeof v === "number");
  if (!agg || values.length === 0) return null;
  const itemMean = values.reduce((s, v) => s + v, 0) / values.length;
  if (itemMean === 0) return null;
  return agg.mean / itemMean > 10 ? 100 : 1;
}
