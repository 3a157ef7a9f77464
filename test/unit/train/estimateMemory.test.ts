// The training side of the memory estimate in full mode, against figures worked out by hand.
import { describe, expect, it } from "vitest";
import { trainingEstimate } from "../../../electron/engine/models/estimateMemory.js";

// A made-up model: E 64, 4 heads (head size 16), F 128, 2 layers, V 100, 1,000 parameters, 600 bytes on disk.
const shape = { embeddingSize: 64, headCount: 4, headCountKv: 4, feedForwardLength: 128, layers: 2, vocabSize: 100, parameterCount: 1000, fileSize: 600, fileType: "F16" };
const input = { contextSize: 512, sequences: 1, seqLen: 16, batch: 2, rank: 8, baseWeights: "as-stored" as const, dropout: 0.1 };

describe("the full-mode training estimate", () => {
  it("is F32 weights + gradients + two Adam moments + activations, whatever baseWeights and the LoRA settings say", () => {
    const { training, notes } = trainingEstimate(shape, { ...input, method: "full" }, 16);
    // Activations per token and layer: 4·(12·64 + 4·128) + 4·2·4·16 = 5,120 + 512 = 5,632 bytes; 32 tokens × 2 layers;
    // the head: 32 tokens × 100 × 4 bytes × 3.5 = 44,800. No dropout terms in full mode.
    const activations = 32 * 2 * 5632 + 44_800;
    expect(activations).toBe(405_248);
    expect(training).toEqual({
      seqLen: 16,
      batch: 2,
      rank: 8,
      method: "full",
      baseWeights: "as-stored",
      baseF32Bytes: 4000,
      baseBytes: 4000, // 1,000 × 4 bytes: never as stored
      loraBytes: 0,
      optimizerBytes: 12_000, // gradients 4,000 + two moments 8,000
      activationBytes: activations,
      totalBytes: 4000 + 12_000 + activations,
    });
    expect(notes[0]).toBe("Training (full): every weight trained in F32 (F16 on disk is dequantized on load): weights 0.0 MiB, gradients 0.0 MiB, two Adam moments 0.0 MiB, activations 0.4 MiB.");
    expect(notes.some((n) => /as-stored does not apply/.test(n))).toBe(true);
    expect(notes.some((n) => /dropout/i.test(n) && /masked input/.test(n))).toBe(false);
  });

  it("LoRA with the same settings keeps the base as stored and trains only the adapters", () => {
    const { training } = trainingEstimate(shape, { ...input, method: "lora" }, 16);
    // r 8 on q k v o (8·(64+64)·2 each pair) and gate up down (8·(64+128)·3) per layer: 4,096 + 4,608 = 8,704; 2 layers.
    expect(training.loraBytes).toBe(2 * 8704 * 4);
    expect(training.optimizerBytes).toBe(2 * 8704 * 4 * 3);
    expect(training.baseBytes).toBe(1200); // the file's 600 bytes twice (a transposed copy)
    expect(training.activationBytes).toBeGreaterThan(405_248); // dropout's masks are counted
  });
});
