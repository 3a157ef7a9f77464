// The shared figures drawn in Node through linkedom (as the report and `polytune compare --out x.svg`
// draw them) from a real comparison: one bar per run × language, the zero-shot bars hatched, CI
// whiskers; heatmap cells = runs × criteria per part; the chosen learning rate ringed.
import { parseHTML } from "linkedom";
import { afterEach, describe, expect, it } from "vitest";
import { compareRuns } from "../../../electron/engine/compare/compareRuns.js";
import type { CompareRunsResult } from "../../../electron/shared/compareContract.js";
import { categoriesFigure } from "../../../electron/shared/figures/categoriesFigure.js";
import { figureMarkup, type FigureDocument } from "../../../electron/shared/figures/FigureDocument.js";
import { heatmapFigure } from "../../../electron/shared/figures/heatmapFigure.js";
import { languageBarsFigure } from "../../../electron/shared/figures/languageBarsFigure.js";
import { learningRateFigure } from "../../../electron/shared/figures/learningRateFigure.js";
import { makeTempDir } from "../../support/tempDir.js";
import { buildCompareFixture } from "../compare/compareFixture.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

function comparison(): CompareRunsResult {
  const fx = buildCompareFixture(tmp.dir);
  try {
    return compareRuns(fx.db, { runs: ["run-a", "run-b", "run-c"] }, { runs: fx.runs, experimentOf: (run) => (run === fx.ids.B ? { id: "e", name: "e", configuration: "cfg", chosen: true, baselineJob: null } : null) });
  } finally {
    fx.db.close();
  }
}

/** The SVG text parsed back by a fresh DOM: what a file reader would see. */
function reparse(markup: string) {
  return parseHTML(`<!doctype html><html><body>${markup}</body></html>`).document;
}

const document = (): FigureDocument => parseHTML("<!doctype html><html><body></body></html>").document as unknown as FigureDocument;

describe("figures in Node", () => {
  it("draws one bar per run × language with whiskers, the zero-shot bars hatched", () => {
    const result = comparison();
    const markup = figureMarkup(languageBarsFigure(result, { document: document(), suite: "open", metric: "language_correctness", idPrefix: "f1" }));
    expect(markup.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const svg = reparse(markup);
    const bars = [...svg.querySelectorAll(".run-bars rect")];
    // A and B evaluated (C is missing, never a zero bar) × en, fr.
    expect(bars).toHaveLength(4);
    expect(bars.map((b) => b.querySelector("title")?.textContent).sort()).toEqual(["en · lr 1e-4: 75.0", "en · lr 2e-4: 100.0", "fr · lr 1e-4: 25.0 (zero-shot)", "fr · lr 2e-4: 75.0 (zero-shot)"]);
    const hatched = [...svg.querySelectorAll(".zero-shot-hatch rect")];
    expect(hatched).toHaveLength(2);
    expect(hatched.every((r) => r.getAttribute("fill") === "url(#f1-hatch)")).toBe(true);
    expect(svg.querySelector("pattern#f1-hatch")).not.toBeNull();
    expect(svg.querySelectorAll(".ci-whiskers line")).toHaveLength(4);
    expect(svg.querySelector(".figure-legend")?.textContent).toContain("zero-shot");
  });

  it("draws the heatmap with a cell per run × criterion in English and non-English", () => {
    const result = comparison();
    const svg = reparse(figureMarkup(heatmapFigure(result, { document: document(), suite: "open" })));
    const cells = [...svg.querySelectorAll(".heat-cells rect")];
    expect(cells).toHaveLength(2 * 2 * 2);
    expect(cells.map((c) => c.querySelector("title")?.textContent)).toContain("lr 1e-4 · language_correctness (non-English): 25.0");
  });

  it("draws metric against learning rate with the chosen rate ringed, and the categories", () => {
    const result = comparison();
    const lr = reparse(figureMarkup(learningRateFigure(result, { document: document(), suite: "open", metric: "language_correctness" })));
    expect(lr.querySelectorAll(".rate-points circle")).toHaveLength(2);
    expect(lr.querySelectorAll(".chosen-rate circle")).toHaveLength(1);
    const categories = reparse(figureMarkup(categoriesFigure(result, { document: document(), suite: "open", metric: "language_correctness" })));
    expect(categories.querySelectorAll(".category-bars rect")).toHaveLength(4);
  });
});
