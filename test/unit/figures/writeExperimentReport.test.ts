// The experiment report written from a real comparison and parsed back: every figure's SVG inline, the
// per-language tables' numbers as compareRuns gives them, the LR decisions, the mixes' fingerprints,
// the versions, the strict CSP, and nothing that reaches outside the file.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseHTML } from "linkedom";
import { afterEach, describe, expect, it } from "vitest";
import { compareRuns } from "../../../electron/engine/compare/compareRuns.js";
import { writeExperimentReport } from "../../../electron/engine/experiments/report/writeExperimentReport.js";
import { reportContentSecurityPolicy } from "../../../electron/shared/reportContentSecurityPolicy.js";
import { llamaCppTag } from "../../../electron/engine/llamacpp/llamaCppSource.js";
import { appVersion } from "../../../electron/engine/system/appVersion.js";
import { ExperimentSchema } from "../../../electron/shared/experimentContract.js";
import { formatMeanCi } from "../../../electron/shared/formatStatistics.js";
import { MixRecipeSchema, type RunMix } from "../../../electron/shared/mixContract.js";
import { makeTempDir } from "../../support/tempDir.js";
import { buildCompareFixture } from "../compare/compareFixture.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

const mix: RunMix = {
  id: "mix1",
  name: "Multi-2",
  fingerprint: "sha256:mixprint",
  recipe: MixRecipeSchema.parse({ version: 1, sources: [{ dataset: "d1", fingerprint: "f1" }], strategy: { kind: "multi", total: 40, perLanguage: 20, languages: ["en", "fr"] } }),
  counts: { total: 40, languages: [{ language: "en", examples: 20 }, { language: "fr", examples: 20 }], provenance: [], sources: [{ dataset: "d1", examples: 40 }] },
};

describe("writeExperimentReport", () => {
  it("writes one self-contained HTML file with the figures, the tables' numbers, decisions, fingerprints and versions", () => {
    const fx = buildCompareFixture(tmp.dir);
    const link = { id: "e1", name: "sweep", configuration: "Multi-2 · lora r8", chosen: null, baselineJob: null };
    const comparison = compareRuns(fx.db, { runs: [fx.ids.A, fx.ids.B, fx.ids.C] }, { runs: fx.runs, experimentOf: (run) => ({ ...link, chosen: run === fx.ids.B }) });
    fx.db.close();
    const item = (run: string, lr: number, position: number) => ({ id: `i${position}`, position, configuration: link.configuration, label: `Multi-2 · lr ${lr}`, mix: { id: mix.id, name: mix.name }, method: "lora", lr, settings: { rank: 8 }, state: "done", run, evalJob: null, done: 1, total: 1, etaSeconds: null, error: null, chosen: run === fx.ids.B });
    const experiment = ExperimentSchema.parse({
      id: "e1",
      name: "sweep <1>",
      status: "completed",
      spec: { name: "sweep <1>", model: "m1", mixes: { kind: "saved", mixes: ["mix1"] }, eval: { suites: [{ suite: "open", data: ["/open.jsonl"] }] } },
      items: [item(fx.ids.A, 1e-4, 0), item(fx.ids.B, 2e-4, 1)],
      baselineJob: null,
      decisions: [{ configuration: link.configuration, chosenItem: "i1", chosenLr: 2e-4, candidates: [{ item: "i0", lr: 1e-4, values: [50] }, { item: "i1", lr: 2e-4, values: [87.5] }], reason: "lr 2e-4 leads language correctness by 37.5 points" }],
      error: null,
      createdAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T01:00:00Z",
    });

    const out = join(tmp.dir, "reports", "sweep.html");
    const written = writeExperimentReport({ experiment, comparison, mixes: [mix], model: { name: "tiny", fingerprint: "fp1:tiny" } }, out);
    expect(written.path).toBe(out);
    // Renamed into place: no temporary file left beside it.
    expect(readdirSync(join(tmp.dir, "reports"))).toEqual(["sweep.html"]);
    const html = readFileSync(out, "utf8");
    expect(written.bytes).toBe(Buffer.byteLength(html));
    const { document } = parseHTML(html);

    expect(document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content")).toBe(reportContentSecurityPolicy);
    expect(document.querySelector("title")?.textContent).toBe("sweep <1> · Polytune report");
    // Nothing loaded from anywhere: no script, no src, no link, no URL but the SVG namespace.
    expect(document.querySelectorAll("script, link, img, iframe, [src]")).toHaveLength(0);
    expect(html.replaceAll("http://www.w3.org/2000/svg", "")).not.toMatch(/https?:|src=/);

    const figures = [...document.querySelectorAll("figure")].map((f) => f.querySelector("figcaption")?.textContent);
    expect(figures).toEqual([
      "open: language_correctness per language",
      "open: spelling per language",
      "open: criteria per run",
      "open: language_correctness against the learning rate (the chosen rate ringed)",
      "open: spelling against the learning rate (the chosen rate ringed)",
      "open: language_correctness per task category",
      "open: spelling per task category",
    ]);
    expect(document.querySelectorAll("figure svg")).toHaveLength(figures.length);
    expect(document.querySelectorAll("figure svg .zero-shot-hatch rect")).toHaveLength(4);
    // Each figure's hatch id is its own on the page.
    expect(new Set([...document.querySelectorAll("pattern")].map((p) => p.getAttribute("id"))).size).toBe(document.querySelectorAll("pattern").length);

    const table = document.querySelector('table[data-suite="open"][data-metric="language_correctness"]')!;
    const rows = [...table.querySelectorAll("tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    const cell = (run: string, language: string | null, system = "tuned") => comparison.cells.find((c) => c.run === run && c.language === language && c.metric === "language_correctness" && c.system === system)!;
    expect(rows[0]).toEqual(["Language", "base", "lr 1e-4 (reference)", "lr 2e-4", "lr 5e-5"]);
    const pair = comparison.pairs.find((p) => p.language === "fr" && p.metric === "language_correctness")!;
    // The overall row first, then the tuned languages, then the zero-shot ones.
    expect(rows.slice(1).map((r) => r[0])).toEqual(["all evaluated", "en", "fr"]);
    expect(rows[3]).toEqual([
      "fr",
      `${formatMeanCi(cell(fx.ids.A, "fr", "base").mean, cell(fx.ids.A, "fr", "base").ci95)} n=4`,
      `${formatMeanCi(25, cell(fx.ids.A, "fr").ci95)} † n=4`,
      `${formatMeanCi(75, cell(fx.ids.B, "fr").ci95)} † n=4Δ +50.0 (p = ${pair.p!.toFixed(3)})`,
      "",
    ]);
    expect(rows[1]![3]).toContain("Δ +37.5 (p = 0.250)");

    const text = document.body.textContent ?? "";
    for (const expected of ["lr 2e-4 leads language correctness by 37.5 points", "sha256:mixprint", "fp1:tiny", appVersion(), llamaCppTag()]) expect(text).toContain(expected);
    expect(text).toContain(`${fx.ids.C}): its evaluation`);
    // The settings diff: only the learning rate differs.
    expect(html).toContain("<tr><th>lr</th><td>1e-4</td><td>2e-4</td><td>5e-5</td></tr>");
  });
});
