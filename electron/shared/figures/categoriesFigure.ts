// 002's Figure 3 (right): a metric per task category, one bar per run, 95% CI whiskers.
import * as Plot from "@observablehq/plot";
import type { CompareRunsResult } from "../compareContract.js";
import type { FigureElement, FigureOptions } from "./FigureDocument.js";
import { plotFrame } from "./plotFrame.js";
import { appendLegend, paletteFor } from "./figureLegend.js";

type Bar = CompareRunsResult["categories"][number];

export function categoriesFigure(result: CompareRunsResult, options: FigureOptions & { suite: string; metric: string; title?: string }): FigureElement {
  const width = options.width ?? 760;
  const bars = result.categories.filter((c) => c.suite === options.suite && c.metric === options.metric);
  const runs = result.runs.filter((r) => bars.some((b) => b.run === r.id));
  const colours = paletteFor(runs.length);
  const label = new Map(runs.map((r) => [r.id, r.label]));
  const whiskers = bars.filter((b) => b.ci95 !== null);
  const svg = Plot.plot({
    ...plotFrame(options, width, options.title ?? `${options.metric} per task category`),
    fx: { label: null },
    x: { axis: null, domain: runs.map((r) => r.id), paddingOuter: 0.2 },
    y: { label: options.metric, grid: true, zero: true, nice: true },
    color: { domain: runs.map((r) => r.id), range: colours },
    marks: [
      Plot.barY(bars, { fx: "category", x: "run", y: "mean", fill: "run", className: "category-bars", title: (b: Bar) => `${b.category} · ${label.get(b.run)}: ${b.mean.toFixed(1)} (n=${b.n})` }),
      Plot.ruleX(whiskers, { fx: "category", x: "run", y1: (b: Bar) => b.ci95![0], y2: (b: Bar) => b.ci95![1], stroke: "currentColor", className: "ci-whiskers" }),
      Plot.ruleY([0]),
    ],
  }) as unknown as FigureElement;
  appendLegend(options.document, svg, runs.map((r, i) => ({ label: r.label, colour: colours[i]! })), width);
  return svg;
}
