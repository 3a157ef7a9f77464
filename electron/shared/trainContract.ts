// The run settings of the contract: their vocabularies (each list written once, read by the engine, the
// CLI's flags and the Runs form alike) and TrainConfigSchema, from which `trainSettings.ts` derives the
// CLI's `train` flags and the Runs form. Imports zod only; contract.ts re-exports it, and domain files
// that need a run's settings (experiments) import it directly.
import { z } from "zod";
/** How examples are wrapped into prompts, in training and in `models try`. */
export const promptFormats = ["alpaca", "guanaco", "chat"] as const;
export const PromptFormatSchema = z.enum(promptFormats);
export type PromptFormat = z.infer<typeof PromptFormatSchema>;
export const lrSchedules = ["constant", "linear", "cosine", "inverse-sqrt"] as const;
export const LrScheduleSchema = z.enum(lrSchedules);
export type LrSchedule = z.infer<typeof LrScheduleSchema>;
/** How the trainer holds the base: as the file stores it (F16/quantized), or dequantized to F32. */
export const baseWeightModes = ["as-stored", "f32"] as const;
export const BaseWeightsSchema = z.enum(baseWeightModes);
export type BaseWeights = z.infer<typeof BaseWeightsSchema>;
/** The ggml backends a machine may compute on; training adds "auto". */
export const computeBackends = ["cpu", "cuda", "vulkan", "metal"] as const;
export const trainBackends = ["auto", ...computeBackends] as const;
export const TrainBackendSchema = z.enum(trainBackends);
export type TrainBackend = z.infer<typeof TrainBackendSchema>;
/** Tensor type of a merged model's weights; "source" keeps each base tensor's own. */
export const mergedTypes = ["source", "f16", "f32"] as const;
export const MergedTypeSchema = z.enum(mergedTypes);
export type MergedType = z.infer<typeof MergedTypeSchema>;
/** What a run trains: low-rank adapters on a frozen base, or every weight of the model. */
export const trainMethods = ["lora", "full"] as const;
export const TrainMethodSchema = z.enum(trainMethods);
export type TrainMethod = z.infer<typeof TrainMethodSchema>;
/** llama.cpp quantization types a written model can also be stored in (through llama.cpp's own quantizer). */
export const quantizeTypes = ["q8_0", "q6_k", "q5_k_m", "q4_k_m"] as const;
export const QuantizeTypeSchema = z.enum(quantizeTypes);
export type QuantizeType = z.infer<typeof QuantizeTypeSchema>;
/** The projections a LoRA is put on by default; "output" (the LM head) may be added. */
export const loraTargets = ["q", "k", "v", "o", "gate", "up", "down"] as const;
export const allLoraTargets = [...loraTargets, "output"] as const;
export const LoraTargetSchema = z.enum(allLoraTargets);
export type LoraTarget = z.infer<typeof LoraTargetSchema>;

/**
 * One LoRA training run's settings; defaults are Kew et al. 2024's (r 64, α 16, LR 1e-5). Each field's
 * `description` is its help (the CLI's `--help`, the JSON schema); `flag` names its CLI flag where that
 * is not the kebab-case of the field (the names users have typed since the flag was introduced);
 * `value` names the value in help; `offHelp` explains turning off a switch that is on by default.
 */
export const TrainConfigSchema = z
  .object({
    model: z.string().min(1).max(4096).meta({ description: "base model: id, name or path", value: "model" }),
    method: TrainMethodSchema.default("lora").meta({
      description: "lora: train low-rank adapters on the frozen base; full: train every weight (about 16 bytes per parameter: F32 weights, gradients and two Adam moments)",
    }),
    // Exactly one of data, mix and text (runs.start says which is missing or that several were given).
    data: z.string().min(1).max(4096).optional().meta({ description: "training data, JSONL (Alpaca, prompt/response, chat messages, or Guanaco text); or give --mix", value: "file" }),
    mix: z.string().min(1).max(4096).optional().meta({ description: "train on a saved mix (id or name; the CLI also takes a recipe .json, saved first) instead of --data", value: "mix" }),
    text: z
      .array(z.string().min(1).max(4096))
      .min(1)
      .optional()
      .meta({
        description: "raw text for (continued) pretraining, comma-separated: .txt is one document, .jsonl one {\"text\"} document per line; every token is trained, documents packed into windows of --seq-len",
        value: "files",
      }),
    validationData: z.string().min(1).max(4096).optional().meta({ description: "held-out validation data (JSONL)", flag: "val-data", value: "file" }),
    validationFraction: z.number().min(0).max(0.5).default(0).meta({ description: "hold out this share of the training data for validation", flag: "val-fraction" }),
    format: PromptFormatSchema.default("alpaca").meta({ description: "prompt format" }),
    maskPrompt: z.boolean().default(true).meta({ description: "compute the loss on the answers only, not on the prompts", offHelp: "compute the loss on the whole sequence, not only the answers" }),
    targets: z.array(LoraTargetSchema).min(1).default([...loraTargets]).meta({ description: "projections that get an adapter, comma-separated" }),
    rank: z.number().int().min(1).max(1024).default(64).meta({ description: "LoRA rank r" }),
    alpha: z.number().positive().max(4096).default(16).meta({ description: "LoRA alpha (scale α/r)" }),
    rslora: z.boolean().default(false).meta({ description: "rank-stabilised LoRA: scale α/√r instead of α/r" }),
    /** LoRA dropout: each input of an adapter is zeroed with this probability in training (PEFT's lora_dropout). */
    dropout: z.number().min(0).lt(1).default(0).meta({ description: "LoRA dropout: zero each adapter input with this probability in training", value: "p" }),
    /**
     * as-stored: keep F16/quantized matrices as the file has them (the numerics llama.cpp infers with,
     * less memory, faster); f32: dequantize the base on load (exact gradients of the dequantized model).
     */
    baseWeights: BaseWeightsSchema.default("as-stored").meta({ description: "as-stored: keep F16/quantized matrices, as llama.cpp runs them; f32: dequantize the base on load" }),
    /** The peak rate; the schedule scales it step by step (the scheduled rate is each metric's `scheduledLr`). */
    lr: z.number().positive().max(1).default(1e-5).meta({ description: "peak learning rate (the schedule scales it per step)" }),
    schedule: LrScheduleSchema.default("constant").meta({ description: "learning-rate schedule" }),
    warmupSteps: z.number().int().min(0).default(0).meta({ description: "warm-up steps, rising linearly to the peak rate", flag: "warmup" }),
    steps: z.number().int().min(1).max(10_000_000).optional().meta({ description: "optimizer steps (otherwise from epochs)" }),
    epochs: z.number().positive().max(1000).optional().meta({ description: "epochs over the training data, when steps are not given (default 1)" }),
    batchSize: z.number().int().min(1).max(4096).default(4).meta({ description: "sequences per micro-batch", flag: "batch" }),
    tokenBudget: z.number().int().min(16).optional().meta({ description: "fill micro-batches up to this many tokens instead of a fixed number of sequences" }),
    gradAccum: z.number().int().min(1).max(1024).default(1).meta({ description: "micro-batches per optimizer step" }),
    seqLen: z.number().int().min(8).max(131072).default(1024).meta({ description: "maximum sequence length in tokens (longer examples are an error)" }),
    weightDecay: z.number().min(0).max(1).default(0).meta({ description: "AdamW weight decay" }),
    beta1: z.number().min(0).lt(1).default(0.9).meta({ description: "AdamW β1: decay of the gradient's running mean" }),
    beta2: z.number().min(0).lt(1).default(0.999).meta({ description: "AdamW β2: decay of the squared gradient's running mean" }),
    eps: z.number().positive().default(1e-8).meta({ description: "AdamW ε, added to the update's denominator" }),
    gradClip: z.number().min(0).default(1).meta({ description: "clip the gradient's global norm to this (0: off)" }),
    seed: z.number().int().min(0).default(1).meta({ description: "seed for the LoRA init, the data order and dropout" }),
    threads: z.number().int().min(1).max(512).optional().meta({ description: "CPU threads" }),
    backend: TrainBackendSchema.default("auto").meta({ description: "where to compute (auto: the first GPU found, else the CPU)" }),
    device: z.number().int().min(0).max(64).default(0).meta({ description: "device index within the backend" }),
    mergedOut: z.string().min(1).max(4096).optional().meta({ description: "also write base + adapter as one GGUF model here", value: "file" }),
    mergedType: MergedTypeSchema.default("source").meta({ description: "tensor type of a written model's weights: the merged one, or a full run's (source keeps the base's)" }),
    quantize: QuantizeTypeSchema.optional().meta({ description: "also write the model quantized to this type by llama.cpp's quantizer, beside it", value: "type" }),
    checkpointEvery: z.number().int().min(1).default(100).meta({ description: "checkpoint every N steps" }),
    evalEvery: z.number().int().min(1).default(50).meta({ description: "validation loss every N steps" }),
    out: z.string().min(1).max(4096).optional().meta({ description: "output path (.gguf): the adapter, or a full run's model", value: "file" }),
    name: z.string().max(200).optional().meta({ description: "a name for the run", value: "text" }),
  })
  .strict();
export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
export type TrainSettingName = keyof TrainConfig;
/** Every run setting, in the schema's order: what the CLI's flags and the Runs form must cover. */
export const trainSettingNames = Object.keys(TrainConfigSchema.shape) as TrainSettingName[];

type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
/** The settings that have a default, with it. */
export type TrainConfigDefaults = Omit<TrainConfig, OptionalKeys<TrainConfig> | Exclude<keyof TrainConfig, OptionalKeys<TrainConfigInput>>>;
// zod fills exactly the defaulted fields from an empty object; the type says which those are.
export const trainConfigDefaults = TrainConfigSchema.partial().parse({}) as TrainConfigDefaults;

/**
 * The version of the stored form of TrainConfig (runs.config_version). Raise it, with a migration that
 * upgrades stored rows, whenever a change to TrainConfigSchema would not parse, or would change the
 * meaning of, a configuration stored before it.
 */
export const trainConfigVersion = 2;
