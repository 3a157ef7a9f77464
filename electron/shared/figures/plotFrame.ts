// The frame every comparison figure shares (the document it draws in, its size, the house font), so the
// figures differ only in their marks; a figure sized by its rows (the heatmap) overrides the height.
import type * as Plot from "@observablehq/plot";
import type { FigureOptions } from "./FigureDocument.js";

export function plotFrame(options: FigureOptions, width: number, ariaLabel: string): Plot.PlotOptions {
  return {
    document: options.document as unknown as Plot.PlotOptions["document"],
    width,
    height: 280,
    marginLeft: 52,
    style: { fontSize: "12px", background: "transparent" },
    ariaLabel,
  };
}
