import { GgufInsights, readGgufFileInfo } from "node-llama-cpp";
import type { BaseWeights, MemoryEstimate, ModelDetail, TrainMethod } from "../../shared/contract.js";
import { getLlamaRuntime } from "../llamacpp/llamaRuntime.js";

export interface EstimateInput {
  contextSize: number;
  sequences: number;
  seqLen: number;
  batch: number;
  rank: number;
  method: TrainMethod;
  baseWeights: BaseWeights;
  /** LoRA dropout keeps a mask and the masked input of every adapter for the backward pass. */
  dropout: number;
}

type Shape = Pick<ModelDetail, "embeddingSize" | "headCount" | "headCountKv" | "feedForwardLength" | "layers">;

/** LoRA parameters for all seven projections (q k v o gate up down) of every layer; `headDim` when the file sets one (attention.key_length). */
export function loraParameterCount(m: Shape, rank: number, headDim?: number): number {
  const e = m.embeddingSize ?? 0;
  const heads = m.headCount ?? 1;
  const hd = headDim ?? e / heads;
  const q = hd * heads;
  const kv = hd * (m.headCountKv ?? heads);
  const f = m.feedForwardLength ?? 4 * e;
  const perLayer = rank * (e + q) * 2 + rank * (e + kv) * 2 + rank * (e + f) * 3;
  return perLayer * (m.layers ?? 0);
}

/**
 * What running and training a model (LoRA or full) will take, before anyone starts a job. Inference numbers
 * come from node-llama-cpp's own estimator; the training figure is our formula for the trainer,
 * which holds the base as stored plus a transposed copy, or in F32 (ADR 0010).
 */
export async function estimateMemory(model: ModelDetail, input: EstimateInput): Promise<MemoryEstimate> {
  const info = await readGgufFileInfo(model.path, { sourceType: "filesystem", logWarnings: false });
  const insights = await GgufInsights.from(info, await getLlamaRuntime("cpu"));
  const weights = insights.estimateModelResourceRequirements({ gpuLayers: 0 });
  const context = insights.estimateContextResourceRequirements({
    contextSize: input.contextSize,
    modelGpuLayers: 0,
    sequences: input.sequences,
  });
  const weightsBytes = weights.cpuRam + weights.gpuVram;
  const contextBytes = context.cpuRam + context.gpuVram;
  // node-llama-cpp does not split KV cache from compute buffers; attribute by the KV formula.
  const e = model.embeddingSize ?? 0;
  const heads = model.headCount ?? 1;
  const keyLength = (info.architectureMetadata as { attention?: { key_length?: number } } | undefined)?.attention?.key_length;
  const headDim = typeof keyLength === "number" && keyLength > 0 ? keyLength : e / heads;
  const kvDim = headDim * (model.headCountKv ?? heads);
  const kvCacheBytes = Math.min(contextBytes, 2 * (model.layers ?? 0) * kvDim * input.contextSize * input.sequences * 2);
  const computeBytes = Math.max(0, contextBytes - kvCacheBytes);

  const { training, notes: trainingNotes } = trainingEstimate(model, input, headDim);
  const notes = ["Inference: CPU figures from node-llama-cpp's estimator; with a GPU most of it moves to GPU memory.", ...trainingNotes];
  return {
    inference: {
      contextSize: input.contextSize,
      sequences: input.sequences,
      weightsBytes,
      kvCacheBytes,
      computeBytes,
      totalBytes: weightsBytes + contextBytes,
    },
    training,
    notes,
  };
}

type TrainingShape = Shape & Pick<ModelDetail, "parameterCount" | "fileSize" | "vocabSize" | "fileType">;

/**
 * The training side of the estimate, a pure function of the model's shape and the run settings. LoRA:
 * the base as held (ADR 0010) plus the adapters, their gradients and two AdamW moments. Full: every
 * weight in F32, its gradient and two moments (16 bytes a parameter), whatever `baseWeights` says.
 */
export function trainingEstimate(model: TrainingShape, input: EstimateInput, headDim: number): { training: MemoryEstimate["training"]; notes: string[] } {
  const full = input.method === "full";
  const params = model.parameterCount ?? 0;
  const lora = full ? 0 : loraParameterCount(model, input.rank, headDim);
  const e = model.embeddingSize ?? 0;
  const heads = model.headCount ?? 1;
  const tokens = input.seqLen * input.batch;
  const f = model.feedForwardLength ?? 4 * e;
  const layers = model.layers ?? 0;
  // LoRA dropout does not exist in full mode.
  const dropout = full ? 0 : input.dropout;
  // Saved activations for the backward pass, per token and layer: residual, norms, q/k/v/o and the
  // SwiGLU intermediates (about 12·E + 4·F floats), plus attention probabilities (heads × seqLen).
  const perTokenLayer = 4 * (12 * e + 4 * f) + 4 * 2 * heads * input.seqLen;
  // Dropout: a mask and the masked input per adapter (q k v gate up read E, o reads heads × head size, down F),
  // and the trainer's tables of keep-masks (1,024 rows per input width, F16).
  const dropoutPerTokenLayer = dropout > 0 ? 4 * 2 * (5 * e + headDim * heads + f) : 0;
  const dropoutTables = dropout > 0 ? 1024 * 2 * (e + f + (headDim * heads !== e ? headDim * heads : 0)) : 0;
  // The head's logits, probabilities, the loss's one-hot and their gradients peak at about 3.3 × V floats a
  // token (measured with the trainer's compute buffer); 3.5 keeps the estimate an upper bound.
  const activationBytes = tokens * layers * (perTokenLayer + dropoutPerTokenLayer) + tokens * (model.vocabSize ?? 0) * 4 * 3.5 + dropoutTables;
  const keepStored = !full && input.baseWeights === "as-stored";
  const training = {
    seqLen: input.seqLen,
    batch: input.batch,
    rank: input.rank,
    method: input.method,
    baseWeights: input.baseWeights,
    baseF32Bytes: params * 4,
    // As stored: the file's matrices twice (a transposed copy makes the backward a product).
    baseBytes: keepStored ? Math.min(params * 4, 2 * model.fileSize) : params * 4,
    loraBytes: lora * 4,
    // A gradient accumulator and two AdamW moments per trained parameter, all F32.
    optimizerBytes: (full ? params : lora) * 4 * 3,
    activationBytes,
    totalBytes: 0,
  };
  training.totalBytes = training.baseBytes + training.loraBytes + training.optimizerBytes + training.activationBytes;
  const notes = full
    ? [
        `Training (full): every weight trained in F32 (${model.fileType ?? "?"} on disk is dequantized on load): weights ${mib(params * 4)}, gradients ${mib(params * 4)}, two Adam moments ${mib(params * 8)}, activations ${mib(activationBytes)}.`,
        ...(input.baseWeights === "as-stored" ? ["Full-parameter training holds every weight in F32, so base weights as-stored does not apply; nor do the LoRA settings (rank, targets, dropout)."] : []),
      ]
    : [
        keepStored
          ? `Training: base matrices kept as stored (${model.fileType ?? "?"}), plus a transposed copy for the backward; LoRA r=${input.rank} on q,k,v,o,gate,up,down with AdamW moments.`
          : `Training: base weights held in F32 (${model.fileType ?? "?"} on disk is dequantized on load), LoRA r=${input.rank} on q,k,v,o,gate,up,down with AdamW moments.`,
      ];
  notes.push("Training activations are an upper bound (the output head is counted for every token, though only response tokens need it).");
  if (dropout > 0) notes.push(`LoRA dropout ${dropout} keeps a mask and the masked input of every adapter for the backward pass (counted in activations).`);
  return { training, notes };
}

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
