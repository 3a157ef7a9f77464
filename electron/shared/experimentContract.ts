// The experiments domain of the contract: an experiment (a base model × mixes × a training grid ×
// evaluation suites, also a JSON file a user can keep and run from the CLI), its queue of train-then-
// evaluate items, the learning-rate choice by surface metrics, and its self-contained HTML report.
// Spread into `calls` and `events` in contract.ts; imports zod and the domain files below it only.
import { z } from "zod";
import { LanguageCodeSchema } from "./datasetContract.js";
import { EvalDecodingSchema, EvalSuiteInputSchema, JudgeSchema } from "./evalContract.js";
import { CrossAlpacaStrategySchema, MixFiltersSchema, MixSourceSchema, MultiStrategySchema } from "./mixContract.js";
import { TrainConfigSchema, TrainMethodSchema } from "./trainContract.js";

/** The version of the experiment file format; a file states it so a later format can upgrade it. */
export const experimentVersion = 1;

const ref = z.string().min(1).max(200);
const lrs = z.array(z.number().positive().max(1)).min(1).max(16);

/** Which mixes the experiment trains on: saved mixes, or a study that builds (and saves) its own. */
export const ExperimentMixesSchema = z.discriminatedUnion("kind", [
  /** Saved mixes, by id or name. */
  z.object({ kind: z.literal("saved"), mixes: z.array(ref).min(1).max(64) }).strict(),
  /** Paper 003's "How much multilinguality?": Mono, Multi-2 … Multi-k over `languages` in order. */
  z
    .object({
      kind: z.literal("ladder"),
      sources: z.array(MixSourceSchema).min(1).max(64),
      filters: MixFiltersSchema.prefault({}),
      seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
      total: MultiStrategySchema.shape.total,
      base: LanguageCodeSchema.default("en"),
      perLanguage: MultiStrategySchema.shape.perLanguage,
      languages: z.array(LanguageCodeSchema).min(1).max(50),
      /** Only these rungs (1 = Mono, k = Multi-k); all when absent. */
      rungs: z.array(z.number().int().min(1).max(51)).min(1).max(51).optional(),
    })
    .strict(),
  /**
   * Paper 004's CrossAlpaca study: the instruction sources alone, and with translation demonstrations
   * for each direction set and count given (count 0 = without demonstrations).
   */
  z
    .object({
      kind: z.literal("crossalpaca"),
      sources: z.array(MixSourceSchema).min(1).max(64),
      filters: MixFiltersSchema.prefault({}),
      seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
      instructions: CrossAlpacaStrategySchema.shape.instructions,
      languages: CrossAlpacaStrategySchema.shape.languages,
      pivot: CrossAlpacaStrategySchema.shape.pivot,
      templateLanguage: CrossAlpacaStrategySchema.shape.templateLanguage,
      directions: z.array(CrossAlpacaStrategySchema.shape.directions.unwrap()).min(1).max(3).default([["en-x", "x-en"]]),
      perDirection: z.array(z.number().int().min(0).max(100_000_000)).min(1).max(16).default([0, 1000]),
    })
    .strict(),
]);
export type ExperimentMixes = z.input<typeof ExperimentMixesSchema>;

/** The settings shared by every run of the experiment: any run setting except what the experiment decides itself. */
export const ExperimentTrainSchema = TrainConfigSchema.omit({ model: true, data: true, mix: true, text: true, out: true, mergedOut: true, name: true, lr: true, method: true })
  .partial()
  .strict();

/** The grid: every combination is one configuration per mix; each configuration is trained at every learning rate. */
export const ExperimentGridSchema = z
  .object({
    method: z.array(TrainMethodSchema).min(1).max(2).default(["lora"]),
    /** Learning rates per method; absent: three around the method's usual rate (LoRA 1e-4, full 1e-5; paper 002 §5.3). */
    lr: z.object({ lora: lrs.optional(), full: lrs.optional() }).strict().prefault({}),
    rank: z.array(z.number().int().min(1).max(1024)).min(1).max(8).optional(),
    steps: z.array(z.number().int().min(1).max(10_000_000)).min(1).max(8).optional(),
  })
  .strict();

/** The default learning-rate sweep of each method (paper 002 §5.3: LoRA around 1e-4, full fine-tuning around 1e-5). */
export const defaultLearningRates = { lora: [5e-5, 1e-4, 2e-4], full: [5e-6, 1e-5, 2e-5] } as const;

/**
 * How the learning rate of a configuration is chosen among its sweep (002 §5.3): the criteria in order,
 * each a suite's metric averaged over the evaluated languages; a rate wins on the first criterion where it
 * leads by more than `tolerance` points, later criteria break ties. A criterion no run has a value for
 * (relevance without a judge) is skipped, never counted as 0.
 */
export const LrChoiceSchema = z
  .object({
    criteria: z
      .array(z.object({ suite: EvalSuiteInputSchema.shape.suite, metric: z.string().min(1).max(64) }).strict())
      .min(1)
      .max(8)
      .default([
        { suite: "open", metric: "language_correctness" },
        { suite: "open", metric: "relevance" },
        { suite: "open", metric: "spelling" },
      ]),
    tolerance: z.number().min(0).max(100).default(1),
  })
  .strict();
export type LrChoice = z.output<typeof LrChoiceSchema>;

/** What each trained run is evaluated on (eval.start's settings, the run given by the queue). */
export const ExperimentEvalSchema = z
  .object({
    suites: z.array(EvalSuiteInputSchema).min(1).max(16),
    languages: z.array(LanguageCodeSchema).min(1).max(100).optional(),
    limit: z.number().int().min(1).max(1_000_000).optional(),
    decoding: EvalDecodingSchema.optional(),
    judge: JudgeSchema.optional(),
    /** Also decode the base model once per experiment, the reference every run is compared with. */
    baseline: z.boolean().default(true),
    threads: z.number().int().min(1).max(512).optional(),
  })
  .strict();

/** An experiment, as the form builds it and as `my-experiment.json` stores it. */
export const ExperimentSpecSchema = z
  .object({
    version: z.literal(experimentVersion).default(experimentVersion),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(4000).optional(),
    model: z.string().min(1).max(4096).meta({ description: "base model: id, name or path" }),
    mixes: ExperimentMixesSchema,
    train: ExperimentTrainSchema.prefault({}),
    grid: ExperimentGridSchema.prefault({}),
    lrChoice: LrChoiceSchema.prefault({}),
    eval: ExperimentEvalSchema,
  })
  .strict();
export type ExperimentSpec = z.input<typeof ExperimentSpecSchema>;
export type ExperimentSpecParsed = z.output<typeof ExperimentSpecSchema>;

export const experimentStatuses = ["queued", "running", "paused", "interrupted", "completed", "failed", "cancelled"] as const;
export const ExperimentStatusSchema = z.enum(experimentStatuses);
export const experimentItemStates = ["queued", "training", "evaluating", "done", "failed", "cancelled"] as const;
export const ExperimentItemStateSchema = z.enum(experimentItemStates);

const ErrorShape = z.object({ code: z.string(), message: z.string(), where: z.string().optional(), hint: z.string().optional(), details: z.string().optional() });

/** One queued unit: one configuration at one learning rate, trained then evaluated. */
export const ExperimentItemSchema = z.object({
  id: z.string(),
  /** Position in the queue (0 first). */
  position: z.number().int(),
  /** The configuration (mix × method × rank × steps) this item is one learning rate of. */
  configuration: z.string(),
  /** A short label: "Multi-3 · lora r64 · lr 1e-4". */
  label: z.string(),
  mix: z.object({ id: z.string(), name: z.string() }),
  method: TrainMethodSchema,
  lr: z.number(),
  /** The settings this item's run gets (the experiment's train settings with the grid's values). */
  settings: z.record(z.string(), z.unknown()),
  state: ExperimentItemStateSchema,
  run: z.string().nullable(),
  evalJob: z.string().nullable(),
  /** The current phase's progress: steps while training, decoded outputs while evaluating. */
  done: z.number().int(),
  total: z.number().int(),
  etaSeconds: z.number().nullable(),
  error: ErrorShape.nullable(),
  /** Whether this item's rate is the one its configuration chose (null until the sweep is evaluated). */
  chosen: z.boolean().nullable(),
});
export type ExperimentItem = z.infer<typeof ExperimentItemSchema>;

/** The learning-rate choice of one configuration, with the rule's reasons in words. */
export const LrDecisionSchema = z.object({
  configuration: z.string(),
  chosenItem: z.string().nullable(),
  chosenLr: z.number().nullable(),
  /** Per rate: the criteria's values (null where missing), in the rule's order. */
  candidates: z.array(z.object({ item: z.string(), lr: z.number(), values: z.array(z.number().nullable()) })),
  reason: z.string(),
});

export const ExperimentSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: ExperimentStatusSchema,
  spec: ExperimentSpecSchema,
  items: z.array(ExperimentItemSchema),
  /** The base model's evaluation job (eval.baseline), shared by every item. */
  baselineJob: z.string().nullable(),
  decisions: z.array(LrDecisionSchema),
  error: ErrorShape.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Experiment = z.infer<typeof ExperimentSchema>;

/** A planned item before anything is created: what `experiments.plan` shows the form. */
export const ExperimentPlanSchema = z.object({
  items: z.array(ExperimentItemSchema.pick({ configuration: true, label: true, method: true, lr: true, settings: true }).extend({ mix: z.object({ id: z.string().nullable(), name: z.string() }) })),
  /** Mixes a study would build (not yet saved). */
  mixesToBuild: z.array(z.string()),
  warnings: z.array(z.string()),
});

const experimentRef = z.object({ experiment: ref }).strict();
const itemRef = z.object({ experiment: ref, item: z.string().min(1).max(64) }).strict();

export const experimentCalls = {
  /** Checks a spec and expands it without creating anything (the form's preview, `experiment run --dry-run`). */
  "experiments.plan": { input: z.object({ spec: ExperimentSpecSchema }).strict(), output: ExperimentPlanSchema },
  /** Creates the experiment (building a study's mixes) and queues its items; the queue starts at once. */
  "experiments.create": { input: z.object({ spec: ExperimentSpecSchema }).strict(), output: ExperimentSchema },
  "experiments.list": { input: z.object({}).strict(), output: z.array(ExperimentSchema) },
  "experiments.get": { input: experimentRef, output: ExperimentSchema },
  /** Continues an interrupted or paused experiment: runs resume from their checkpoints, evaluations from their last batch. */
  "experiments.resume": { input: experimentRef, output: ExperimentSchema },
  /** Cancels the whole experiment, or one item. */
  "experiments.cancel": { input: z.object({ experiment: ref, item: z.string().min(1).max(64).optional() }).strict(), output: ExperimentSchema },
  /** Queues a failed or cancelled item again (its run resumes where it can). */
  "experiments.retry": { input: itemRef, output: ExperimentSchema },
  /** Moves a queued item to another position. */
  "experiments.move": { input: z.object({ experiment: ref, item: z.string().min(1).max(64), position: z.number().int().min(0) }).strict(), output: ExperimentSchema },
  "experiments.remove": { input: experimentRef, output: z.object({ removed: z.string() }) },
  /** Resolves after the experiment stops (the CLI's `experiment run` waits on it). */
  "experiments.wait": { input: experimentRef, output: ExperimentSchema },
  /** Writes the self-contained HTML report (to `out`, else into the data folder). */
  /** The main job: the shipped model and demo data, Mono vs Multi-3 as an experiment, queued at once (`polytune demo`, Home's button). */
  "experiments.demo": { input: z.object({}).strict(), output: ExperimentSchema },
  "experiments.report": {
    input: z.object({ experiment: ref, out: z.string().min(1).max(4096).optional() }).strict(),
    output: z.object({ path: z.string(), bytes: z.number().int() }),
  },
} as const;

export const experimentEvents = {
  "experiments.changed": z.object({ experiment: z.string(), status: ExperimentStatusSchema }),
  "experiments.progress": z.object({
    experiment: z.string(),
    item: z.string(),
    state: ExperimentItemStateSchema,
    done: z.number().int(),
    total: z.number().int(),
    etaSeconds: z.number().nullable(),
  }),
} as const;
