// Training from a mix, end to end: a saved mix is written out as JSONL, trained on by the real training
// process on a generated tiny model, and the run keeps the recipe and the counts per language. Token
// counts in the preview are training's own, cached per example.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../electron/shared/datasetContract.js";
import type { Mix } from "../../../electron/shared/mixContract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { loadInstructionData } from "../../../electron/engine/data/loadInstructionData.js";
import { getLlamaRuntime } from "../../../electron/engine/llamacpp/llamaRuntime.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { encodeExample } from "../../../electron/engine/train/encodeExample.js";
import { makeTempDir } from "../../support/tempDir.js";
import { recipeOver, storeExamples, writtenExamples } from "./mixDatasets.js";

const workerEntry = join(process.cwd(), "dist", "electron", "engine", "train", "trainWorker.js");
const tmp = makeTempDir();
let engine: PolytuneEngine;
let modelId: string;
let modelPath: string;
let written: Dataset;
let mix: Mix;

beforeAll(async () => {
  if (!existsSync(workerEntry)) throw new Error("Run `npm run build` before the training-from-a-mix tests.");
  modelPath = join(tmp.dir, "tiny.gguf");
  await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 7 });
  engine = new PolytuneEngine({ home: join(tmp.dir, "home"), trainWorkerEntry: workerEntry });
  modelId = (await engine.call("models.add", { path: modelPath })).added[0]!.id;
  written = storeExamples(engine.datasets, "written", [...writtenExamples("en", 40), ...writtenExamples("es", 10), ...writtenExamples("de", 10)]);
  mix = await engine.call("mixes.save", { recipe: recipeOver([written], { kind: "multi", total: 20, perLanguage: 5, languages: ["es", "de"] }, { name: "tiny Multi-3" }) });
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe("tokens in the preview", () => {
  it("counts tokens per language as training encodes them, and keeps them per example", async () => {
    const preview = await engine.call("mixes.preview", { recipe: mix.recipe, model: modelId, format: "alpaca" });
    expect(preview.tokens).not.toBeNull();
    const tokens = preview.tokens!;
    expect(tokens.languages.map((l) => l.language).sort()).toEqual(["de", "en", "es"]);
    expect(tokens.languages.reduce((s, l) => s + l.tokens, 0)).toBe(tokens.total);

    // The same examples, read back from the mix's file and encoded by the trainer's encoder.
    const built = await engine.call("mixes.build", { mix: mix.id, out: join(tmp.dir, "tokens.jsonl") });
    const vocab = await (await getLlamaRuntime("cpu")).loadModel({ modelPath, vocabOnly: true });
    const expected: Record<string, number> = {};
    for (const e of loadInstructionData(built.path).examples) expected[e.lang!] = (expected[e.lang!] ?? 0) + encodeExample(vocab, e, { format: "alpaca", maskPrompt: true, maxLength: 4096 }).tokens.length;
    await vocab.dispose();
    expect(Object.fromEntries(tokens.languages.map((l) => [l.language, l.tokens]))).toEqual(expected);

    const cached = () => (engine.db.prepare("SELECT COUNT(*) AS n FROM example_tokens WHERE model_fingerprint LIKE ?").get("%:alpaca") as { n: number }).n;
    expect(cached()).toBe(20);
    expect((await engine.call("mixes.preview", { recipe: mix.recipe, model: modelId, format: "alpaca" })).tokens).toEqual(tokens);
    expect(cached()).toBe(20);
  }, 120_000);
});

describe("training from a mix", () => {
  const settings = { model: "", steps: 3, rank: 4, alpha: 8, lr: 5e-3, batchSize: 2, seqLen: 128, checkpointEvery: 2, threads: 1 };

  it("writes the mix, trains on it and records the recipe and the counts per language", async () => {
    const run = await engine.call("runs.start", { ...settings, model: modelId, mix: "tiny Multi-3" });
    expect(run.config.mix).toBe(mix.id);
    expect(run.config.data).toBe(engine.mixService.defaultPath(mix));
    expect(run.mix).toMatchObject({ id: mix.id, name: "tiny Multi-3", fingerprint: mix.fingerprint, recipe: mix.recipe });
    expect(Object.fromEntries(run.mix!.counts.languages.map((l) => [l.language, l.examples]))).toEqual({ en: 10, es: 5, de: 5 });

    const done = await engine.call("runs.wait", { run: run.id });
    expect(done.status).toBe("completed");
    expect(done.step).toBe(3);
    expect(existsSync(done.adapterPath!)).toBe(true);
    // Read back as any later view reads it (a new connection's rows parse the same).
    const again = (await engine.call("runs.list", {})).find((r) => r.id === run.id)!;
    expect(again.mix).toEqual(run.mix);
    expect((await engine.call("runs.get", { run: run.id })).mix?.counts.total).toBe(20);
  }, 240_000);

  it("refuses a run with neither data nor mix, or with both, naming the fields", async () => {
    const neither = await engine.dispatch("runs.start", { ...settings, model: modelId }, "ipc");
    expect(neither.ok ? null : neither.error).toMatchObject({ code: "run-no-data", where: "data, mix, text" });
    const both = await engine.dispatch("runs.start", { ...settings, model: modelId, mix: mix.id, data: join(tmp.dir, "other.jsonl") }, "ipc");
    expect(both.ok ? null : both.error).toMatchObject({ code: "run-data-and-mix", where: "data, mix" });
    const unknown = await engine.dispatch("runs.start", { ...settings, model: modelId, mix: "no such mix" }, "ipc");
    expect(unknown.ok ? null : unknown.error.code).toBe("mix-not-found");
  });

  it("leaves runs trained on a data file without a mix", async () => {
    const file = join(tmp.dir, "plain.jsonl");
    await engine.call("mixes.build", { mix: mix.id, out: file });
    const run = await engine.call("runs.start", { ...settings, model: modelId, data: file, steps: 1 });
    expect(run.mix).toBeNull();
    expect((await engine.call("runs.wait", { run: run.id })).status).toBe("completed");
  }, 240_000);
});
