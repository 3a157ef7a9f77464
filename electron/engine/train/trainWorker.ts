// The training process: one per run, started by TrainingJobs. It owns the native trainer, reports
// every step, checkpoints, and exits; the engine records what it reports.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import type { TrainConfig } from "../../shared/contract.js";
import { PolytuneError, toErrorShape } from "../../shared/PolytuneError.js";
import { loadInstructionData } from "../data/loadInstructionData.js";
import { getLlamaRuntime } from "../infer/llamaRuntime.js";
import { seededShuffle } from "../random/seededRandom.js";
import { encodeExample, type EncodedExample } from "./encodeExample.js";
import { learningRateAt } from "./lrSchedule.js";
import { microBatchAt, planEpoch } from "./planBatches.js";
import { openTrainerSession, type TrainerSession } from "./openTrainerSession.js";
import { fromNativeError } from "./TrainerAddon.js";
import type { TrainWorkerEvent, TrainWorkerRequest } from "./TrainWorkerProtocol.js";

const send = (event: TrainWorkerEvent): void => {
  process.send?.(event);
};

let stopRequest: "cancel" | "pause" | null = null;

function checkpointSteps(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^step-(\d+)\.gguf$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function encodeAll(model: LlamaModel, config: TrainConfig, file: string): Promise<EncodedExample[]> {
  const { examples } = loadInstructionData(file);
  return examples.map((e) => encodeExample(model, e, { format: config.format, maskPrompt: config.maskPrompt, maxLength: config.seqLen }));
}

export async function runTraining(request: Extract<TrainWorkerRequest, { type: "start" }>): Promise<void> {
  const { config } = request;
  const llama = await getLlamaRuntime("cpu");
  // Tokenisation only: node-llama-cpp's own tokenizer, so training tokens are inference tokens.
  const vocab = await llama.loadModel({ modelPath: request.modelPath, vocabOnly: true });
  let train = await encodeAll(vocab, config, config.data);
  let validation: EncodedExample[] = [];
  if (config.validationData) validation = await encodeAll(vocab, config, config.validationData);
  else if (config.validationFraction > 0 && train.length > 1) {
    const order = seededShuffle(train.map((_, i) => i), config.seed + 1);
    const n = Math.max(1, Math.floor(train.length * config.validationFraction));
    const held = new Set(order.slice(0, n));
    validation = train.filter((_, i) => held.has(i));
    train = train.filter((_, i) => !held.has(i));
  }
  await vocab.dispose();

  const lengths = train.map((e) => e.tokens.length);
  const batchOptions = { batchSize: config.batchSize, seed: config.seed, ...(config.tokenBudget ? { tokenBudget: config.tokenBudget } : {}) };
  const microPerEpoch = planEpoch(lengths, batchOptions, 0).length;
  const totalSteps = config.steps ?? Math.max(1, Math.ceil(((config.epochs ?? 1) * microPerEpoch) / config.gradAccum));

  const session: TrainerSession = await openTrainerSession({
    modelPath: request.modelPath,
    backend: config.backend,
    device: config.device,
    targets: config.targets,
    rank: config.rank,
    alpha: config.alpha,
    rslora: config.rslora,
    keepBaseType: config.baseWeights === "as-stored",
    dropout: config.dropout,
    seed: config.seed,
    seqLen: config.seqLen,
    threads: config.threads,
    adam: { beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay, gradClip: config.gradClip },
  });
  try {
    const checkpoints = join(request.runDir, "checkpoints");
    mkdirSync(checkpoints, { recursive: true });
    let step = 0;
    if (request.resume) {
      const last = checkpointSteps(checkpoints).at(-1);
      if (last !== undefined) {
        await session.loadCheckpoint(join(checkpoints, `step-${last}.gguf`));
        step = last;
      }
    }
    send({
      type: "prepared",
      totalSteps,
      examples: train.length,
      validationExamples: validation.length,
      trainableParameters: session.trainableParameters,
      baseBytes: session.baseBytes,
      backend: session.backend,
      device: session.device,
      backendNote: session.backendNote,
      resumedFromStep: request.resume ? step : -1,
    });
    const memoryBytes = (): number => {
      const m = session.memory();
      return m.weights + m.lora + m.optimizer + m.compute;
    };

    const started = performance.now();
    while (step < totalSteps) {
      if (stopRequest) break;
      const lr = learningRateAt(step, { schedule: config.schedule, lr: config.lr, totalSteps, warmupSteps: config.warmupSteps });
      const t0 = performance.now();
      let loss = 0;
      let tokens = 0;
      for (let a = 0; a < config.gradAccum; a++) {
        const { batch } = microBatchAt(lengths, batchOptions, step * config.gradAccum + a);
        const r = await session.accumulate(batch.map((i) => train[i]!));
        loss += r.loss / config.gradAccum;
        tokens += r.tokens;
      }
      session.update(lr);
      step++;
      const seconds = (performance.now() - t0) / 1000;
      let valLoss: number | null = null;
      if (validation.length > 0 && (step % config.evalEvery === 0 || step === totalSteps)) valLoss = await session.evalLoss(validation, config.batchSize);
      send({ type: "step", metric: { step, loss, lr, tokens, tokensPerSecond: tokens / Math.max(seconds, 1e-9), memoryBytes: memoryBytes(), valLoss, elapsedMs: Math.round(performance.now() - started) } });
      if (step % config.checkpointEvery === 0 || stopRequest === "pause") {
        const path = join(checkpoints, `step-${step}.gguf`);
        await session.saveCheckpoint(path);
        send({ type: "checkpoint", step, path });
      }
    }
    if (stopRequest) {
      if (stopRequest === "pause" && !existsSync(join(checkpoints, `step-${step}.gguf`))) await session.saveCheckpoint(join(checkpoints, `step-${step}.gguf`));
      send({ type: "stopped", mode: stopRequest, step });
      return;
    }
    await session.saveAdapter(request.adapterPath);
    const finalValLoss = validation.length > 0 ? await session.evalLoss(validation, config.batchSize) : null;
    if (config.mergedOut) await session.exportMerged(config.mergedOut, config.mergedType);
    send({
      type: "done",
      adapterPath: request.adapterPath,
      summary: {
        steps: step,
        examples: train.length,
        finalValLoss,
        trainableParameters: session.trainableParameters,
        backend: session.backend,
        device: session.device,
        backendNote: session.backendNote,
        peakMemoryBytes: memoryBytes(),
        mergedModel: config.mergedOut ?? null,
      },
    });
  } finally {
    session.dispose();
  }
}

process.on("message", (raw) => {
  const message = raw as TrainWorkerRequest;
  if (message.type === "stop") {
    stopRequest = message.mode;
    return;
  }
  runTraining(message)
    .catch((error: unknown) => {
      const known = fromNativeError(error);
      const shape = known instanceof PolytuneError ? known.toShape() : toErrorShape(known);
      send({ type: "error", error: shape });
    })
    .finally(() => {
      // Let the last message flush before the process goes.
      setTimeout(() => process.exit(0), 50);
    });
});
