// LoRA dropout (ADR 0011): masks on each adapter's input in training only, drawn from the seed and the
// (step, micro-batch) key, so gradients are exact for the masks drawn and a resumed run draws the same.
import { join } from "node:path";
import { getLlama } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import { packBatch } from "../../electron/engine/train/openTrainerSession.js";
import { alpacaExamples, greedyAnswer } from "../support/llamaReference.js";
import { makeTempDir } from "../support/tempDir.js";
import { setSameB, worstFiniteDifferenceError } from "../support/trainerGradients.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const targets = ["q", "k", "v", "o", "gate", "up", "down"];
const open = (modelPath: string, dropout: number, rank = 4, alpha = 8): Promise<NativeTrainer> =>
  loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", targets, rank, alpha, dropout, seed: 7, threads: 2 });

const tokens = Int32Array.from([1, 450, 7483, 310, 3444, 338, 3681, 29889]);
const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1]);

describe("LoRA dropout", () => {
  it("applies only in training, the same masks for the same key, and its gradients are exact", async () => {
    const path = join(tmp.dir, "dropout.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 5, std: 0.2 });
    const plain = await open(path, 0);
    const dropped = await open(path, 0.3);
    try {
      expect(dropped.info().dropout).toBeCloseTo(0.3, 6);
      setSameB([plain, dropped], 0.3);
      const reference = (await plain.evalLoss(tokens, target)).lossSum;
      // Evaluation (no key) is the full model; a key without dropout changes nothing.
      expect((await dropped.evalLoss(tokens, target)).lossSum).toBe(reference);
      expect((await plain.evalLoss(tokens, target, undefined, 5)).lossSum).toBe(reference);
      const five = (await dropped.evalLoss(tokens, target, undefined, 5)).lossSum;
      expect(five).not.toBeCloseTo(reference, 4);
      expect((await dropped.evalLoss(tokens, target, undefined, 5)).lossSum).toBe(five);
      expect((await dropped.evalLoss(tokens, target, undefined, 6)).lossSum).not.toBe(five);
      // Measured: 1e-3 (see worstFiniteDifferenceError).
      expect(await worstFiniteDifferenceError(dropped, tokens, target, 5)).toBeLessThan(1e-2);
    } finally {
      plain.dispose();
      dropped.dispose();
    }
    await expect(open(path, 1)).rejects.toThrow(/dropout must be at least 0 and below 1/);
  });

  it("drops about p of each adapter's inputs", async () => {
    // A's gradient is (Bᵀ·dy)·(x ⊙ mask)ᵀ: with one position reaching the loss, each dropped input
    // zeroes its column of A's gradient (in both rank rows), and only a dropped one does.
    const path = join(tmp.dir, "rate.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 64, heads: 4, headsKv: 2, seed: 3, std: 0.2 });
    const p = 0.25;
    const trainer = await loadTrainerAddon().openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["down"], rank: 2, alpha: 2, dropout: p, seed: 9, threads: 2 });
    try {
      setSameB([trainer], 0.3);
      // Two tokens, the second supervised: only the first position's input reaches A's gradient.
      const two = Int32Array.from([1, 450]);
      const supervised = Uint8Array.from([0, 1]);
      const name = trainer.paramNames().find((n) => n.endsWith("ffn_down.weight.lora_a"))!;
      let zero = 0;
      let total = 0;
      for (let key = 0; key < 40; key++) {
        const g = (await trainer.gradients(two, supervised, undefined, key)).grads[name]!;
        const nIn = g.length / 2;
        for (let i = 0; i < nIn; i++) {
          total++;
          if (g[i] === 0 && g[nIn + i] === 0) zero++;
        }
      }
      // 40 draws × 128 inputs: the dropped share is p within a few standard errors (about 0.01).
      expect(zero / total).toBeGreaterThan(p - 0.04);
      expect(zero / total).toBeLessThan(p + 0.04);
    } finally {
      trainer.dispose();
    }
  });

  it("a run resumed from a checkpoint draws the same masks as one that was never stopped", async () => {
    const path = join(tmp.dir, "resume.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 8 });
    const run = async (trainer: NativeTrainer, steps: number): Promise<number[]> => {
      const losses: number[] = [];
      for (let i = 0; i < steps; i++) {
        // Two micro-batches per step: each draws its own masks.
        losses.push((await trainer.accumulate(tokens, target)).lossSum, (await trainer.accumulate(tokens, target)).lossSum);
        trainer.update({ lr: 5e-3 });
      }
      return losses;
    };
    const straight = await open(path, 0.2);
    const all = await run(straight, 6);
    straight.dispose();
    const a = await open(path, 0.2);
    const head = await run(a, 3);
    const checkpoint = join(tmp.dir, "dropout-step-3.gguf");
    await a.saveCheckpoint(checkpoint);
    a.dispose();
    const b = await open(path, 0.2);
    await b.loadCheckpoint(checkpoint);
    const tail = await run(b, 3);
    b.dispose();
    expect([...head, ...tail]).toEqual(all);
    // The masks change from micro-batch to micro-batch: the same tokens, other losses (from step 2 on,
    // when B is no longer zero and the adapter contributes).
    expect(all[4]).not.toBe(all[5]);
  });

  it("still learns, and the adapter reproduces the trained answers in llama.cpp", async () => {
    const path = join(tmp.dir, "learn.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21 });
    const llama = await getLlama({ gpu: false });
    const model = await llama.loadModel({ modelPath: path });
    const pairs = [
      ["Say hello.", "Hallo Welt"],
      ["Count to three.", "Eins, zwei, drei."],
    ] as const;
    const packed = packBatch(alpacaExamples(model, pairs));
    const trainer = await open(path, 0.1, 16, 32);
    const adapter = join(tmp.dir, "dropout-adapter.gguf");
    try {
      for (let step = 0; step < 150; step++) {
        await trainer.accumulate(packed.tokens, packed.target, packed.lengths);
        trainer.update({ lr: 1e-2 });
      }
      await trainer.saveAdapter(adapter);
      const { lossSum, tokens: n } = await trainer.evalLoss(packed.tokens, packed.target, packed.lengths);
      expect(lossSum / n).toBeLessThan(0.2);
    } finally {
      trainer.dispose();
    }
    for (const [q, a] of pairs) expect(await greedyAnswer(model, q, adapter)).toBe(a);
    await model.dispose();
  });
});
