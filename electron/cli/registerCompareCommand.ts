// `polytune compare RUN…`: any set of evaluated runs side by side. Prints the per-language table (each
// run's mean [95% CI], zero-shot marked, Δ and the paired test's p against the reference) and writes the
// figure or table asked for with --out (.svg, .csv, .json or a self-contained .html).
import { extname, resolve } from "node:path";
import { type Command, Option } from "commander";
import { parseHTML } from "linkedom";
import { writeFileAtomically, type PolytuneEngine } from "../engine/createEngine.js";
import type { CompareRunsResult } from "../shared/compareContract.js";
import { evalSuites, type EvalSuiteName } from "../shared/evalContract.js";
import { categoriesFigure } from "../shared/figures/categoriesFigure.js";
import { figureMarkup, type FigureDocument, type FigureElement } from "../shared/figures/FigureDocument.js";
import { heatmapFigure } from "../shared/figures/heatmapFigure.js";
import { languageBarsFigure } from "../shared/figures/languageBarsFigure.js";
import { compareCsv, comparedMetrics, languageTableRows, overallRowLabel } from "../shared/figures/languageTableRows.js";
import { learningRateFigure } from "../shared/figures/learningRateFigure.js";
import { escapeHtml } from "../shared/escapeHtml.js";
import { reportContentSecurityPolicy } from "../shared/reportContentSecurityPolicy.js";
import { formatDelta, formatMeanCi } from "../shared/formatStatistics.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatSettingValue } from "../shared/trainSettings.js";

export interface CompareCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

export const compareFigures = ["languages", "heatmap", "lr", "categories"] as const;
type CompareFigure = (typeof compareFigures)[number];
const outKinds = [".svg", ".csv", ".json", ".html"];

interface CompareCliOptions {
  reference?: string;
  suite?: EvalSuiteName;
  metric?: string;
  figure: CompareFigure;
  out?: string;
}

/** The suite and metric shown: the ones asked for, else the first the comparison has. */
function pick(result: CompareRunsResult, o: CompareCliOptions): { suite: EvalSuiteName; metric: string } {
  const available = comparedMetrics(result).filter((m) => (o.suite === undefined || m.suite === o.suite) && (o.metric === undefined || m.metric === o.metric));
  const first = available[0];
  if (!first) {
    const all = comparedMetrics(result).map((m) => `${m.suite} ${m.metric}`);
    throw new PolytuneError("compare-nothing", all.length === 0 ? "None of these runs has a completed evaluation to compare." : `No run has ${[o.suite, o.metric].filter(Boolean).join(" ")}.`, {
      where: o.metric !== undefined ? "--metric" : o.suite !== undefined ? "--suite" : "RUN",
      hint: all.length === 0 ? `Evaluate the runs first (\`polytune eval --run RUN\`). ${result.missing.map((m) => `${m.run}: ${m.reason}`).join("; ")}` : `These are evaluated: ${all.join(", ")}.`,
    });
  }
  return first;
}

/**
 * The per-language table as terminal lines (a legend, the header, a rule, the rows): the overall row, then
 * one row per language; one column per run, zero-shot marked †, Δ and p against the reference.
 */
export function formatLanguageTable(result: CompareRunsResult, suite: EvalSuiteName, metric: string): string[] {
  const rows = languageTableRows(result, { suite, metric });
  const reference = result.pairs[0]?.reference ?? result.runs[0]?.id;
  const baseOf = (row: (typeof rows)[number]) => row.base.find((b) => b !== null) ?? null;
  const hasBase = rows.some((r) => baseOf(r) !== null);
  const header = ["language", ...(hasBase ? ["base"] : []), ...result.runs.map((r) => `${r.label}${r.id === reference ? " (ref)" : ""}`)];
  const body = rows.map((row) => {
    const base = baseOf(row);
    return [
      row.language ?? overallRowLabel,
      ...(hasBase ? [base ? formatMeanCi(base.mean, base.ci95) : "—"] : []),
      ...row.values.map((v, i) => {
        const d = row.deltas[i];
        return v ? `${formatMeanCi(v.mean, v.ci95)}${row.tuning[i] === "zero-shot" ? " †" : ""}${d ? `  Δ ${formatDelta(d.difference, d.p)}` : ""}` : "—";
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [
    `${suite} · ${metric}: mean [95% CI] on 0–100; † zero-shot (absent from the run's tuning); Δ run − reference on the same items, paired test's p; "${overallRowLabel}" is each evaluation's aggregate over every language it evaluated`,
    line(header),
    line(widths.map((w) => "─".repeat(w))),
    ...body.map(line),
  ];
}

/** The terminal table, then the runs, the settings that differ, the paired test and the runs left out. */
export function formatCompareTable(result: CompareRunsResult, suite: EvalSuiteName, metric: string): string {
  const out = formatLanguageTable(result, suite, metric);
  out.push("", "Runs:", ...result.runs.map((r) => `  ${r.label}: ${r.name} (${r.id})${r.evalJob ? `, evaluation ${r.evalJob}` : ""}`));
  if (result.settingsDiff.length > 0) out.push("Settings that differ:", ...result.settingsDiff.map((d) => `  ${d.setting}: ${d.values.map(formatSettingValue).join(" | ")}`));
  const tests = [...new Set(result.pairs.filter((p) => p.suite === suite && p.metric === metric).map((p) => p.test))];
  if (tests.length > 0) out.push(`Paired test: ${tests.join(", ")}.`);
  if (result.missing.length > 0) out.push("Not compared:", ...result.missing.map((m) => `  ${m.run}: ${m.reason}`));
  return out.join("\n");
}

function drawFigure(result: CompareRunsResult, figure: CompareFigure, suite: EvalSuiteName, metric: string): FigureElement {
  const document = parseHTML("<!doctype html><html><body></body></html>").document as unknown as FigureDocument;
  switch (figure) {
    case "languages":
      return languageBarsFigure(result, { document, suite, metric });
    case "heatmap":
      return heatmapFigure(result, { document, suite });
    case "lr":
      return learningRateFigure(result, { document, suite, metric });
    case "categories":
      return categoriesFigure(result, { document, suite, metric });
  }
}

function standaloneHtml(result: CompareRunsResult, svg: string, suite: EvalSuiteName, metric: string): string {
  const table = formatCompareTable(result, suite, metric);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportContentSecurityPolicy}">
<title>Polytune comparison · ${escapeHtml(suite)} ${escapeHtml(metric)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}pre{font-size:.85rem}</style></head>
<body><h1>${escapeHtml(suite)} · ${escapeHtml(metric)}</h1>${svg}<pre>${escapeHtml(table)}</pre></body></html>
`;
}

export function registerCompareCommand(program: Command, deps: CompareCliDeps): void {
  program
    .command("compare")
    .description("compare evaluated runs: per-language means with CIs, zero-shot marks, Δ and p against the reference; write a figure or table")
    .argument("<runs...>", "run ids or names, in the order they are drawn")
    .option("--reference <run>", "the run the others are tested against (default: the first)")
    .addOption(new Option("--suite <suite>", "the suite shown (default: the first evaluated)").choices(evalSuites))
    .option("--metric <metric>", "the metric shown (default: the suite's first)")
    .addOption(new Option("--figure <figure>", "the figure --out writes as .svg or .html").choices(compareFigures).default("languages"))
    .option("--out <file>", "write the figure (.svg, .html with the table) or the table (.csv, .json)")
    .action(async (runs: string[], o: CompareCliOptions) => {
      // The output's kind is checked before anything is computed.
      const out = o.out === undefined ? undefined : resolve(o.out);
      const kind = out === undefined ? undefined : extname(out).toLowerCase();
      if (kind !== undefined && !outKinds.includes(kind)) {
        throw new PolytuneError("cli-option", `--out takes a ${outKinds.join(", ")} file, not "${o.out}".`, { where: "--out", hint: "Name the file with the extension of what you want: figure.svg, table.csv, result.json or comparison.html." });
      }
      const result = await deps.withEngine((engine) =>
        engine.call("compare.runs", {
          runs,
          ...(o.reference !== undefined ? { reference: o.reference } : {}),
          ...(o.suite !== undefined ? { suites: [o.suite] } : {}),
          // The heatmap draws every criterion, so only the other views narrow the metrics.
          ...(o.metric !== undefined && !(o.figure === "heatmap" && out !== undefined) ? { metrics: [o.metric] } : {}),
        }),
      );
      const { suite, metric } = pick(result, o);
      if (out !== undefined && kind !== undefined) {
        const text =
          kind === ".json" ? `${JSON.stringify(result, null, 2)}\n`
          : kind === ".csv" ? compareCsv(result, comparedMetrics(result), result.pairs[0]?.reference ?? result.runs[0]?.id ?? null)
          : kind === ".svg" ? figureMarkup(drawFigure(result, o.figure, suite, metric))
          : standaloneHtml(result, figureMarkup(drawFigure(result, o.figure, suite, metric)), suite, metric);
        writeFileAtomically(out, text);
      }
      if (deps.json()) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      process.stdout.write(`${formatCompareTable(result, suite, metric)}\n${out !== undefined ? `\nWrote ${out}\n` : ""}`);
    });
}
