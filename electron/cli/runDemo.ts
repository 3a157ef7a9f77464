import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { writeTinyModel } from "../engine/models/writeTinyModel.js";
import { formatBytes, formatCount } from "./formatBytes.js";

export interface DemoOptions {
  prompt: string;
  maxTokens: number;
  json: boolean;
}

/**
 * The main job on the embedded default: make the tiny model (no download), register it in the
 * library, show what was read from it and what it would take to train, then greedy-complete a prompt.
 */
export async function runDemo(engine: PolytuneEngine, options: DemoOptions): Promise<void> {
  const say = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  const path = join(engine.layout.models, "demo-tiny-llama.gguf");
  if (!existsSync(path)) {
    say("1/4  Writing the demo model (random weights, real 32k Llama tokenizer)…");
    await writeTinyModel({ out: path, vocab: "llama-spm", layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 42, name: "Polytune demo (tiny llama)" });
  } else {
    say("1/4  Demo model already written.");
  }
  say("2/4  Adding it to the model library…");
  const added = await engine.call("models.add", { path });
  const model = added.added[0] ?? added.updated[0];
  if (!model) throw new Error(added.failed[0]?.error?.message ?? "The demo model could not be added.");
  say(`     ${model.name}: ${model.architecture}, ${formatCount(model.parameterCount)} parameters, ${model.layers} layers, vocabulary ${model.vocabSize}, ${formatBytes(model.fileSize)}`);
  say("3/4  Estimating memory…");
  const estimate = await engine.call("models.estimate", { model: model.id, contextSize: 512, seqLen: 256, batch: 4, rank: 8 });
  say(`     run: ${formatBytes(estimate.inference.totalBytes)} · LoRA-train (r 8, 4×256 tokens): ${formatBytes(estimate.training.totalBytes)}`);
  say(`4/4  Greedy completion of "${options.prompt}"…`);
  const result = await engine.call("models.try", { model: model.id, prompt: options.prompt, maxTokens: options.maxTokens, repeatPenalty: 1.1, gpu: "auto", requestId: "demo" });
  say(`     → ${JSON.stringify(result.text)}`);
  say(`     ${result.tokens} tokens at ${result.tokensPerSecond.toFixed(1)} tokens/s on ${result.backend}. (Random weights: the text is noise until the model is trained.)`);
  say(`Done. Data folder: ${engine.home}`);
  if (options.json) process.stdout.write(`${JSON.stringify({ model, estimate, completion: result, home: engine.home })}\n`);
}
