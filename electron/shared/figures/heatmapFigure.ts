// 002's Figure 2: every criterion per run, English beside the non-English average. Each criterion is
// coloured on its own range (criteria have different scales); the value is written in the cell, and a
// run without a value for a criterion has no cell (never a zero).
import * as Plot from "@observablehq/plot";
import type { CompareRunsResult } from "../compareContract.js";
import type { FigureElement, FigureOptions } from "./FigureDocument.js";
import { plotFrame } from "./plotFrame.js";

export interface HeatCell {
  run: string;
  label: string;
  criterion: string;
  part: "English" | "non-English";
  value: number;
  /** 0–1 within its criterion's range, for the colour. */
  shade: number;
}

export function heatCells(result: CompareRunsResult, suite?: string): HeatCell[] {
  const suites = new Set(result.heatmap.map((h) => h.suite));
  const rows = result.heatmap.filter((h) => suite === undefined || h.suite === suite);
  const label = new Map(result.runs.map((r) => [r.id, r.label]));
  const cells = rows.flatMap((h) =>
    (["English", "non-English"] as const).flatMap((part) => {
      const value = part === "English" ? h.english : h.nonEnglish;
      const criterion = suite === undefined && suites.size > 1 ? `${h.suite} ${h.metric}` : h.metric;
      return value ? [{ run: h.run, label: label.get(h.run) ?? h.run, criterion, part, value: value.mean, shade: 0 }] : [];
    }),
  );
  for (const criterion of new Set(cells.map((c) => c.criterion))) {
    const own = cells.filter((c) => c.criterion === criterion);
    const lo = Math.min(...own.map((c) => c.value));
    const hi = Math.max(...own.map((c) => c.value));
    for (const c of own) c.shade = hi > lo ? (c.value - lo) / (hi - lo) : 0.5;
  }
  return cells;
}

export function heatmapFigure(result: CompareRunsResult, options: FigureOptions & { suite?: string; title?: string }): FigureElement {
  const cells = heatCells(result, options.suite);
  const runs = result.runs.filter((r) => cells.some((c) => c.run === r.id));
  const criteria = [...new Set(cells.map((c) => c.criterion))];
  const width = options.width ?? Math.max(420, 180 + criteria.length * 2 * 90);
  return Plot.plot({
    ...plotFrame(options, width, options.title ?? "Criteria per run: English and the non-English average"),
    height: 60 + runs.length * 28,
    marginLeft: 160,
    marginBottom: 40,
    fx: { label: null, domain: ["English", "non-English"] },
    x: { label: null, domain: criteria, tickRotate: criteria.length > 3 ? -20 : 0 },
    y: { label: null, domain: runs.map((r) => r.label) },
    color: { type: "linear", scheme: "viridis", domain: [0, 1] },
    marks: [
      Plot.cell(cells, { fx: "part", x: "criterion", y: "label", fill: "shade", className: "heat-cells", title: (c: HeatCell) => `${c.label} · ${c.criterion} (${c.part}): ${c.value.toFixed(1)}` }),
      Plot.text(cells, { fx: "part", x: "criterion", y: "label", text: (c: HeatCell) => c.value.toFixed(1), fill: (c: HeatCell) => (c.shade > 0.6 ? "black" : "white") }),
    ],
  }) as unknown as FigureElement;
}
