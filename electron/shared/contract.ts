// The one contract between the UI and the engine. Every call and event that crosses a process
// boundary is declared here with zod; Electron IPC, the `serve` WebSocket and the renderer's API
// client are all derived from these tables. No Node, no DOM: imported by every side.
import { z } from "zod";
import { datasetCalls, datasetEvents } from "./datasetContract.js";
import { mixCalls, mixEvents, RunMixSchema } from "./mixContract.js";
import { translateCalls, translateEvents } from "./translateContract.js";
import { evalCalls, evalEvents, evalJobCalls } from "./evalContract.js";
import { experimentCalls, experimentEvents } from "./experimentContract.js";
import { compareCalls } from "./compareContract.js";
import { minTrimmedVocabSize } from "./tinyShapeProblem.js";
import { BaseWeightsSchema, computeBackends, MergedTypeSchema, promptFormats, TrainBackendSchema, TrainConfigSchema } from "./trainContract.js";

export * from "./trainContract.js";

export const ModelIdSchema = z.string().min(1).max(64);

export const ModelSourceSchema = z.enum(["file", "folder", "lmstudio", "ollama", "huggingface", "generated"]);
export type ModelSource = z.infer<typeof ModelSourceSchema>;

export const ModelStatusSchema = z.enum(["ok", "missing", "changed", "error"]);
export type ModelStatus = z.infer<typeof ModelStatusSchema>;


/** A user-facing failure: what happened, where, and what to do. */
export const PolytuneErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  where: z.string().optional(),
  hint: z.string().optional(),
  details: z.string().optional(),
});
export type PolytuneErrorShape = z.infer<typeof PolytuneErrorSchema>;

export const ModelSchema = z.object({
  id: ModelIdSchema,
  name: z.string(),
  path: z.string(),
  source: ModelSourceSchema,
  status: ModelStatusSchema,
  error: PolytuneErrorSchema.nullable(),
  architecture: z.string().nullable(),
  parameterCount: z.number().nullable(),
  fileType: z.string().nullable(),
  contextLength: z.number().nullable(),
  layers: z.number().nullable(),
  embeddingSize: z.number().nullable(),
  vocabSize: z.number().nullable(),
  tokenizer: z.string().nullable(),
  hasChatTemplate: z.boolean().nullable(),
  fileSize: z.number(),
  fingerprint: z.string().nullable(),
  sha256: z.string().nullable(),
  ggufVersion: z.number().nullable(),
  addedAt: z.string(),
  checkedAt: z.string(),
});
export type Model = z.infer<typeof ModelSchema>;

export const ModelDetailSchema = ModelSchema.extend({
  headCount: z.number().nullable(),
  headCountKv: z.number().nullable(),
  feedForwardLength: z.number().nullable(),
  tensorCount: z.number().nullable(),
  tensorTypes: z.record(z.string(), z.number()),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type ModelDetail = z.infer<typeof ModelDetailSchema>;

export const AddModelsResultSchema = z.object({
  added: z.array(ModelSchema),
  updated: z.array(ModelSchema),
  failed: z.array(ModelSchema),
  scannedFiles: z.number(),
});
export type AddModelsResult = z.infer<typeof AddModelsResultSchema>;

export const DiscoveryLocationSchema = z.object({
  kind: z.enum(["lmstudio", "ollama", "huggingface"]),
  path: z.string(),
  exists: z.boolean(),
  found: z.number(),
});

export const MemoryEstimateSchema = z.object({
  inference: z.object({
    contextSize: z.number(),
    sequences: z.number(),
    weightsBytes: z.number(),
    kvCacheBytes: z.number(),
    computeBytes: z.number(),
    totalBytes: z.number(),
  }),
  training: z.object({
    seqLen: z.number(),
    batch: z.number(),
    rank: z.number(),
    /** lora: base + adapters (optimizer = their gradients and moments); full: every weight trained in F32 (optimizer = gradients + two Adam moments of every weight). */
    method: TrainConfigSchema.shape.method,
    baseWeights: BaseWeightsSchema,
    baseF32Bytes: z.number(),
    /** The base as the trainer will hold it: F32, or as stored plus a transposed copy. */
    baseBytes: z.number(),
    loraBytes: z.number(),
    optimizerBytes: z.number(),
    activationBytes: z.number(),
    totalBytes: z.number(),
  }),
  notes: z.array(z.string()),
});
export type MemoryEstimate = z.infer<typeof MemoryEstimateSchema>;

export const BackendInfoSchema = z.object({
  name: z.enum(computeBackends),
  available: z.boolean(),
  reason: z.string(),
  devices: z.array(z.string()),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

export const DoctorReportSchema = z.object({
  version: z.string(),
  platform: z.string(),
  node: z.string(),
  home: z.string(),
  database: z.string(),
  llamaCppRelease: z.string().nullable(),
  backends: z.array(BackendInfoSchema),
  /** Whether the native LoRA trainer is built and loads (it trains on the backends above). */
  trainer: z.object({ available: z.boolean(), reason: z.string() }),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

export const TryOptionsSchema = z.object({
  model: z.string().min(1),
  prompt: z.string().min(1).max(100_000),
  maxTokens: z.number().int().min(1).max(4096).default(64),
  repeatPenalty: z.number().min(1).max(2).default(1.1),
  gpu: z.enum(["auto", "cpu"]).default("auto"),
  contextSize: z.number().int().min(64).max(131072).optional(),
  /** A LoRA adapter GGUF to apply on top of the model. */
  adapter: z.string().min(1).max(4096).optional(),
  /** raw: the prompt as typed; alpaca/guanaco/chat: wrapped as in training. */
  format: z.enum(["raw", ...promptFormats]).default("raw"),
});
export type TryOptions = z.input<typeof TryOptionsSchema>;

export const TryResultSchema = z.object({
  requestId: z.string(),
  text: z.string(),
  tokens: z.number(),
  promptTokens: z.number(),
  tokensPerSecond: z.number(),
  seconds: z.number(),
  backend: z.string(),
  stopReason: z.enum(["maxTokens", "eos", "cancelled"]),
});
export type TryResult = z.infer<typeof TryResultSchema>;


export const RunStatusSchema = z.enum(["queued", "running", "paused", "completed", "failed", "cancelled", "interrupted"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.literal("train"),
  modelId: z.string().nullable(),
  status: RunStatusSchema,
  config: TrainConfigSchema,
  step: z.number(),
  totalSteps: z.number(),
  adapterPath: z.string().nullable(),
  /** The model a full-parameter run wrote (null for LoRA runs and before the end). */
  modelPath: z.string().nullable().default(null),
  error: PolytuneErrorSchema.nullable(),
  summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The last recorded training and validation losses, for comparing runs in a list without their metrics. */
  lastLoss: z.number().nullable().default(null),
  lastValLoss: z.number().nullable().default(null),
  /** The mix the run trained on: recipe, fingerprint and counts per language; null for a data file. */
  mix: RunMixSchema.nullable().default(null),
});
export type Run = z.infer<typeof RunSchema>;

export const RunMetricSchema = z.object({
  step: z.number(),
  loss: z.number(),
  /** The rate this step's update used: the configured peak `lr` as the schedule scaled it. */
  scheduledLr: z.number(),
  tokens: z.number(),
  tokensPerSecond: z.number(),
  memoryBytes: z.number().nullable(),
  valLoss: z.number().nullable(),
  elapsedMs: z.number(),
});
export type RunMetric = z.infer<typeof RunMetricSchema>;

/** A small random-weight GGUF model with a real tokenizer, written by the project's own generator. */
/** What the tiny-model generator can write: architectures, tokenizers, weight types. */
export const tinyArchs = ["llama", "mistral", "qwen2", "qwen3"] as const;
export const tinyVocabs = ["llama-spm", "qwen2"] as const;
export const tinyWeightTypes = ["f32", "f16", "bf16", "q8_0"] as const;
export const TinyModelSpecSchema = z
  .object({
    out: z.string().min(1).max(4096),
    vocab: z.enum(tinyVocabs).default("llama-spm"),
    arch: z.enum(tinyArchs).default("llama"),
    type: z.enum(tinyWeightTypes).default("f32"),
    layers: z.number().int().min(1).max(64).default(2),
    embd: z.number().int().min(8).max(8192).default(64),
    heads: z.number().int().min(1).max(256).default(4),
    headsKv: z.number().int().min(1).max(256).default(2),
    ff: z.number().int().min(1).optional(),
    headDim: z.number().int().min(2).optional(),
    biases: z.boolean().optional(),
    contextLength: z.number().int().min(8).max(131072).optional(),
    /** test: small weights for fast, stable tests; scaled: the standard initialisation for pretraining from scratch. */
    init: z.enum(["test", "scaled"]).default("test"),
    /** Trim the vocabulary to this many tokens by their frequency in `vocabFrom` (llama-spm only). */
    vocabSize: z.number().int().min(minTrimmedVocabSize).max(1_000_000).optional(),
    vocabFrom: z.array(z.string().min(1).max(4096)).min(1).optional(),
    seed: z.number().int().default(1),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();
export const TinyModelInfoSchema = z.object({
  path: z.string(),
  arch: z.enum(tinyArchs),
  vocab: z.enum(tinyVocabs),
  vocabSize: z.number(),
  layers: z.number(),
  embd: z.number(),
  heads: z.number(),
  headsKv: z.number(),
  headDim: z.number(),
  ff: z.number(),
  parameters: z.number(),
  type: z.enum(tinyWeightTypes),
});

const empty = z.object({}).strict();
const byModel = z.object({ model: z.string().min(1).max(4096) }).strict();

/** Every call: name → input and output schemas. */
export const calls = {
  "app.info": {
    input: empty,
    output: z.object({ version: z.string(), home: z.string(), database: z.string(), modelsDir: z.string(), carrier: z.enum(["ipc", "http"]) }),
  },
  "system.doctor": { input: empty, output: DoctorReportSchema },
  "models.list": { input: empty, output: z.array(ModelSchema) },
  "models.get": { input: byModel, output: ModelDetailSchema },
  "models.add": {
    /** name: what the library calls a single file (default: its general.name). */
    input: z.object({ path: z.string().min(1).max(4096), name: z.string().min(1).max(200).optional() }).strict(),
    output: AddModelsResultSchema,
  },
  /** Completes a typed path from its folder's listing (folders and .gguf files; links listed, not followed). */
  "files.complete": {
    input: z.object({ path: z.string().max(4096), kind: z.enum(["gguf", "any"]).default("gguf") }).strict(),
    output: z.array(z.object({ path: z.string(), isDirectory: z.boolean() })).max(50),
  },
  "models.remove": { input: byModel, output: z.object({ removed: z.boolean() }) },
  "models.recheck": { input: empty, output: z.array(ModelSchema) },
  "models.discoveryLocations": { input: empty, output: z.array(DiscoveryLocationSchema) },
  "models.discover": { input: empty, output: AddModelsResultSchema },
  "models.hash": { input: byModel, output: ModelSchema },
  "models.estimate": {
    input: z
      .object({
        model: z.string().min(1),
        contextSize: z.number().int().min(64).max(1_048_576).default(4096),
        sequences: z.number().int().min(1).max(256).default(1),
        // The training side of the estimate takes the run settings as a run would.
        seqLen: TrainConfigSchema.shape.seqLen,
        batch: TrainConfigSchema.shape.batchSize,
        rank: TrainConfigSchema.shape.rank,
        method: TrainConfigSchema.shape.method,
        baseWeights: TrainConfigSchema.shape.baseWeights,
        dropout: TrainConfigSchema.shape.dropout,
      })
      .strict(),
    output: MemoryEstimateSchema,
  },
  "models.try": {
    input: TryOptionsSchema.extend({ requestId: z.string().min(1).max(64) }).strict(),
    output: TryResultSchema,
  },
  "runs.list": { input: empty, output: z.array(RunSchema) },
  "runs.get": { input: z.object({ run: z.string().min(1).max(64) }).strict(), output: RunSchema.extend({ metrics: z.array(RunMetricSchema) }) },
  "runs.start": { input: TrainConfigSchema, output: RunSchema },
  "runs.cancel": { input: z.object({ run: z.string().min(1).max(64) }).strict(), output: RunSchema },
  "runs.pause": { input: z.object({ run: z.string().min(1).max(64) }).strict(), output: RunSchema },
  "runs.resume": { input: z.object({ run: z.string().min(1).max(64) }).strict(), output: RunSchema },
  "runs.rename": { input: z.object({ run: z.string().min(1).max(64), name: z.string().trim().min(1).max(200) }).strict(), output: RunSchema },
  /** Deletes a run that is not going, with its checkpoints and adapter; a merged model it wrote is kept. */
  "runs.delete": { input: z.object({ run: z.string().min(1).max(64) }).strict(), output: z.object({ deleted: z.boolean(), removedFiles: z.array(z.string()) }) },
  "models.tryCancel": { input: z.object({ requestId: z.string().min(1).max(64) }).strict(), output: z.object({ cancelled: z.boolean() }) },
  "models.makeTiny": { input: TinyModelSpecSchema, output: TinyModelInfoSchema },
  "models.merge": {
    input: z.object({ model: z.string().min(1).max(4096), adapter: z.string().min(1).max(4096), out: z.string().min(1).max(4096), type: MergedTypeSchema.default("source"), backend: TrainBackendSchema.default("auto") }).strict(),
    output: z.object({ out: z.string(), backend: z.string(), device: z.string() }),
  },
  "runs.wait": { input: z.object({ run: z.string().min(1).max(64) }).strict(), output: RunSchema },
  ...datasetCalls,
  ...mixCalls,
  ...translateCalls,
  ...evalCalls,
  ...evalJobCalls,
  ...experimentCalls,
  ...compareCalls,
} as const;

/** Every event the engine pushes to the UI. */
export const events = {
  "models.changed": z.object({ reason: z.string() }),
  "try.token": z.object({ requestId: z.string(), text: z.string(), tokens: z.number(), tokensPerSecond: z.number() }),
  "runs.changed": z.object({ run: z.string(), status: RunStatusSchema }),
  "runs.step": z.object({ run: z.string(), metric: RunMetricSchema, totalSteps: z.number(), etaSeconds: z.number().nullable() }),
  "progress": z.object({
    task: z.string(),
    label: z.string(),
    done: z.number(),
    total: z.number().nullable(),
  }),
  ...datasetEvents,
  ...mixEvents,
  ...translateEvents,
  ...evalEvents,
  ...experimentEvents,
} as const;

export type CallName = keyof typeof calls;
export type CallInput<N extends CallName> = z.input<(typeof calls)[N]["input"]>;
export type CallParsedInput<N extends CallName> = z.output<(typeof calls)[N]["input"]>;
export type CallOutput<N extends CallName> = z.output<(typeof calls)[N]["output"]>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(events, name);
}

/** The surface the renderer sees, whatever the carrier. */
export interface PolytuneApi {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The result envelope both carriers use, so errors keep their code and hint across the boundary. */
export type CallResult<N extends CallName> = { ok: true; value: CallOutput<N> } | { ok: false; error: PolytuneErrorShape };

/** Names of the Electron IPC channels, namespaced. */
export const ipcChannel = (name: CallName): string => `polytune:call:${name}`;
export const ipcEventChannel = "polytune:event";

/**
 * Actions only the desktop app can take (a native dialog, the file manager): not engine calls, so not in
 * `calls`. Each has its own channel; main checks the sender and validates the input with these schemas.
 */
export const desktopActions = {
  /** The native open dialog, then "models.add" for each choice (as File ▸ Add model…). */
  "desktop.addModelsFromDialog": z.object({ kind: z.enum(["file", "folder"]) }).strict(),
  /** Shows a run's adapter file in the file manager; main takes the path from the run, not from the page. */
  "desktop.showRunAdapter": z.object({ run: z.string().min(1).max(64) }).strict(),
} as const;
export type DesktopActionName = keyof typeof desktopActions;
export const desktopActionNames = Object.keys(desktopActions) as DesktopActionName[];
export const desktopChannel = (name: DesktopActionName): string => `polytune:${name}`;
export type DesktopResult = { ok: true } | { ok: false; error: PolytuneErrorShape };

/**
 * What the Electron preload exposes on `window.polytune`: one method per call (named exactly as the
 * call, e.g. `window.polytune["models.list"]({})`), each resolving to a result envelope, plus one
 * event subscription. Nothing else crosses into the page.
 */
export type PreloadBridge = {
  [N in CallName]: (input: CallInput<N>) => Promise<CallResult<N>>;
} & {
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  /** The on-disk path of a file dropped on the window (Electron's webUtils.getPathForFile). */
  pathForFile(file: File): string;
} & {
  [A in DesktopActionName]: (input: z.input<(typeof desktopActions)[A]>) => Promise<DesktopResult>;
};

/** Messages of the `polytune serve` WebSocket (path /ws?token=…). */
export type ServerClientMessage = { type: "call"; id: number; name: string; input: unknown };
export type ServerMessage =
  | { type: "result"; id: number; result: CallResult<CallName> }
  | { type: "event"; name: EventName; payload: unknown };
