// Greedy decoding throughput, side by side in one run on this machine: the same prompts through
//   - a plain sequential loop through node-llama-cpp (one LlamaCompletion per prompt, as GreedyRunner
//     decodes today),
//   - BatchedDecoder with 1 sequence (the same loop as ours, one prompt at a time),
//   - BatchedDecoder with N parallel sequences (default 8) in one context.
// Prints aggregate generated tokens/s for each and the ratios, and checks that the batched outputs are
// token-for-token those of the 1-sequence run. Needs `npm run build:ts` first.
//
//   node bench/decode.mjs [--prompts 16] [--max-tokens 64] [--parallel 8] [--threads N] [--model FILE] [--json]
//
// Models: a generated one (4.2M parameters, the size of the issue's figure) and, when present,
// ../shared/data/gguf_tiny/llama-2-tiny-random.gguf. Not done: llama-server at the same parallelism.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: o } = parseArgs({
  options: {
    prompts: { type: "string", default: "16" },
    "max-tokens": { type: "string", default: "64" },
    parallel: { type: "string", default: "8" },
    threads: { type: "string", default: String(availableParallelism()) },
    model: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
  },
});
const promptCount = Number(o.prompts);
const maxTokens = Number(o["max-tokens"]);
const parallel = Number(o.parallel);
const log = (/** @type {string} */ line) => {
  if (!o.json) console.error(line);
};

const { writeTinyModel } = await import(join(root, "dist/electron/engine/models/writeTinyModel.js"));
const { BatchedDecoder } = await import(join(root, "dist/electron/engine/infer/BatchedDecoder.js"));
const { promptTokensFor } = await import(join(root, "dist/electron/engine/infer/GreedyRunner.js"));
const { getLlamaRuntime, disposeLlamaRuntimes } = await import(join(root, "dist/electron/engine/llamacpp/llamaRuntime.js"));
const { LlamaCompletion } = await import("node-llama-cpp");

const seeds = [
  "Give me three tips for staying healthy.",
  "The capital of France is",
  "Translate into Portuguese: the house is small but the garden is large.",
  "Once upon a time, in a village at the edge of a great forest, there lived",
  "Q: What is 2 + 2?\nA:",
  "Résumez ce texte en une phrase : le chat dort sur le canapé.",
  "Объясните, почему небо голубое.",
  "List the planets of the solar system in order from the sun.",
];
const prompts = Array.from({ length: promptCount }, (_, i) => ({ id: `p${i}`, prompt: `${seeds[i % seeds.length]}${i >= seeds.length ? ` (${i})` : ""}` }));

const work = mkdtempSync(join(tmpdir(), "polytune-bench-decode-"));
const results = [];
try {
  const models = o.model ?? [];
  if (models.length === 0) {
    const generated = join(work, "tiny.gguf");
    // 4.2M parameters, the size of the model in the issue's per-token figure.
    const info = await writeTinyModel({ out: generated, layers: 2, embd: 64, heads: 4, headsKv: 2, ff: 128, seed: 1 });
    log(`bench: generated model with ${info.parameters} parameters`);
    models.push(generated);
    const shared = resolve(root, "../shared/data/gguf_tiny/llama-2-tiny-random.gguf");
    if (existsSync(shared)) models.push(shared);
  }
  const llama = await getLlamaRuntime("cpu");
  for (const modelPath of models) {
    const model = await llama.loadModel({ modelPath });
    const settings = { maxTokens, repeatPenalty: 1.1, contextSize: 256, threads: Number(o.threads) };

    // Baseline: one prompt at a time through LlamaCompletion, a fresh context each, as GreedyRunner does.
    let t = performance.now();
    let baselineTokens = 0;
    for (const p of prompts) {
      const context = await model.createContext({ contextSize: 256, sequences: 1, threads: Number(o.threads) });
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      await completion.generateCompletionWithMeta(promptTokensFor(model, p.prompt, "raw"), {
        maxTokens,
        temperature: 0,
        repeatPenalty: { penalty: 1.1 },
        onToken: (chunk) => (baselineTokens += chunk.length),
      });
      await context.dispose();
    }
    const baseline = { tokens: baselineTokens, seconds: (performance.now() - t) / 1000 };

    const decoder = BatchedDecoder.forModel(model);
    const run = async (/** @type {number} */ n) => {
      const started = performance.now();
      const out = [];
      for await (const r of decoder.decode(prompts, { ...settings, parallel: n })) out.push(r);
      out.sort((a, b) => a.index - b.index);
      return { out, tokens: out.reduce((s, r) => s + r.tokens.length, 0), seconds: (performance.now() - started) / 1000 };
    };
    const one = await run(1);
    const many = await run(parallel);
    const identical = one.out.every((r, i) => r.tokens.join(",") === many.out[i].tokens.join(","));
    await model.dispose();
    const rate = (/** @type {{tokens:number, seconds:number}} */ x) => x.tokens / x.seconds;
    const row = {
      model: modelPath.startsWith(work) ? "generated 4.2M" : modelPath,
      prompts: promptCount,
      maxTokens,
      baselineTokensPerSecond: rate(baseline),
      batched1TokensPerSecond: rate(one),
      [`batched${parallel}TokensPerSecond`]: rate(many),
      ratioParallelToBaseline: rate(many) / rate(baseline),
      ratioParallelTo1: rate(many) / rate(one),
      identicalOutputs: identical,
    };
    results.push(row);
    log(
      `${row.model}: sequential LlamaCompletion ${rate(baseline).toFixed(1)} tok/s · BatchedDecoder ×1 ${rate(one).toFixed(1)} tok/s · ×${parallel} ${rate(many).toFixed(1)} tok/s` +
        ` → ×${parallel}/sequential ${row.ratioParallelToBaseline.toFixed(2)}, ×${parallel}/×1 ${row.ratioParallelTo1.toFixed(2)}; outputs identical: ${identical}`,
    );
  }
  if (o.json) console.log(JSON.stringify(results, null, 2));
} finally {
  await disposeLlamaRuntimes();
  rmSync(work, { recursive: true, force: true });
}
