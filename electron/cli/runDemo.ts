import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatBytes, formatCount } from "../shared/formatQuantities.js";

export interface DemoOptions {
  steps: number;
  json: boolean;
}

/** The demo data set the project ships (assets/demo), found from source or from dist/. */
export function demoDataPath(): string {
  for (const rel of ["../../assets/demo/demo-instructions.jsonl", "../../../assets/demo/demo-instructions.jsonl"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new PolytuneError("demo-data-missing", "The demo data set is missing from this installation.", { hint: "Reinstall Polytune." });
}

/**
 * The main job on the embedded default, a complete small experiment: make the tiny model (nothing is
 * downloaded), register it, estimate memory, train a LoRA adapter on the shipped four-language demo
 * data as a recorded run, then decode every demo prompt greedily with and without the adapter and
 * report, language by language, how many answers the tuned model gets exactly right.
 */
export async function runDemo(engine: PolytuneEngine, options: DemoOptions): Promise<void> {
  const say = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  const path = join((await engine.call("app.info", {})).modelsDir, "demo-tiny-llama.gguf");
  if (!existsSync(path)) {
    say("1/5  Writing the demo model (random weights, real 32k Llama tokenizer)…");
    await engine.call("models.makeTiny", { out: path, vocab: "llama-spm", layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 42, name: "Polytune demo (tiny llama)" });
  } else {
    say("1/5  Demo model already written.");
  }
  say("2/5  Adding it to the model library…");
  const added = await engine.call("models.add", { path });
  const model = added.added[0] ?? added.updated[0];
  if (!model) throw new Error(added.failed[0]?.error?.message ?? "The demo model could not be added.");
  say(`     ${model.name}: ${model.architecture}, ${formatCount(model.parameterCount)} parameters, ${model.layers} layers, vocabulary ${model.vocabSize}, ${formatBytes(model.fileSize)}`);

  const data = demoDataPath();
  const config = { model: model.id, data, format: "alpaca" as const, steps: options.steps, rank: 16, alpha: 32, lr: 1e-2, schedule: "constant" as const, batchSize: 16, seqLen: 256, checkpointEvery: 50, seed: 1, name: "demo: 4 languages, r 16" };
  say("3/5  Estimating memory…");
  const estimate = await engine.call("models.estimate", { model: model.id, contextSize: 512, seqLen: config.seqLen, batch: config.batchSize, rank: config.rank });
  say(`     run: ${formatBytes(estimate.inference.totalBytes)} · LoRA-train (r ${config.rank}, ${config.batchSize}×${config.seqLen} tokens): ${formatBytes(estimate.training.totalBytes)}`);

  say(`4/5  Training a LoRA adapter on ${data} (${options.steps} steps)…`);
  const started = await engine.call("runs.start", config);
  const off = engine.onEvent((name, payload) => {
    if (options.json || name !== "runs.step") return;
    const p = payload as { run: string; metric: { step: number; loss: number; tokensPerSecond: number }; totalSteps: number };
    if (p.run !== started.id || (p.metric.step % 10 !== 0 && p.metric.step !== p.totalSteps)) return;
    say(`     step ${String(p.metric.step).padStart(3)}/${p.totalSteps}  loss ${p.metric.loss.toFixed(3)}  ${p.metric.tokensPerSecond.toFixed(0)} tok/s`);
  });
  const run = await engine.call("runs.wait", { run: started.id }).finally(off);
  if (run.status !== "completed" || !run.adapterPath) {
    throw new PolytuneError(run.error?.code ?? "demo-run-failed", run.error?.message ?? `The demo run ended ${run.status}.`, { where: run.error?.where ?? `run ${run.id}`, hint: run.error?.hint });
  }
  say(`     adapter: ${run.adapterPath}`);
  if (typeof run.summary?.device === "string") say(`     trained on ${String(run.summary.backend)} (${run.summary.device})`);

  say("5/5  Greedy decoding of every demo prompt, base model vs. tuned…");
  const scores = await engine.call("eval.languages", { model: model.id, data, adapter: run.adapterPath, format: "alpaca", maxTokens: 24, gpu: "auto" });
  say("     language  exact answers: base → tuned   example");
  for (const l of scores.languages) {
    say(`     ${l.language.padEnd(8)}  ${l.base.exact}/${l.examples} → ${l.tuned?.exact ?? 0}/${l.examples}        "${l.sample.prompt}" → ${JSON.stringify(l.sample.tuned)}`);
  }
  say(`Done. Run ${run.id} and its loss curve are in ${engine.databasePath} (see \`polytune runs show ${run.id}\`, or the Runs view of \`polytune serve\`).`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ model, estimate, run, perLanguage: Object.fromEntries(scores.languages.map((l) => [l.language, { n: l.examples, base: l.base.exact, tuned: l.tuned?.exact ?? 0 }])) })}\n`);
  }
}
