// The one contract between the UI and the engine. Every call and event that crosses a process
// boundary is declared here with zod; Electron IPC, the `serve` WebSocket and the renderer's API
// client are all derived from these tables. No Node, no DOM: imported by every side.
import { z } from "zod";

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
    baseWeights: z.enum(["f32", "as-stored"]),
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
  name: z.enum(["cpu", "cuda", "vulkan", "metal"]),
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
  format: z.enum(["raw", "alpaca", "guanaco", "chat"]).default("raw"),
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

/** The projections a LoRA is put on by default; "output" (the LM head) may be added. */
export const loraTargets = ["q", "k", "v", "o", "gate", "up", "down"] as const;
export const allLoraTargets = [...loraTargets, "output"] as const;
export const LoraTargetSchema = z.enum(allLoraTargets);
export const trainBackends = ["auto", "cpu", "cuda", "vulkan", "metal"] as const;
export const TrainBackendSchema = z.enum(trainBackends);

/** One LoRA training run's settings; defaults are Kew et al. 2024's (r 64, α 16, LR 1e-5). */
export const TrainConfigSchema = z
  .object({
    model: z.string().min(1).max(4096),
    data: z.string().min(1).max(4096),
    validationData: z.string().min(1).max(4096).optional(),
    validationFraction: z.number().min(0).max(0.5).default(0),
    format: z.enum(["alpaca", "guanaco", "chat"]).default("alpaca"),
    maskPrompt: z.boolean().default(true),
    targets: z.array(LoraTargetSchema).min(1).default([...loraTargets]),
    rank: z.number().int().min(1).max(1024).default(64),
    alpha: z.number().positive().max(4096).default(16),
    rslora: z.boolean().default(false),
    /** LoRA dropout: each input of an adapter is zeroed with this probability in training (PEFT's lora_dropout). */
    dropout: z.number().min(0).lt(1).default(0),
    /**
     * as-stored: keep F16/quantized matrices as the file has them (the numerics llama.cpp infers with,
     * less memory, faster); f32: dequantize the base on load (exact gradients of the dequantized model).
     */
    baseWeights: z.enum(["f32", "as-stored"]).default("as-stored"),
    lr: z.number().positive().max(1).default(1e-5),
    schedule: z.enum(["constant", "linear", "cosine", "inverse-sqrt"]).default("constant"),
    warmupSteps: z.number().int().min(0).default(0),
    steps: z.number().int().min(1).max(10_000_000).optional(),
    epochs: z.number().positive().max(1000).optional(),
    batchSize: z.number().int().min(1).max(4096).default(4),
    tokenBudget: z.number().int().min(16).optional(),
    gradAccum: z.number().int().min(1).max(1024).default(1),
    seqLen: z.number().int().min(8).max(131072).default(1024),
    weightDecay: z.number().min(0).max(1).default(0),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().default(1e-8),
    gradClip: z.number().min(0).default(1),
    seed: z.number().int().min(0).default(1),
    threads: z.number().int().min(1).max(512).optional(),
    backend: TrainBackendSchema.default("auto"),
    device: z.number().int().min(0).max(64).default(0),
    mergedOut: z.string().min(1).max(4096).optional(),
    mergedType: z.enum(["source", "f16", "f32"]).default("source"),
    checkpointEvery: z.number().int().min(1).default(100),
    evalEvery: z.number().int().min(1).default(50),
    out: z.string().min(1).max(4096).optional(),
    name: z.string().max(200).optional(),
  })
  .strict();
export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

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
  error: PolytuneErrorSchema.nullable(),
  summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Run = z.infer<typeof RunSchema>;

export const RunMetricSchema = z.object({
  step: z.number(),
  loss: z.number(),
  lr: z.number(),
  tokens: z.number(),
  tokensPerSecond: z.number(),
  memoryBytes: z.number().nullable(),
  valLoss: z.number().nullable(),
  elapsedMs: z.number(),
});
export type RunMetric = z.infer<typeof RunMetricSchema>;

const empty = z.object({}).strict();
const byModel = z.object({ model: z.string().min(1).max(4096) }).strict();

/** Every call: name → input and output schemas. */
export const calls = {
  "app.info": {
    input: empty,
    output: z.object({ version: z.string(), home: z.string(), database: z.string(), carrier: z.enum(["ipc", "http"]) }),
  },
  "system.doctor": { input: empty, output: DoctorReportSchema },
  "models.list": { input: empty, output: z.array(ModelSchema) },
  "models.get": { input: byModel, output: ModelDetailSchema },
  "models.add": {
    input: z.object({ path: z.string().min(1).max(4096) }).strict(),
    output: AddModelsResultSchema,
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
        seqLen: z.number().int().min(16).max(131072).default(1024),
        batch: z.number().int().min(1).max(1024).default(4),
        rank: z.number().int().min(1).max(1024).default(64),
        baseWeights: z.enum(["f32", "as-stored"]).default("as-stored"),
        dropout: z.number().min(0).lt(1).default(0),
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
  "models.tryCancel": { input: z.object({ requestId: z.string().min(1).max(64) }).strict(), output: z.object({ cancelled: z.boolean() }) },
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
};

/** Messages of the `polytune serve` WebSocket (path /ws?token=…). */
export type ServerClientMessage = { type: "call"; id: number; name: string; input: unknown };
export type ServerMessage =
  | { type: "result"; id: number; result: CallResult<CallName> }
  | { type: "event"; name: EventName; payload: unknown };
