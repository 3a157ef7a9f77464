// The training process: one per run, started by TrainingJobs. It owns the native trainer, reports
// every step, checkpoints, and exits; the engine records what it reports.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import type { Server } from "node:net";
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import type { TrainConfig } from "../../shared/contract.js";
import { PolytuneError, toErrorShape } from "../../shared/PolytuneError.js";
import { loadInstructionData } from "../data/loadInstructionData.js";
import { readTextDocuments } from "../data/readTextDocuments.js";
import { getLlamaRuntime } from "../llamacpp/llamaRuntime.js";
import { seededShuffle } from "../random/seededRandom.js";
import { checkpointSteps, pruneCheckpoints } from "./checkpointFiles.js";
import { encodeExample, type EncodedExample } from "./encodeExample.js";
import { encodeTextDocuments } from "./encodeTextDocuments.js";
import { learningRateAt } from "./lrSchedule.js";
import { microBatchAt, planEpoch } from "./planBatches.js";
import { openTrainerSession, quantizeModel, type TrainerSession } from "./openTrainerSession.js";
import { fullRunNotes } from "./checkRunConfig.js";
import { parentChannel } from "./parentChannel.js";
import { holdRunLiveness } from "./runLiveness.js";
import { fromNativeError } from "./TrainerAddon.js";
import type { TrainWorkerEvent, TrainWorkerRequest } from "./TrainWorkerProtocol.js";

// process.send under Node's fork, process.parentPort in an Electron utility process.
const parent = parentChannel();
const send = (event: TrainWorkerEvent): void => parent.send(event);

let stopRequest: "cancel" | "pause" | null = null;

async function encodeAll(model: LlamaModel, config: TrainConfig, file: string): Promise<EncodedExample[]> {
  const { examples } = loadInstructionData(file);
  return examples.map((e) => encodeExample(model, e, { format: config.format, maskPrompt: config.maskPrompt, maxLength: config.seqLen }));
}

/** What a run needs before its first step: data read and encoded, the model open in the trainer. */
interface PreparedRun {
  train: EncodedExample[];
  validation: EncodedExample[];
  lengths: number[];
  batchOptions: Parameters<typeof planEpoch>[1];
  totalSteps: number;
  session: TrainerSession;
}

// Set by the "prepare" request: the engine records a run only once its data and model have passed.
let prepared: Promise<PreparedRun> | null = null;
let liveness: Server | null = null;

async function prepareRun(config: TrainConfig, modelPath: string): Promise<PreparedRun> {
  const llama = await getLlamaRuntime("cpu");
  // Tokenisation only: node-llama-cpp's own tokenizer, so training tokens are inference tokens.
  const vocab = await llama.loadModel({ modelPath, vocabOnly: true });
  // runs.start writes a mix's JSONL and passes its path here, so a run always has a data file by now.
  // Raw text (pretraining) is packed into windows; its validation share holds out whole documents.
  const packText = (files: string[], validationFraction: number, role?: "validation") => encodeTextDocuments(vocab, readTextDocuments(files), { seqLen: config.seqLen, seed: config.seed, validationFraction, ...(role ? { role } : {}) });
  let train: EncodedExample[];
  let validation: EncodedExample[] = [];
  if (config.text) ({ train, validation } = packText(config.text, config.validationData ? 0 : config.validationFraction));
  else if (config.data === undefined) throw new PolytuneError("run-no-data", "The run has no training data file.", { hint: "Give `data` (a JSONL file), `mix` (a saved mix) or `text` (raw text files)." });
  else train = await encodeAll(vocab, config, config.data);
  if (config.validationData) validation = config.text ? packText([config.validationData], 0, "validation").train : await encodeAll(vocab, config, config.validationData);
  else if (!config.text && config.validationFraction > 0 && train.length > 1) {
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
    modelPath,
    method: config.method,
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
  return { train, validation, lengths, batchOptions, totalSteps, session };
}

export async function runTraining(request: Extract<TrainWorkerRequest, { type: "start" }>): Promise<void> {
  const { config } = request;
  // Held first: from here until this process ends, the engine sees the run as going.
  liveness = await holdRunLiveness(request.liveness);
  const { train, validation, lengths, batchOptions, totalSteps, session } = await (prepared ?? prepareRun(config, request.modelPath));
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
    // Only the two newest are kept after each: a full run's checkpoint weighs 12 bytes a parameter (0034).
    const checkpoint = async (at: number): Promise<string> => {
      const path = join(checkpoints, `step-${at}.gguf`);
      await session.saveCheckpoint(path);
      pruneCheckpoints(checkpoints);
      return path;
    };
    const memoryBytes = (): number => {
      const m = session.memory();
      return m.weights + m.lora + m.optimizer + m.compute;
    };

    const started = performance.now();
    while (step < totalSteps) {
      if (stopRequest) break;
      const scheduledLr = learningRateAt(step, { schedule: config.schedule, peakLr: config.lr, totalSteps, warmupSteps: config.warmupSteps });
      const t0 = performance.now();
      let loss = 0;
      let tokens = 0;
      for (let a = 0; a < config.gradAccum; a++) {
        const { batch } = microBatchAt(lengths, batchOptions, step * config.gradAccum + a);
        const r = await session.accumulate(batch.map((i) => train[i]!));
        loss += r.loss / config.gradAccum;
        tokens += r.tokens;
      }
      session.update(scheduledLr);
      step++;
      const seconds = (performance.now() - t0) / 1000;
      let valLoss: number | null = null;
      if (validation.length > 0 && (step % config.evalEvery === 0 || step === totalSteps)) valLoss = await session.evalLoss(validation, config.batchSize);
      send({ type: "step", metric: { step, loss, scheduledLr, tokens, tokensPerSecond: tokens / Math.max(seconds, 1e-9), memoryBytes: memoryBytes(), valLoss, elapsedMs: Math.round(performance.now() - started) } });
      if (step % config.checkpointEvery === 0 || stopRequest === "pause") {
        send({ type: "checkpoint", step, path: await checkpoint(step) });
      }
    }
    if (stopRequest) {
      if (stopRequest === "pause" && !existsSync(join(checkpoints, `step-${step}.gguf`))) await checkpoint(step);
      send({ type: "stopped", mode: stopRequest, step });
      return;
    }
    const full = config.method === "full";
    // A full run's result is the model itself; a LoRA run's the adapter (and, if asked, base + adapter).
    if (full) await session.exportMerged(request.outPath, config.mergedType);
    else await session.saveAdapter(request.outPath);
    const finalValLoss = validation.length > 0 ? await session.evalLoss(validation, config.batchSize) : null;
    if (!full && config.mergedOut) await session.exportMerged(config.mergedOut, config.mergedType);
    const model = full ? request.outPath : (config.mergedOut ?? null);
    const quantized = config.quantize && model ? quantizedPath(model, config.quantize) : null;
    if (quantized && model && config.quantize) await quantizeModel(model, quantized, config.quantize, config.threads);
    // Everything is written: a finished run is never resumed, so its checkpoints (and any stale .tmp) go.
    rmSync(checkpoints, { recursive: true, force: true });
    send({
      type: "done",
      adapterPath: full ? null : request.outPath,
      modelPath: full ? request.outPath : null,
      modelPaths: [model, quantized].filter((p): p is string => p !== null),
      summary: {
        method: config.method,
        steps: step,
        examples: train.length,
        finalValLoss,
        trainableParameters: session.trainableParameters,
        backend: session.backend,
        device: session.device,
        backendNote: session.backendNote,
        peakMemoryBytes: memoryBytes(),
        mergedModel: full ? null : (config.mergedOut ?? null),
        quantizedModel: quantized,
        methodNote: fullRunNotes(config),
      },
    });
  } finally {
    session.dispose();
  }
}

/** `<model without .gguf>.<type>.gguf`, beside the model. */
function quantizedPath(model: string, type: string): string {
  return `${model.replace(/\.gguf$/i, "")}.${type}.gguf`;
}

function sendError(error: unknown): void {
  const known = fromNativeError(error);
  const shape = known instanceof PolytuneError ? known.toShape() : toErrorShape(known);
  send({ type: "error", error: shape });
}

// Let the last message flush before the process goes; closing the socket also removes its file.
const exitSoon = (): void =>
  void setTimeout(() => {
    liveness?.close();
    process.exit(0);
  }, 50);

// The engine that started this process is gone: nobody records the steps, so stop at a checkpoint.
parent.onDisconnect(() => {
  stopRequest ??= "pause";
});

// Ctrl+C in a terminal signals the whole process group, this process too: the engine decides (the CLI
// turns it into a pause at a checkpoint), so the signal alone must not kill the run.
process.on("SIGINT", () => undefined);

parent.onRequest((message) => {
  if (message.type === "stop") {
    stopRequest = message.mode;
    return;
  }
  if (message.type === "prepare") {
    prepared = prepareRun(message.config, message.modelPath);
    prepared.then(
      (p) => send({ type: "ready", examples: p.train.length, validationExamples: p.validation.length, totalSteps: p.totalSteps }),
      (error: unknown) => {
        sendError(error);
        exitSoon();
      },
    );
    return;
  }
  runTraining(message).catch(sendError).finally(exitSoon);
});
