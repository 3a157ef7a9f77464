// Training throughput, side by side in one run on this machine: our LoRA trainer, our full-parameter
// trainer (ADR 0034), upstream llama.cpp's full fine-tuning (`llama-finetune`, built from the release
// node-llama-cpp ships), and the FLOP floor of each from the measured ggml F32 matrix-product rate.
// Prints the ratios; ours full / upstream compares the same work directly.
//
//   node bench/train.mjs [--layers 4] [--ctx 256] [--steps 12] [--threads N] [--backend cpu|vulkan|cuda|metal]
//                        [--method lora|full|both] [--rank 16] [--type f32|f16|q8_0] [--base-weights f32|as-stored]
//                        [--batch 1] [--skip-upstream] [--json] [--addon path/to/polytune_trainer.node]
//
// --addon measures another build of the trainer (say, one from before a change) in place of native/build's.
//
// Upstream trains F32 models only, so with --type f16/q8_0 it is skipped. Full training holds the
// weights in F32, so --base-weights as-stored measures LoRA only.
//
// Ours full and upstream: the same model, the same count of ctx-token windows of the same text (upstream
// gets just the text those windows span), ctx tokens per optimizer step (ours one window per step at
// --batch 1, upstream -b == -ub == ctx), loss on every token, AdamW, one process each. Where they still
// differ:
// - Upstream goes through ggml-opt's helper, whose gradient accumulators are never cleared at -b == -ub
//   (../shared/docs/TRAINER-NOTES.md, trap 3), so every step applies the sum of all gradients so far;
//   ours clears its own accumulators after each AdamW step. The work per step is the same; upstream's
//   loss is not meaningful.
// - Upstream does not train token_embd (a FIXME in llama_opt_init); ours does (its gradient is a
//   scatter-add, but AdamW runs over its vocab × embd weights every step).
// - Upstream is its own binary built with -march=native; ours runs node-llama-cpp's prebuilt CPU kernels.
// - Timing: ours skips two warm-up steps, upstream its first ubatch; both report the median step.
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
    method: { type: "string", default: "both" },
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
if (!["lora", "full", "both"].includes(String(o.method))) throw new Error(`--method must be lora, full or both, not ${o.method}`);
const asStored = o["base-weights"] === "as-stored";
if (o.method === "full" && asStored) throw new Error("full training holds the weights in F32: --base-weights as-stored measures --method lora only");
const runUpstream = !o["skip-upstream"] && o.type === "f32";
// llama.cpp pads a context to a multiple of 256 (llama_context's constructor): at --ctx 128 upstream
// would train 256-token windows in two 128-token ubatches, a different context from ours.
if (runUpstream && ctx % 256 !== 0) throw new Error(`upstream llama.cpp pads the context to a multiple of 256, so --ctx ${ctx} would not be the same context for both: use --ctx 256 (or 512, …) or --skip-upstream`);
const methods = /** @type {("lora" | "full")[]} */ (o.method === "both" ? (asStored ? ["lora"] : ["lora", "full"]) : [o.method]);
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
  const llama = await getLlama({ gpu: false });
  const vocab = await llama.loadModel({ modelPath, vocabOnly: true });
  const all = vocab.tokenize(text);
  const windows = [];
  for (let at = 0; at + ctx <= all.length && windows.length < steps + 2; at += ctx / 2) windows.push(Int32Array.from(all.slice(at, at + ctx)));
  if (windows.length < steps + 2) throw new Error(`the text gives only ${windows.length} windows of ${ctx} tokens`);
  // Upstream gets only the text our windows span, so it trains as many windows (steps + 2), not an epoch
  // over all the docs: it makes (tokens - ctx - 1) / stride windows of BOS + the text's tokens, and half a
  // stride of slack absorbs retokenization differences at the cut.
  const textFile = join(work, "text.txt");
  writeFileSync(textFile, vocab.detokenize(all.slice(0, (steps + 2) * (ctx / 2) + ctx + ctx / 4)));
  await vocab.dispose();
  // Our micro-batches: `batch` consecutive windows (wrapping around) as one packed graph.
  const micro = windows.map((_, s) => {
    const parts = Array.from({ length: batch }, (_, k) => windows[(s * batch + k) % windows.length]);
    const tokens = new Int32Array(ctx * batch);
    parts.forEach((w, k) => tokens.set(w, k * ctx));
    return tokens;
  });

  // Ours: LoRA on all seven projections, or every weight (full); loss on every token as upstream does,
  // `batch` windows per optimizer step.
  const addon = o.addon ? createRequire(import.meta.url)(resolve(o.addon)) : loadTrainerAddon();
  const target = Uint8Array.from({ length: ctx * batch }, (_, i) => (i % ctx > 0 ? 1 : 0));
  const lengths = Int32Array.from({ length: batch }, () => ctx);
  /** @type {number | undefined} */
  let rate;
  /** @param {"lora" | "full"} method */
  const trainOurs = async (method) => {
    const full = method === "full";
    log(`bench: our ${full ? "full-parameter" : `LoRA (r ${rank}, all projections)`} trainer on ${o.backend}, ${threads} threads…`);
    const trainer = await addon.openTrainer({
      modelPath, backendsDir: trainerBackendsDir(), backend: o.backend, backendLibs: gpuBackendLibraries(), method,
      targets: full ? [] : ["q", "k", "v", "o", "gate", "up", "down"], rank, alpha: rank, seed: 1, threads, keepBaseType: !full && asStored,
    });
    const info = trainer.info();
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
    // The floor's rate: an F32 product shaped like the FFN, measured once, by the first trainer opened.
    rate ??= await trainer.matmulRate(shape.embd, shape.ff, ctx * batch, 8);
    const memory = trainer.memory();
    log(`bench: ${method}: weights held in ${(memory.weights / 2 ** 20).toFixed(0)} MiB, optimizer ${(memory.optimizer / 2 ** 20).toFixed(0)} MiB`);
    trainer.dispose();
    return {
      tokensPerSecond: (ctx * batch * stepSeconds.length) / stepSeconds.reduce((a, b) => a + b, 0),
      medianTokensPerSecond: (ctx * batch) / median,
      lossFirst, lossLast, trainableParameters: info.trainableParameters, device: `${info.backend} (${info.device})`, memory,
    };
  };
  const ours = methods.includes("lora") ? await trainOurs("lora") : null;
  const oursFull = methods.includes("full") ? await trainOurs("full") : null;
  if (rate === undefined) throw new Error("unreachable: no trainer ran");

  // The floor: FLOPs per token over the measured rate.
  const kvDim = (shape.embd / shape.heads) * shape.headsKv;
  const linear = layers * (2 * shape.embd * shape.embd + 2 * shape.embd * kvDim + 3 * shape.embd * shape.ff) + shape.embd * shape.vocab;
  const attention = layers * 2 * ctx * shape.embd; // QK and AV per token, forward (averaged over the causal half: ×2×½)
  // Forward 2 FLOPs per weight; LoRA's backward needs only the activation gradients (2 more), full
  // fine-tuning also the weight gradients (2 more). Attention's backward costs about twice its forward.
  const floorOurs = rate / (4 * linear + 3 * 2 * attention);
  const floorFull = rate / (6 * linear + 3 * 2 * attention);

  let upstream = null;
  if (runUpstream) {
    log("bench: building upstream llama-finetune (once per release; a few minutes)…");
    const binary = await buildLlamaFinetune({ log });
    log("bench: upstream full fine-tuning on the same model and text…");
    // -b == -ub == ctx: one ctx-token window per AdamW step, like ours at --batch 1 (see the top comment).
    const r = await runLlamaFinetune({ binary, model: modelPath, textFile, ctx, threads, epochs: 1 });
    if (r.ubatchesPerEpoch !== steps + 2) log(`bench: upstream made ${r.ubatchesPerEpoch} windows of the text, ours ${steps + 2}`);
    upstream = { tokensPerSecond: r.tokensPerSecond, medianTokensPerSecond: r.medianTokensPerSecond, steps: r.stepSeconds.length, windows: r.ubatchesPerEpoch };
  }
  // Upstream takes ctx tokens per optimizer step; ours ctx × batch.
  if (upstream && batch > 1) log(`bench: --batch ${batch}: ours takes ${ctx * batch} tokens per optimizer step, upstream ${ctx}`);

  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}`,
    device: (ours ?? oursFull)?.device,
    shape: { layers, ...shape, ctx, batch, rank, type: o.type, baseWeights: o["base-weights"] },
    matmulGflops: rate / 1e9,
    ours, // LoRA
    oursFull,
    upstream,
    floor: { lora: floorOurs, full: floorFull },
    ratios: {
      oursVsUpstream: upstream && ours ? ours.medianTokensPerSecond / upstream.medianTokensPerSecond : null,
      oursVsFloor: ours ? ours.medianTokensPerSecond / floorOurs : null,
      fullVsUpstream: upstream && oursFull ? oursFull.medianTokensPerSecond / upstream.medianTokensPerSecond : null,
      fullVsFloor: oursFull ? oursFull.medianTokensPerSecond / floorFull : null,
      upstreamVsFloor: upstream ? upstream.medianTokensPerSecond / floorFull : null,
    },
  };
  if (o.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const f = (/** @type {number} */ x) => x.toFixed(0).padStart(8);
    console.log(`\nTraining throughput, ${result.machine}, ${result.device}, ${layers} layers × embd ${shape.embd}, ${o.type} (held ${o["base-weights"]}), ctx ${ctx}, ${threads} threads`);
    console.log(`  F32 matrix product: ${result.matmulGflops.toFixed(1)} GFLOP/s\n`);
    const share = (/** @type {number} */ x) => `${(100 * x).toFixed(0)}%`;
    const times = batch > 1 ? `× ${String(batch).padEnd(3)}` : "     ";
    console.log(`                                tokens/s (median)   floor   share of floor`);
    if (ours) console.log(`  ours, LoRA r ${String(rank).padEnd(3)}${times}          ${f(ours.medianTokensPerSecond)}        ${f(floorOurs)}   ${share(result.ratios.oursVsFloor)}`);
    if (oursFull) console.log(`  ours, full fine-tuning${times}    ${f(oursFull.medianTokensPerSecond)}        ${f(floorFull)}   ${share(result.ratios.fullVsFloor)}`);
    if (upstream) console.log(`  upstream llama-finetune (full) ${f(upstream.medianTokensPerSecond)}        ${f(floorFull)}   ${share(result.ratios.upstreamVsFloor)}`);
    if (upstream) console.log("");
    if (upstream && ours) console.log(`  ours LoRA / upstream: ${result.ratios.oursVsUpstream.toFixed(2)}×`);
    if (upstream && oursFull) console.log(`  ours full / upstream: ${result.ratios.fullVsUpstream.toFixed(2)}× (the same work: every weight, ${ctx} tokens per AdamW step)`);
    for (const [name, r] of /** @type {const} */ ([["LoRA", ours], ["full", oursFull]])) {
      if (r) console.log(`  our ${name} loss: ${r.lossFirst.toFixed(3)} → ${r.lossLast.toFixed(3)} over ${steps + 2} steps (LR 1e-4), ${(r.trainableParameters / 1e6).toFixed(1)}M trained`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
