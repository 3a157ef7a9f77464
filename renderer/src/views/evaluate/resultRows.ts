// A suite's results as table rows: one per language × metric, the tuned system's mean with its 95% CI,
// the base model's beside it when the job has a baseline, and the paired comparison between them.
import type { EvalJob, EvalSuiteName, ScoreComparison } from "../../../../electron/shared/evalContract.js";
import type { z } from "zod";
import type { AggregateSchema } from "../../../../electron/shared/evalContract.js";
import { csvField } from "../../../../electron/shared/csvField.js";

export type Aggregate = z.infer<typeof AggregateSchema>;
export type Tuning = "supervised" | "zero-shot" | "unknown";

export interface ResultRow {
  /** null = all languages. */
  language: string | null;
  /** null for the all-languages row. */
  tuning: Tuning | null;
  metric: string;
  tuned: Aggregate | null;
  base: Aggregate | null;
  comparison: ScoreComparison | null;
}

const key = (language: string | null, metric: string) => `${language ?? ""}\u0000${metric}`;

/**
 * The rows of one suite: the all-languages row of each metric first, then each language in code order,
 * metrics in the order the engine reports them. A metric no item could be scored on has no aggregate
 * and shows as missing (never 0).
 */
export function resultRows(job: EvalJob, suite: EvalSuiteName): ResultRow[] {
  const tuned = job.results.find((r) => r.suite === suite && r.system === "tuned");
  const base = job.results.find((r) => r.suite === suite && r.system === "base");
  if (!tuned && !base) return [];
  const metrics: string[] = [];
  const languages = new Set<string>();
  const byKey = (list: Aggregate[] | undefined) => new Map((list ?? []).map((a) => [key(a.language, a.metric), a]));
  for (const a of [...(tuned?.aggregates ?? []), ...(base?.aggregates ?? [])]) {
    if (!metrics.includes(a.metric)) metrics.push(a.metric);
    if (a.language !== null) languages.add(a.language);
  }
  const tunedBy = byKey(tuned?.aggregates);
  const baseBy = byKey(base?.aggregates);
  const comparisons = new Map((tuned?.comparisons ?? []).map((c) => [key(c.language, c.metric), c]));
  const tuning = new Map(job.languages.map((l) => [l.language, l.tuning]));
  const rows: ResultRow[] = [];
  for (const language of [null, ...[...languages].sort()]) {
    for (const metric of metrics) {
      const k = key(language, metric);
      const row: ResultRow = {
        language,
        tuning: language === null ? null : (tuning.get(language) ?? "unknown"),
        metric,
        tuned: tunedBy.get(k) ?? null,
        base: baseBy.get(k) ?? null,
        comparison: comparisons.get(k) ?? null,
      };
      if (row.tuned || row.base) rows.push(row);
    }
  }
  return rows;
}

/** The suites of a job that have results, in the job's order. */
export function suitesWithResults(job: EvalJob): EvalSuiteName[] {
  return job.suites.map((s) => s.suite).filter((suite, i, all) => all.indexOf(suite) === i && job.results.some((r) => r.suite === suite));
}

export interface ChartPoint {
  language: string;
  system: "tuned" | "base";
  mean: number;
  /** The 95% CI's ends; null when there is no interval (the whisker is left out). */
  low: number | null;
  high: number | null;
  zeroShot: boolean;
}

/** The per-language bars of one metric: tuned (and base) per language, each with its CI, zero-shot marked for hatching. */
export function chartPoints(rows: readonly ResultRow[], metric: string): ChartPoint[] {
  return rows
    .filter((r) => r.language !== null && r.metric === metric)
    .flatMap((r) =>
      (["tuned", "base"] as const).flatMap((system) => {
        const a = r[system];
        return a ? [{ language: r.language!, system, mean: a.mean, low: a.ci95?.[0] ?? null, high: a.ci95?.[1] ?? null, zeroShot: r.tuning === "zero-shot" }] : [];
      }),
    );
}

/** The metrics of a suite's rows, in their order. */
export const rowMetrics = (rows: readonly ResultRow[]): string[] => [...new Set(rows.map((r) => r.metric))];

/** The table as CSV (UI.md: every table exports), numbers unrounded, missing cells empty. */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const header = ["language", "tuning", "metric", "n", "tuned_mean", "tuned_ci_low", "tuned_ci_high", "base_mean", "base_ci_low", "base_ci_high", "difference", "p"];
  const lines = rows.map((r) =>
    [r.language ?? "all", r.tuning, r.metric, r.tuned?.n ?? r.base?.n, r.tuned?.mean, r.tuned?.ci95?.[0], r.tuned?.ci95?.[1], r.base?.mean, r.base?.ci95?.[0], r.base?.ci95?.[1], r.comparison?.difference, r.comparison?.p].map(csvField).join(","),
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** The top of a metric's scale: helpfulness is averaged on 1–6 and the criteria on 0–2 (as the papers report them); the rest are 0–100. */
export const metricScaleTop = (metric: string): number => (metric === "helpfulness" ? 6 : metric.startsWith("criterion_") ? 2 : 100);
