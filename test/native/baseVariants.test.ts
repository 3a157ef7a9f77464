// Bases the trainer claims beyond the plain F32/F16/Q8_0 llama files: BF16 weights (kept as stored, or
// dequantized to F32) and models labelled with the mistral architecture (the llama graph).
import { join } from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import { packBatch } from "../../electron/engine/train/openTrainerSession.js";
import { alpacaExamples, tokensOf, worstLogProbDifference } from "../support/llamaReference.js";
import { makeTempDir } from "../support/tempDir.js";
import { setSameB, worstRelativeDifference, zeroB } from "../support/trainerGradients.js";

const tmp = makeTempDir();
const targets = ["q", "k", "v", "o", "gate", "up", "down"];
let llama: Llama;

const open = (modelPath: string, keepBaseType = false, rank = 4, alpha = 8): Promise<NativeTrainer> =>
  loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", targets, rank, alpha, keepBaseType, seed: 7, threads: 2 });

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(() => tmp.cleanup());

describe("BF16 and mistral bases", () => {
  it("a BF16 base kept as stored computes llama.cpp's log-probabilities, in less memory, with the gradients of its F32 dequantization, and trains", async () => {
    const path = join(tmp.dir, "bf16.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21, type: "bf16" });
    const [kept, full] = [await open(path, true, 16, 32), await open(path, false, 16, 32)];
    const model = await llama.loadModel({ modelPath: path });
    const adapter = join(tmp.dir, "bf16-adapter.gguf");
    try {
      expect(kept.info().keepBaseType).toBe(true);
      // Two bytes a weight plus a transposed copy (none for the untied embeddings), against four.
      expect(kept.info().baseBytes).toBeLessThan(0.8 * full.info().baseBytes);
      const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français.");
      // As stored, the same BF16 products as llama.cpp (measured 9e-8); dequantized to F32, the
      // activations are no longer rounded to BF16 and differ by that rounding (measured 1.3e-2).
      expect(await worstLogProbDifference(model, tokens, await kept.logits(Int32Array.from(tokens)), kept.info().vocabSize)).toBeLessThan(2e-5);
      expect(await worstLogProbDifference(model, tokens, await full.logits(Int32Array.from(tokens)), full.info().vocabSize)).toBeLessThan(3e-2);
      setSameB([kept, full], 0.05);
      const packed = packBatch(alpacaExamples(model, [["Say hello.", "Hallo Welt"], ["Count to three.", "Eins, zwei, drei."]]));
      const [g, f] = [await kept.gradients(packed.tokens, packed.target, packed.lengths), await full.gradients(packed.tokens, packed.target, packed.lengths)];
      // BF16 products round the activations to 8 mantissa bits (measured 4e-3 of each tensor's largest gradient).
      expect(worstRelativeDifference(g.grads, f.grads)).toBeLessThan(1e-2);
      // And it trains: ten steps from the base model (B = 0) lower the loss on what it is taught.
      zeroB(kept);
      const losses: number[] = [];
      for (let step = 0; step < 10; step++) {
        const r = await kept.accumulate(packed.tokens, packed.target, packed.lengths);
        kept.update({ lr: 1e-2 });
        losses.push(r.lossSum / r.tokens);
      }
      expect(losses.at(-1)!).toBeLessThan(0.8 * losses[0]!);
      await kept.saveAdapter(adapter);
      // llama.cpp loads the adapter trained on the BF16 base and computes what the trainer does.
      expect(await worstLogProbDifference(model, tokens, await kept.logits(Int32Array.from(tokens)), kept.info().vocabSize, { adapter })).toBeLessThan(2e-5);
    } finally {
      kept.dispose();
      full.dispose();
      await model.dispose();
    }
  }, 300_000);

  it("a mistral-labelled model trains as the llama graph: llama.cpp's log-probabilities and the same gradients", async () => {
    // llama.cpp itself reads Mistral models as llama; the trainer also takes files labelled mistral.
    const shape = { layers: 2, embd: 64, heads: 8, headsKv: 2, seed: 11, std: 0.2 } as const;
    const [asMistral, asLlama] = [join(tmp.dir, "mistral.gguf"), join(tmp.dir, "mistral-as-llama.gguf")];
    await writeTinyModel({ out: asMistral, arch: "mistral", ...shape });
    await writeTinyModel({ out: asLlama, arch: "llama", ...shape });
    const [mistral, plain] = [await open(asMistral), await open(asLlama)];
    const model = await llama.loadModel({ modelPath: asLlama });
    try {
      expect(mistral.info()).toMatchObject({ architecture: "mistral", heads: 8, headsKv: 2 });
      const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français.");
      expect(await worstLogProbDifference(model, tokens, await mistral.logits(Int32Array.from(tokens)), mistral.info().vocabSize)).toBeLessThan(2e-5);
      setSameB([mistral, plain], 0.3);
      const t = Int32Array.from(tokens);
      const target = Uint8Array.from(tokens, (_, i) => (i >= 4 ? 1 : 0));
      const [m, p] = [await mistral.gradients(t, target), await plain.gradients(t, target)];
      expect(m.lossSum).toBe(p.lossSum);
      expect(worstRelativeDifference(m.grads, p.grads)).toBe(0);
    } finally {
      mistral.dispose();
      plain.dispose();
      await model.dispose();
    }
  });
});
