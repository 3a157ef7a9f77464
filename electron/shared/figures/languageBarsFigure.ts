// 003's Figure 2: a metric per language, one bar per run, 95% CI whiskers, hatched where the language
// was absent from the run's tuning (zero-shot). Pure: data in, SVG element out (browser or Node DOM).
import * as Plot from "@observablehq/plot";
import type { CompareRunsResult } from "../compareContract.js";
import type { FigureElement, FigureOptions } from "./FigureDocument.js";
import { plotFrame } from "./plotFrame.js";
import { appendLegend, hatchMarks, paletteFor } from "./figureLegend.js";

export interface LanguageBar {
  run: string;
  label: string;
  language: string;
  mean: number;
  low: number | null;
  high: number | null;
  zeroShot: boolean;
}

/** The bars of one suite × metric: tuned cells per language, in the runs' order. */
export function languageBars(result: CompareRunsResult, suite: string, metric: string): LanguageBar[] {
  const index = new Map(result.runs.map((r, i) => [r.id, i]));
  return result.cells
    .filter((c) => c.system === "tuned" && c.suite === suite && c.metric === metric && c.language !== null)
    .sort((a, b) => index.get(a.run)! - index.get(b.run)!)
    .map((c) => {
      const i = index.get(c.run)!;
      const tuning = result.languages.find((l) => l.language === c.language)?.tuning[i];
      return { run: c.run, label: result.runs[i]!.label, language: c.language!, mean: c.mean, low: c.ci95?.[0] ?? null, high: c.ci95?.[1] ?? null, zeroShot: tuning === "zero-shot" };
    });
}

export function languageBarsFigure(result: CompareRunsResult, options: FigureOptions & { suite: string; metric: string; title?: string }): FigureElement {
  const width = options.width ?? 760;
  const bars = languageBars(result, options.suite, options.metric);
  const runs = result.runs.filter((r) => bars.some((b) => b.run === r.id));
  const colours = paletteFor(runs.length);
  const whiskers = bars.filter((b) => b.low !== null && b.high !== null);
  const hatch = `${options.idPrefix ?? "languages"}-hatch`;
  const svg = Plot.plot({
    ...plotFrame(options, width, options.title ?? `${options.metric} per language`),
    fx: { label: null, domain: [...new Set(bars.map((b) => b.language))] },
    x: { axis: null, domain: runs.map((r) => r.id), paddingOuter: 0.2 },
    y: { label: options.metric, grid: true, zero: true, nice: true },
    color: { domain: runs.map((r) => r.id), range: colours },
    marks: [
      Plot.barY(bars, { fx: "language", x: "run", y: "mean", fill: "run", className: "run-bars", title: (b: LanguageBar) => `${b.language} · ${b.label}: ${b.mean.toFixed(1)}${b.zeroShot ? " (zero-shot)" : ""}` }),
      Plot.barY(bars.filter((b) => b.zeroShot), { fx: "language", x: "run", y: "mean", className: "zero-shot-hatch" }),
      Plot.ruleX(whiskers, { fx: "language", x: "run", y1: "low", y2: "high", stroke: "currentColor", strokeWidth: 1.5, className: "ci-whiskers" }),
      Plot.tickY(whiskers, { fx: "language", x: "run", y: "low", stroke: "currentColor" }),
      Plot.tickY(whiskers, { fx: "language", x: "run", y: "high", stroke: "currentColor" }),
      Plot.ruleY([0]),
    ],
  }) as unknown as FigureElement;
  hatchMarks(options.document, svg, "zero-shot-hatch", hatch);
  appendLegend(options.document, svg, [...runs.map((r, i) => ({ label: r.label, colour: colours[i]! })), ...(bars.some((b) => b.zeroShot) ? [{ label: "zero-shot (absent from tuning)", colour: "#777777", hatch }] : [])], width);
  return svg;
}
