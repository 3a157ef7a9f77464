// The optimizer's claims, checked against AdamW worked out here from the trainer's own gradients:
// decoupled weight decay, the mean gradient per supervised token, global-norm clipping, and gradient
// accumulation over micro-batches equal to one micro-batch of them all.
//
// At the first step AdamW's bias-corrected moments are the gradient itself, so the update of each entry
// is lr·ĝ/(|ĝ| + eps) with ĝ the clipped mean gradient. With eps near the typical |ĝ|, that update
// depends on ĝ's scale, not only its sign: a wrong mean, clip factor or sum shows.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import type { EncodedExample } from "../../electron/engine/train/encodeExample.js";
import { packBatch } from "../../electron/engine/train/openTrainerSession.js";
import { makeTempDir } from "../support/tempDir.js";
import { setSameB } from "../support/trainerGradients.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

type Params = Record<string, Float32Array>;

const example = (tokens: number[], promptLength: number): EncodedExample => ({
  tokens: tokens as EncodedExample["tokens"],
  target: Uint8Array.from(tokens, (_, i) => (i >= promptLength ? 1 : 0)),
  promptLength,
});
// 5, 2 and 4 supervised tokens: a mean of per-micro-batch means would differ from the mean per token.
const examples = [example([1, 450, 7483, 310, 3444, 338, 3681, 29889], 3), example([1, 15043, 3186, 29892], 2), example([1, 920, 526, 366, 29973], 1)];

let modelPath = "";
const open = async (): Promise<NativeTrainer> => {
  if (!modelPath) {
    modelPath = join(tmp.dir, "optimizer.gguf");
    await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 5, std: 0.2 });
  }
  const trainer = await loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["q", "k", "v", "o", "gate", "up", "down"], rank: 2, alpha: 2, seed: 7, threads: 2 });
  // B starts at zero (so A's gradient is zero); give it values so every parameter gets a gradient.
  setSameB([trainer], 0.3);
  return trainer;
};

const snapshot = (t: NativeTrainer): Params => Object.fromEntries(t.paramNames().map((n) => [n, t.getParam(n)]));

interface FirstStep {
  lr: number;
  eps: number;
  weightDecay: number;
  /** Factor the mean gradient is scaled by (global-norm clipping). */
  clip: number;
  /** Divide the summed gradient by this (the supervised tokens of the step). */
  tokens: number;
  /** Deliberately wrong variants, to show the comparison would catch them. */
  l2Decay?: boolean;
  noBiasCorrection?: boolean;
}

/** The parameters after AdamW's first step from p0 with the summed gradients `grads`, in double precision. */
function firstStep(p0: Params, grads: Record<string, Float32Array>, s: FirstStep): Record<string, Float64Array> {
  const [beta1, beta2] = [0.9, 0.999];
  return Object.fromEntries(
    Object.entries(p0).map(([name, p]) => {
      const g = grads[name]!;
      return [
        name,
        Float64Array.from(p, (w, i) => {
          let gi = (g[i]! / s.tokens) * s.clip;
          if (s.l2Decay) gi += s.weightDecay * w;
          // Bias-corrected first and second moments at step 1: g and g² (uncorrected: (1 − β)·g and (1 − β₂)·g²).
          const m = s.noBiasCorrection ? (1 - beta1) * gi : gi;
          const v = s.noBiasCorrection ? (1 - beta2) * gi * gi : gi * gi;
          return w * (s.l2Decay ? 1 : 1 - s.lr * s.weightDecay) - (s.lr * m) / (Math.sqrt(v) + s.eps);
        }),
      ];
    }),
  );
}

/** The largest difference between two parameter sets, in units of the learning rate (the most one step moves an entry). */
function worstDifference(a: Record<string, ArrayLike<number>>, b: Record<string, ArrayLike<number>>, lr: number): number {
  let worst = 0;
  for (const [name, x] of Object.entries(a)) {
    const y = b[name]!;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / lr);
  }
  return worst;
}

const median = (values: number[]): number => values.sort((x, y) => x - y)[values.length >> 1]!;
const allAbs = (grads: Record<string, Float32Array>, scale: number): number[] => Object.values(grads).flatMap((g) => Array.from(g, (x) => Math.abs(x) * scale));

// In units of lr: F32 on the device against doubles here, parameters near 0.3 rounding at 3e-8 with
// lr = 1e-2 (measured: 2e-6 after one step, 6e-6 after three accumulated ones). The wrong variants
// checked against it land 0.03 (no decay) to 1.7 away.
const tolerance = 2e-5;

describe("AdamW", () => {
  it("one step: the mean gradient per supervised token, bias-corrected moments and decoupled weight decay", async () => {
    const trainer = await open();
    try {
      const batch = packBatch(examples);
      const { grads, tokens } = await trainer.gradients(batch.tokens, batch.target, batch.lengths);
      expect(tokens).toBe(11);
      const p0 = snapshot(trainer);
      const s: FirstStep = { lr: 1e-2, eps: median(allAbs(grads, 1 / tokens)), weightDecay: 0.1, clip: 1, tokens };
      await trainer.accumulate(batch.tokens, batch.target, batch.lengths);
      expect(trainer.update({ lr: s.lr, eps: s.eps, weightDecay: s.weightDecay, gradClip: 0 })).toBe(1);
      const p1 = snapshot(trainer);
      expect(worstDifference(p1, firstStep(p0, grads, s), s.lr)).toBeLessThan(tolerance);
      // What this comparison tells apart: the summed gradient, L2 regularisation in the gradient
      // instead of decoupled decay, no decay, no bias correction.
      for (const wrong of [{ tokens: 1 }, { l2Decay: true }, { weightDecay: 0 }, { noBiasCorrection: true }]) {
        expect(worstDifference(p1, firstStep(p0, grads, { ...s, ...wrong }), s.lr), JSON.stringify(wrong)).toBeGreaterThan(50 * tolerance);
      }
    } finally {
      trainer.dispose();
    }
  });

  it("weight decay is decoupled: a parameter without gradient only shrinks by lr · decay", async () => {
    const trainer = await open();
    try {
      // With every B zero, A's gradient (Bᵀ·dy·xᵀ) is exactly zero: only the decay moves A.
      for (const name of trainer.paramNames().filter((n) => n.endsWith(".lora_b"))) trainer.setParam(name, new Float32Array(trainer.getParam(name).length));
      const a = trainer.paramNames().filter((n) => n.endsWith(".lora_a"));
      const before = a.map((n) => trainer.getParam(n));
      const batch = packBatch(examples);
      await trainer.accumulate(batch.tokens, batch.target, batch.lengths);
      trainer.update({ lr: 1e-2, weightDecay: 0.5, gradClip: 0 });
      a.forEach((name, k) => {
        const after = trainer.getParam(name);
        // Coupled (L2) decay would move each entry by about lr (Adam normalises the decay term too).
        after.forEach((x, i) => expect(Math.abs(x - before[k]![i]! * (1 - 1e-2 * 0.5))).toBeLessThanOrEqual(1e-7 * Math.abs(before[k]![i]!) + 1e-12));
      });
      // Without decay, A stays exactly where it was.
      for (const name of trainer.paramNames().filter((n) => n.endsWith(".lora_b"))) trainer.setParam(name, new Float32Array(trainer.getParam(name).length));
      const held = a.map((n) => trainer.getParam(n));
      await trainer.accumulate(batch.tokens, batch.target, batch.lengths);
      trainer.update({ lr: 1e-2, weightDecay: 0, gradClip: 0 });
      a.forEach((name, k) => expect(trainer.getParam(name)).toEqual(held[k]));
    } finally {
      trainer.dispose();
    }
  });

  it("clips the mean gradient to the given global norm, and leaves one below it alone", async () => {
    const batch = packBatch(examples);
    for (const ratio of [0.25, 2]) {
      const trainer = await open();
      try {
        const { grads, tokens } = await trainer.gradients(batch.tokens, batch.target, batch.lengths);
        const norm = Math.sqrt(allAbs(grads, 1 / tokens).reduce((s, x) => s + x * x, 0));
        const gradClip = ratio * norm;
        const clip = Math.min(1, gradClip / norm);
        const s: FirstStep = { lr: 1e-2, eps: median(allAbs(grads, clip / tokens)), weightDecay: 0, clip, tokens };
        const p0 = snapshot(trainer);
        await trainer.accumulate(batch.tokens, batch.target, batch.lengths);
        trainer.update({ lr: s.lr, eps: s.eps, weightDecay: 0, gradClip });
        const p1 = snapshot(trainer);
        expect(worstDifference(p1, firstStep(p0, grads, s), s.lr), `clip at ${ratio} × the norm`).toBeLessThan(tolerance);
        if (ratio < 1) {
          // Not clipped, clipped per tensor, or the summed gradient's norm clipped: each a different step.
          const perTensor = Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, Float32Array.from(g, (x) => x * Math.min(1, gradClip / (Math.sqrt(g.reduce((a, y) => a + y * y, 0)) / tokens)))]));
          const wrongs = [firstStep(p0, grads, { ...s, clip: 1 }), firstStep(p0, perTensor, { ...s, clip: 1 }), firstStep(p0, grads, { ...s, clip: gradClip / (norm * tokens) })];
          for (const wrong of wrongs) expect(worstDifference(p1, wrong, s.lr)).toBeGreaterThan(50 * tolerance);
        }
      } finally {
        trainer.dispose();
      }
    }
  });

  it("accumulating k micro-batches of one example takes the same steps as one micro-batch of the k", async () => {
    const [accumulated, together] = [await open(), await open()];
    try {
      const batch = packBatch(examples);
      const { grads, tokens } = await together.gradients(batch.tokens, batch.target, batch.lengths);
      const options = { lr: 1e-2, eps: median(allAbs(grads, 1 / tokens)), weightDecay: 0.1, gradClip: 0 };
      const p0 = snapshot(together);
      // The mean of per-micro-batch means weighs each example's tokens differently: a step apart.
      const perExample: Array<{ grads: Record<string, Float32Array>; tokens: number }> = [];
      for (const e of examples) perExample.push(await accumulated.gradients(Int32Array.from(e.tokens), e.target));
      const meanOfMeans = Object.fromEntries(Object.keys(grads).map((n) => [n, Float32Array.from(grads[n]!, (_, i) => (perExample.reduce((s, r) => s + r.grads[n]![i]! / r.tokens, 0) / examples.length) * tokens)]));
      const lastOnly = Object.fromEntries(Object.keys(grads).map((n) => [n, Float32Array.from(perExample.at(-1)!.grads[n]!, (x) => (x * tokens) / perExample.at(-1)!.tokens)]));
      for (let step = 1; step <= 3; step++) {
        for (const e of examples) await accumulated.accumulate(Int32Array.from(e.tokens), e.target);
        await together.accumulate(batch.tokens, batch.target, batch.lengths);
        expect(accumulated.update(options)).toBe(step);
        expect(together.update(options)).toBe(step);
        // Sums in another order: F32 rounding only.
        expect(worstDifference(snapshot(accumulated), snapshot(together), options.lr), `step ${step}`).toBeLessThan(tolerance);
        if (step === 1) {
          const s: FirstStep = { lr: options.lr, eps: options.eps, weightDecay: options.weightDecay, clip: 1, tokens };
          for (const wrong of [meanOfMeans, lastOnly]) expect(worstDifference(snapshot(accumulated), firstStep(p0, wrong, s), options.lr)).toBeGreaterThan(50 * tolerance);
        }
      }
    } finally {
      accumulated.dispose();
      together.dispose();
    }
  });
});
