// The Compare area's table and its CSV and JSON exports, built from one compare.runs result (parsed with
// the contract's own schema): every number shown or exported is the result's own, aligned with its run,
// missing values stay missing, and the picker lists only runs with a completed evaluation.
import { parseHTML } from "linkedom";
import { describe, expect, it } from "vitest";
import { CompareRunsResultSchema, type CompareRunsResult } from "../../../electron/shared/compareContract.js";
import { EvalJobSchema, type EvalJob } from "../../../electron/shared/evalContract.js";
import { RunSchema, type Run } from "../../../electron/shared/contract.js";
import { comparableRuns, filterComparable } from "../../../renderer/src/views/compare/comparableRuns.js";
import type { FigureDocument } from "../../../electron/shared/figures/FigureDocument.js";
import { languageBarsFigure } from "../../../electron/shared/figures/languageBarsFigure.js";
import { compareCsv, languageGroup, languageTableRows as compareRows } from "../../../electron/shared/figures/languageTableRows.js";
import { compareJson, figureResult, resultChoices } from "../../../renderer/src/views/compare/compareRows.js";

const run = (id: string, name: string, label: string, lr: number, mix: string) => ({ id, name, label, method: "lora", lr, mix: { id: `m-${mix}`, name: mix }, evalJob: `e-${id}`, experiment: null });
const cell = (runId: string, language: string | null, mean: number, ci95: [number, number] | null, n: number, metric = "language_correctness") => ({ run: runId, suite: "open", metric, language, system: "tuned", mean, ci95, n });

const result: CompareRunsResult = CompareRunsResultSchema.parse({
  runs: [run("r1", "mono", "Mono", 1e-4, "Mono"), run("r2", "multi", "Multi-3", 1e-4, "Multi-3"), run("r3", "multi-hi", "Multi-3 · lr 2e-4", 2e-4, "Multi-3")],
  settingsDiff: [{ setting: "mix", values: ["Mono", "Multi-3", "Multi-3"] }, { setting: "lr", values: [1e-4, 1e-4, 2e-4] }],
  languages: [
    { language: "en", tuning: ["supervised", "supervised", "supervised"] },
    { language: "fr", tuning: ["zero-shot", "supervised", "supervised"] },
    { language: "pt", tuning: ["zero-shot", "zero-shot", "zero-shot"] },
  ],
  cells: [
    cell("r1", null, 41.66666666666667, [25, 58.333333333333336], 12),
    cell("r1", "en", 100, [100, 100], 4),
    cell("r1", "fr", 25, [0, 75], 4),
    cell("r1", "pt", 0, null, 4),
    cell("r2", null, 75, [58.3, 91.7], 12),
    cell("r2", "en", 75, [25, 100], 4),
    cell("r2", "fr", 100, [100, 100], 4),
    cell("r2", "pt", 50, [0, 100], 4),
    // r3 has no pt value: shown as missing, never as 0.
    cell("r3", null, 62.5, [37.5, 87.5], 8),
    cell("r3", "en", 50, [0, 100], 4),
    cell("r3", "fr", 75, [25, 100], 4),
    // Another metric and the base system are not in the language_correctness table.
    cell("r1", "en", 3.25, [2.5, 4], 4, "helpfulness"),
    { ...cell("r1", "en", 12.5, [0, 37.5], 4), system: "base" },
  ],
  heatmap: [],
  pairs: [
    { run: "r2", reference: "r1", suite: "open", metric: "language_correctness", language: null, n: 12, difference: 33.33333333333333, ci95: [8.3, 58.3], p: 0.0412, test: "mcnemar" },
    { run: "r2", reference: "r1", suite: "open", metric: "language_correctness", language: "fr", n: 4, difference: 75, ci95: [25, 100], p: 0.25, test: "mcnemar" },
    { run: "r3", reference: "r1", suite: "open", metric: "language_correctness", language: "en", n: 4, difference: -50, ci95: null, p: null, test: "mcnemar" },
  ],
  categories: [],
  learningRates: [],
  missing: [{ run: "r4", reason: "no completed evaluation" }],
});
const selection = { suite: "open" as const, metric: "language_correctness", languages: [] as string[] };

/** Splits one CSV line (no quoted commas in this fixture's fields except where checked). */
const parseCsv = (text: string) => {
  const [header, ...lines] = text.trim().split("\n");
  const names = header!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i]!, v])));
};

describe("compare table", () => {
  it("has one row per language (all first, tuned before zero-shot) and one column per run, with the result's own numbers", () => {
    const rows = compareRows(result, selection);
    expect(rows.map((r) => [r.language, r.group])).toEqual([
      [null, null],
      ["en", "tuned"],
      ["fr", "tuned"],
      ["pt", "zero-shot"],
    ]);
    for (const row of rows) {
      result.runs.forEach((r, i) => {
        const source = result.cells.find((c) => c.run === r.id && c.language === row.language && c.metric === "language_correctness" && c.system === "tuned");
        expect(row.values[i]).toEqual(source ? { mean: source.mean, ci95: source.ci95, n: source.n } : null);
      });
    }
    const pt = rows.find((r) => r.language === "pt")!;
    expect(pt.values[2]).toBeNull();
    expect(pt.tuning).toEqual(["zero-shot", "zero-shot", "zero-shot"]);
    // Deltas: the reference has none; each other run its pair's difference and p.
    const all = rows[0]!;
    expect(all.deltas[0]).toBeNull();
    expect(all.deltas[1]).toEqual({ difference: 33.33333333333333, ci95: [8.3, 58.3], p: 0.0412, n: 12, test: "mcnemar" });
    expect(rows.find((r) => r.language === "en")!.deltas[2]).toMatchObject({ difference: -50, p: null });
  });

  it("keeps only the chosen languages, and lists the suites and metrics the result has", () => {
    expect(compareRows(result, { ...selection, languages: ["fr"] }).map((r) => r.language)).toEqual([null, "fr"]);
    expect(resultChoices(result)).toEqual({ suites: ["open"], metrics: { open: ["language_correctness", "helpfulness"] } });
    expect(compareRows(result, { ...selection, metric: "helpfulness" }).map((r) => [r.language, r.values])).toEqual([["en", [{ mean: 3.25, ci95: [2.5, 4], n: 4 }, null, null]]]);
  });

  it("groups a language as tuned when any run saw it, zero-shot when every knowing run did not", () => {
    expect(languageGroup(["zero-shot", "supervised"])).toBe("tuned");
    expect(languageGroup(["zero-shot", "unknown"])).toBe("zero-shot");
    expect(languageGroup(["unknown", null])).toBe("unknown");
  });

  it("exports CSV with one line per language × run whose numbers equal the result's, unrounded, missing cells empty", () => {
    const lines = parseCsv(compareCsv(result, [selection], "r1"));
    expect(lines).toHaveLength(4 * 3);
    for (const line of lines) {
      const language = line.language === "all" ? null : line.language;
      const source = result.cells.find((c) => c.run === line.run && c.language === language && c.metric === "language_correctness" && c.system === "tuned");
      if (!source) {
        expect([line.mean, line.ci_low, line.n]).toEqual(["", "", ""]);
        continue;
      }
      expect(Number(line.mean)).toBe(source.mean);
      expect(line.ci_low === "" ? null : Number(line.ci_low)).toBe(source.ci95?.[0] ?? null);
      expect(line.ci_high === "" ? null : Number(line.ci_high)).toBe(source.ci95?.[1] ?? null);
      expect(Number(line.n)).toBe(source.n);
      const pair = result.pairs.find((p) => p.run === line.run && p.language === language && p.metric === "language_correctness");
      expect(line.difference === "" ? null : Number(line.difference)).toBe(pair?.difference ?? null);
      expect(line.p === "" ? null : Number(line.p)).toBe(pair?.p ?? null);
      expect(line.reference).toBe("r1");
    }
    const ptMono = lines.find((l) => l.language === "pt" && l.run === "r1")!;
    expect([ptMono.tuning, ptMono.group, ptMono.label]).toEqual(["zero-shot", "zero-shot", "Mono"]);
    // The base model's value sits beside the run it was evaluated with, the other runs' left empty.
    expect(lines.filter((l) => l.language === "en").map((l) => [l.run, l.base_mean, l.base_n])).toEqual([["r1", "12.5", "4"], ["r2", "", ""], ["r3", "", ""]]);
    // A field with a comma or a quote is quoted, so the columns stay aligned.
    const quoted = compareCsv({ ...result, runs: result.runs.map((r, i) => (i === 0 ? { ...r, label: 'Mono, "en"' } : r)) }, [selection], "r1");
    expect(quoted).toContain(',"Mono, ""en""",');
  });

  it("exports JSON holding the runs, the settings that differ, the rows with the result's numbers and the runs left out", () => {
    const json = JSON.parse(compareJson(result, selection, "r1")) as { reference: string; runs: { id: string; label: string }[]; settingsDiff: unknown; rows: { language: string | null; values: unknown[]; deltas: unknown[] }[]; missing: unknown };
    expect(json.reference).toBe("r1");
    expect(json.runs.map((r) => [r.id, r.label])).toEqual(result.runs.map((r) => [r.id, r.label]));
    expect(json.settingsDiff).toEqual(result.settingsDiff);
    expect(json.missing).toEqual(result.missing);
    expect(json.rows).toEqual(JSON.parse(JSON.stringify(compareRows(result, selection))));
    expect(json.rows.find((r) => r.language === "fr")!.values[1]).toEqual({ mean: 100, ci95: [100, 100], n: 4 });
  });
});

describe("compare at scale", () => {
  // 50 runs × 20 languages: what the view draws from one compare.runs result, with no call per cell.
  const languages = Array.from({ length: 20 }, (_, i) => `l${String.fromCharCode(97 + i)}`);
  const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
  const mean = (r: number, l: number) => ((r * 7 + l * 13) % 100) + 0.25;
  const big: CompareRunsResult = CompareRunsResultSchema.parse({
    runs: ids.map((id, i) => run(id, `run ${i}`, `Run ${i}`, 1e-4, i % 2 ? "Multi-3" : "Mono")),
    settingsDiff: [{ setting: "mix", values: ids.map((_, i) => (i % 2 ? "Multi-3" : "Mono")) }],
    languages: languages.map((language, l) => ({ language, tuning: ids.map((_, r) => (l < 3 || (r % 2 === 1 && l < 6) ? "supervised" : "zero-shot")) })),
    cells: ids.flatMap((id, r) => [cell(id, null, 50, [40, 60], 20_000), ...languages.map((language, l) => cell(id, language, mean(r, l), [mean(r, l) - 5, mean(r, l) + 5], 1000))]),
    heatmap: [],
    pairs: ids.slice(1).flatMap((id) => languages.map((language) => ({ run: id, reference: "r0", suite: "open", metric: "language_correctness", language, n: 1000, difference: 1.5, ci95: [0.5, 2.5], p: 0.01, test: "mcnemar" }))),
    categories: [],
    learningRates: [],
    missing: [],
  });

  it("builds the table and the per-language figure from the result alone, every value in place, well under a second", () => {
    const started = performance.now();
    const rows = compareRows(big, selection);
    const csv = compareCsv(big, [selection], "r0");
    const { document } = parseHTML("<!doctype html><html><body></body></html>");
    const svg = languageBarsFigure(figureResult(big, selection), { document: document as unknown as FigureDocument, width: 1200, suite: "open", metric: "language_correctness" });
    const elapsed = performance.now() - started;
    expect(rows).toHaveLength(21);
    // Tuned languages (la–lf) come before the zero-shot ones.
    expect(rows.slice(1, 7).map((r) => r.group)).toEqual(Array(6).fill("tuned"));
    expect(rows.slice(7).every((r) => r.group === "zero-shot")).toBe(true);
    for (const row of rows.slice(1)) {
      const l = languages.indexOf(row.language!);
      expect(row.values.map((v) => v?.mean)).toEqual(ids.map((_, r) => mean(r, l)));
    }
    expect(csv.trim().split("\n")).toHaveLength(1 + 21 * 50);
    // One bar per run × language; the zero-shot ones hatched.
    expect(svg.querySelectorAll(".run-bars rect").length).toBe(50 * 20);
    expect(svg.querySelectorAll(".zero-shot-hatch rect").length).toBe(big.languages.reduce((n, l) => n + l.tuning.filter((t) => t === "zero-shot").length, 0));
    expect(elapsed).toBeLessThan(1000);
  });
});

describe("runs to compare", () => {
  const trained = (id: string, name: string, mix: string | null, method: "lora" | "full" = "lora"): Run =>
    RunSchema.parse({
      id,
      name,
      kind: "train",
      modelId: "m1",
      status: "completed",
      config: { model: "m1", data: "/d.jsonl", method },
      step: 2,
      totalSteps: 2,
      adapterPath: null,
      error: null,
      summary: null,
      createdAt: "2026-01-01T00:00:00Z",
      startedAt: null,
      finishedAt: null,
      mix: mix ? { id: `m-${mix}`, name: mix, fingerprint: "f", recipe: { version: 1, name: mix, sources: [{ dataset: "d1", fingerprint: "f" }], strategy: { kind: "mono", language: "en", total: 1 } }, counts: { total: 1, languages: [], provenance: [], sources: [] } } : null,
    });
  const evaluated = (id: string, runId: string, status: EvalJob["status"], finishedAt: string): EvalJob =>
    EvalJobSchema.parse({
      id,
      name: id,
      status,
      phase: "done",
      run: runId,
      model: { id: "m1", name: "tiny", fingerprint: "f" },
      adapters: [],
      baseline: false,
      format: "raw",
      decoding: { mode: "greedy", repeatPenalty: 1.1, temperature: 0.8, topP: 0.9, seeds: 1, maxTokens: 8, stop: [], parallel: 1 },
      suites: [],
      languages: [],
      judge: null,
      total: 1,
      done: 1,
      results: [],
      error: null,
      createdAt: finishedAt,
      finishedAt,
      seconds: 1,
      tokens: 1,
    });

  it("lists runs with a completed evaluation, the latest one each, newest first; filters by mix and method", () => {
    const runs = [trained("r1", "mono", "Mono"), trained("r2", "multi", "Multi-3"), trained("r3", "full", "Multi-3", "full"), trained("r4", "never", null)];
    const jobs = [evaluated("e1", "r1", "completed", "2026-01-02T00:00:00Z"), evaluated("e1b", "r1", "completed", "2026-01-04T00:00:00Z"), evaluated("e2", "r2", "completed", "2026-01-03T00:00:00Z"), evaluated("e3", "r3", "failed", "2026-01-05T00:00:00Z")];
    const list = comparableRuns(runs, jobs, []);
    expect(list.map((c) => [c.run.id, c.evalJob.id])).toEqual([
      ["r1", "e1b"],
      ["r2", "e2"],
    ]);
    expect(filterComparable(list, { experiment: "", mix: "Multi-3", method: "" }).map((c) => c.run.id)).toEqual(["r2"]);
    expect(filterComparable(list, { experiment: "", mix: "", method: "full" })).toEqual([]);
  });
});
