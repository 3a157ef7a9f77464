// `polytune score`: scores another system's outputs with the code the evaluation uses, and prints
// per-item and per-language scores with 95% bootstrap intervals (or the whole result with --json).
import { type Command, Option } from "commander";
import { resolve } from "node:path";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { judgements, scoreSuites, type ScoreComparison, type ScoreInput, type ScoreSuiteName, type SuiteScoreShape } from "../shared/evalContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { intOption } from "./parseOptionNumber.js";

export interface ScoreCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

interface ScoreCliOptions {
  suite: ScoreSuiteName;
  data?: string;
  predictions?: string;
  sources?: string;
  references?: string[];
  language?: string;
  dictionaries?: string;
  /** open: a local judge model (file, or a library model's id or name). */
  judge?: string;
  judgements?: Array<(typeof judgements)[number]>;
  gpu?: "auto" | "cpu";
  threads?: number;
  resamples: number;
  seed: number;
  items: boolean;
  baseline?: string;
}

/** Which options each suite needs (the rest are refused, so a typo never goes unnoticed). */
const needs: Record<ScoreSuiteName, ReadonlyArray<keyof ScoreCliOptions>> = {
  qa: ["data", "predictions"],
  simplification: ["sources", "references", "predictions"],
  open: ["predictions"],
  nli: ["data", "predictions"],
  mcq: ["data", "predictions"],
};
const allows: Record<ScoreSuiteName, ReadonlyArray<keyof ScoreCliOptions>> = {
  qa: ["language"],
  simplification: ["language"],
  open: ["dictionaries", "judge"],
  nli: ["language"],
  mcq: ["language"],
};
const flag = (k: string): string => `--${k}`;

/** The eval.score request for the options given, or an error naming the missing or misplaced option. */
export function scoreRequest(o: ScoreCliOptions): ScoreInput {
  for (const k of needs[o.suite]) {
    if (o[k] === undefined) throw new PolytuneError("cli-option", `--suite ${o.suite} needs ${flag(k)}.`, { where: flag(k), hint: `Give ${needs[o.suite].map(flag).join(", ")}.` });
  }
  for (const k of ["data", "sources", "references", "language", "dictionaries", "judge"] as const) {
    if (o[k] !== undefined && !needs[o.suite].includes(k) && !allows[o.suite].includes(k)) {
      throw new PolytuneError("cli-option", `--suite ${o.suite} takes no ${flag(k)}.`, { where: flag(k) });
    }
  }
  const judgeOnly = (["judgements", "gpu", "threads"] as const).find((k) => o[k] !== undefined);
  if (o.judge === undefined && judgeOnly !== undefined) {
    throw new PolytuneError("cli-option", `${flag(judgeOnly)} only applies with --judge.`, { where: flag(judgeOnly), hint: "Name the judge model with --judge MODEL." });
  }
  const path = (p: string | undefined): string => resolve(p!);
  const bootstrap = { resamples: o.resamples, seed: o.seed };
  const language = o.language !== undefined ? { language: o.language } : {};
  switch (o.suite) {
    case "qa":
      return { suite: "qa", data: path(o.data), predictions: path(o.predictions), ...language, ...bootstrap };
    case "simplification":
      return { suite: "simplification", sources: path(o.sources), references: o.references!.map((r) => resolve(r)), predictions: path(o.predictions), ...language, ...bootstrap };
    case "open":
      return {
        suite: "open",
        predictions: path(o.predictions),
        ...(o.dictionaries !== undefined ? { dictionaries: path(o.dictionaries) } : {}),
        // The engine resolves a library id or name; otherwise the text is a path.
        ...(o.judge !== undefined ? { judge: { model: o.judge, ...(o.judgements !== undefined ? { judgements: o.judgements } : {}), ...(o.gpu !== undefined ? { gpu: o.gpu } : {}), ...(o.threads !== undefined ? { threads: o.threads } : {}) } } : {}),
        ...bootstrap,
      };
    case "nli":
    case "mcq":
      return { suite: o.suite, data: path(o.data), predictions: path(o.predictions), ...language, ...bootstrap };
  }
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? "—" : Number.isInteger(v) ? String(v) : v.toFixed(2));

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "─".repeat(w))), ...rows.map(line)];
}

/** The terminal rendering: per-item table (unless --no-items), aggregates, left-out items, notes. */
export function formatSuiteScore(score: SuiteScoreShape, showItems: boolean): string {
  const out: string[] = [];
  const metrics = [...new Set(score.items.flatMap((i) => Object.keys(i.scores)))];
  if (showItems && score.items.length > 0) {
    out.push(`Items (${score.items.length}; per-item values on the suite's own scale — 0/1, 0–1 or 0–100):`, ...table(["id", "language", ...metrics], score.items.map((i) => [i.id, i.language ?? "—", ...metrics.map((m) => fmt(i.scores[m]))])), "");
  }
  out.push(`${score.suite}: aggregates (0–100; a judge's helpfulness on 1–6 and criteria on 0–2), 95% bootstrap intervals over items`);
  out.push(
    ...table(
      ["language", "metric", "n", "mean", "95% CI"],
      score.aggregates.map((a) => [a.language ?? "all", a.metric, String(a.n), a.mean.toFixed(2), a.ci95 ? `[${a.ci95[0].toFixed(2)}, ${a.ci95[1].toFixed(2)}]` : "—"]),
    ),
  );
  if (score.aggregates.length === 0) out.push("  (nothing scored)");
  if (score.excluded.length > 0) {
    const shown = score.excluded.slice(0, 20);
    out.push("", `Left out (${score.excluded.length}):`, ...shown.map((e) => `  ${e.id}: ${e.reason}`));
    if (score.excluded.length > shown.length) out.push(`  … ${score.excluded.length - shown.length} more (--json lists them all)`);
  }
  if (score.notes.length > 0) out.push("", ...score.notes.map((n) => `· ${n}`));
  return out.join("\n");
}

const pValue = (p: number | null): string => (p === null ? "—" : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** The comparison table's lines (header, rule, one row per language and metric): system against baseline, with both tests' p-values. */
export function comparisonTable(comparisons: readonly ScoreComparison[]): string[] {
  const rows = comparisons.map((c) => [
    c.language ?? "all",
    c.metric,
    String(c.n),
    c.baseline.toFixed(2),
    c.system.toFixed(2),
    `${c.difference >= 0 ? "+" : ""}${c.difference.toFixed(2)}`,
    c.ci95 ? `[${c.ci95[0].toFixed(2)}, ${c.ci95[1].toFixed(2)}]` : "—",
    pValue(c.p),
    c.mcnemar ? `${pValue(c.mcnemar.p)} (b ${c.mcnemar.b}, c ${c.mcnemar.c})` : "—",
  ]);
  return table(["language", "metric", "n", "baseline", "system", "diff", "95% CI", "p", "McNemar p"], rows);
}

/** The comparison table under its title. */
export function formatComparisons(comparisons: readonly ScoreComparison[]): string {
  return ["System against baseline, items both scored (difference = system − baseline, 0–100; paired bootstrap p; McNemar exact p for 0/1 metrics):", ...comparisonTable(comparisons)].join("\n");
}

export function registerScoreCommand(program: Command, deps: ScoreCliDeps): void {
  program
    .command("score")
    .description("score predictions made by any system against a suite's gold files: per-item scores and per-language means with 95% intervals")
    .addOption(new Option("--suite <suite>", "which suite").choices(scoreSuites).makeOptionMandatory())
    .option("--data <file>", "gold: SQuAD/XQuAD/MLQA JSON (qa), XNLI TSV or JSONL (nli), X-CSQA JSONL (mcq)")
    .option("--predictions <file>", 'JSONL {"id", "prediction"} (qa, nli, mcq), {"id", "language", "prediction"} (open); plain text lines (simplification)')
    .option("--sources <file>", "simplification: source sentences, one per line")
    .option("--references <files...>", "simplification: reference files, line-aligned with the sources")
    .option("--language <code>", "language of items whose files do not name one")
    .option("--dictionaries <dir>", "open: folder of extra Hunspell dictionaries")
    .option("--judge <model>", 'open: a local GGUF judge (file, or library id or name); each predictions line then needs "prompt"')
    .addOption(new Option("--judgements <names...>", "open: what the judge scores (default: all)").choices(judgements))
    .addOption(new Option("--gpu <choice>", "open: where the judge runs").choices(["auto", "cpu"]))
    .option("--threads <n>", "open: CPU threads of the judge (default: node-llama-cpp's)", intOption("--threads"))
    .option("--resamples <n>", "bootstrap resamples", intOption("--resamples"), 1000)
    .option("--seed <n>", "bootstrap seed", intOption("--seed"), 1)
    .option("--no-items", "print only the aggregates")
    .option("--baseline <file>", "a second system's predictions on the same gold: compare item by item (paired bootstrap; McNemar for 0/1 metrics)")
    .action(async (o: ScoreCliOptions) => {
      const request = scoreRequest(o);
      await deps.withEngine(async (engine) => {
        if (o.baseline === undefined) {
          const score = await engine.call("eval.score", request);
          process.stdout.write(deps.json() ? `${JSON.stringify(score)}\n` : `${formatSuiteScore(score, o.items)}\n`);
          return;
        }
        const compared = await engine.call("eval.compare", { score: request, baseline: resolve(o.baseline) });
        const text = (): string => [formatSuiteScore(compared.system, o.items), "", formatComparisons(compared.comparisons), ...(compared.comparisons.length === 0 ? ["  (no item scored by both)"] : [])].join("\n");
        process.stdout.write(deps.json() ? `${JSON.stringify(compared)}\n` : `${text()}\n`);
      });
    });
}
