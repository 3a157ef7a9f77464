// The shapes real llama-family files come in, beyond the plain tiny model: a head size of its own
// (Qwen3 0.6B and 4B, Mistral Nemo), Llama 3.1+ RoPE frequency factors, optional biases; and the
// variants the trainer cannot train yet, refused by name instead of trained wrong.
import { join } from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loraParameterCount } from "../../electron/engine/models/estimateMemory.js";
import { writeTinyModel, type TinyModelOptions } from "../../electron/engine/models/writeTinyModel.js";
import { loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import { tokensOf, worstLogProbDifference } from "../support/llamaReference.js";
import { hasSharedData, sharedTinyLlama } from "../support/sharedData.js";
import { makeTempDir } from "../support/tempDir.js";
import { setSameB, worstFiniteDifferenceError } from "../support/trainerGradients.js";

const tmp = makeTempDir();
let llama: Llama;

const open = (modelPath: string): Promise<NativeTrainer> =>
  loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["q", "k", "v", "o", "gate", "up", "down"], rank: 4, alpha: 8, seed: 7, threads: 2 });

// Factors on every rotated pair, high frequencies included, so that ignoring them shows in a short text.
const ropeFreqs = Array.from({ length: 12 }, (_, i) => 0.5 + (i % 4));

const variants: Array<[string, Omit<TinyModelOptions, "out">]> = [
  ["llama with 24-wide heads over a 64-wide model, Llama 3.1 RoPE factors and biases", { arch: "llama", vocab: "llama-spm", embd: 64, heads: 4, headsKv: 2, headDim: 24, ropeFreqs, biases: true }],
  ["qwen3 with heads wider than embd / heads, as Qwen3 0.6B", { arch: "qwen3", vocab: "qwen2", embd: 64, heads: 4, headsKv: 2, headDim: 32 }],
];

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(() => tmp.cleanup());

describe("llama-family variants", () => {
  it.each(variants)("%s: the same log-probabilities as llama.cpp, with and without an adapter", async (name, options) => {
    const path = join(tmp.dir, `${options.arch}-variant.gguf`);
    await writeTinyModel({ out: path, layers: 2, seed: 11, ...options });
    const trainer = await open(path);
    const model = await llama.loadModel({ modelPath: path });
    try {
      // The memory estimate counts the LoRA parameters the trainer makes.
      const shape = { embeddingSize: options.embd!, headCount: options.heads!, headCountKv: options.headsKv!, feedForwardLength: 2 * options.embd!, layers: 2 };
      expect(loraParameterCount(shape, 4, options.headDim)).toBe(trainer.info().trainableParameters);
      const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français, долгая фраза.");
      // Tolerance as for the plain models: 2e-5 on log-probability differences (measured about 1e-6).
      expect(await worstLogProbDifference(model, tokens, await trainer.logits(Int32Array.from(tokens)), trainer.info().vocabSize)).toBeLessThan(2e-5);
      setSameB([trainer], 0.3);
      const adapter = join(tmp.dir, `${options.arch}-variant-adapter.gguf`);
      await trainer.saveAdapter(adapter);
      const withAdapter = await trainer.logits(Int32Array.from(tokens));
      expect(await worstLogProbDifference(model, tokens, withAdapter, trainer.info().vocabSize, { adapter })).toBeLessThan(2e-5);
    } finally {
      trainer.dispose();
      await model.dispose();
    }
  });

  it("the RoPE factors matter: without them the trainer would not compute what llama.cpp does", async () => {
    const withFactors = join(tmp.dir, "factors.gguf");
    const without = join(tmp.dir, "no-factors.gguf");
    const shape = { arch: "llama", embd: 64, heads: 4, headsKv: 2, headDim: 24, layers: 2, seed: 11 } as const;
    await writeTinyModel({ out: withFactors, ...shape, ropeFreqs });
    await writeTinyModel({ out: without, ...shape });
    const trainer = await open(without);
    const model = await llama.loadModel({ modelPath: withFactors });
    try {
      const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français, долгая фраза.");
      expect(await worstLogProbDifference(model, tokens, await trainer.logits(Int32Array.from(tokens)), trainer.info().vocabSize)).toBeGreaterThan(1e-3);
    } finally {
      trainer.dispose();
      await model.dispose();
    }
  });

  it.each(variants)("%s: gradients match finite differences", async (name, options) => {
    const path = join(tmp.dir, `${options.arch}-fd.gguf`);
    await writeTinyModel({ out: path, ...options, layers: 1, seed: 5, std: 0.2 });
    const trainer = await open(path);
    try {
      setSameB([trainer], 0.3);
      const tokens = Int32Array.from([1, 1043, 3186, 2892, 920, 526, 366, 2973]);
      const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1]);
      // 8 entries a tensor, each within 1 % of its gradient (see worstFiniteDifferenceError).
      expect(await worstFiniteDifferenceError(trainer, tokens, target)).toBeLessThan(1e-2);
    } finally {
      trainer.dispose();
    }
  });

  it.skipIf(!hasSharedData).each([false, true])("a file from another converter (ollama's llama-2-tiny-random, F16; kept as stored: %s): llama.cpp's log-probabilities", async (keepBaseType) => {
    const trainer = await loadTrainerAddon().openTrainer({ modelPath: sharedTinyLlama, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["q", "k", "v", "o", "gate", "up", "down"], rank: 4, alpha: 8, keepBaseType, seed: 7, threads: 2 });
    const model = await llama.loadModel({ modelPath: sharedTinyLlama });
    try {
      const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français.");
      // F32 dequantization differs from llama.cpp's F16 products by their rounding; as stored, it is the same computation.
      const tolerance = keepBaseType ? 2e-5 : 1e-3;
      expect(await worstLogProbDifference(model, tokens, await trainer.logits(Int32Array.from(tokens)), trainer.info().vocabSize)).toBeLessThan(tolerance);
    } finally {
      trainer.dispose();
      await model.dispose();
    }
  });

  it("refuses what it cannot train yet, by name", async () => {
    const cases: Array<[Record<string, number | string>, RegExp]> = [
      [{ "llama.expert_count": 8 }, /mixture-of-experts models are not supported for training \(this one has 8 experts\)/],
      [{ "llama.rope.scaling.type": "yarn" }, /RoPE scaling 'yarn' is not supported for training/],
      [{ "llama.rope.dimension_count": 8 }, /rotary embeddings over 8 of 16 head dimensions are not supported/],
      [{ "llama.feed_forward_length": 40 }, /tensor 'blk\.0\.ffn_gate\.weight' is 16 × 32, but the model's metadata implies 16 × 40/],
    ];
    for (const [metadata, message] of cases) {
      const path = join(tmp.dir, `refused-${Object.keys(metadata)[0]}.gguf`);
      await writeTinyModel({ out: path, layers: 1, embd: 16, heads: 1, headsKv: 1, ff: 32, metadata });
      await expect(open(path)).rejects.toThrow(message);
    }
  });
});
