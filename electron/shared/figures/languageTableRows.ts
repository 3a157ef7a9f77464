// The per-language comparison table, the one every view of it is written from (the CLI prints it, the
// report and the Compare area draw it, the CSV export writes it): languages as rows (the overall row
// first, then tuned, zero-shot, unknown), runs as columns, each cell the run's mean [95% CI] and n, its
// difference from the reference on the same items with the paired test's p, and its base model's value.
import type { CompareRunsResult } from "../compareContract.js";
import { csvField } from "../csvField.js";
import type { EvalSuiteName } from "../evalContract.js";

export type Tuning = "supervised" | "zero-shot" | "unknown";
/** How a language was tuned across the compared runs: in some run's mix, in none (zero-shot), or not known. */
export type LanguageGroup = "tuned" | "zero-shot" | "unknown";

export interface CompareValue {
  mean: number;
  ci95: readonly [number, number] | null;
  n: number;
}

export interface CompareDelta {
  difference: number;
  ci95: readonly [number, number] | null;
  p: number | null;
  n: number;
  test: string;
}

export interface LanguageTableRow {
  /** null = the overall row: the evaluation's own aggregate over every language it evaluated (see overallRowLabel). */
  language: string | null;
  group: LanguageGroup | null;
  /** Aligned with `result.runs`: the tuning of the language in each run (null on the overall row). */
  tuning: (Tuning | null)[];
  /** Aligned with `result.runs`; null where the run has no value (never 0). */
  values: (CompareValue | null)[];
  /** Aligned with `result.runs`; null for the reference itself and where no paired test was made. */
  deltas: (CompareDelta | null)[];
  /** Aligned with `result.runs`: the base model's value each run was evaluated against, where there is one. */
  base: (CompareValue | null)[];
}

export interface LanguageTableSelection {
  suite: EvalSuiteName;
  metric: string;
  /** Only these languages (all when empty or absent); the overall row stays, as stored. */
  languages?: readonly string[];
}

/**
 * The overall row is each evaluation's stored aggregate over all the languages it evaluated, whichever
 * languages are chosen for the other rows; it is named so that nobody reads it as the chosen ones' mean.
 */
export const overallRowLabel = "all evaluated";

const key = (run: string, language: string | null) => `${run}\u0000${language ?? ""}`;

/** A language's group: tuned when any run supervised it, zero-shot when every run that knows says so, else unknown. */
export function languageGroup(tuning: readonly (Tuning | null)[]): LanguageGroup {
  if (tuning.includes("supervised")) return "tuned";
  return tuning.includes("zero-shot") ? "zero-shot" : "unknown";
}

const groupOrder: Record<LanguageGroup, number> = { tuned: 0, "zero-shot": 1, unknown: 2 };

/** The table of one suite and metric: the overall row first, then each language grouped as tuned, zero-shot, unknown, and in code order. */
export function languageTableRows(result: CompareRunsResult, { suite, metric, languages = [] }: LanguageTableSelection): LanguageTableRow[] {
  const values = new Map<string, CompareValue>();
  const bases = new Map<string, CompareValue>();
  for (const c of result.cells) {
    if (c.suite === suite && c.metric === metric) (c.system === "tuned" ? values : bases).set(key(c.run, c.language), { mean: c.mean, ci95: c.ci95, n: c.n });
  }
  const deltas = new Map<string, CompareDelta>();
  for (const p of result.pairs) {
    if (p.suite === suite && p.metric === metric && p.run !== p.reference) deltas.set(key(p.run, p.language), { difference: p.difference, ci95: p.ci95, p: p.p, n: p.n, test: p.test });
  }
  const wanted = new Set(languages);
  const tuningOf = new Map(result.languages.map((l) => [l.language, l.tuning]));
  const present = new Set([...values.keys()].map((k) => k.split("\u0000")[1]!).filter((l) => l !== ""));
  const rowOf = (language: string | null): LanguageTableRow => {
    const tuning = language === null ? result.runs.map(() => null) : result.runs.map((_, i) => tuningOf.get(language)?.[i] ?? "unknown");
    return {
      language,
      group: language === null ? null : languageGroup(tuning),
      tuning,
      values: result.runs.map((r) => values.get(key(r.id, language)) ?? null),
      deltas: result.runs.map((r) => deltas.get(key(r.id, language)) ?? null),
      base: result.runs.map((r) => bases.get(key(r.id, language)) ?? null),
    };
  };
  const perLanguage = [...present]
    .filter((l) => wanted.size === 0 || wanted.has(l))
    .map(rowOf)
    .sort((a, b) => groupOrder[a.group!] - groupOrder[b.group!] || a.language!.localeCompare(b.language!));
  const overall = rowOf(null);
  return [...(overall.values.some((v) => v !== null) ? [overall] : []), ...perLanguage];
}

/** The (suite, metric) pairs the result has per-language values for, in the order they come. */
export function comparedMetrics(result: CompareRunsResult): Array<{ suite: EvalSuiteName; metric: string }> {
  const seen = new Set<string>();
  return result.cells.flatMap((c) => {
    const k = `${c.suite}\u0000${c.metric}`;
    if (seen.has(k)) return [];
    seen.add(k);
    return [{ suite: c.suite, metric: c.metric }];
  });
}

/**
 * The tables as CSV, one line per suite × metric × language × run (long form, so any number of runs fits),
 * numbers unrounded, missing cells empty; the overall row's language is "all".
 */
export function compareCsv(result: CompareRunsResult, selections: readonly LanguageTableSelection[], reference: string | null): string {
  const header = ["suite", "metric", "language", "group", "tuning", "run", "run_name", "label", "mean", "ci_low", "ci_high", "n", "base_mean", "base_ci_low", "base_ci_high", "base_n", "reference", "difference", "difference_ci_low", "difference_ci_high", "p", "test"];
  const lines = selections.flatMap((selection) =>
    languageTableRows(result, selection).flatMap((row) =>
      result.runs.map((run, i) => {
        const v = row.values[i];
        const b = row.base[i];
        const d = row.deltas[i];
        return [selection.suite, selection.metric, row.language ?? "all", row.group, row.tuning[i], run.id, run.name, run.label, v?.mean, v?.ci95?.[0], v?.ci95?.[1], v?.n, b?.mean, b?.ci95?.[0], b?.ci95?.[1], b?.n, reference, d?.difference, d?.ci95?.[0], d?.ci95?.[1], d?.p, d?.test]
          .map(csvField)
          .join(",");
      }),
    ),
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}
