// The demo's split of the shipped data and its experiment: held-out prompts never enter the files mixes
// are drawn from, the split is byte-for-byte repeatable (so the import is reused), and the shipped
// example file is the demo's experiment (same settings, the same prompts) with a model path to fill in.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readExperimentFile } from "../../../electron/cli/registerExperimentCommand.js";
import { demoDataDir, demoLanguages } from "../../../electron/engine/experiments/demo/demoAssets.js";
import { demoEvalSettings, demoExperimentSpec, demoHeldOutPerLanguage, demoLearningRate, demoTrainSettings } from "../../../electron/engine/experiments/demo/demoExperimentSpec.js";
import { writeDemoSplit } from "../../../electron/engine/experiments/demo/writeDemoSplit.js";
import { loadEvalTask } from "../../../electron/engine/eval/tasks/loadEvalTask.js";
import { ExperimentSpecSchema } from "../../../electron/shared/experimentContract.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());
const ids = (file: string): string[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { id: string }).id);

describe("the demo's held-out split", () => {
  const split = writeDemoSplit(demoDataDir(), join(tmp.dir, "a"), demoHeldOutPerLanguage);

  it("holds the first records of every language out of the tuning files, and writes them as the open suite's prompts", () => {
    const heldOut = Array.from({ length: demoHeldOutPerLanguage }, (_, i) => `demo-${String(i + 1).padStart(4, "0")}`);
    expect(split.prompts).toHaveLength(demoLanguages.length * demoHeldOutPerLanguage);
    for (const [k, language] of demoLanguages.entries()) {
      const shipped = ids(join(demoDataDir(), `instructions.${language}.jsonl`));
      const tuning = ids(split.tuningFiles[k]!);
      expect(split.tuningFiles[k]).toBe(join(tmp.dir, "a", "tuning", `instructions.${language}.jsonl`));
      expect(tuning).toEqual(shipped.slice(demoHeldOutPerLanguage));
      expect(tuning.filter((id) => heldOut.includes(id))).toEqual([]);
      expect(split.prompts.filter((p) => p.language === language).map((p) => p.id)).toEqual(heldOut);
    }
    // The suite reads the file as written: one item per prompt, in its language.
    const task = loadEvalTask(ExperimentSpecSchema.shape.eval.parse({ suites: [{ suite: "open", data: [split.promptsPath] }] }).suites[0]!);
    expect(task.items.map((i) => [i.language, i.prompt])).toEqual(split.prompts.map((p) => [p.language, p.prompt]));
  });

  it("writes the same bytes again, so a second demo reuses the imported dataset", () => {
    const again = writeDemoSplit(demoDataDir(), join(tmp.dir, "b"), demoHeldOutPerLanguage);
    for (const [k, file] of again.tuningFiles.entries()) expect(readFileSync(file, "utf8")).toBe(readFileSync(split.tuningFiles[k]!, "utf8"));
    expect(readFileSync(again.promptsPath, "utf8")).toBe(readFileSync(split.promptsPath, "utf8"));
  });

  it("ships an example file that is the demo's experiment on the same prompts, the model left to fill in", () => {
    const example = ExperimentSpecSchema.parse(readExperimentFile(join(process.cwd(), "assets", "demo", "experiment.example.json")));
    const demo = ExperimentSpecSchema.parse(demoExperimentSpec("model-id", { dataset: "d", fingerprint: "f" }, split.promptsPath));
    expect(example.model).toBe("/path/to/your-base-model.gguf");
    expect(example.train).toEqual(demo.train);
    expect(example.train).toMatchObject(demoTrainSettings);
    expect(example.grid).toEqual(demo.grid);
    expect(example.grid.lr.lora).toEqual([demoLearningRate]);
    expect(example.lrChoice).toEqual(demo.lrChoice);
    const { suites: exampleSuites, limit, ...exampleEval } = example.eval;
    const { suites: demoSuites, ...demoEval } = demo.eval;
    expect(exampleEval).toEqual(demoEval);
    expect(demoEval).toMatchObject({ ...demoEvalSettings, decoding: expect.objectContaining(demoEvalSettings.decoding) as unknown });
    expect(limit).toBe(demoHeldOutPerLanguage);
    // The demo's mixes, by the names the demo's experiment saves them under.
    expect(demo.mixes).toMatchObject({ kind: "ladder", languages: ["es", "de"], rungs: [1, 3] });
    expect(example.mixes).toEqual({ kind: "saved", mixes: [`${demo.name} · Mono`, `${demo.name} · Multi-3`] });
    // The same items: the shipped files cut at the limit are the demo's held-out prompts.
    const items = (suite: (typeof exampleSuites)[number], options: { limit?: number }) => loadEvalTask(suite, { languages: demo.eval.languages!, ...options }).items.map((i) => [i.id, i.language, i.prompt]);
    expect(items(exampleSuites[0]!, { limit: limit! }).sort()).toEqual(items(demoSuites[0]!, {}).sort());
  });
});
