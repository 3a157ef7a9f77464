// What the experiment tests train and evaluate on, made as a user makes it: a generated tiny model, the
// shipped demo instructions (English and Spanish) imported through the real import job, a Mono and a
// Multi-2 mix saved over them, and the open suite's prompts (two languages × two prompts) in a file.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import type { ExperimentSpec } from "../../../electron/shared/experimentContract.js";

export const trainWorkerEntry = join(process.cwd(), "dist", "electron", "engine", "train", "trainWorker.js");
export const importWorkerEntry = join(process.cwd(), "dist", "electron", "engine", "datasets", "importWorker.js");
const demo = join(process.cwd(), "assets", "demo");

/** Two prompts per language, from the demo files' instructions, in the open suite's JSONL. */
export function writePrompts(path: string): string {
  const lines = ["en", "es"].flatMap((language) =>
    readFileSync(join(demo, `instructions.${language}.jsonl`), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-2)
      .map((l, i) => JSON.stringify({ id: `${language}-${i + 1}`, language, prompt: (JSON.parse(l) as { instruction: string }).instruction })),
  );
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** The model file, the data and the two saved mixes ("Mono", "Multi-2") in a data folder; the engine is closed again. */
export async function prepareHome(dir: string, home: string): Promise<{ model: string; prompts: string }> {
  const model = join(dir, "tiny.gguf");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 7 });
  const engine = new PolytuneEngine({ home, trainWorkerEntry, importWorkerEntry });
  try {
    const data = await engine.call("data.import", { importId: "experiment-data", files: ["en", "es"].map((l) => join(demo, `instructions.${l}.jsonl`)), name: "demo en+es" });
    const sources = [{ dataset: data.id, fingerprint: data.fingerprint }];
    await engine.call("mixes.save", { recipe: { version: 1, name: "Mono", sources, strategy: { kind: "mono", language: "en", total: 8 } } });
    await engine.call("mixes.save", { recipe: { version: 1, name: "Multi-2", sources, strategy: { kind: "multi", total: 8, perLanguage: 4, languages: ["es"] } } });
  } finally {
    await engine.close();
  }
  return { model, prompts: writePrompts(join(dir, "prompts.jsonl")) };
}

/** A small experiment: the saved mixes × the learning rates, two steps each, greedy outputs of 8 tokens. */
export function smallExperiment(name: string, model: string, prompts: string, mixes: string[], lrs: number[]): ExperimentSpec {
  return {
    name,
    model,
    mixes: { kind: "saved", mixes },
    train: { format: "alpaca", steps: 2, rank: 4, alpha: 8, batchSize: 2, seqLen: 256, checkpointEvery: 1, threads: 1, backend: "cpu" },
    grid: { lr: { lora: lrs } },
    eval: { suites: [{ suite: "open", data: [prompts] }], decoding: { maxTokens: 8, parallel: 2 }, threads: 1 },
  };
}
