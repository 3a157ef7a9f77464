// The evaluation domain of the contract: `eval.score` scores predictions made by any system against a
// suite's gold files, with the same code the evaluation job uses. Spread into `calls` and `events` in
// contract.ts; imports zod only (contract.ts imports this file).
import { z } from "zod";

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
export const evalEvents = {} as const;
