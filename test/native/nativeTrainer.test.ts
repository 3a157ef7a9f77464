import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel, type TinyArch } from "../../electron/engine/models/writeTinyModel.js";
import { loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import type { EncodedExample } from "../../electron/engine/train/encodeExample.js";
import { packBatch } from "../../electron/engine/train/openTrainerSession.js";
import { alpacaExamples, greedyAnswer, logSoftmax, tokensOf, worstLogProbDifference } from "../support/llamaReference.js";
import { makeTempDir } from "../support/tempDir.js";
import { setSameB, worstFiniteDifferenceError, worstRelativeDifference, zeroB } from "../support/trainerGradients.js";

const tmp = makeTempDir();
const allTargets = ["q", "k", "v", "o", "gate", "up", "down"];
let llama: Llama;

const open = (modelPath: string, rank = 4, alpha = 8, targets = allTargets, rslora = false, keepBaseType = false): Promise<NativeTrainer> =>
  loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", targets, rank, alpha, rslora, keepBaseType, seed: 7, threads: 2 });

/** Gives every LoRA B values, so every path carries gradient and the adapter changes the model. */
const perturbB = (trainer: NativeTrainer, amplitude = 0.3): void => setSameB([trainer], amplitude);

const example = (tokens: number[], promptLength: number): EncodedExample => ({
  tokens: tokens as EncodedExample["tokens"],
  target: Uint8Array.from(tokens, (_, i) => (i >= promptLength ? 1 : 0)),
  promptLength,
});

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(() => tmp.cleanup());

describe("native LoRA trainer", () => {
  it.each<[TinyArch, "llama-spm" | "qwen2"]>([["llama", "llama-spm"], ["qwen2", "qwen2"], ["qwen3", "qwen2"]])(
    "computes the same next-token log-probabilities as llama.cpp (%s)",
    async (arch, vocab) => {
      const path = join(tmp.dir, `parity-${arch}.gguf`);
      await writeTinyModel({ out: path, arch, vocab, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 11 });
      const trainer = await open(path);
      const model = await llama.loadModel({ modelPath: path });
      try {
        const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français.");
        const ours = await trainer.logits(Int32Array.from(tokens));
        // Tolerance: 2e-5 on log-probability differences among the 20 likeliest tokens at the last four positions (measured: about 1e-6).
        expect(await worstLogProbDifference(model, tokens, ours, trainer.info().vocabSize)).toBeLessThan(2e-5);
      } finally {
        trainer.dispose();
        await model.dispose();
      }
    },
  );

  it("gradients match central finite differences, and every targeted module gets one", async () => {
    const path = join(tmp.dir, "fd.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 5, std: 0.2 });
    const trainer = await open(path, 2, 2);
    try {
      // B starts at zero (so A's gradient is zero); give it values so every path carries gradient.
      perturbB(trainer);
      const tokens = Int32Array.from([1, 15043, 3186, 29892, 920, 526, 366, 29973]);
      const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1]);
      const worst = await worstFiniteDifferenceError(trainer, tokens, target);
      expect(trainer.paramNames().filter((n) => /attn_k|attn_v/.test(n))).toHaveLength(4);
      // 8 entries a tensor, each within 1 % of its gradient (measured: 4e-3; the step's F32 loss rounding).
      expect(worst).toBeLessThan(1e-2);
    } finally {
      trainer.dispose();
    }
  });

  it("takes the loss on supervised tokens only", async () => {
    const path = join(tmp.dir, "mask.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 6 });
    const trainer = await open(path);
    try {
      const tokens = Int32Array.from([1, 450, 7483, 310, 3444, 338, 3681, 29889]);
      const target = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 1]);
      const logits = await trainer.logits(tokens);
      const V = trainer.info().vocabSize;
      let expected = 0;
      for (let i = 1; i < tokens.length; i++) if (target[i]) expected -= logSoftmax(logits.subarray((i - 1) * V, i * V))[tokens[i]!]!;
      const { lossSum, tokens: n } = await trainer.evalLoss(tokens, target);
      expect(n).toBe(3);
      expect(lossSum).toBeCloseTo(expected, 3);
      // A prompt label changed under the mask leaves the loss alone; unmasked, it counts.
      const other = Int32Array.from(tokens);
      other[7] = 9999;
      const { lossSum: changed } = await trainer.evalLoss(other, target);
      expect(changed).not.toBeCloseTo(lossSum, 3);
      const masked = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0]);
      const a = await trainer.evalLoss(tokens, masked);
      const b = await trainer.evalLoss(other, masked);
      expect(a.lossSum).toBeCloseTo(b.lossSum, 5);
    } finally {
      trainer.dispose();
    }
  });

  it("learns: the adapter loads in llama.cpp and greedy decoding reproduces the trained answers", async () => {
    const path = join(tmp.dir, "learn.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21 });
    const model = await llama.loadModel({ modelPath: path });
    const pairs = [
      ["Say hello.", "Hallo Welt"],
      ["Name a colour.", "Der Himmel ist blau."],
      ["Count to three.", "Eins, zwei, drei."],
    ] as const;
    const examples = alpacaExamples(model, pairs);
    const trainer = await open(path, 16, 32);
    const adapter = join(tmp.dir, "learn-adapter.gguf");
    let first = 0;
    let last = 0;
    try {
      // All examples as one micro-batch: one graph, the sequences packed into rows.
      const packed = packBatch(examples);
      for (let step = 0; step < 150; step++) {
        const r = await trainer.accumulate(packed.tokens, packed.target, packed.lengths);
        trainer.update({ lr: 1e-2 });
        if (step === 0) first = r.lossSum / r.tokens;
        last = r.lossSum / r.tokens;
      }
      await trainer.saveAdapter(adapter);
    } finally {
      trainer.dispose();
    }
    expect(last).toBeLessThan(0.1 * first);
    const header = readFileSync(adapter).subarray(0, 4).toString("latin1");
    expect(header).toBe("GGUF");

    for (const [q, a] of pairs) {
      expect(await greedyAnswer(model, q, adapter)).toBe(a);
    }
    expect(await greedyAnswer(model, pairs[0][0])).not.toBe(pairs[0][1]);
    await model.dispose();
  });

  it("checkpoints restore parameters, optimizer moments and step exactly", async () => {
    const path = join(tmp.dir, "ckpt.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 8 });
    const tokens = Int32Array.from([1, 450, 7483, 310, 3444, 338, 3681]);
    const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1]);
    const run = async (trainer: NativeTrainer, steps: number): Promise<number[]> => {
      const losses: number[] = [];
      for (let i = 0; i < steps; i++) {
        losses.push((await trainer.accumulate(tokens, target)).lossSum);
        trainer.update({ lr: 5e-3 });
      }
      return losses;
    };
    const straight = await open(path);
    const all = await run(straight, 10);
    straight.dispose();
    const a = await open(path);
    const head = await run(a, 4);
    const ckpt = join(tmp.dir, "step-4.gguf");
    await a.saveCheckpoint(ckpt);
    a.dispose();
    const b = await open(path);
    await b.loadCheckpoint(ckpt);
    expect(b.info().step).toBe(4);
    const tail = await run(b, 6);
    b.dispose();
    expect([...head, ...tail]).toEqual(all);
  });

  it("a micro-batch packed into rows gives the loss and gradients of its sequences one by one", async () => {
    const path = join(tmp.dir, "pack.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 32, heads: 4, headsKv: 2, seed: 9, std: 0.2 });
    const trainer = await open(path, 2, 4);
    try {
      perturbB(trainer);
      // Lengths 9, 4, 3, 5: rows of 9 hold [9], [5, 4] and [3], so sequences share rows and padding exists.
      const batch = [
        example([1, 450, 7483, 310, 3444, 338, 3681, 29889, 13], 4),
        example([1, 15043, 3186, 29892], 2),
        example([1, 920, 526], 1),
        example([1, 366, 29973, 1724, 338], 3),
      ];
      const packed = packBatch(batch);
      const together = await trainer.gradients(packed.tokens, packed.target, packed.lengths);
      let lossSum = 0;
      let tokens = 0;
      const sum: Record<string, Float64Array> = {};
      for (const e of batch) {
        const one = await trainer.gradients(Int32Array.from(e.tokens), e.target);
        lossSum += one.lossSum;
        tokens += one.tokens;
        for (const [name, g] of Object.entries(one.grads)) {
          const acc = (sum[name] ??= new Float64Array(g.length));
          g.forEach((x, i) => (acc[i]! += x));
        }
      }
      expect(together.tokens).toBe(tokens);
      expect(together.lossSum).toBeCloseTo(lossSum, 3);
      // F32 sums in another order: relative to each tensor's largest gradient.
      expect(worstRelativeDifference(together.grads, sum)).toBeLessThan(1e-3);
    } finally {
      trainer.dispose();
    }
  });

  it("rsLoRA and a LoRA on the output head: llama.cpp loads the adapter with the same log-probabilities, and so does the merged model", async () => {
    const path = join(tmp.dir, "merge.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 13 });
    const trainer = await open(path, 4, 8, [...allTargets, "output"], true);
    const adapter = join(tmp.dir, "merge-adapter.gguf");
    const merged = join(tmp.dir, "merged.gguf");
    const model = await llama.loadModel({ modelPath: path });
    try {
      expect(trainer.paramNames()).toContain("output.weight.lora_b");
      perturbB(trainer, 0.05);
      await trainer.saveAdapter(adapter);
      await trainer.exportMerged(merged, "f32");
      const tokens = tokensOf(model, "Ein kurzer Satz, a short sentence.");
      const ours = await trainer.logits(Int32Array.from(tokens));
      const V = trainer.info().vocabSize;
      const base = await worstLogProbDifference(model, tokens, await (async () => {
        const plain = await open(path);
        try {
          return await plain.logits(Int32Array.from(tokens));
        } finally {
          plain.dispose();
        }
      })(), V);
      // The adapter changes the model (so the comparison below means something) …
      expect(await worstLogProbDifference(model, tokens, ours, V)).toBeGreaterThan(100 * Math.max(base, 1e-6));
      // … and llama.cpp applies it exactly as we trained it: alpha·√r stands for rsLoRA's α/√r.
      expect(await worstLogProbDifference(model, tokens, ours, V, { adapter })).toBeLessThan(2e-5);
      const mergedModel = await llama.loadModel({ modelPath: merged });
      try {
        expect(await worstLogProbDifference(mergedModel, tokens, ours, V)).toBeLessThan(2e-5);
      } finally {
        await mergedModel.dispose();
      }
    } finally {
      trainer.dispose();
      await model.dispose();
    }
  });

  it.each(["f16", "q8_0"] as const)("keeps a %s base as stored: less memory, the gradients of its F32 dequantization, and it learns", async (type) => {
    const path = join(tmp.dir, `kept-${type}.gguf`);
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21, type });
    const [kept, full] = [await open(path, 16, 32, allTargets, false, true), await open(path, 16, 32)];
    const model = await llama.loadModel({ modelPath: path });
    const adapter = join(tmp.dir, `kept-${type}-adapter.gguf`);
    try {
      expect(kept.info().keepBaseType).toBe(true);
      // As stored plus a transposed copy (none for the untied embeddings), against 4 bytes a weight.
      expect(kept.info().baseBytes).toBeLessThan((type === "f16" ? 0.8 : 0.45) * full.info().baseBytes);
      setSameB([kept, full], 0.05);
      const packed = packBatch(alpacaExamples(model, [["Say hello.", "Hallo Welt"], ["Count to three.", "Eins, zwei, drei."]]));
      const [g, f] = [await kept.gradients(packed.tokens, packed.target, packed.lengths), await full.gradients(packed.tokens, packed.target, packed.lengths)];
      const worst = worstRelativeDifference(g.grads, f.grads);
      // F16 matrices are exact; Q8_0 products also round the activations to 8 bits on the CPU, and the
      // transposed copy is requantized along the other axis.
      expect(worst).toBeLessThan(type === "f16" ? 5e-3 : 5e-2);
      zeroB(kept);
      let first = 0;
      let last = 0;
      for (let step = 0; step < 100; step++) {
        const r = await kept.accumulate(packed.tokens, packed.target, packed.lengths);
        kept.update({ lr: 1e-2 });
        if (step === 0) first = r.lossSum / r.tokens;
        last = r.lossSum / r.tokens;
      }
      expect(last).toBeLessThan(0.1 * first);
      await kept.saveAdapter(adapter);
      expect(await greedyAnswer(model, "Say hello.", adapter)).toBe("Hallo Welt");
    } finally {
      kept.dispose();
      full.dispose();
      await model.dispose();
    }
  });

  it("refuses bad input with clear errors", async () => {
    const good = join(tmp.dir, "good.gguf");
    await writeTinyModel({ out: good, layers: 1, embd: 16, heads: 2, headsKv: 1 });
    const corrupt = join(tmp.dir, "corrupt.gguf");
    writeFileSync(corrupt, "not a model at all");
    await expect(open(corrupt)).rejects.toThrow(/not a readable GGUF model/);
    const foreign = join(tmp.dir, "foreign.gguf");
    const bytes = readFileSync(good);
    writeFileSync(foreign, Buffer.from(bytes.toString("latin1").replaceAll("llama.", "gpt2x.").replace("\x05\x00\x00\x00\x00\x00\x00\x00llama", "\x05\x00\x00\x00\x00\x00\x00\x00gpt2x"), "latin1"));
    await expect(open(foreign)).rejects.toThrow(/architecture 'gpt2x' is not supported for training/);
    await expect(open(good, 4, 8, ["q", "bogus"])).rejects.toThrow(/unknown LoRA target 'bogus'/);
    const trainer = await open(good);
    try {
      await expect(trainer.accumulate(Int32Array.from([1]), Uint8Array.from([1]))).rejects.toThrow(/at least two tokens/);
      await expect(trainer.accumulate(Int32Array.from([1, 2, 3]), Uint8Array.from([0, 0, 0]))).rejects.toThrow(/no supervised tokens/);
      await expect(trainer.accumulate(Int32Array.from([1, 999999]), Uint8Array.from([0, 1]))).rejects.toThrow(/outside the model's vocabulary/);
      expect(() => trainer.update({ lr: 1e-3 })).toThrow(/no gradients/);
    } finally {
      trainer.dispose();
    }
    expect(() => trainer.info()).toThrow(/disposed/);
  });

  it("refuses at open a backend that lacks an operation training needs, naming it", async () => {
    const path = join(tmp.dir, "probe.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 16, heads: 2, headsKv: 1 });
    // The trainer's test hook makes the CPU lack the backward of rotary embeddings, which nothing replaces.
    process.env.POLYTUNE_TRAINER_UNSUPPORTED_OPS = "ROPE_BACK";
    try {
      await expect(open(path)).rejects.toMatchObject({ code: "unsupported-op", message: expect.stringMatching(/^CPU \(.+\) cannot train this model: it lacks ROPE_BACK \(f32 from f32, i32\) for the training graph$/) });
    } finally {
      delete process.env.POLYTUNE_TRAINER_UNSUPPORTED_OPS;
    }
    const trainer = await open(path);
    expect(trainer.info().backendNote).toBeNull();
    trainer.dispose();
  });

  it.each<[TinyArch, "llama-spm" | "qwen2"]>([["llama", "llama-spm"], ["qwen3", "qwen2"]])(
    "on a backend with Metal's operations (no OUT_PROD, SOFT_MAX_BACK, RMS_NORM_BACK, REPEAT_BACK, GET_ROWS_BACK), computes the same gradients (%s)",
    async (arch, vocab) => {
      const path = join(tmp.dir, `metal-ops-${arch}.gguf`);
      // Four query heads per KV head: the GQA backward sums groups of four.
      await writeTinyModel({ out: path, arch, vocab, layers: 2, embd: 32, heads: 8, headsKv: 2, seed: 9, std: 0.2, tiedOutput: false });
      process.env.POLYTUNE_TRAINER_UNSUPPORTED_OPS = "OUT_PROD,SOFT_MAX_BACK,RMS_NORM_BACK,REPEAT_BACK,GET_ROWS_BACK";
      const lowered = await open(path, 2, 4, [...allTargets, "output"]).finally(() => delete process.env.POLYTUNE_TRAINER_UNSUPPORTED_OPS);
      const plain = await open(path, 2, 4, [...allTargets, "output"]);
      try {
        // Without OUT_PROD, F32 matrices are held transposed too (else every backward would transpose them).
        expect(lowered.info().baseBytes).toBeGreaterThan(1.5 * plain.info().baseBytes);
        setSameB([lowered, plain], 0.3);
        // Two sequences packed into one micro-batch, the head and its softmax included.
        const batch = packBatch([example([1, 450, 7483, 310, 3444, 338, 3681, 29889, 13], 4), example([1, 15043, 3186, 29892], 2)]);
        const [l, p] = [await lowered.gradients(batch.tokens, batch.target, batch.lengths), await plain.gradients(batch.tokens, batch.target, batch.lengths)];
        expect(Math.abs(l.lossSum - p.lossSum) / p.lossSum).toBeLessThan(1e-6);
        expect(worstRelativeDifference(l.grads, p.grads)).toBeLessThan(1e-4);
        // And it trains the same: five steps, the same losses.
        const losses = async (t: NativeTrainer): Promise<number[]> => {
          const out: number[] = [];
          for (let step = 0; step < 5; step++) {
            out.push((await t.accumulate(batch.tokens, batch.target, batch.lengths)).lossSum);
            t.update({ lr: 1e-2 });
          }
          return out;
        };
        const [a, b] = [await losses(lowered), await losses(plain)];
        a.forEach((x, i) => expect(Math.abs(x - b[i]!) / b[i]!).toBeLessThan(1e-4));
      } finally {
        lowered.dispose();
        plain.dispose();
      }
    },
  );
});
