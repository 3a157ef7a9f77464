// The GPU code path without a GPU: the trainer on ggml's Vulkan backend over Mesa's software device
// (lavapipe), from node-llama-cpp's prebuilt Vulkan package. One backend computes every graph (no
// scheduler, every node checked with supports_op), so passing here means the graph really ran there.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../electron/engine/models/writeTinyModel.js";
import { packBatch } from "../../electron/engine/train/openTrainerSession.js";
import { gpuBackendLibraries, loadTrainerAddon, trainerBackendsDir, type NativeTrainer } from "../../electron/engine/train/TrainerAddon.js";
import { alpacaExamples, greedyAnswer, tokensOf, worstLogProbDifference } from "../support/llamaReference.js";
import { prerequisite } from "../support/sharedData.js";
import { makeTempDir } from "../support/tempDir.js";
import { setSameB, worstRelativeDifference, zeroB } from "../support/trainerGradients.js";

// ggml hides CPU-type Vulkan devices unless named; this must be set before the backend loads. F16 off:
// by default ggml's Vulkan matrix products round activations to F16 (a GPU speed trade), which would
// blur the comparison with the CPU to about 3e-3; in F32 both agree to float precision.
process.env.GGML_VK_VISIBLE_DEVICES = "0";
process.env.GGML_VK_DISABLE_F16 = "1";

const icdDir = "/usr/share/vulkan/icd.d";
const hasLavapipe = existsSync(icdDir) && readdirSync(icdDir).some((f) => f.startsWith("lvp_icd"));
const hasVulkanBackend = gpuBackendLibraries().some((p) => p.includes("ggml-vulkan"));
// CI installs mesa-vulkan-drivers (.ci/run): there, a missing driver is a failure, not a skip.
const canRunVulkan = process.platform === "linux" && prerequisite(hasLavapipe && hasVulkanBackend, `Mesa's lavapipe (${icdDir}/lvp_icd*.json) and node-llama-cpp's Vulkan package for the Vulkan tests`);

const tmp = makeTempDir();
const targets = ["q", "k", "v", "o", "gate", "up", "down"];
let llama: Llama;

const open = (modelPath: string, backend: "vulkan" | "cpu", rank = 4, alpha = 8, keepBaseType = false, dropout = 0): Promise<NativeTrainer> =>
  loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend, backendLibs: gpuBackendLibraries(), targets, rank, alpha, keepBaseType, dropout, seed: 7, threads: 2 });

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(() => tmp.cleanup());

describe.runIf(canRunVulkan)("LoRA trainer on the Vulkan backend (software device)", () => {
  it("runs on the Vulkan device and computes llama.cpp's log-probabilities", async () => {
    const path = join(tmp.dir, "vk-parity.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 11 });
    const trainer = await open(path, "vulkan");
    const model = await llama.loadModel({ modelPath: path });
    try {
      const info = trainer.info();
      expect(info.backend).toMatch(/^Vulkan\d+$/);
      expect(info.device).toMatch(/llvmpipe/);
      // The weights live in the device's memory, which the device reports.
      expect(trainer.memory().deviceTotal).toBeGreaterThan(0);
      const tokens = tokensOf(model, "Grüß Gott, hello world: une phrase en français.");
      const ours = await trainer.logits(Int32Array.from(tokens));
      // Measured about 1e-6 (lavapipe computes in F32 like the CPU); same tolerance as on the CPU.
      expect(await worstLogProbDifference(model, tokens, ours, info.vocabSize)).toBeLessThan(2e-5);
    } finally {
      trainer.dispose();
      await model.dispose();
    }
  });

  it.each([0, 0.2])("computes the CPU backend's gradients for every targeted module (LoRA dropout %s)", async (dropout) => {
    const path = join(tmp.dir, "vk-grad.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 5, std: 0.2 });
    const [gpu, cpu] = [await open(path, "vulkan", 2, 2, false, dropout), await open(path, "cpu", 2, 2, false, dropout)];
    try {
      setSameB([gpu, cpu], 0.3);
      // Two sequences in one micro-batch: the packed rows and the folded attention run on the device too.
      const tokens = Int32Array.from([1, 15043, 3186, 29892, 920, 526, 366, 29973, 1, 450, 7483, 310]);
      const target = Uint8Array.from([0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1]);
      const lengths = Int32Array.from([8, 4]);
      // With dropout, both draw the masks of key 3: the tables and choices come from the seed, on the host.
      const key = dropout > 0 ? 3 : undefined;
      const [g, c] = [await gpu.gradients(tokens, target, lengths, key), await cpu.gradients(tokens, target, lengths, key)];
      expect(Math.abs(g.lossSum - c.lossSum) / c.lossSum).toBeLessThan(1e-5);
      expect(Object.keys(g.grads)).toHaveLength(gpu.paramNames().length);
      expect(worstRelativeDifference(g.grads, c.grads)).toBeLessThan(1e-3);
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  });

  it("learns on the device: the adapter loads in llama.cpp and reproduces the trained answers", async () => {
    const path = join(tmp.dir, "vk-learn.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21 });
    const model = await llama.loadModel({ modelPath: path });
    const pairs = [
      ["Say hello.", "Hallo Welt"],
      ["Count to three.", "Eins, zwei, drei."],
    ] as const;
    const examples = alpacaExamples(model, pairs);
    const trainer = await open(path, "vulkan", 16, 32);
    const adapter = join(tmp.dir, "vk-adapter.gguf");
    const losses: number[] = [];
    try {
      const packed = packBatch(examples);
      for (let step = 0; step < 50; step++) {
        const r = await trainer.accumulate(packed.tokens, packed.target, packed.lengths);
        trainer.update({ lr: 1e-2 });
        losses.push(r.lossSum / r.tokens);
      }
      await trainer.saveAdapter(adapter);
    } finally {
      trainer.dispose();
    }
    expect(losses.at(-1)!).toBeLessThan(0.1 * losses[0]!);
    try {
      for (const [q, a] of pairs) expect(await greedyAnswer(model, q, adapter)).toBe(a);
    } finally {
      await model.dispose();
    }
  }, 600_000);

  it("keeps a Q8_0 base quantized on the device (its backward is a product over a transposed copy), with the CPU's F32 gradients, and learns", async () => {
    const path = join(tmp.dir, "vk-q8.gguf");
    await writeTinyModel({ out: path, layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 21, type: "q8_0" });
    const [gpu, cpu] = [await open(path, "vulkan", 16, 32, true), await open(path, "cpu", 16, 32)];
    const model = await llama.loadModel({ modelPath: path });
    const adapter = join(tmp.dir, "vk-q8-adapter.gguf");
    try {
      // Q8_0 twice (as stored and transposed) is about half of F32.
      expect(gpu.info().baseBytes).toBeLessThan(0.65 * cpu.info().baseBytes);
      setSameB([gpu, cpu], 0.05);
      const packed = packBatch(alpacaExamples(model, [["Say hello.", "Hallo Welt"], ["Count to three.", "Eins, zwei, drei."]]));
      const [g, c] = [await gpu.gradients(packed.tokens, packed.target, packed.lengths), await cpu.gradients(packed.tokens, packed.target, packed.lengths)];
      // The transposed copy is requantized along the other axis: its rounding differs from the stored one's.
      expect(worstRelativeDifference(g.grads, c.grads)).toBeLessThan(5e-2);
      zeroB(gpu);
      for (let step = 0; step < 50; step++) {
        await gpu.accumulate(packed.tokens, packed.target, packed.lengths);
        gpu.update({ lr: 1e-2 });
      }
      await gpu.saveAdapter(adapter);
      expect(await greedyAnswer(model, "Say hello.", adapter)).toBe("Hallo Welt");
    } finally {
      gpu.dispose();
      cpu.dispose();
      await model.dispose();
    }
  }, 600_000);

  it("refuses a micro-batch beyond the device's limits before allocating it, and carries on", async () => {
    const path = join(tmp.dir, "vk-limits.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 5 });
    const trainer = await open(path, "vulkan", 2, 2);
    try {
      // One 8,000-token sequence: its attention matrix (8000 × 8000 × 4 heads) exceeds what lavapipe
      // computes in one dispatch, and the graph would need over 4 GB of a 2 GB device.
      const tokens = Int32Array.from({ length: 8000 }, (_, i) => 100 + (i % 1000));
      const target = Uint8Array.from(tokens, (_, i) => (i > 10 ? 1 : 0));
      const error = await trainer.accumulate(tokens, target).then(() => null, (e: unknown) => e as Error & { code?: string });
      expect(error?.code).toMatch(/^(unsupported-op|out-of-memory)$/);
      expect(error?.message).toMatch(/Vulkan0 \(llvmpipe.*\).*(exceeds the device's limits|lower the batch size)/);
      // Nothing of it stays behind: no compute buffer held, and the next micro-batch trains.
      expect(trainer.memory().compute).toBeLessThan(1 << 20);
      const ok = await trainer.accumulate(tokens.slice(0, 20), target.slice(0, 20));
      expect(ok.tokens).toBe(9);
      expect(trainer.update({ lr: 1e-3 })).toBe(1);
    } finally {
      trainer.dispose();
    }
  });

  it("says why when a backend cannot be had", async () => {
    const path = join(tmp.dir, "vk-bad.gguf");
    await writeTinyModel({ out: path, layers: 1, embd: 16, heads: 2, headsKv: 1 });
    const attempt = loadTrainerAddon().openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "vulkan", backendLibs: gpuBackendLibraries(), device: 7, targets, rank: 2, alpha: 2, seed: 1 });
    await expect(attempt).rejects.toMatchObject({ code: "backend-unavailable", message: expect.stringMatching(/no device 7/) });
    const none = loadTrainerAddon().openTrainer({ modelPath: path, backendsDir: trainerBackendsDir(), backend: "metal", backendLibs: [], targets, rank: 2, alpha: 2, seed: 1 });
    await expect(none).rejects.toMatchObject({ code: "backend-unavailable", message: expect.stringMatching(/Metal backend cannot be loaded/) });
  });
});
