// The evaluation domain of the contract: `eval.score` scores predictions made by any system against a
// suite's gold files, with the same code the evaluation job uses. Spread into `calls` and `events` in
// contract.ts; imports zod only (contract.ts imports this file).
import { z } from "zod";
import { LanguageCodeSchema } from "./datasetContract.js";

const path = z.string().min(1).max(4096);
/** Bootstrap settings shared by every suite: resamples of the 95% interval and their seed. */
const bootstrap = {
  resamples: z.number().int().min(1).max(100_000).default(1000).meta({ description: "bootstrap resamples of the 95% interval" }),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1).meta({ description: "seed of the bootstrap resampling" }),
};
const language = z.string().min(2).max(35).meta({ description: "language of every item (BCP 47), when the file does not say" });

/** The judgements a local judge model can make on open-ended responses (issue 12, suites 1 and 2). */
export const judgements = ["relevance", "criteria", "helpfulness"] as const;
/** A local GGUF judge for the open suite: relevance 0/1, paper 002's six criteria, paper 003's helpfulness 1–6. */
export const JudgeSchema = z
  .object({
    model: path.meta({ description: "GGUF file of the judge model (or, through the engine, a library model's id or name)" }),
    judgements: z.array(z.enum(judgements)).min(1).max(3).default([...judgements]),
    gpu: z.enum(["auto", "cpu"]).default("auto"),
    contextSize: z.number().int().min(256).max(131072).default(4096).meta({ description: "upper bound of the judge's context" }),
    maxTokens: z.number().int().min(16).max(4096).default(256).meta({ description: "tokens the judge may write per answer" }),
    threads: z.number().int().min(1).max(256).optional(),
  })
  .strict();

/** What to score: one variant per suite, with that suite's standard files (see issue 12, "Scoring outputs made elsewhere"). */
export const ScoreInputSchema = z.discriminatedUnion("suite", [
  z
    .object({
      suite: z.literal("qa"),
      data: path.meta({ description: "SQuAD-format JSON gold (SQuAD, XQuAD, MLQA)" }),
      predictions: path.meta({ description: 'JSONL, one {"id", "prediction"} per line' }),
      language: language.optional(),
      ...bootstrap,
    })
    .strict(),
  z
    .object({
      suite: z.literal("simplification"),
      sources: path.meta({ description: "plain text, one source sentence per line" }),
      references: z.array(path).min(1).max(64).meta({ description: "plain text files, line-aligned with the sources" }),
      predictions: path.meta({ description: "plain text, one system output per line" }),
      language: language.optional(),
      ...bootstrap,
    })
    .strict(),
  z
    .object({
      suite: z.literal("open"),
      predictions: path.meta({ description: 'JSONL, one {"id", "language", "prediction"} per line' }),
      dictionaries: path.optional().meta({ description: "folder of extra Hunspell dictionaries (LANG.aff + LANG.dic)" }),
      judge: JudgeSchema.optional().meta({ description: 'a local judge model; each predictions line then needs "prompt"' }),
      ...bootstrap,
    })
    .strict(),
  z
    .object({
      suite: z.enum(["nli", "mcq"]),
      data: path.meta({ description: "gold: XNLI TSV (with or without header) or JSONL; X-CSQA JSONL" }),
      predictions: path.meta({ description: 'JSONL, one {"id", "prediction"} (a label or letter) or {"id", "loglikelihoods"} per line' }),
      language: language.optional(),
      ...bootstrap,
    })
    .strict(),
]);
export type ScoreInput = z.input<typeof ScoreInputSchema>;
export type ScoreRequest = z.output<typeof ScoreInputSchema>;
export const scoreSuites = ["qa", "simplification", "open", "nli", "mcq"] as const;
export type ScoreSuiteName = (typeof scoreSuites)[number];

export const ItemScoreSchema = z.object({
  id: z.string(),
  language: z.string().nullable(),
  /** Metric name → the item's value; null = missing or not covered, never 0. */
  scores: z.record(z.string(), z.number().nullable()),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export const AggregateSchema = z.object({
  /** null = all languages. */
  language: z.string().nullable(),
  metric: z.string(),
  n: z.number().int(),
  /** 0–100. */
  mean: z.number(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
});

export const SuiteScoreSchema = z.object({
  suite: z.string(),
  items: z.array(ItemScoreSchema),
  aggregates: z.array(AggregateSchema),
  excluded: z.array(z.object({ id: z.string(), reason: z.string() })),
  notes: z.array(z.string()),
});
export type SuiteScoreShape = z.infer<typeof SuiteScoreSchema>;

/** System against baseline on the same items, for one language (null = all) and metric; means on 0–100. */
export const ScoreComparisonSchema = z.object({
  language: z.string().nullable(),
  metric: z.string(),
  /** Items both runs scored. */
  n: z.number().int(),
  baseline: z.number(),
  system: z.number(),
  /** system − baseline. */
  difference: z.number(),
  /** Paired-bootstrap 95% interval of the difference; null when n < 2. */
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  /** Paired-bootstrap two-sided p-value. */
  p: z.number(),
  /** For 0/1 metrics: McNemar's discordant counts (b: baseline right only, c: system right only), exact p and χ² p. */
  mcnemar: z.object({ b: z.number().int(), c: z.number().int(), p: z.number(), chiSquareP: z.number().nullable() }).nullable(),
});
export type ScoreComparison = z.infer<typeof ScoreComparisonSchema>;

export const CompareInputSchema = z.object({
  /** The system's predictions, as for eval.score. */
  score: ScoreInputSchema,
  /** A second predictions file for the same gold (the baseline), in the same format. */
  baseline: path,
});

/** Calls of this domain; spread into `calls` in contract.ts. */
export const evalCalls = {
  /** Scores predictions from any system against a suite's gold files; per-item scores and per-language aggregates with 95% CIs. */
  "eval.score": { input: ScoreInputSchema, output: SuiteScoreSchema },
  /** Scores two systems' predictions on the same gold and compares them item by item (paired bootstrap, McNemar). */
  "eval.compare": { input: CompareInputSchema, output: z.object({ system: SuiteScoreSchema, baseline: SuiteScoreSchema, comparisons: z.array(ScoreComparisonSchema) }) },
} as const;

// ── The evaluation job (issue 12): decode every prompt of every suite, store each output as it
// finishes, judge, score, mark languages supervised or zero-shot. Resumable like a translation job.

/** Suites the evaluation job runs: the five of eval.score, plus the task modifiers of paper 002. */
export const evalSuites = ["open", "modifiers", "qa", "simplification", "nli", "mcq"] as const;
export const EvalSuiteNameSchema = z.enum(evalSuites);
export type EvalSuiteName = (typeof evalSuites)[number];

/**
 * One suite of a job and its files in the suite's standard format:
 * - open: JSONL, one chat message list per line (the Chirkova set), or objects with "instruction"/"prompt"
 *   (AlpacaEval, the user's own); the language from a "language" field or the file name (`….fr.jsonl`).
 * - modifiers: the Chirkova set's `modifiers.XX.jsonl`, its `modifiers.XX.types` read beside it.
 * - qa: SQuAD-format JSON (SQuAD, XQuAD) or an MLQA `datasets` folder.
 * - simplification: sources (plain text or ASSET `.orig`) with references `.simp.N` beside them, or MultiSim CSV.
 * - nli: XNLI TSV or JSONL; mcq: X-CSQA JSONL.
 */
export const EvalSuiteInputSchema = z
  .object({
    suite: EvalSuiteNameSchema,
    data: z.array(path).min(1).max(64),
    /** Where a task has both: English instruction with target-language input (en:xx) instead of monolingual (xx:xx). */
    crossLingual: z.boolean().default(false),
    /** Language of every item when neither the file nor its name says. */
    language: LanguageCodeSchema.optional(),
  })
  .strict();
export type EvalSuiteInput = z.input<typeof EvalSuiteInputSchema>;
export type EvalSuiteRequest = z.output<typeof EvalSuiteInputSchema>;

/** How outputs are decoded: greedy with repetition penalty (002), or nucleus sampling over seeds (003), averaged. */
export const EvalDecodingSchema = z
  .object({
    mode: z.enum(["greedy", "sampling"]).default("greedy"),
    repeatPenalty: z.number().min(1).max(2).default(1.1).meta({ description: "paper 002's 1.1; 1 turns it off" }),
    temperature: z.number().min(0).max(2).default(0.8),
    topP: z.number().gt(0).max(1).default(0.9),
    seeds: z.number().int().min(1).max(10).default(3).meta({ description: "sampling only: outputs per prompt, averaged" }),
    maxTokens: z.number().int().min(1).max(4096).default(256),
    stop: z.array(z.string().min(1).max(64)).max(16).default([]),
    parallel: z.number().int().min(1).max(64).default(8).meta({ description: "sequences decoded at once in one context" }),
  })
  .strict();
export type EvalDecoding = z.output<typeof EvalDecodingSchema>;

export const EvalStartSchema = z
  .object({
    /** A stored training run: its model, adapter, prompt format and mix (for zero-shot marks). */
    run: z.string().min(1).max(64).optional(),
    model: z.string().min(1).max(4096).optional().meta({ description: "model id, name or path (a path not yet in the library is added)" }),
    adapters: z.array(path).max(8).default([]).meta({ description: "LoRA adapters (GGUF) applied together" }),
    /** Also decode the base model without adapters on the same items, for paired comparisons. */
    baseline: z.boolean().default(false),
    suites: z.array(EvalSuiteInputSchema).min(1).max(16),
    /** Only these languages (all when absent). */
    languages: z.array(LanguageCodeSchema).min(1).max(100).optional(),
    /** At most this many items per suite and language (quick checks). */
    limit: z.number().int().min(1).max(1_000_000).optional(),
    decoding: EvalDecodingSchema.default({ mode: "greedy", repeatPenalty: 1.1, temperature: 0.8, topP: 0.9, seeds: 3, maxTokens: 256, stop: [], parallel: 8 }),
    /** Prompt format; a run's own format when evaluating a run, else "auto" (chat template if the model has one, else raw). */
    format: z.enum(["auto", "raw", "alpaca", "guanaco", "chat"]).optional(),
    judge: JudgeSchema.optional(),
    dictionaries: path.optional().meta({ description: "folder of extra Hunspell dictionaries (LANG.aff + LANG.dic)" }),
    gpu: z.enum(["auto", "cpu"]).default("auto"),
    threads: z.number().int().min(1).max(512).optional(),
    name: z.string().min(1).max(200).optional(),
    ...bootstrap,
  })
  .strict()
  .refine((v) => v.run !== undefined || v.model !== undefined, { message: "give a run or a model", path: ["model"] })
  .refine((v) => v.run === undefined || (v.model === undefined && v.adapters.length === 0), { message: "a run names its own model and adapter", path: ["run"] });
export type EvalStart = z.input<typeof EvalStartSchema>;
export type EvalStartParsed = z.output<typeof EvalStartSchema>;

export const evalJobStatuses = ["running", "cancelled", "interrupted", "failed", "completed"] as const;
export const EvalJobStatusSchema = z.enum(evalJobStatuses);
export type EvalJobStatus = z.infer<typeof EvalJobStatusSchema>;
export const evalPhases = ["loading", "decoding", "judging", "scoring", "done"] as const;

/** "tuned": the model with its adapters (or the model alone when it has none); "base": the model alone, when baseline was asked. */
export const evalSystems = ["tuned", "base"] as const;
export const EvalSystemSchema = z.enum(evalSystems);
export type EvalSystem = (typeof evalSystems)[number];

// The same shape as contract.ts's PolytuneErrorSchema (which this file cannot import).
const ErrorShape = z.object({ code: z.string(), message: z.string(), where: z.string().optional(), hint: z.string().optional(), details: z.string().optional() });

/** A language of the job: supervised (in the adapter's tuning mix), zero-shot (absent from it), or unknown (no mix recorded). */
export const EvalLanguageSchema = z.object({
  language: z.string(),
  tuning: z.enum(["supervised", "zero-shot", "unknown"]),
  /** Examples of this language in the tuning mix (null when unknown). */
  examples: z.number().int().nullable(),
});

/** One suite × system's scores: SuiteScore without its items (eval.items pages through those). */
export const EvalResultSchema = z.object({
  suite: EvalSuiteNameSchema,
  system: EvalSystemSchema,
  aggregates: z.array(AggregateSchema),
  excluded: z.array(z.object({ id: z.string(), reason: z.string() })),
  notes: z.array(z.string()),
  /** tuned against base on the same items (only on the "tuned" result of a job with a baseline). */
  comparisons: z.array(ScoreComparisonSchema).default([]),
});
export type EvalResult = z.infer<typeof EvalResultSchema>;

export const EvalJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: EvalJobStatusSchema,
  phase: z.enum(evalPhases),
  run: z.string().nullable(),
  model: z.object({ id: z.string(), name: z.string(), fingerprint: z.string() }),
  adapters: z.array(z.object({ path: z.string(), fingerprint: z.string() })),
  /** A full-parameter run's written model, decoded as the tuned system (`model` is then its base); null: tuned = model + adapters. */
  tunedModel: z.object({ path: z.string(), fingerprint: z.string() }).nullable().default(null),
  baseline: z.boolean(),
  format: z.enum(["raw", "alpaca", "guanaco", "chat"]),
  decoding: EvalDecodingSchema,
  suites: z.array(z.object({ suite: EvalSuiteNameSchema, data: z.array(z.string()), crossLingual: z.boolean(), items: z.number().int() })),
  languages: z.array(EvalLanguageSchema),
  judge: z.object({ model: z.string(), fingerprint: z.string(), judgements: z.array(z.enum(judgements)) }).nullable(),
  /** Outputs to make (items × seeds × systems; a rank-classification item counts once) and made so far. */
  total: z.number().int(),
  done: z.number().int(),
  results: z.array(EvalResultSchema),
  error: ErrorShape.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Seconds spent decoding, over every session of the job. */
  seconds: z.number(),
  /** Generated tokens over every session (throughput = tokens / seconds). */
  tokens: z.number().int(),
});
export type EvalJob = z.infer<typeof EvalJobSchema>;

/** One output of one item for one system and seed, with the item's scores (after scoring) and detail. */
export const EvalItemSchema = z.object({
  suite: EvalSuiteNameSchema,
  id: z.string(),
  language: z.string(),
  system: EvalSystemSchema,
  seed: z.number().int().nullable(),
  status: z.enum(["pending", "done"]),
  /** The prompt as the user would read it (before the prompt format's template). */
  prompt: z.string(),
  response: z.string().nullable(),
  stopReason: z.string().nullable(),
  tokens: z.number().int().nullable(),
  /** Rank classification: log-likelihood of each choice's continuation. */
  loglikelihoods: z.array(z.number()).nullable(),
  /** The item's scores (averaged over seeds), null until scored; a null metric is missing, never 0. */
  scores: z.record(z.string(), z.number().nullable()).nullable(),
  /** Scoring detail: detected language per line, misspelled words, judge verdicts and rationale, gold. */
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type EvalItem = z.infer<typeof EvalItemSchema>;

const evalJobRef = z.object({ job: z.string().min(1).max(64) }).strict();

/** Calls of the evaluation job; spread into `calls` in contract.ts with evalCalls. */
export const evalJobCalls = {
  "eval.start": { input: EvalStartSchema, output: EvalJobSchema },
  "eval.list": { input: z.object({}).strict(), output: z.array(EvalJobSchema) },
  "eval.get": { input: evalJobRef, output: EvalJobSchema },
  "eval.items": {
    input: z
      .object({
        job: z.string().min(1).max(64),
        suite: EvalSuiteNameSchema.optional(),
        language: z.string().min(2).max(35).optional(),
        system: EvalSystemSchema.optional(),
        /** Only this item's rows (every system and seed of it): the drill-down of one item. */
        item: z.string().min(1).max(4096).optional(),
        /** Only items whose language correctness or score differs between tuned and base. */
        changed: z.boolean().default(false),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    output: z.object({ items: z.array(EvalItemSchema), total: z.number().int() }),
  },
  "eval.cancel": { input: evalJobRef, output: EvalJobSchema },
  "eval.resume": { input: evalJobRef, output: EvalJobSchema },
  /** Resolves when the job stops (completed, cancelled, failed): what the CLI follows. */
  "eval.wait": { input: evalJobRef, output: EvalJobSchema },
  "eval.remove": { input: evalJobRef, output: z.object({ removed: z.string() }) },
} as const;

export const evalEvents = {
  "eval.progress": z.object({
    job: z.string(),
    phase: z.enum(evalPhases),
    /** Outputs made so far and to make, as EvalJob's done/total, in every phase. */
    done: z.number().int(),
    total: z.number().int(),
    etaSeconds: z.number().nullable(),
    /** Aggregate generated tokens per second of this session. */
    tokensPerSecond: z.number().nullable(),
    /** While judging: verdicts had (stored ones included) and to have, for the suite × system being judged. */
    judged: z.number().int().optional(),
    judgeTotal: z.number().int().optional(),
  }),
  "eval.changed": z.object({ job: z.string(), status: EvalJobStatusSchema }),
} as const;
