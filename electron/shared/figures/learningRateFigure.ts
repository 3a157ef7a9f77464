// 002's Figure 3 (left): a metric against the learning rate, one line per configuration, 95% CI
// whiskers, the rate each configuration chose ringed.
import * as Plot from "@observablehq/plot";
import type { CompareRunsResult } from "../compareContract.js";
import { formatLearningRate } from "../trainSettings.js";
import type { FigureElement, FigureOptions } from "./FigureDocument.js";
import { plotFrame } from "./plotFrame.js";
import { appendLegend, paletteFor } from "./figureLegend.js";

type Point = CompareRunsResult["learningRates"][number];

export function learningRateFigure(result: CompareRunsResult, options: FigureOptions & { suite: string; metric: string; title?: string }): FigureElement {
  const width = options.width ?? 560;
  const points = result.learningRates.filter((p) => p.suite === options.suite && p.metric === options.metric).sort((a, b) => a.lr - b.lr);
  const configurations = [...new Set(points.map((p) => p.configuration))];
  const colours = paletteFor(configurations.length);
  const whiskers = points.filter((p) => p.ci95 !== null);
  const svg = Plot.plot({
    ...plotFrame(options, width, options.title ?? `${options.metric} against the learning rate`),
    x: { type: "log", label: "learning rate", tickFormat: formatLearningRate, ticks: [...new Set(points.map((p) => p.lr))] },
    y: { label: options.metric, grid: true, nice: true },
    color: { domain: configurations, range: colours },
    marks: [
      Plot.line(points, { x: "lr", y: "mean", stroke: "configuration", z: "configuration" }),
      Plot.ruleX(whiskers, { x: "lr", y1: (p: Point) => p.ci95![0], y2: (p: Point) => p.ci95![1], stroke: "configuration", className: "ci-whiskers" }),
      Plot.dot(points, { x: "lr", y: "mean", fill: "configuration", r: 3.5, className: "rate-points", title: (p: Point) => `${p.configuration} · lr ${formatLearningRate(p.lr)}: ${p.mean.toFixed(1)}` }),
      Plot.dot(points.filter((p) => p.chosen === true), { x: "lr", y: "mean", r: 8, stroke: "currentColor", strokeWidth: 2, fill: "none", className: "chosen-rate" }),
    ],
  }) as unknown as FigureElement;
  appendLegend(options.document, svg, [...configurations.map((c, i) => ({ label: c, colour: colours[i]! })), ...(points.some((p) => p.chosen) ? [{ label: "chosen rate", colour: "#333333", ring: true }] : [])], width);
  return svg;
}
