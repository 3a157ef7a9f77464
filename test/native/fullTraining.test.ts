// Full-parameter training in the native trainer: every weight's gradient against finite differences,
// the written model in llama.cpp, checkpoints, learning from a random init, refusals and the quantizer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel, type TinyModelOptions } from "../../electron/engine/models/writeTinyModel.js";
import { readGgufHeader } from "../../electron/engine/gguf/readGgufHeader.js";
import { loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import { tokensOf, worstLogProbDifference } from "../support/llamaReference.js";
import { makeTempDir } from "../support/tempDir.js";
import { finiteDifferenceErrors, worstRelativeDifference } from "../support/trainerGradients.js";

const tmp = makeTempDir();
let llama: Llama;

const openFull = (modelPath: string): Promise<NativeTrainer> =>
  loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", method: "full", targets: [], rank: 0, alpha: 0, seed: 0, threads: 2 });

const tinyModel = async (name: string, options: Omit<TinyModelOptions, "out">): Promise<string> => {
  const path = join(tmp.dir, `${name}.gguf`);
  await writeTinyModel({ out: path, ...options });
  return path;
};

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(() => tmp.cleanup());

describe("full-parameter training", () => {
  // Every kind of weight: llama with biases (q k v o gate up down), qwen3 (q_norm, k_norm), a tied head.
  it.each<[string, Omit<TinyModelOptions, "out">, string[]]>([
    ["llama with biases", { arch: "llama", biases: true, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 5, std: 0.2 },
      ["token_embd.weight", "output.weight", "output_norm.weight", "blk.0.attn_norm.weight", "blk.0.ffn_norm.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight",
        "blk.0.attn_output.weight", "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight", "blk.0.ffn_down.weight", "blk.0.attn_q.bias", "blk.0.attn_k.bias", "blk.0.attn_v.bias",
        "blk.0.attn_output.bias", "blk.0.ffn_gate.bias", "blk.0.ffn_up.bias", "blk.0.ffn_down.bias"]],
    ["qwen3", { arch: "qwen3", vocab: "llama-spm", layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 6, std: 0.2 }, ["blk.0.attn_q_norm.weight", "blk.0.attn_k_norm.weight", "output.weight"]],
    ["llama with a tied output head", { arch: "llama", tiedOutput: true, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 7, std: 0.2 }, ["token_embd.weight"]],
  ])("gradients of every weight match central finite differences (%s)", async (name, options, expected) => {
    const trainer = await openFull(await tinyModel(`fd-${name.replace(/ /g, "-")}`, options));
    try {
      const names = trainer.paramNames();
      for (const n of expected) expect(names).toContain(n);
      if (options.tiedOutput) expect(names).not.toContain("output.weight");
      const total = names.reduce((sum, n) => sum + trainer.getParam(n).length, 0);
      expect(trainer.info()).toMatchObject({ method: "full", trainableParameters: total });
      const tokens = Int32Array.from([1, 15043, 3186, 29892, 920, 526, 366, 29973]);
      const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1]);
      const errors = await finiteDifferenceErrors(trainer, tokens, target);
      expect(Object.keys(errors).sort()).toEqual([...names].sort());
      // 8 entries a tensor, each within 1 % of its gradient (measured: at most 3e-3, the F32 loss's rounding).
      for (const [tensor, error] of Object.entries(errors)) expect(error, tensor).toBeLessThan(1e-2);
    } finally {
      trainer.dispose();
    }
  });

  const sentence = Int32Array.from([1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975, 278, 17366, 11203, 29889]);
  const allTargets = Uint8Array.from(sentence, (_, i) => (i > 0 ? 1 : 0));
  const train = async (trainer: NativeTrainer, steps: number, lr: number, tokens = sentence, target = allTargets): Promise<number[]> => {
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const r = await trainer.accumulate(tokens, target);
      losses.push(r.lossSum / r.tokens);
      trainer.update({ lr });
    }
    return losses;
  };
  const tensorTypes = (path: string): Record<string, number> => Object.fromEntries(readGgufHeader(path).tensors.map((t) => [t.name, t.type]));

  it("the written model loads in llama.cpp with the trainer's log-probabilities (f32), close in f16, and keeps all metadata", async () => {
    const path = await tinyModel("parity", { arch: "llama", biases: true, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 11 });
    const trainer = await openFull(path);
    const f32 = join(tmp.dir, "parity-trained-f32.gguf");
    const f16 = join(tmp.dir, "parity-trained-f16.gguf");
    let ours: Float32Array;
    let before: Float32Array;
    const source = await llama.loadModel({ modelPath: path });
    const tokens = tokensOf(source, "Grüß Gott, hello world: une phrase en français.");
    try {
      before = await trainer.logits(Int32Array.from(tokens));
      await train(trainer, 3, 1e-2, Int32Array.from(tokens), Uint8Array.from(tokens, (_, i) => (i > 0 ? 1 : 0)));
      ours = await trainer.logits(Int32Array.from(tokens));
      await trainer.exportMerged(f32, "f32");
      await trainer.exportMerged(f16, "f16");
    } finally {
      trainer.dispose();
      await source.dispose();
    }
    // Training moved the model: the comparison is of trained weights, not the source's.
    const V = 32000;
    let moved = 0;
    for (let i = 0; i < ours.length; i++) moved = Math.max(moved, Math.abs(ours[i]! - before[i]!));
    expect(moved).toBeGreaterThan(1e-2);
    const header = readGgufHeader(path);
    for (const written of [f32, f16]) {
      const h = readGgufHeader(written);
      expect([...h.kv.keys()].sort()).toEqual([...header.kv.keys()].sort());
      expect(h.tensors.map((t) => t.name)).toEqual(header.tensors.map((t) => t.name));
    }
    expect(Object.values(tensorTypes(f32)).every((t) => t === 0)).toBe(true);
    // f16: matrices F16 (type 1), 1-D tensors (norms, biases) F32 as llama.cpp's converters keep them.
    for (const t of readGgufHeader(f16).tensors) expect(t.type, t.name).toBe(t.dims.length > 1 ? 1 : 0);
    const model32 = await llama.loadModel({ modelPath: f32 });
    const model16 = await llama.loadModel({ modelPath: f16 });
    try {
      // Tolerance as the LoRA parity tests (measured 2e-6); F16 rounds each weight by up to 5e-4 relative (measured 1.6e-3).
      expect(await worstLogProbDifference(model32, tokens, ours, V)).toBeLessThan(2e-5);
      expect(await worstLogProbDifference(model16, tokens, ours, V)).toBeLessThan(1e-2);
    } finally {
      await model32.dispose();
      await model16.dispose();
    }
  });

  it("exports in each tensor's source type, and a model without output.weight stays tied", async () => {
    const path = await tinyModel("source-q8", { arch: "llama", tiedOutput: true, type: "q8_0", layers: 1, embd: 64, heads: 4, headsKv: 2, seed: 12 });
    const trainer = await openFull(path);
    const out = join(tmp.dir, "source-q8-trained.gguf");
    try {
      await train(trainer, 2, 1e-2);
      await trainer.exportMerged(out, "source");
    } finally {
      trainer.dispose();
    }
    expect(tensorTypes(out)).toEqual(tensorTypes(path));
    expect(Object.values(tensorTypes(out))).toContain(8);
    expect(tensorTypes(out)["output.weight"]).toBeUndefined();
    const model = await llama.loadModel({ modelPath: out });
    await model.dispose();
  });

  it("a checkpoint holds every weight, both moments and the step: resuming is bit-exact", async () => {
    const path = await tinyModel("ckpt", { arch: "qwen3", vocab: "llama-spm", layers: 2, embd: 32, heads: 4, headsKv: 2, seed: 8 });
    const straight = await openFull(path);
    const all = await train(straight, 8, 5e-3);
    const names = straight.paramNames();
    const expected = names.map((n) => straight.getParam(n));
    straight.dispose();
    const a = await openFull(path);
    const head = await train(a, 4, 5e-3);
    const ckpt = join(tmp.dir, "full-step-4.gguf");
    await a.saveCheckpoint(ckpt);
    a.dispose();
    // Every weight and both moments, by GGUF name.
    const saved = readGgufHeader(ckpt);
    expect(saved.tensors).toHaveLength(names.length * 3);
    expect(saved.kv.get("polytune.method")).toMatchObject({ value: "full" });
    const b = await openFull(path);
    await b.loadCheckpoint(ckpt);
    expect(b.info().step).toBe(4);
    const tail = await train(b, 4, 5e-3);
    try {
      expect([...head, ...tail]).toEqual(all);
      names.forEach((n, i) => expect(b.getParam(n), n).toEqual(expected[i]));
    } finally {
      b.dispose();
    }
  });

  it("learns a text from a random initialisation: the loss falls and greedy prediction reproduces it", async () => {
    const path = await tinyModel("learn", { arch: "llama", layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21 });
    const trainer = await openFull(path);
    try {
      // Measured: 11.6 at the start, 0.05 after 4 steps, 0.001 after 12.
      const losses = await train(trainer, 15, 1e-2);
      expect(losses.at(-1)!).toBeLessThan(0.05 * losses[0]!);
      const logits = await trainer.logits(sentence);
      const V = trainer.info().vocabSize;
      for (let i = 0; i + 1 < sentence.length; i++) {
        const row = logits.subarray(i * V, (i + 1) * V);
        expect(row.indexOf(Math.max(...row)), `position ${i}`).toBe(sentence[i + 1]);
      }
      // Memory: F32 weights, and gradients plus both moments of every weight; no LoRA.
      const info = trainer.info();
      const memory = trainer.memory();
      expect(memory.lora).toBe(0);
      expect(memory.weights).toBeGreaterThanOrEqual(4 * info.trainableParameters);
      expect(memory.optimizer).toBeGreaterThanOrEqual(12 * info.trainableParameters);
    } finally {
      trainer.dispose();
    }
  });

  it("refuses what full training cannot do, in plain words", async () => {
    const path = await tinyModel("refuse", { arch: "llama", layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 3 });
    const addon = loadTrainerAddon();
    await expect(addon.openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "cpu", method: "full", targets: [], rank: 0, alpha: 0, seed: 0, keepBaseType: true })).rejects.toMatchObject({
      code: "bad-input",
      message: expect.stringContaining("full-parameter training holds every weight in F32"),
    });
    await expect(addon.openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "cpu", method: "partial" as "full", targets: [], rank: 0, alpha: 0, seed: 0 })).rejects.toMatchObject({ code: "bad-input" });
    const lora = await addon.openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "cpu", targets: ["q"], rank: 2, alpha: 4, seed: 1 });
    const full = await openFull(path);
    try {
      expect(lora.info().method).toBe("lora");
      await expect(full.saveAdapter(join(tmp.dir, "no-adapter.gguf"))).rejects.toMatchObject({ code: "bad-input", message: expect.stringContaining("no adapter") });
      await expect(full.loadAdapter(join(tmp.dir, "no-adapter.gguf"))).rejects.toMatchObject({ code: "bad-input" });
      // A checkpoint of the other method is refused, and says which it is.
      const loraCkpt = join(tmp.dir, "lora-ckpt.gguf");
      const fullCkpt = join(tmp.dir, "full-ckpt.gguf");
      await lora.saveCheckpoint(loraCkpt);
      await full.saveCheckpoint(fullCkpt);
      await expect(full.loadCheckpoint(loraCkpt)).rejects.toMatchObject({ code: "bad-checkpoint", message: expect.stringContaining("LoRA") });
      await expect(lora.loadCheckpoint(fullCkpt)).rejects.toMatchObject({ code: "bad-checkpoint", message: expect.stringContaining("full-parameter") });
      await expect(full.exportMerged(join(tmp.dir, "x.gguf"), "q4" as "f16")).rejects.toMatchObject({ code: "bad-input" });
    } finally {
      lora.dispose();
      full.dispose();
    }
  });

  it("quantizeModel writes a Q8_0 model through llama.cpp's quantizer that llama.cpp loads, and refuses bad input", async () => {
    const path = await tinyModel("quantize", { arch: "llama", layers: 1, embd: 64, heads: 4, headsKv: 2, seed: 4 });
    const out = join(tmp.dir, "quantized-q8_0.gguf");
    const addon = loadTrainerAddon();
    await addon.quantizeModel(path, out, "q8_0", 2);
    const header = readGgufHeader(out);
    expect(header.kv.get("general.file_type")).toMatchObject({ value: 7 }); // LLAMA_FTYPE_MOSTLY_Q8_0
    const types = Object.fromEntries(header.tensors.map((t) => [t.name, t.type]));
    expect(types["blk.0.attn_q.weight"]).toBe(8); // GGML_TYPE_Q8_0
    expect(types["blk.0.attn_norm.weight"]).toBe(0);
    expect(readFileSync(out).length).toBeLessThan(readFileSync(path).length / 2);
    const model = await llama.loadModel({ modelPath: out });
    await model.dispose();
    await expect(addon.quantizeModel(path, join(tmp.dir, "q.gguf"), "q3_k" as "q8_0")).rejects.toMatchObject({ code: "bad-input" });
    await expect(addon.quantizeModel(join(tmp.dir, "missing.gguf"), join(tmp.dir, "q.gguf"), "q8_0")).rejects.toMatchObject({ code: "io" });
    await expect(addon.quantizeModel(path, join(tmp.dir, "no-such-folder", "q.gguf"), "q8_0")).rejects.toMatchObject({ code: "io" });
  });

  it("on a backend lowering the backward (no OUT_PROD, SOFT_MAX_BACK, RMS_NORM_BACK) gives the same gradients; one without GET_ROWS_BACK is refused", async () => {
    const path = await tinyModel("lowered", { arch: "qwen3", vocab: "llama-spm", layers: 1, embd: 32, heads: 8, headsKv: 2, seed: 9, std: 0.2 });
    const withOps = async (ops: string): Promise<NativeTrainer> => {
      process.env.POLYTUNE_TRAINER_UNSUPPORTED_OPS = ops;
      return openFull(path).finally(() => delete process.env.POLYTUNE_TRAINER_UNSUPPORTED_OPS);
    };
    const lowered = await withOps("OUT_PROD,SOFT_MAX_BACK,RMS_NORM_BACK");
    const plain = await openFull(path);
    try {
      // A repeated token: its embedding row sums the gradients of both positions.
      const tokens = Int32Array.from([1, 450, 7483, 450, 3444, 338, 450, 29889]);
      const target = Uint8Array.from([0, 1, 1, 1, 1, 1, 1, 1]);
      const [l, p] = [await lowered.gradients(tokens, target), await plain.gradients(tokens, target)];
      expect(Object.keys(l.grads).sort()).toEqual(plain.paramNames().sort());
      expect(worstRelativeDifference(l.grads, p.grads)).toBeLessThan(1e-4);
    } finally {
      lowered.dispose();
      plain.dispose();
    }
    // The embedding's gather picks a row once per occurrence: rewriting its backward as set-rows would
    // drop all but one, so a backend without GET_ROWS_BACK cannot train every weight.
    await expect(withOps("GET_ROWS_BACK")).rejects.toMatchObject({ code: "unsupported-op", message: expect.stringContaining("GET_ROWS_BACK") });
  });
});
