// Training throughput, side by side in one run on this machine: our LoRA trainer, upstream llama.cpp's
// full fine-tuning (`llama-finetune`, built from the release node-llama-cpp ships), and the FLOP floor
// of each from the measured ggml F32 matrix-product rate. Prints the ratios.
//
//   node bench/train.mjs [--layers 4] [--ctx 256] [--steps 12] [--threads N] [--backend cpu|vulkan|cuda|metal]
//                        [--rank 16] [--type f32|f16|q8_0] [--base-weights f32|as-stored] [--batch 1] [--skip-upstream] [--json]
//                        [--addon path/to/polytune_trainer.node]
//
// --addon measures another build of the trainer (say, one from before a change) in place of native/build's.
//
// Upstream trains F32 models only, so with --type f16/q8_0 it is skipped.
//
// The model is generated (random weights, real 32k llama vocabulary) with a 0.5B-class shape: embd 896,
// 14 query / 2 KV heads, ff 4864, and a small layer count so it runs on a laptop.
import { readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildLlamaFinetune, runLlamaFinetune } from "./upstreamFinetune.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: o } = parseArgs({
  options: {
    layers: { type: "string", default: "4" },
    ctx: { type: "string", default: "256" },
    steps: { type: "string", default: "12" },
    threads: { type: "string", default: String(availableParallelism()) },
    backend: { type: "string", default: "cpu" },
    rank: { type: "string", default: "16" },
    type: { type: "string", default: "f32" },
    "base-weights": { type: "string", default: "f32" },
    batch: { type: "string", default: "1" },
    "skip-upstream": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    addon: { type: "string" },
  },
});
const layers = Number(o.layers);
const ctx = Number(o.ctx);
const steps = Number(o.steps);
const threads = Number(o.threads);
const rank = Number(o.rank);
const batch = Number(o.batch); // our windows per micro-batch (one graph); upstream always takes one
const shape = { embd: 896, heads: 14, headsKv: 2, ff: 4864, vocab: 32000 };
const log = (/** @type {string} */ line) => {
  if (!o.json) console.error(line);
};

const { writeTinyModel } = await import(join(root, "dist/electron/engine/models/writeTinyModel.js"));
const { loadTrainerAddon, trainerBackendsDir, gpuBackendLibraries } = await import(join(root, "dist/electron/engine/train/TrainerAddon.js"));
const { getLlama } = await import("node-llama-cpp");

const work = mkdtempSync(join(tmpdir(), "polytune-bench-"));
try {
  const modelPath = join(work, "model.gguf");
  log(`bench: writing a ${layers}-layer model (embd ${shape.embd}, ff ${shape.ff}, vocab 32k, ${o.type})…`);
  await writeTinyModel({ out: modelPath, arch: "llama", vocab: "llama-spm", layers, embd: shape.embd, heads: shape.heads, headsKv: shape.headsKv, ff: shape.ff, contextLength: Math.max(512, ctx), seed: 1, type: o.type });

  // The same text for both: this repository's docs, tokenised with the model's tokenizer. Upstream cuts
  // it into ctx-token windows at a stride of ctx/2; we train on exactly those windows.
  const text = [join(root, "README.md"), ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join(root, "docs", f))]
    .map((f) => readFileSync(f, "utf8"))
    .join("\n\n")
    .repeat(3);
  const textFile = join(work, "text.txt");
  writeFileSync(textFile, text);
  const llama = await getLlama({ gpu: false });
  const vocab = await llama.loadModel({ modelPath, vocabOnly: true });
  const all = vocab.tokenize(text);
  await vocab.dispose();
  const windows = [];
  for (let at = 0; at + ctx <= all.length && windows.length < steps + 2; at += ctx / 2) windows.push(Int32Array.from(all.slice(at, at + ctx)));
  if (windows.length < steps + 2) throw new Error(`the text gives only ${windows.length} windows of ${ctx} tokens`);
  // Our micro-batches: `batch` consecutive windows (wrapping around) as one packed graph.
  const micro = windows.map((_, s) => {
    const parts = Array.from({ length: batch }, (_, k) => windows[(s * batch + k) % windows.length]);
    const tokens = new Int32Array(ctx * batch);
    parts.forEach((w, k) => tokens.set(w, k * ctx));
    return tokens;
  });

  // Ours: LoRA on all seven projections, loss on every token as upstream does, one window per step.
  log(`bench: our LoRA trainer (r ${rank}, all projections) on ${o.backend}, ${threads} threads…`);
  const addon = o.addon ? createRequire(import.meta.url)(resolve(o.addon)) : loadTrainerAddon();
  const trainer = await addon.openTrainer({
    modelPath, backendsDir: trainerBackendsDir(), backend: o.backend, backendLibs: gpuBackendLibraries(),
    targets: ["q", "k", "v", "o", "gate", "up", "down"], rank, alpha: rank, seed: 1, threads, keepBaseType: o["base-weights"] === "as-stored",
  });
  const info = trainer.info();
  const target = Uint8Array.from({ length: ctx * batch }, (_, i) => (i % ctx > 0 ? 1 : 0));
  const lengths = Int32Array.from({ length: batch }, () => ctx);
  const stepSeconds = [];
  let lossFirst = 0;
  let lossLast = 0;
  for (let s = 0; s < steps + 2; s++) {
    const t0 = performance.now();
    const r = await trainer.accumulate(micro[s], target, lengths);
    trainer.update({ lr: 1e-4 });
    const dt = (performance.now() - t0) / 1000;
    if (s >= 2) stepSeconds.push(dt); // two warm-up steps: graph allocation, shader compilation
    if (s === 0) lossFirst = r.lossSum / r.tokens;
    lossLast = r.lossSum / r.tokens;
  }
  const sorted = [...stepSeconds].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const ours = { tokensPerSecond: (ctx * batch * stepSeconds.length) / stepSeconds.reduce((a, b) => a + b, 0), medianTokensPerSecond: (ctx * batch) / median, lossFirst, lossLast };

  // The floor: FLOPs per token over the measured rate of an F32 product shaped like the FFN.
  const rate = await trainer.matmulRate(shape.embd, shape.ff, ctx * batch, 8);
  const memory = trainer.memory();
  log(`bench: base held in ${(memory.weights / 2 ** 20).toFixed(0)} MiB`);
  trainer.dispose();
  const kvDim = (shape.embd / shape.heads) * shape.headsKv;
  const linear = layers * (2 * shape.embd * shape.embd + 2 * shape.embd * kvDim + 3 * shape.embd * shape.ff) + shape.embd * shape.vocab;
  const attention = layers * 2 * ctx * shape.embd; // QK and AV per token, forward (averaged over the causal half: ×2×½)
  // Forward 2 FLOPs per weight; LoRA's backward needs only the activation gradients (2 more), full
  // fine-tuning also the weight gradients (2 more). Attention's backward costs about twice its forward.
  const floorOurs = rate / (4 * linear + 3 * 2 * attention);
  const floorFull = rate / (6 * linear + 3 * 2 * attention);

  let upstream = null;
  if (!o["skip-upstream"] && o.type === "f32") {
    log("bench: building upstream llama-finetune (once per release; a few minutes)…");
    const binary = await buildLlamaFinetune({ log });
    log("bench: upstream full fine-tuning on the same model and text…");
    // -b == -ub (one 256-token step at a time, like ours); upstream's accumulator bug does not change throughput.
    const r = await runLlamaFinetune({ binary, model: modelPath, textFile, ctx, threads, epochs: 1 });
    upstream = { tokensPerSecond: r.tokensPerSecond, medianTokensPerSecond: r.medianTokensPerSecond, steps: r.stepSeconds.length };
  }

  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}`,
    device: `${info.backend} (${info.device})`,
    shape: { layers, ...shape, ctx, batch, rank, type: o.type, baseWeights: o["base-weights"] },
    matmulGflops: rate / 1e9,
    ours,
    upstream,
    floor: { lora: floorOurs, full: floorFull },
    ratios: {
      oursVsUpstream: upstream ? ours.medianTokensPerSecond / upstream.medianTokensPerSecond : null,
      oursVsFloor: ours.medianTokensPerSecond / floorOurs,
      upstreamVsFloor: upstream ? upstream.medianTokensPerSecond / floorFull : null,
    },
    memoryBytes: memory,
  };
  if (o.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (/** @type {number} */ x) => x.toFixed(0).padStart(8);
    console.log(`\nTraining throughput, ${result.machine}, ${result.device}, ${layers} layers × embd ${shape.embd}, ${o.type} (held ${o["base-weights"]}), ctx ${ctx}, ${threads} threads`);
    console.log(`  F32 matrix product: ${result.matmulGflops.toFixed(1)} GFLOP/s\n`);
    console.log(`                                tokens/s (median)   floor   share of floor`);
    console.log(`  ours, LoRA r ${String(rank).padEnd(3)}${batch > 1 ? `× ${String(batch).padEnd(3)}` : "     "}        ${f(ours.medianTokensPerSecond)}        ${f(floorOurs)}   ${(100 * result.ratios.oursVsFloor).toFixed(0)}%`);
    if (upstream) console.log(`  upstream llama-finetune (full) ${f(upstream.medianTokensPerSecond)}        ${f(floorFull)}   ${(100 * result.ratios.upstreamVsFloor).toFixed(0)}%`);
    if (upstream) console.log(`\n  ours / upstream: ${result.ratios.oursVsUpstream.toFixed(2)}×`);
    console.log(`  our loss: ${lossFirst.toFixed(3)} → ${lossLast.toFixed(3)} over ${steps + 2} steps (LR 1e-4)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
