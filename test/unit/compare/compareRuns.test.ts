// compareRuns and compareItems on a real SQLite file (rows written through RunStore and EvalStore):
// per-language means and CIs as computed by hand, the non-English average, McNemar's p checked by hand,
// only the differing settings, the unevaluated run listed as missing, and the changed-items filter.
import { afterEach, describe, expect, it } from "vitest";
import { compareItems } from "../../../electron/engine/compare/compareItems.js";
import { compareRuns, type ExperimentLink } from "../../../electron/engine/compare/compareRuns.js";
import { bootstrapMean } from "../../../electron/engine/eval/statistics/bootstrap.js";
import { CompareItemsInputSchema } from "../../../electron/shared/compareContract.js";
import { makeTempDir } from "../../support/tempDir.js";
import { bootstrapSeed, buildCompareFixture, categoryOf, itemIds, resamples, scores, type CompareFixture } from "./compareFixture.js";

let tmp = makeTempDir();
let fx: CompareFixture | undefined;
afterEach(() => {
  fx?.db.close();
  fx = undefined;
  tmp.cleanup();
  tmp = makeTempDir();
});

const lc = (run: keyof typeof scores, language?: string) => scores[run].filter((_, i) => !language || itemIds[i]!.startsWith(language)).map((x) => x.language_correctness * 100);
const ci = (values: number[]) => bootstrapMean(values, { resamples, seed: bootstrapSeed }).ci;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe("compareRuns", () => {
  it("gives per-language means with their CIs, the non-English average, McNemar's p and only the differing settings", () => {
    fx = buildCompareFixture(tmp.dir);
    const { ids } = fx;
    const experimentOf = (run: string): ExperimentLink | null => (run === ids.B ? { id: "e1", name: "sweep", configuration: "Multi-2 · lora r8", chosen: true, baselineJob: null } : null);
    const result = compareRuns(fx.db, { runs: ["run-a", ids.B, "run-c"] }, { runs: fx.runs, experimentOf });

    expect(result.runs.map((r) => [r.id, r.label, r.evalJob])).toEqual([
      [ids.A, "lr 1e-4", fx.jobs.A],
      [ids.B, "lr 2e-4", fx.jobs.B],
      [ids.C, "lr 5e-5", null],
    ]);
    expect(result.settingsDiff).toEqual([{ setting: "lr", values: [1e-4, 2e-4, 5e-5] }]);
    expect(result.missing).toEqual([{ run: ids.C, reason: expect.stringMatching(/failed: the model file vanished/) }]);
    expect(result.cells.some((c) => c.run === ids.C)).toBe(false);
    expect(result.languages).toEqual([
      { language: "en", tuning: ["supervised", "supervised", "unknown"] },
      { language: "fr", tuning: ["zero-shot", "zero-shot", "unknown"] },
    ]);

    const cell = (run: string, language: string | null, system = "tuned", metric = "language_correctness") => result.cells.find((c) => c.run === run && c.language === language && c.system === system && c.metric === metric);
    for (const [run, key] of [[ids.A, "A"], [ids.B, "B"]] as const) {
      for (const language of ["en", "fr"]) expect(cell(run, language)).toMatchObject({ mean: mean(lc(key, language)), ci95: ci(lc(key, language)), n: 4 });
      expect(cell(run, null)).toMatchObject({ mean: mean(lc(key)), n: 8 });
    }
    expect(cell(ids.A, "en")!.mean).toBe(75);
    expect(cell(ids.B, "fr")!.mean).toBe(75);
    // The baseline only where the job decoded one.
    expect(cell(ids.A, "en", "base")).toMatchObject({ mean: 25, n: 4 });
    expect(cell(ids.B, "en", "base")).toBeUndefined();

    // Heatmap: English from its cell; non-English (French alone here) by the stratified bootstrap, which
    // with one language draws exactly what the plain bootstrap of its items draws.
    const heat = result.heatmap.find((h) => h.run === ids.A && h.metric === "language_correctness")!;
    expect(heat.english).toEqual({ mean: 75, ci95: ci(lc("A", "en")), n: 4 });
    expect(heat.nonEnglish).toEqual({ mean: 25, ci95: ci(lc("A", "fr")), n: 4 });
    const spellingFr = scores.A.slice(4).map((x) => x.spelling).filter((v): v is number => v !== null);
    expect(result.heatmap.find((h) => h.run === ids.A && h.metric === "spelling")!.nonEnglish).toEqual({ mean: mean(spellingFr), ci95: ci(spellingFr), n: 3 });

    // B against A on the same items. Discordant pairs: A right and B wrong none; A wrong and B right en-4,
    // fr-1, fr-2. Exact McNemar: p = min(1, 2·P[X ≤ 0]), X ~ Bin(3, ½) = 2/8; French alone Bin(2, ½): 2/4;
    // English alone Bin(1, ½): 1.
    const pair = (language: string | null, metric = "language_correctness") => result.pairs.find((p) => p.language === language && p.metric === metric)!;
    expect(result.pairs.every((p) => p.run === ids.B && p.reference === ids.A)).toBe(true);
    expect(pair(null)).toMatchObject({ n: 8, difference: 37.5, p: 0.25, test: "McNemar (exact)" });
    expect(pair("fr")).toMatchObject({ n: 4, difference: 50, p: 0.5 });
    expect(pair("en")).toMatchObject({ n: 4, difference: 25, p: 1 });
    // Spelling is not 0/1: paired bootstrap, on the three French items both scored.
    expect(pair("fr", "spelling")).toMatchObject({ n: 3, difference: (70 + 60 + 55 - 50 - 60 - 40) / 3, test: "paired bootstrap" });

    const writing = result.categories.find((c) => c.run === ids.B && c.metric === "language_correctness" && c.category === "writing")!;
    const writingValues = lc("B").filter((_, i) => categoryOf(itemIds[i]!) === "writing");
    expect(writing).toMatchObject({ mean: mean(writingValues), ci95: ci(writingValues), n: 4 });

    expect(result.learningRates.filter((l) => l.metric === "language_correctness")).toEqual([
      { configuration: "all runs", run: ids.A, lr: 1e-4, suite: "open", metric: "language_correctness", mean: 50, ci95: cell(ids.A, null)!.ci95, chosen: null },
      { configuration: "Multi-2 · lora r8", run: ids.B, lr: 2e-4, suite: "open", metric: "language_correctness", mean: 87.5, ci95: cell(ids.B, null)!.ci95, chosen: true },
    ]);
    expect(result.runs[1]!.experiment).toEqual({ id: "e1", name: "sweep", configuration: "Multi-2 · lora r8", chosen: true });

    // A second comparison reads the stored statistics back: the same numbers, and rows in compare_stats.
    const again = compareRuns(fx.db, { runs: ["run-a", ids.B, "run-c"] }, { runs: fx.runs, experimentOf });
    expect(again).toEqual(result);
    expect((fx.db.prepare("SELECT COUNT(*) AS n FROM compare_stats WHERE kind = 'pairs' AND job_id = ? AND other_job_id = ?").get(fx.jobs.B, fx.jobs.A) as { n: number }).n).toBe(2);
  });

  it("filters by metric and language, and refuses an unknown run with where it was given", () => {
    fx = buildCompareFixture(tmp.dir);
    const deps = { runs: fx.runs, experimentOf: () => null };
    const result = compareRuns(fx.db, { runs: ["run-a", "run-b"], reference: "run-b", metrics: ["spelling"], languages: ["fr"] }, deps);
    expect(new Set(result.cells.map((c) => `${c.metric}:${c.language}`))).toEqual(new Set(["spelling:fr", "spelling:null"]));
    expect(result.pairs.map((p) => [p.run, p.reference, p.language])).toEqual([[fx.ids.A, fx.ids.B, null], [fx.ids.A, fx.ids.B, "fr"]]);
    expect(result.heatmap.every((h) => h.english === null)).toBe(true);
    // Task categories over the chosen language's items only (computed after an unfiltered comparison
    // stored its own, so the stored statistic is told apart by the languages).
    const everyLanguage = compareRuns(fx.db, { runs: ["run-a", "run-b"], metrics: ["language_correctness"] }, deps);
    const french = compareRuns(fx.db, { runs: ["run-a", "run-b"], metrics: ["language_correctness"], languages: ["fr"] }, deps);
    const writing = (r: typeof french) => r.categories.find((c) => c.run === fx!.ids.B && c.category === "writing")!;
    const writingAll = lc("B").filter((_, i) => categoryOf(itemIds[i]!) === "writing");
    const writingFr = lc("B", "fr").filter((_, i) => categoryOf(itemIds[i + 4]!) === "writing");
    expect(writing(everyLanguage)).toMatchObject({ mean: mean(writingAll), n: 4 });
    expect(writing(french)).toMatchObject({ mean: mean(writingFr), ci95: ci(writingFr), n: 2 });
    expect(() => compareRuns(fx!.db, { runs: ["run-a", "nope"] }, deps)).toThrow(expect.objectContaining({ code: "compare-run-not-found", where: "runs[1]" }));
    expect(() => compareRuns(fx!.db, { runs: ["run-a"], reference: "run-b" }, deps)).toThrow(expect.objectContaining({ code: "compare-reference-not-compared" }));
  });
});

describe("compare's stored statistics (m0011)", () => {
  it("are recomputed when a job finishes again, and go with either job", () => {
    fx = buildCompareFixture(tmp.dir);
    const deps = { runs: fx.runs, experimentOf: () => null };
    const first = compareRuns(fx.db, { runs: ["run-a", "run-b"] }, deps);
    const stamp = () => fx!.db.prepare("SELECT stamp FROM compare_stats WHERE kind = 'pairs' AND job_id = ? AND metric = 'language_correctness'").get(fx!.jobs.B) as { stamp: string };
    const before = stamp().stamp;
    // A resumed job completes again: a new finish time, so its statistics are made again, the same ones.
    fx.db.prepare("UPDATE eval_jobs SET finished_at = '2099-01-01T00:00:00.000Z' WHERE id = ?").run(fx.jobs.A);
    expect(compareRuns(fx.db, { runs: ["run-a", "run-b"] }, deps).pairs).toEqual(first.pairs);
    expect(stamp().stamp).not.toBe(before);
    expect(stamp().stamp).toContain("2099-01-01");
    const count = () => (fx!.db.prepare("SELECT COUNT(*) AS n FROM compare_stats").get() as { n: number }).n;
    expect(count()).toBeGreaterThan(0);
    // Removing the reference job removes the pairs made against it (the trigger), its own rows by cascade.
    fx.db.prepare("DELETE FROM eval_jobs WHERE id = ?").run(fx.jobs.A);
    expect((fx.db.prepare("SELECT COUNT(*) AS n FROM compare_stats WHERE job_id = ? OR other_job_id = ?").get(fx.jobs.A, fx.jobs.A) as { n: number }).n).toBe(0);
    expect(count()).toBeGreaterThan(0);
  });
});

describe("compareItems", () => {
  it("returns exactly the items whose language correctness or score changed, with each run's response, language and rationale", () => {
    fx = buildCompareFixture(tmp.dir);
    const items = (input: object) => compareItems(fx!.db, CompareItemsInputSchema.parse({ runs: ["run-a", "run-b"], suite: "open", ...input }), { runs: fx!.runs });

    const language = items({ changed: "language" });
    expect(language.total).toBe(3);
    expect(language.items.map((i) => i.id)).toEqual(["en-4", "fr-1", "fr-2"]);
    const first = language.items[0]!;
    expect(first).toMatchObject({ language: "en", prompt: "Prompt en-4", reference: "gold en-4", category: "math" });
    expect(first.responses).toEqual([
      { run: fx.ids.A, response: `tuned ${fx.ids.A} answers en-4`, detectedLanguage: "en", scores: { language_correctness: 0, spelling: 70 }, judgements: [{ judgement: "relevance", verdict: "1", rationale: "relevant: en-4" }] },
      { run: fx.ids.B, response: `tuned ${fx.ids.B} answers en-4`, detectedLanguage: "en", scores: { language_correctness: 1, spelling: 80 }, judgements: [{ judgement: "relevance", verdict: "1", rationale: "relevant: en-4" }] },
    ]);
    expect(language.items[1]!.responses[0]!.detectedLanguage).toBe("en");
    expect(language.items[1]!.responses[1]!.detectedLanguage).toBe("fr");

    // Spelling differs on every item but en-3 (100 = 100) and fr-2 (60 = 60); fr-4 is missing for A, which counts as a change.
    const spelling = items({ changed: "score", metric: "spelling" });
    expect(spelling.items.map((i) => i.id)).toEqual(["en-1", "en-2", "en-4", "fr-1", "fr-3", "fr-4"]);
    expect(items({ changed: "score", metric: "spelling", language: "fr", offset: 1, limit: 1 })).toMatchObject({ total: 3, items: [{ id: "fr-3" }] });
    expect(items({}).total).toBe(8);
    expect(() => items({ runs: ["run-a", "run-c"] })).toThrow(expect.objectContaining({ code: "compare-not-evaluated", where: "runs[1]" }));
  });
});
