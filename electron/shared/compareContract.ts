// The compare domain of the contract: any set of evaluated runs side by side, the way the papers draw
// them (per-language bars with CIs and zero-shot hatching, 002's criteria × runs heatmap, metric against
// learning rate, per task category, the settings that differ, paired tests), and the item-level diff.
// Spread into `calls` in contract.ts; imports zod and the domain files below it only.
import { z } from "zod";
import { LanguageCodeSchema } from "./datasetContract.js";
import { EvalSuiteNameSchema, EvalSystemSchema } from "./evalContract.js";
import { TrainMethodSchema } from "./trainContract.js";

const runRef = z.string().min(1).max(200);
const ci = z.tuple([z.number(), z.number()]).nullable();
const tuning = z.enum(["supervised", "zero-shot", "unknown"]);

export const CompareRunsInputSchema = z
  .object({
    /** Run ids or names, in the order they are drawn. */
    runs: z.array(runRef).min(1).max(200),
    /** The run every other is tested against (paired, on the same items); the first when absent. */
    reference: runRef.optional(),
    suites: z.array(EvalSuiteNameSchema).min(1).max(16).optional(),
    metrics: z.array(z.string().min(1).max(64)).min(1).max(64).optional(),
    /**
     * Only these languages' rows, pairs, non-English average and task categories. The overall (null)
     * cells and pairs stay each evaluation's own, over every language it evaluated.
     */
    languages: z.array(LanguageCodeSchema).min(1).max(200).optional(),
  })
  .strict();
export type CompareRunsInput = z.input<typeof CompareRunsInputSchema>;

/** One run as compared: its settings, mix and the evaluation job its numbers come from (its latest completed one). */
export const ComparedRunSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** A short label for legends: the settings that differ between the compared runs ("Multi-3 · lr 1e-4"). */
  label: z.string(),
  method: TrainMethodSchema,
  lr: z.number(),
  mix: z.object({ id: z.string(), name: z.string() }).nullable(),
  evalJob: z.string().nullable(),
  experiment: z.object({ id: z.string(), name: z.string(), configuration: z.string(), chosen: z.boolean().nullable() }).nullable(),
});

export const CompareCellSchema = z.object({
  run: z.string(),
  suite: EvalSuiteNameSchema,
  metric: z.string(),
  /** null = over every language the evaluation evaluated, whatever `languages` chose. */
  language: z.string().nullable(),
  system: EvalSystemSchema,
  mean: z.number(),
  ci95: ci,
  n: z.number().int(),
});

const part = z.object({ mean: z.number(), ci95: ci, n: z.number().int() }).nullable();

export const CompareRunsResultSchema = z.object({
  runs: z.array(ComparedRunSchema),
  /** Only the settings whose values differ between the runs; `values` aligned with `runs`. */
  settingsDiff: z.array(z.object({ setting: z.string(), values: z.array(z.unknown()) })),
  /** Every language evaluated, with its tuning per run (aligned with `runs`) for zero-shot hatching. */
  languages: z.array(z.object({ language: z.string(), tuning: z.array(tuning) })),
  /** Per-language and overall aggregates, tuned and (where evaluated) base. */
  cells: z.array(CompareCellSchema),
  /** 002 Figure 2: each criterion per run, English against the non-English average. */
  heatmap: z.array(z.object({ run: z.string(), suite: EvalSuiteNameSchema, metric: z.string(), english: part, nonEnglish: part })),
  /** Each run against the reference on the same items: difference (run − reference), its CI and the paired test's p. */
  pairs: z.array(
    z.object({
      run: z.string(),
      reference: z.string(),
      suite: EvalSuiteNameSchema,
      metric: z.string(),
      language: z.string().nullable(),
      n: z.number().int(),
      difference: z.number(),
      ci95: ci,
      p: z.number().nullable(),
      test: z.string(),
    }),
  ),
  /** 002 Figure 3 (right): per task category where the items carry one. */
  categories: z.array(z.object({ run: z.string(), suite: EvalSuiteNameSchema, metric: z.string(), category: z.string(), mean: z.number(), ci95: ci, n: z.number().int() })),
  /** 002 Figure 3 (left): metric against learning rate per configuration, the chosen rate marked. */
  learningRates: z.array(
    z.object({ configuration: z.string(), run: z.string(), lr: z.number(), suite: EvalSuiteNameSchema, metric: z.string(), mean: z.number(), ci95: ci, chosen: z.boolean().nullable() }),
  ),
  /** Runs left out and why (not evaluated, evaluation failed…): never drawn as zero. */
  missing: z.array(z.object({ run: z.string(), reason: z.string() })),
});
export type CompareRunsResult = z.infer<typeof CompareRunsResultSchema>;

export const CompareItemsInputSchema = z
  .object({
    runs: z.array(runRef).min(2).max(20),
    suite: EvalSuiteNameSchema,
    language: LanguageCodeSchema.optional(),
    /** Only items whose language correctness, or this metric's score, differs between the runs. */
    changed: z.enum(["language", "score"]).optional(),
    metric: z.string().min(1).max(64).optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

export const CompareItemSchema = z.object({
  id: z.string(),
  suite: EvalSuiteNameSchema,
  language: z.string(),
  prompt: z.string(),
  reference: z.string().nullable(),
  category: z.string().nullable(),
  /** One per run, aligned with the input's runs (null where that run has no output for the item). */
  responses: z.array(
    z
      .object({
        run: z.string(),
        response: z.string().nullable(),
        /** The response's detected language (null where none could be told). */
        detectedLanguage: z.string().nullable(),
        scores: z.record(z.string(), z.number().nullable()),
        judgements: z.array(z.object({ judgement: z.string(), verdict: z.string().nullable(), rationale: z.string().nullable() })),
      })
      .nullable(),
  ),
});

export const compareCalls = {
  "compare.runs": { input: CompareRunsInputSchema, output: CompareRunsResultSchema },
  "compare.items": { input: CompareItemsInputSchema, output: z.object({ items: z.array(CompareItemSchema), total: z.number().int() }) },
} as const;
