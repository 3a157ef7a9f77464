import type { EncodedExample } from "./encodeExample.js";
import { loadTrainerAddon, trainerBackendsDir, type LossResult, type NativeTrainer } from "./TrainerAddon.js";

export interface TrainerSessionOptions {
  modelPath: string;
  targets: string[];
  rank: number;
  alpha: number;
  seed: number;
  seqLen: number;
  threads: number | undefined;
  adam: { beta1: number; beta2: number; eps: number; weightDecay: number; gradClip: number };
}

/** What the training loop needs from the native trainer, in terms of encoded examples. */
export interface TrainerSession {
  readonly trainableParameters: number;
  readonly baseBytes: number;
  /** Forward + backward over a micro-batch; returns the mean loss per supervised token. */
  accumulate(batch: EncodedExample[]): Promise<{ loss: number; tokens: number }>;
  update(lr: number): void;
  /** Mean loss per supervised token over examples, without training. */
  evalLoss(examples: EncodedExample[]): Promise<number>;
  saveCheckpoint(path: string): Promise<void>;
  loadCheckpoint(path: string): Promise<void>;
  saveAdapter(path: string): Promise<void>;
  memoryBytes(): number | null;
  dispose(): void;
}

const asTokens = (e: EncodedExample): Int32Array => Int32Array.from(e.tokens);

/** Runs examples one by one through `fn`, summing the loss and supervised-token counts. */
async function sumLosses(examples: EncodedExample[], fn: (tokens: Int32Array, target: Uint8Array) => Promise<LossResult>): Promise<LossResult> {
  let lossSum = 0;
  let tokens = 0;
  for (const example of examples) {
    const r = await fn(asTokens(example), example.target);
    lossSum += r.lossSum;
    tokens += r.tokens;
  }
  return { lossSum, tokens };
}

export async function openTrainerSession(options: TrainerSessionOptions): Promise<TrainerSession> {
  const trainer: NativeTrainer = await loadTrainerAddon().openTrainer({
    modelPath: options.modelPath,
    backendsDir: trainerBackendsDir(),
    targets: options.targets,
    rank: options.rank,
    alpha: options.alpha,
    seed: options.seed,
    ...(options.threads ? { threads: options.threads } : {}),
  });
  const info = trainer.info();
  return {
    trainableParameters: info.trainableParameters,
    baseBytes: info.baseBytes,
    async accumulate(batch) {
      const { lossSum, tokens } = await sumLosses(batch, (t, m) => trainer.accumulate(t, m));
      return { loss: lossSum / Math.max(1, tokens), tokens };
    },
    update(lr) {
      trainer.update({ lr, ...options.adam });
    },
    async evalLoss(examples) {
      const { lossSum, tokens } = await sumLosses(examples, (t, m) => trainer.evalLoss(t, m));
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
    memoryBytes: () => info.baseBytes + info.trainableParameters * 4 * 4,
    dispose: () => trainer.dispose(),
  };
}
