// The translation domain of the contract: translating a dataset (or the English part of a mix) with a
// local model, as paper 003 §5.1 made its machine-translated Multi-i data. A job is a row and resumable.
// Spread into `calls` and `events` in contract.ts; imports zod and datasetContract.ts only
// (contract.ts imports this file, so the reverse would be circular).
import { z } from "zod";
import { DatasetIdSchema, LanguageCodeSchema, TurnSchema } from "./datasetContract.js";

/** The prompts a job can use: paper 003 (Kew et al. 2024) Fig. 10 for conversations, Fig. 9 for plain text. */
export const translationTemplates = ["kew2024-fig10", "kew2024-fig9"] as const;
export const TranslationTemplateSchema = z.enum(translationTemplates);
export type TranslationTemplateId = z.infer<typeof TranslationTemplateSchema>;

/** How the prompt reaches the model: its own chat template, plain completion text, or whichever it has. */
export const translationFormats = ["auto", "chat", "completion"] as const;

export const translationJobStatuses = ["running", "cancelled", "interrupted", "failed", "completed"] as const;
export const TranslationJobStatusSchema = z.enum(translationJobStatuses);
export type TranslationJobStatus = z.infer<typeof TranslationJobStatusSchema>;

/** Why an output was left out of the output dataset. */
export const translationFlagCodes = [
  "placeholder-missing",
  "placeholder-duplicated",
  "placeholder-reordered",
  "text-outside-turns",
  "empty-turn",
  "wrong-language",
  "truncated",
  "too-long",
] as const;
export const TranslationFlagCodeSchema = z.enum(translationFlagCodes);
export type TranslationFlagCode = z.infer<typeof TranslationFlagCodeSchema>;

export const TranslationFlagSchema = z.object({ code: TranslationFlagCodeSchema, message: z.string() });
export type TranslationFlag = z.infer<typeof TranslationFlagSchema>;

const JobIdSchema = z.string().min(1).max(64);

// The same shape as contract.ts's PolytuneErrorSchema (which this file cannot import).
const ErrorShapeSchema = z.object({ code: z.string(), message: z.string(), where: z.string().optional(), hint: z.string().optional(), details: z.string().optional() });

export const TranslateStartSchema = z
  .object({
    dataset: DatasetIdSchema.optional().meta({ description: "translate this dataset's examples in the source language" }),
    mix: z.string().min(1).max(64).optional().meta({ description: "translate the source-language examples of this stored mix" }),
    model: z.string().min(1).max(4096).meta({ description: "model id, name or path (a path not yet in the library is added)" }),
    languages: z.array(LanguageCodeSchema).min(1).max(50).meta({ description: "target languages, e.g. es, de" }),
    from: LanguageCodeSchema.default("en").meta({ description: "the language of the examples to translate" }),
    limit: z.number().int().min(1).max(10_000_000).optional().meta({ description: "translate only the first N source examples" }),
    template: TranslationTemplateSchema.default("kew2024-fig10"),
    format: z.enum(translationFormats).default("auto"),
    /** Output tokens allowed per source token (plus 32): a looping model stops there and is flagged. */
    maxTokensFactor: z.number().min(1).max(10).default(3),
    contextSize: z.number().int().min(256).max(131_072).default(4096),
    gpu: z.enum(["auto", "cpu"]).default("auto"),
    /** CPU threads for decoding; llama.cpp's default (every core) when absent. Fewer help on a busy machine. */
    threads: z.number().int().min(1).max(512).optional(),
    name: z.string().min(1).max(200).optional().meta({ description: "name of the output dataset" }),
  })
  .strict()
  .refine((v) => (v.dataset === undefined) !== (v.mix === undefined), { message: "give exactly one of dataset and mix", path: ["dataset"] });
export type TranslateStart = z.input<typeof TranslateStartSchema>;
export type TranslateStartParsed = z.output<typeof TranslateStartSchema>;

export const TranslationLanguageCountSchema = z.object({
  language: z.string(),
  done: z.number().int(),
  kept: z.number().int(),
  flagged: z.number().int(),
  total: z.number().int(),
});

export const TranslationJobSchema = z.object({
  id: JobIdSchema,
  status: TranslationJobStatusSchema,
  source: z.object({ kind: z.enum(["dataset", "mix"]), id: z.string(), name: z.string(), fingerprint: z.string() }),
  from: z.string(),
  languages: z.array(z.string()),
  limit: z.number().int().nullable(),
  model: z.object({ id: z.string(), name: z.string(), fingerprint: z.string() }),
  /** The template id and a hash of its text: what each output example records as its prompt. */
  prompt: z.object({ template: TranslationTemplateSchema, hash: z.string(), label: z.string() }),
  format: z.enum(["chat", "completion"]),
  maxTokensFactor: z.number(),
  contextSize: z.number().int(),
  gpu: z.enum(["auto", "cpu"]),
  threads: z.number().int().nullable(),
  /** Items are (source example, target language) pairs. */
  total: z.number().int(),
  done: z.number().int(),
  kept: z.number().int(),
  flagged: z.number().int(),
  perLanguage: z.array(TranslationLanguageCountSchema),
  flagCounts: z.record(z.string(), z.number().int()),
  outputDataset: z.string().nullable(),
  outputName: z.string(),
  error: ErrorShapeSchema.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Seconds spent decoding, over every session of the job. */
  seconds: z.number(),
});
export type TranslationJob = z.infer<typeof TranslationJobSchema>;

export const TranslationItemSchema = z.object({
  ordinal: z.number().int(),
  sourceExample: z.number().int(),
  language: z.string(),
  status: z.enum(["pending", "kept", "flagged"]),
  flags: z.array(TranslationFlagSchema),
  /** The model's text as it came out (placeholders and all). */
  raw: z.string().nullable(),
  /** The conversation restored from it (null when the placeholders did not survive). */
  turns: z.array(TurnSchema).nullable(),
  identifiedLanguage: z.string().nullable(),
  confidence: z.number().nullable(),
  tokens: z.number().int().nullable(),
  seconds: z.number().nullable(),
});
export type TranslationItem = z.infer<typeof TranslationItemSchema>;

const jobRef = z.object({ job: JobIdSchema }).strict();

export const translateCalls = {
  "translate.start": { input: TranslateStartSchema, output: TranslationJobSchema },
  "translate.list": { input: z.object({}).strict(), output: z.array(TranslationJobSchema) },
  "translate.get": {
    input: z
      .object({
        job: JobIdSchema,
        status: z.enum(["pending", "kept", "flagged"]).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    output: z.object({ job: TranslationJobSchema, items: z.array(TranslationItemSchema), itemsTotal: z.number().int() }),
  },
  "translate.cancel": { input: jobRef, output: TranslationJobSchema },
  "translate.resume": { input: jobRef, output: TranslationJobSchema },
  /** Resolves when the job stops (completed, cancelled, failed): what the CLI follows. */
  "translate.wait": { input: jobRef, output: TranslationJobSchema },
} as const;

export const translateEvents = {
  "translate.progress": z.object({
    job: JobIdSchema,
    done: z.number().int(),
    total: z.number().int(),
    flagged: z.number().int(),
    etaSeconds: z.number().nullable(),
    /** The item just finished (ordinal, language and whether it was kept). */
    last: z.object({ ordinal: z.number().int(), language: z.string(), kept: z.boolean() }).nullable(),
  }),
  "translate.changed": z.object({ job: JobIdSchema, status: TranslationJobStatusSchema }),
} as const;
