import type { LoraTarget, MergedType, QuantizeType, TrainMethod } from "../../shared/contract.js";
import type { EncodedExample } from "./encodeExample.js";
import { gpuBackendLibraries, loadTrainerAddon, trainerBackendsDir, type NativeTrainer, type TrainerBackend, type TrainerMemory } from "./TrainerAddon.js";

export interface TrainerSessionOptions {
  modelPath: string;
  /** full: every weight is trained; the LoRA options below are then not passed on. */
  method: TrainMethod;
  backend: TrainerBackend;
  device: number;
  targets: readonly LoraTarget[];
  rank: number;
  alpha: number;
  rslora: boolean;
  keepBaseType: boolean;
  dropout: number;
  seed: number;
  seqLen: number;
  threads: number | undefined;
  adam: { beta1: number; beta2: number; eps: number; weightDecay: number; gradClip: number };
}

/** What the training loop needs from the native trainer, in terms of encoded examples. */
export interface TrainerSession {
  readonly method: TrainMethod;
  readonly trainableParameters: number;
  readonly baseBytes: number;
  /** ggml's name of the backend that computes (CPU, CUDA0, Vulkan0, …) and its device. */
  readonly backend: string;
  readonly device: string;
  /** Why `auto` computes on the CPU although a GPU was found; null otherwise. */
  readonly backendNote: string | null;
  /** Forward + backward over a micro-batch (one graph); returns the mean loss per supervised token. */
  accumulate(batch: EncodedExample[]): Promise<{ loss: number; tokens: number }>;
  /** One AdamW update at this step's scheduled rate. */
  update(scheduledLr: number): void;
  /** Mean loss per supervised token over examples, without training, in micro-batches of `batchSize`. */
  evalLoss(examples: EncodedExample[], batchSize: number): Promise<number>;
  saveCheckpoint(path: string): Promise<void>;
  loadCheckpoint(path: string): Promise<void>;
  saveAdapter(path: string): Promise<void>;
  /** LoRA: base + adapter as one model; full: the trained model. */
  exportMerged(path: string, type: MergedType): Promise<void>;
  memory(): TrainerMemory;
  dispose(): void;
}

/** A micro-batch as the addon takes it: tokens and targets concatenated, with each sequence's length. */
export function packBatch(batch: readonly EncodedExample[]): { tokens: Int32Array; target: Uint8Array; lengths: Int32Array } {
  const total = batch.reduce((n, e) => n + e.tokens.length, 0);
  const tokens = new Int32Array(total);
  const target = new Uint8Array(total);
  const lengths = new Int32Array(batch.length);
  let at = 0;
  batch.forEach((e, i) => {
    tokens.set(e.tokens, at);
    target.set(e.target, at);
    lengths[i] = e.tokens.length;
    at += e.tokens.length;
  });
  return { tokens, target, lengths };
}

export async function openTrainerSession(options: TrainerSessionOptions): Promise<TrainerSession> {
  const full = options.method === "full";
  const trainer: NativeTrainer = await loadTrainerAddon().openTrainer({
    modelPath: options.modelPath,
    backendsDir: trainerBackendsDir(),
    backend: options.backend,
    backendLibs: options.backend === "cpu" ? [] : gpuBackendLibraries(),
    device: options.device,
    method: options.method,
    // Full mode trains every weight in F32: no adapters, and the base is never kept as stored.
    targets: full ? [] : options.targets,
    rank: full ? 0 : options.rank,
    alpha: full ? 0 : options.alpha,
    rslora: full ? false : options.rslora,
    keepBaseType: full ? false : options.keepBaseType,
    dropout: full ? 0 : options.dropout,
    seed: options.seed,
    ...(options.threads ? { threads: options.threads } : {}),
  });
  const info = trainer.info();
  return {
    method: info.method,
    trainableParameters: info.trainableParameters,
    baseBytes: info.baseBytes,
    backend: info.backend,
    device: info.device,
    backendNote: info.backendNote,
    async accumulate(batch) {
      const { tokens, target, lengths } = packBatch(batch);
      const r = await trainer.accumulate(tokens, target, lengths);
      return { loss: r.lossSum / Math.max(1, r.tokens), tokens: r.tokens };
    },
    update(scheduledLr) {
      trainer.update({ lr: scheduledLr, ...options.adam });
    },
    async evalLoss(examples, batchSize) {
      let lossSum = 0;
      let tokens = 0;
      for (let i = 0; i < examples.length; i += batchSize) {
        const { tokens: t, target, lengths } = packBatch(examples.slice(i, i + batchSize));
        const r = await trainer.evalLoss(t, target, lengths);
        lossSum += r.lossSum;
        tokens += r.tokens;
      }
      return lossSum / Math.max(1, tokens);
    },
    async saveCheckpoint(path) {
      await trainer.saveCheckpoint(path);
    },
    async loadCheckpoint(path) {
      await trainer.loadCheckpoint(path);
    },
    async saveAdapter(path) {
      await trainer.saveAdapter(path);
    },
    async exportMerged(path, type) {
      await trainer.exportMerged(path, type);
    },
    memory: () => trainer.memory(),
    dispose: () => trainer.dispose(),
  };
}

/** Writes `model` quantized by llama.cpp's own quantizer (libllama's llama_model_quantize) to `out`. */
export async function quantizeModel(model: string, out: string, type: QuantizeType, threads: number | undefined): Promise<void> {
  await loadTrainerAddon().quantizeModel(model, out, type, threads);
}
