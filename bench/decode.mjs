// Greedy decoding throughput, side by side in one run on this machine, the same tokenized prompts
// through every path:
//   - Polytune's BatchedDecoder with 1 sequence and with N parallel sequences (default 8) in one context,
//     through node-llama-cpp's batching and through the native addon's loop (decision 0033) when built;
//   - node-llama-cpp's LlamaCompletion one prompt at a time, a fresh context each (GreedyRunner's way);
//   - llama-server, built from the llama.cpp release node-llama-cpp ships, with N slots, driven with 1
//     and with N requests in flight;
//   - greedyLoop (bench/greedyLoop.cpp), a plain C loop over the same libllama, with 1 and N sequences.
// Every figure is aggregate generated tokens / wall seconds of the whole batch of prompts, model
// loading left out. Checks that the outputs are token for token the same across paths. Needs
// `npm run build:ts` first; the first run builds llama-server (see bench/README.md).
//
//   node bench/decode.mjs [--prompts 16] [--max-tokens 64] [--parallel 8] [--threads 1]
//     [--repeat-penalty 1.1] [--repeat-last-n 64] [--model FILE]… [--skip-server] [--skip-upstream]
//     [--skip-completion] [--json]
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildUpstreamDecoders, completeConcurrently, runGreedyLoop, startLlamaServer } from "./upstreamLlamaServer.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: o } = parseArgs({
  options: {
    prompts: { type: "string", default: "16" },
    "max-tokens": { type: "string", default: "64" },
    parallel: { type: "string", default: "8" },
    threads: { type: "string", default: "1" },
    "repeat-penalty": { type: "string", default: "1.1" },
    "repeat-last-n": { type: "string", default: "64" },
    model: { type: "string", multiple: true },
    "skip-upstream": { type: "boolean", default: false },
    "skip-server": { type: "boolean", default: false },
    "skip-completion": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const promptCount = Number(o.prompts);
const maxTokens = Number(o["max-tokens"]);
const parallel = Number(o.parallel);
const threads = Number(o.threads);
const repeatPenalty = Number(o["repeat-penalty"]);
const repeatLastN = Number(o["repeat-last-n"]);
const contextSize = 256;
const log = (/** @type {string} */ line) => {
  if (!o.json) console.error(line);
};

const { writeTinyModel } = await import(join(root, "dist/electron/engine/models/writeTinyModel.js"));
const { BatchedDecoder } = await import(join(root, "dist/electron/engine/infer/BatchedDecoder.js"));
const { loadNativeDecoder } = await import(join(root, "dist/electron/engine/infer/NativeDecoder.js"));
const nativeBuilt = loadNativeDecoder() !== null;
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

/** @typedef {{ tokens: number, seconds: number, cpuSeconds: number | null, outputs?: number[][] }} Measured */
const rate = (/** @type {Measured | undefined} */ x) => (x ? x.tokens / x.seconds : null);
const cpuRate = (/** @type {Measured | undefined} */ x) => (x?.cpuSeconds ? x.tokens / x.cpuSeconds : null);
const ratio = (/** @type {number | null} */ a, /** @type {number | null} */ b) => (a !== null && b !== null ? a / b : null);
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** Prompts whose generated token ids are the same in both runs. */
const matching = (/** @type {number[][]} */ a, /** @type {number[][]} */ b) => a.filter((t, i) => t.join(",") === (b[i] ?? []).join(",")).length;

const work = mkdtempSync(join(tmpdir(), "polytune-bench-decode-"));
const results = [];
/** @type {{ stop: () => Promise<void> } | null} */
let server = null;
try {
  const upstream = o["skip-upstream"] ? null : await buildUpstreamDecoders({ server: !o["skip-server"], log });
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
    const name = modelPath.startsWith(work) ? "generated 4.2M" : modelPath;
    const model = await llama.loadModel({ modelPath });
    // The very tokens BatchedDecoder feeds (BOS included), so every path decodes the same input.
    const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
    const promptTokens = prompts.map((p) => {
      const t = promptTokensFor(model, p.prompt, "raw");
      return bos === null ? [...t] : [bos, ...t];
    });

    /** @type {Record<string, Measured>} */
    const m = {};
    if (!o["skip-completion"]) {
      // One prompt at a time through LlamaCompletion, a fresh context each, as GreedyRunner does.
      // Its penalty looks at the output only and spares newlines, so its outputs are not compared.
      const t = performance.now();
      const cpu = cpuNow();
      let tokens = 0;
      for (const p of prompts) {
        const context = await model.createContext({ contextSize, sequences: 1, threads });
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        await completion.generateCompletionWithMeta(promptTokensFor(model, p.prompt, "raw"), {
          maxTokens,
          temperature: 0,
          repeatPenalty: repeatPenalty > 1 ? { penalty: repeatPenalty } : false,
          onToken: (chunk) => (tokens += chunk.length),
        });
        await context.dispose();
      }
      m.completion = { tokens, seconds: (performance.now() - t) / 1000, cpuSeconds: cpuNow() - cpu };
    }

    const decoder = BatchedDecoder.forModel(model);
    const ours = async (/** @type {number} */ n, /** @type {"native" | "node-llama-cpp"} */ path = "node-llama-cpp") => {
      const started = performance.now();
      const cpu = cpuNow();
      /** @type {number[][]} */
      const outputs = new Array(prompts.length);
      const settings = { maxTokens, repeatPenalty, repeatLastN, contextSize, threads, parallel: n, decoder: path };
      for await (const r of decoder.decode(prompts, settings)) outputs[r.index] = [...r.tokens];
      return { outputs, tokens: outputs.reduce((s, t) => s + t.length, 0), seconds: (performance.now() - started) / 1000, cpuSeconds: cpuNow() - cpu };
    };
    m.ours1 = await ours(1);
    m.oursN = await ours(parallel);
    if (nativeBuilt) {
      m.native1 = await ours(1, "native");
      m.nativeN = await ours(parallel, "native");
    } else log("bench: the native addon is not built (`npm run build:native`); no native rows");
    await model.dispose();

    if (upstream) {
      const loop = (/** @type {number} */ n) =>
        runGreedyLoop({ binary: upstream.greedyLoop, model: modelPath, prompts: promptTokens, workDir: work, maxTokens, parallel: n, threads, contextSize, repeatPenalty, repeatLastN });
      m.loop1 = await loop(1);
      m.loopN = await loop(parallel);
    }
    if (upstream?.server) {
      const s = await startLlamaServer({ binary: upstream.server, model: modelPath, parallel, contextSize, threads });
      server = s;
      const ask = async (/** @type {number} */ n) => {
        const cpu = s.cpuSeconds();
        const r = await completeConcurrently({ url: s.url, prompts: promptTokens, parallel: n, maxTokens, repeatPenalty, repeatLastN });
        const after = s.cpuSeconds();
        return { ...r, cpuSeconds: cpu !== null && after !== null ? after - cpu : null };
      };
      await ask(1); // warm-up: first requests pay for lazy allocations in the server
      m.server1 = await ask(1);
      m.serverN = await ask(parallel);
      await s.stop();
      server = null;
    }

    const oursN = /** @type {number[][]} */ (m.oursN.outputs);
    const row = {
      model: name,
      prompts: promptCount,
      maxTokens,
      parallel,
      threads,
      repeatPenalty,
      tokensPerSecond: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, rate(v)])),
      // Generated tokens per CPU second of the process doing the work (all its threads): steadier
      // than wall time on a shared machine, where a process waits for a core most of the time.
      tokensPerCpuSecond: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, cpuRate(v)])),
      generatedTokens: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.tokens])),
      ratios: {
        oursNToServerN: ratio(rate(m.oursN), rate(m.serverN)),
        ours1ToLoop1: ratio(rate(m.ours1), rate(m.loop1)),
        oursNToLoopN: ratio(rate(m.oursN), rate(m.loopN)),
        oursNToOurs1: ratio(rate(m.oursN), rate(m.ours1)),
        serverNToServer1: ratio(rate(m.serverN), rate(m.server1)),
        nativeNToServerN: ratio(rate(m.nativeN), rate(m.serverN)),
        native1ToLoop1: ratio(rate(m.native1), rate(m.loop1)),
        nativeNToLoopN: ratio(rate(m.nativeN), rate(m.loopN)),
        nativeNToOursN: ratio(rate(m.nativeN), rate(m.oursN)),
        nativeNToNative1: ratio(rate(m.nativeN), rate(m.native1)),
      },
      cpuRatios: {
        oursNToServerN: ratio(cpuRate(m.oursN), cpuRate(m.serverN)),
        ours1ToLoop1: ratio(cpuRate(m.ours1), cpuRate(m.loop1)),
        oursNToLoopN: ratio(cpuRate(m.oursN), cpuRate(m.loopN)),
        nativeNToServerN: ratio(cpuRate(m.nativeN), cpuRate(m.serverN)),
        nativeNToLoopN: ratio(cpuRate(m.nativeN), cpuRate(m.loopN)),
      },
      // Prompts (of promptCount) whose generated token ids equal BatchedDecoder ×N's.
      sameOutputs: {
        ours1: matching(/** @type {number[][]} */ (m.ours1.outputs), oursN),
        ...(m.nativeN ? { native1: matching(/** @type {number[][]} */ (m.native1.outputs), oursN), nativeN: matching(/** @type {number[][]} */ (m.nativeN.outputs), oursN) } : {}),
        ...(m.serverN ? { server1: matching(/** @type {number[][]} */ (m.server1.outputs), oursN), serverN: matching(/** @type {number[][]} */ (m.serverN.outputs), oursN) } : {}),
        ...(m.loopN ? { loop1: matching(/** @type {number[][]} */ (m.loop1.outputs), oursN), loopN: matching(/** @type {number[][]} */ (m.loopN.outputs), oursN) } : {}),
      },
    };
    results.push(row);
    const f = (/** @type {number | null | undefined} */ x, d = 1) => (x == null ? "—" : x.toFixed(d));
    const tps = row.tokensPerSecond;
    const cps = row.tokensPerCpuSecond;
    const line = (/** @type {string} */ label, /** @type {string} */ one, /** @type {string | null} */ many, /** @type {string} */ same) =>
      log(`  ${label.padEnd(30)} ${f(tps[one]).padStart(8)} ${f(many && tps[many]).padStart(8)} ${f(cps[one]).padStart(10)} ${f(many && cps[many]).padStart(10)}   ${same}`);
    log(`\n${name} · ${promptCount} prompts × ≤${maxTokens} tokens · ${threads} threads · repeat penalty ${repeatPenalty} (last ${repeatLastN})`);
    log(`  ${"tokens/s (wall) · tokens/CPU-s".padEnd(30)} ${"×1".padStart(8)} ${`×${parallel}`.padStart(8)} ${"×1 CPU".padStart(10)} ${`×${parallel} CPU`.padStart(10)}   same outputs as Polytune ×${parallel}`);
    line("Polytune BatchedDecoder", "ours1", "oursN", `×1 ${row.sameOutputs.ours1}/${promptCount}`);
    if (m.nativeN) line("Polytune native loop", "native1", "nativeN", `×1 ${row.sameOutputs.native1}/${promptCount}, ×${parallel} ${row.sameOutputs.nativeN}/${promptCount}`);
    if (m.completion) line("LlamaCompletion (sequential)", "completion", null, "not compared (its penalty window differs)");
    if (m.serverN) line("llama-server", "server1", "serverN", `×1 ${row.sameOutputs.server1}/${promptCount}, ×${parallel} ${row.sameOutputs.serverN}/${promptCount}`);
    if (m.loopN) line("plain C loop (greedyLoop)", "loop1", "loopN", `×1 ${row.sameOutputs.loop1}/${promptCount}, ×${parallel} ${row.sameOutputs.loopN}/${promptCount}`);
    const r = row.ratios;
    const c = row.cpuRatios;
    log(`  Polytune ×${parallel} / llama-server ×${parallel}: ${f(r.oursNToServerN, 2)} wall, ${f(c.oursNToServerN, 2)} CPU`);
    log(`  Polytune ×1 / plain loop ×1: ${f(r.ours1ToLoop1, 2)} wall, ${f(c.ours1ToLoop1, 2)} CPU · Polytune ×${parallel} / plain loop ×${parallel}: ${f(r.oursNToLoopN, 2)} wall, ${f(c.oursNToLoopN, 2)} CPU`);
    log(`  Polytune ×${parallel} / ×1: ${f(r.oursNToOurs1, 2)} · llama-server ×${parallel} / ×1: ${f(r.serverNToServer1, 2)}`);
    if (m.nativeN) {
      log(`  native ×${parallel} / llama-server ×${parallel}: ${f(r.nativeNToServerN, 2)} wall, ${f(c.nativeNToServerN, 2)} CPU · native ×${parallel} / plain loop ×${parallel}: ${f(r.nativeNToLoopN, 2)} wall, ${f(c.nativeNToLoopN, 2)} CPU`);
      log(`  native ×1 / plain loop ×1: ${f(r.native1ToLoop1, 2)} · native ×${parallel} / node-llama-cpp batching ×${parallel}: ${f(r.nativeNToOursN, 2)} · native ×${parallel} / ×1: ${f(r.nativeNToNative1, 2)}`);
    }
  }
  if (o.json) console.log(JSON.stringify({ cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, results }, null, 2));
} finally {
  await server?.stop();
  await disposeLlamaRuntimes();
  rmSync(work, { recursive: true, force: true });
}
