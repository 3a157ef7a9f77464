// The Experiments form's pure parts: what the form holds becomes exactly the spec the contract's own
// ExperimentSpecSchema accepts (and `my-experiment.json` stores), a spec read back into the form gives
// the same spec again, nothing an opened file set is lost, a wrong field is named by its path, a broken
// file's problems name theirs, and the learning-rate rule reads in words.
import { describe, expect, it } from "vitest";
import { defaultLearningRates, ExperimentSpecSchema, type ExperimentSpec } from "../../../electron/shared/experimentContract.js";
import { parseExperimentFile } from "../../../electron/shared/parseExperimentFile.js";
import { strings } from "../../../renderer/src/i18n/strings.js";
import {
  defaultRatesText,
  draftFromSpec,
  experimentFileName,
  experimentSpec,
  freshExperimentDraft,
  lrChoiceInWords,
  readExperimentFile,
  type ExperimentDraft,
} from "../../../renderer/src/views/experiments/experimentDraft.js";

const check = strings.evaluate.check;
const s = strings.experiments;
const fp = "f".repeat(64);
const suites = [{ suite: "open" as const, data: "/d/alpacaeval.en.jsonl\n/d/alpacaeval.fr.jsonl", crossLingual: false, language: "" }];
const draft = (patch: Partial<ExperimentDraft> = {}): ExperimentDraft => ({ ...freshExperimentDraft(), name: "Mono vs Multi-3", model: "m1", savedMixes: ["mix-mono", "mix-multi3"], suites, ...patch });

/** The spec or the test fails with the form's own errors in its message. */
function specOf(d: ExperimentDraft): ExperimentSpec {
  const result = experimentSpec(d);
  if (!result.spec) throw new Error(`the form refused: ${JSON.stringify(result.errors)}`);
  return result.spec;
}

describe("the experiment form → ExperimentSpecSchema", () => {
  it("builds a saved-mixes spec the schema accepts, with the default learning rates written out and empty optional fields left out", () => {
    const spec = specOf(draft({ steps: "2", trainThreads: "1", evalLanguages: "en fr", limit: "2", maxTokens: "8", evalThreads: "1" }));
    expect(spec).toEqual({
      name: "Mono vs Multi-3",
      model: "m1",
      mixes: { kind: "saved", mixes: ["mix-mono", "mix-multi3"] },
      train: { threads: 1 },
      grid: { method: ["lora"], lr: { lora: [...defaultLearningRates.lora] }, steps: [2] },
      lrChoice: {
        criteria: [
          { suite: "open", metric: "language_correctness" },
          { suite: "open", metric: "relevance" },
          { suite: "open", metric: "spelling" },
        ],
        tolerance: 1,
      },
      eval: { suites: [{ suite: "open", data: ["/d/alpacaeval.en.jsonl", "/d/alpacaeval.fr.jsonl"] }], languages: ["en", "fr"], limit: 2, decoding: { maxTokens: 8 }, baseline: true, threads: 1 },
    });
    expect(ExperimentSpecSchema.safeParse(spec).success).toBe(true);
    // The defaults the form shows are the contract's (paper 002 §5.3).
    expect(defaultRatesText.lora.split(" ").map(Number)).toEqual([...defaultLearningRates.lora]);
    expect(defaultRatesText.full.split(" ").map(Number)).toEqual([...defaultLearningRates.full]);
  });

  it("builds the ladder and CrossAlpaca studies, directions and counts (0 included) as the schema has them", () => {
    const ladder = specOf(draft({ mixKind: "ladder", sources: [{ dataset: "d1", fingerprint: fp }], languages: "de fr, es", total: "900", perLanguage: "100", rungs: "1 3", seed: "7" }));
    expect(ladder.mixes).toEqual({ kind: "ladder", sources: [{ dataset: "d1", fingerprint: fp }], seed: 7, total: 900, base: "en", perLanguage: 100, languages: ["de", "fr", "es"], rungs: [1, 3] });
    const cross = specOf(draft({ mixKind: "crossalpaca", sources: [{ dataset: "d1", fingerprint: fp }, { dataset: "p1", fingerprint: fp }], directions: ["en-x", "both"], perDirection: "0 500 1000", languages: "" }));
    expect(cross.mixes).toEqual({
      kind: "crossalpaca",
      sources: [
        { dataset: "d1", fingerprint: fp },
        { dataset: "p1", fingerprint: fp },
      ],
      seed: 1,
      pivot: "en",
      templateLanguage: "target",
      directions: [["en-x"], ["en-x", "x-en"]],
      perDirection: [0, 500, 1000],
    });
    // Both methods, each with its own rates; ranks only for LoRA.
    const both = specOf(draft({ methods: ["lora", "full"], lrLora: "1e-4", lrFull: "1e-5 2e-5", ranks: "8 64" }));
    expect(both.grid).toEqual({ method: ["lora", "full"], lr: { lora: [1e-4], full: [1e-5, 2e-5] }, rank: [8, 64] });
  });

  it("round-trips: a full spec (every kind of field) read into the form gives the same spec, what the form shows no field for included", () => {
    const file: ExperimentSpec = {
      version: 1,
      name: "Ladder",
      description: "003 Figure 2 on the demo data",
      model: "tiny",
      mixes: { kind: "ladder", sources: [{ dataset: "d1", fingerprint: fp }], filters: { minConfidence: 0.5, includeLowConfidence: true, excludeMismatched: true }, seed: 3, total: 600, base: "en", perLanguage: 50, languages: ["fr", "de"] },
      train: { threads: 1, batchSize: 2, seqLen: 128, seed: 5 },
      grid: { method: ["lora", "full"], lr: { lora: [1e-4, 3e-4], full: [1e-5] }, rank: [4], steps: [2, 4] },
      lrChoice: { criteria: [{ suite: "open", metric: "spelling" }, { suite: "qa", metric: "f1" }], tolerance: 2.5 },
      eval: {
        suites: [
          { suite: "open", data: ["/a.jsonl"], crossLingual: false },
          { suite: "qa", data: ["/xquad.json"], crossLingual: true, language: "de" },
        ],
        languages: ["en", "fr", "de"],
        limit: 5,
        decoding: { mode: "sampling", seeds: 2, maxTokens: 32, topP: 0.8 },
        judge: { model: "judge-model", judgements: ["relevance"], contextSize: 2048 },
        baseline: false,
        threads: 2,
      },
    };
    const parsed = ExperimentSpecSchema.parse(file);
    const again = ExperimentSpecSchema.parse(specOf(draftFromSpec(parsed)));
    expect(again).toEqual(parsed);
    // The saved-mixes and CrossAlpaca kinds, with the schema's defaults filled in, come back the same too.
    for (const mixes of [
      { kind: "saved", mixes: ["a", "b"] },
      { kind: "crossalpaca", sources: [{ dataset: "d1", fingerprint: fp }], directions: [["x-en"]], perDirection: [0, 10], instructions: 40, languages: ["fr"], pivot: "de", templateLanguage: "english" },
    ] as const) {
      const spec = ExperimentSpecSchema.parse({ ...file, mixes });
      expect(ExperimentSpecSchema.parse(specOf(draftFromSpec(spec)))).toEqual(spec);
    }
  });

  it("names each wrong field by its path in the spec, with a sentence", () => {
    const result = experimentSpec(
      draft({ name: " ", model: "", savedMixes: [], lrLora: "1e-4 fast", steps: "0", tolerance: "-1", limit: "two", suites: [{ ...suites[0]!, data: "" }], criteria: [] }),
    );
    expect(result.spec).toBeNull();
    expect(result.errors).toMatchObject({
      model: check.model,
      "grid.lr.lora": check.number,
      "grid.steps": check.atLeast(1),
      "lrChoice.tolerance": check.atLeast(0),
      "eval.limit": check.wholeNumber,
      "eval.suites.0.data": check.data,
    });
    expect(result.errors).toMatchObject({ name: s.check.name, "mixes.mixes": s.check.mixes, "lrChoice.criteria": s.check.criteria });
    // A study without datasets or languages says so on those fields; a missing total gets the schema's message.
    const ladder = experimentSpec(draft({ mixKind: "ladder", languages: "", total: "", perLanguage: "10", methods: [] }));
    expect(ladder.errors).toMatchObject({ "mixes.sources": s.check.sources, "mixes.languages": s.check.languages, "grid.method": s.check.methods });
    expect(ladder.errors).toHaveProperty(["mixes.total"]);
  });
});

describe("experiment files", () => {
  it("reads a file the schema accepts, filling the schema's defaults", () => {
    const read = readExperimentFile(JSON.stringify({ name: "x", model: "m", mixes: { kind: "saved", mixes: ["a"] }, eval: { suites: [{ suite: "open", data: ["/a.jsonl"] }] } }));
    expect(read.problems).toBeNull();
    expect(read.spec?.grid).toEqual({ method: ["lora"], lr: {} });
    expect(read.spec?.lrChoice.tolerance).toBe(1);
    expect(draftFromSpec(read.spec!).lrLora).toBe("");
  });

  it("names every problem of a wrong file by its line and path, and says when it is not JSON at all", () => {
    const read = readExperimentFile(JSON.stringify({ version: 1, name: "x", model: "m", mixes: { kind: "ladder", sources: [], total: 0, perLanguage: 1, languages: ["fr"] }, grid: { lr: { lora: [2] } }, eval: { suites: [] }, extra: true }));
    expect(read.spec).toBeNull();
    const problems = read.problems!;
    for (const path of ["Line 1, mixes.sources: ", "Line 1, mixes.total: Write a number of at least 1.", "Line 1, grid.lr.lora[0]: Write a number of at most 1.", "Line 1, eval.suites: "]) expect(problems.some((p) => p.startsWith(path))).toBe(true);
    expect(problems.some((p) => p.includes("extra"))).toBe(true);
    const broken = readExperimentFile("{\n  name: ");
    expect(broken.spec).toBeNull();
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems![0]).toMatch(/^It is not JSON \(line 2: .+\)\.$/);
  });

  it("reads comments and trailing commas as the CLI does, each problem on its own line", () => {
    const text = [
      "// Mono vs Multi-3 on my model",
      "{",
      '  "name": "x",',
      '  "model": "m", /* a library model */',
      '  "mixes": { "kind": "saved", "mixes": ["a"] },',
      '  "grid": {',
      '    "lr": { "lora": [',
      "      1e-4,",
      "      3",
      "    ] },",
      "  },",
      '  "eval": { "suites": [{ "suite": "open", "data": ["/a.jsonl"] }] },',
      '  "extra": true,',
      "}",
    ].join("\n");
    expect(readExperimentFile(text).problems).toEqual([`Line 9, grid.lr.lora[1]: ${check.atMost(1)}`, expect.stringMatching(/^Line 13: .*extra/)]);
    const fixed = text.replace("      3", "      3e-4").replace('  "extra": true,\n', "");
    const read = readExperimentFile(fixed);
    expect(read.problems).toBeNull();
    expect(read.spec?.grid.lr.lora).toEqual([1e-4, 3e-4]);
    // A missing field points at the nearest field that holds it.
    expect(parseExperimentFile(fixed.replace('  "name": "x",\n', "")).problems).toMatchObject([{ line: 2, field: "name" }]);
  });

  it("flags relative paths, which only the CLI can resolve against the file's folder", () => {
    const file = (model: string, data: string[], judge?: string) =>
      JSON.stringify({ name: "x", model, mixes: { kind: "saved", mixes: ["a"] }, eval: { suites: [{ suite: "open", data }], ...(judge ? { judge: { model: judge } } : {}) } }, null, 2);
    const read = readExperimentFile(file("models/base.gguf", ["/d/a.jsonl", "instructions.en.jsonl"], "./judge.gguf"));
    expect(read.spec).toBeNull();
    expect(read.problems).toEqual([
      `Line 3, model: ${s.fileRelativePath("models/base.gguf")}`,
      `Line 16, eval.suites[0].data[1]: ${s.fileRelativePath("instructions.en.jsonl")}`,
      `Line 21, eval.judge.model: ${s.fileRelativePath("./judge.gguf")}`,
    ]);
    // Absolute paths (POSIX and Windows) and library model names are read as they are.
    expect(readExperimentFile(file("tiny", ["/d/a.jsonl", "C:\\d\\b.jsonl"], "judge-model")).problems).toBeNull();
  });

  it("names the download after the experiment", () => {
    expect(experimentFileName("Mono vs Multi-3 (tiny)")).toBe("mono-vs-multi-3-tiny.json");
    expect(experimentFileName("  ")).toBe("experiment.json");
  });
});

describe("the form's defaults", () => {
  it("are the contract's: a spec that leaves them out reads back as a fresh form", () => {
    const fresh = freshExperimentDraft();
    const spec = ExperimentSpecSchema.parse({ name: "x", model: "m", mixes: { kind: "crossalpaca", sources: [{ dataset: "d1", fingerprint: fp }] }, eval: { suites: [{ suite: "open", data: ["/a.jsonl"] }] } });
    const read = draftFromSpec(spec);
    for (const key of ["seed", "base", "directions", "perDirection", "templateLanguage", "methods", "criteria", "tolerance", "baseline"] as const) expect(read[key], key).toEqual(fresh[key]);
  });
});

describe("the learning-rate rule in words", () => {
  it("says the criteria in their order and the tolerance", () => {
    expect(lrChoiceInWords(freshExperimentDraft().criteria, "1")).toBe(
      "Rates are compared by language correctness (Open-ended instructions): one that leads by more than 1 points wins. Within 1 points, the next criterion decides: relevance (Open-ended instructions), then spelling (Open-ended instructions). A criterion no run has a value for (relevance without a judge) is skipped.",
    );
    expect(lrChoiceInWords([{ suite: "qa", metric: "f1" }], "0.5")).toMatch(/^Rates are compared by F1 \(Extractive QA\): one that leads by more than 0\.5 points wins\. A criterion/);
    expect(lrChoiceInWords([], "1")).toBe("Add at least one criterion.");
  });
});
