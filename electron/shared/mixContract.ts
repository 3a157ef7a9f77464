// The mixes domain of the contract: recipes (the papers' data mixes as JSON a user can write and keep),
// their preview, the stored mixes, and the JSONL a run trains on. Spread into `calls` and `events` in
// contract.ts; imports zod and datasetContract.ts only (contract.ts imports this file).
import { z } from "zod";
import { defaultMinConfidence, LanguageCodeSchema, ProvenanceSchema, TurnSchema } from "./datasetContract.js";

/** The version of the recipe format; a recipe file states it so a later format can upgrade it. */
export const mixRecipeVersion = 1;

const count = z.number().int().min(0).max(100_000_000);
const positiveCount = z.number().int().min(1).max(100_000_000);
const languages = z.array(LanguageCodeSchema).max(200);

/** A dataset a recipe draws from, pinned by its fingerprint: a changed dataset is refused, not silently used. */
export const MixSourceSchema = z
  .object({
    dataset: z.string().min(1).max(64).meta({ description: "dataset id" }),
    fingerprint: z.string().min(1).max(128).meta({ description: "the dataset's fingerprint when the recipe was written" }),
  })
  .strict();
export type MixSource = z.infer<typeof MixSourceSchema>;

/** Which examples may enter a mix at all, before the strategy counts them. */
export const MixFiltersSchema = z
  .object({
    /** Paper 003: keep examples whose language label has confidence ≥ `defaultMinConfidence` (0.8). */
    minConfidence: z.number().min(0).max(1).default(defaultMinConfidence),
    includeLowConfidence: z.boolean().default(false),
    /** Keep only these languages (all when absent). */
    languages: languages.optional(),
    /** Keep only these provenances (all when absent). */
    provenance: z.array(ProvenanceSchema).max(8).optional(),
    /** Leave out examples whose claimed language differs from the identified one. */
    excludeMismatched: z.boolean().default(false),
  })
  .strict();
export type MixFilters = z.infer<typeof MixFiltersSchema>;

/** Mono (003, 002 "-En"): one language only, a fixed total. */
export const MonoStrategySchema = z
  .object({ kind: z.literal("mono"), language: LanguageCodeSchema.default("en"), total: positiveCount })
  .strict();

/**
 * Multi-i (003 §3.2, Table 3): the same total as Mono; `perLanguage` base-language examples replaced by
 * each added language, languages added in the given order (Multi-k = the first k−1 of them).
 */
export const MultiStrategySchema = z
  .object({
    kind: z.literal("multi"),
    total: positiveCount,
    base: LanguageCodeSchema.default("en"),
    perLanguage: positiveCount,
    languages: languages.min(1),
  })
  .strict();

/** 003 App. H (a): a fixed non-base budget spread evenly over the languages; the rest is the base language. */
export const FixedBudgetStrategySchema = z
  .object({
    kind: z.literal("fixed-budget"),
    total: positiveCount,
    base: LanguageCodeSchema.default("en"),
    budget: count,
    languages: languages.min(1),
  })
  .strict();

/** Explicit proportions, by language or by source dataset; counts rounded by largest remainder. */
export const RatiosStrategySchema = z
  .object({
    kind: z.literal("ratios"),
    total: positiveCount,
    by: z.enum(["language", "source"]).default("language"),
    /** `key` is a language code (by language) or a dataset id (by source); weights need not sum to 1. */
    shares: z.array(z.object({ key: z.string().min(1).max(64), weight: z.number().positive().max(1e9) }).strict()).min(1).max(200),
  })
  .strict();

/**
 * Temperature sampling over languages: language i gets a share ∝ nᵢ^(1/T) of the total (nᵢ: its
 * examples after the filters); T = 1 is proportional, larger T flattens towards uniform.
 */
export const TemperatureStrategySchema = z
  .object({
    kind: z.literal("temperature"),
    total: positiveCount,
    temperature: z.number().positive().max(1000),
    /** The languages to balance (all available when absent). */
    languages: languages.optional(),
  })
  .strict();

/**
 * Translated data. "add" (002's DT): `english` base-language examples plus their translations into each
 * language, sampled uniformly. "replace" (003 §5.1, MT Multi-i): a Mono of `english` examples in which
 * `perLanguage` per language are replaced by their translations. Translations are the examples of
 * provenance "machine-translated" whose `translatedFrom` links to a base-language example.
 */
export const TranslatedStrategySchema = z
  .object({
    kind: z.literal("translated"),
    mode: z.enum(["add", "replace"]),
    base: LanguageCodeSchema.default("en"),
    /** add: base-language examples taken (all that have every translation when absent); replace: the total. */
    english: positiveCount.optional(),
    perLanguage: positiveCount.optional(),
    languages: languages.min(1),
  })
  .strict();

export const crossAlpacaDirections = ["en-x", "x-en"] as const;
/** Which language a translation demonstration's instruction is written in. */
export const templateLanguages = ["target", "source", "english"] as const;

/**
 * CrossAlpaca (004 §3.2): the instruction sources' examples plus `perDirection` translation-following
 * demonstrations per language and direction from the parallel sources (en→x and x→en counted apart),
 * phrased as Alpaca instructions ("Translate the following sentence into German.").
 */
export const CrossAlpacaStrategySchema = z
  .object({
    kind: z.literal("crossalpaca"),
    /** Instruction examples taken from the instruction sources (all that pass the filters when absent). */
    instructions: positiveCount.optional(),
    /** 0: the instruction examples alone (004's baseline, the same examples the other counts add to). */
    perDirection: count,
    directions: z.array(z.enum(crossAlpacaDirections)).min(1).max(2).default([...crossAlpacaDirections]),
    /** The x languages paired with the pivot (all found in the parallel sources when absent). */
    languages: languages.optional(),
    pivot: LanguageCodeSchema.default("en"),
    /** target: the instruction in the language of the expected output (default); english; source. */
    templateLanguage: z.enum(templateLanguages).default("target"),
  })
  .strict();

export const MixStrategySchema = z.discriminatedUnion("kind", [
  MonoStrategySchema,
  MultiStrategySchema,
  FixedBudgetStrategySchema,
  RatiosStrategySchema,
  TemperatureStrategySchema,
  TranslatedStrategySchema,
  CrossAlpacaStrategySchema,
]);
export type MixStrategy = z.infer<typeof MixStrategySchema>;
export type MixStrategyKind = MixStrategy["kind"];
export const mixStrategyKinds = ["mono", "multi", "fixed-budget", "ratios", "temperature", "translated", "crossalpaca"] as const satisfies readonly MixStrategyKind[];

/** A mix recipe: JSON a user can write, keep and rebuild into the same examples in the same order. */
export const MixRecipeSchema = z
  .object({
    version: z.literal(mixRecipeVersion),
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(4000).optional(),
    sources: z.array(MixSourceSchema).min(1).max(64),
    filters: MixFiltersSchema.prefault({}),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    strategy: MixStrategySchema,
  })
  .strict();
export type MixRecipe = z.infer<typeof MixRecipeSchema>;
export type MixRecipeInput = z.input<typeof MixRecipeSchema>;

const languageCount = z.object({
  language: z.string(),
  examples: z.number().int(),
  /** The language's examples by provenance, when known (the Data area's chart stacks its bars on it). */
  provenance: z.array(z.object({ provenance: ProvenanceSchema, examples: z.number().int() })).optional(),
});

/** What a mix holds: per language, per provenance, per source. */
export const MixCountsSchema = z.object({
  total: z.number().int(),
  languages: z.array(languageCount),
  provenance: z.array(z.object({ provenance: ProvenanceSchema, examples: z.number().int() })),
  sources: z.array(z.object({ dataset: z.string(), examples: z.number().int() })),
  /** CrossAlpaca's translation demonstrations per direction ("en-de", "de-en"); empty otherwise. */
  directions: z.array(z.object({ direction: z.string(), examples: z.number().int() })).optional(),
});
export type MixCounts = z.infer<typeof MixCountsSchema>;

/** A stored mix: its recipe, a fingerprint over the recipe and its sources, and what it holds. */
export const MixSchema = z.object({
  id: z.string(),
  name: z.string(),
  recipe: MixRecipeSchema,
  fingerprint: z.string(),
  counts: MixCountsSchema,
  createdAt: z.string(),
});
export type Mix = z.infer<typeof MixSchema>;

/** What a run records of the mix it trained on, so evaluation can tell supervised from 0-shot languages. */
export const RunMixSchema = z.object({
  id: z.string(),
  name: z.string(),
  fingerprint: z.string(),
  recipe: MixRecipeSchema,
  counts: MixCountsSchema,
});
export type RunMix = z.infer<typeof RunMixSchema>;

/** One example as a preview shows it (texts cut short). */
export const MixSampleSchema = z.object({
  /** The stored example's id; null for a translation demonstration built from a pair. */
  id: z.number().int().nullable(),
  dataset: z.string(),
  language: z.string(),
  provenance: ProvenanceSchema,
  turns: z.array(TurnSchema),
});
export type MixSample = z.infer<typeof MixSampleSchema>;

export const MixPreviewSchema = z.object({
  counts: MixCountsSchema,
  /** Tokens per language in the given model's tokenizer and prompt format; null without a model. */
  tokens: z
    .object({
      model: z.string(),
      total: z.number().int(),
      languages: z.array(z.object({ language: z.string(), tokens: z.number().int() })),
      provenance: z.array(z.object({ provenance: ProvenanceSchema, tokens: z.number().int() })),
    })
    .nullable(),
  /** What the sources offer after the filters, per language (what a strategy can draw on). */
  available: z.array(z.object({ language: z.string(), examples: z.number().int(), lowConfidence: z.number().int() })),
  /** Examples left out for a language label under the confidence threshold. */
  lowConfidenceExcluded: z.number().int(),
  /** Examples of one source repeated in another (same content hash), dropped. */
  duplicatesDropped: z.number().int(),
  samples: z.array(MixSampleSchema).max(10),
  warnings: z.array(z.string()),
});
export type MixPreview = z.infer<typeof MixPreviewSchema>;

const mixRef = z.string().min(1).max(200);
/** The shared parts of a series: the recipe's sources, filters and seed, and the total. */
const seriesCommon = {
  sources: z.array(MixSourceSchema).min(1).max(64),
  filters: MixFiltersSchema.prefault({}),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  total: positiveCount,
  base: LanguageCodeSchema.default("en"),
  /** Names are `${prefix} Mono`, `${prefix} Multi-2`, …; without a prefix just `Mono`, `Multi-2`, … */
  prefix: z.string().trim().max(100).optional(),
  save: z.boolean().default(false),
};
export const MixSeriesInputSchema = z.discriminatedUnion("kind", [
  /** Mono, Multi-2 … Multi-k (003 Table 3). */
  z.object({ kind: z.literal("multi-ladder"), ...seriesCommon, languages: languages.min(1), perLanguage: positiveCount }).strict(),
  /** 003 App. H (a): one fixed non-base budget over the first 1 … k languages. */
  z.object({ kind: z.literal("budget-over-languages"), ...seriesCommon, languages: languages.min(1), budget: positiveCount }).strict(),
  /** 003 App. H (b): fixed languages, a growing non-base count. */
  z.object({ kind: z.literal("growing-budget"), ...seriesCommon, languages: languages.min(1), budgets: z.array(count).min(1).max(100) }).strict(),
]);
export type MixSeriesInput = z.input<typeof MixSeriesInputSchema>;
/** A series' defaults (seed, base language, filters) as its schema fills them: the CLI's flags show these, never retyped values. */
export const mixSeriesDefaults = z.object({ seed: seriesCommon.seed, base: seriesCommon.base, filters: seriesCommon.filters }).parse({});

export const MixBuildResultSchema = z.object({
  mix: MixSchema,
  /** The training-ready JSONL written. */
  path: z.string(),
  examples: z.number().int(),
  bytes: z.number().int(),
});
export type MixBuildResult = z.infer<typeof MixBuildResultSchema>;

/** Calls and events of this domain; spread into `calls` and `events` in contract.ts. */
export const mixCalls = {
  /** Counts (and tokens, given a model) of a recipe, without saving it; fast enough to call as a user types. */
  "mixes.preview": {
    input: z.object({ recipe: MixRecipeSchema, model: z.string().min(1).max(4096).optional(), format: z.enum(["alpaca", "guanaco", "chat"]).default("alpaca") }).strict(),
    output: MixPreviewSchema,
  },
  "mixes.save": { input: z.object({ recipe: MixRecipeSchema }).strict(), output: MixSchema },
  /** A whole series of recipes in one action; saved as mixes when `save`. */
  "mixes.series": {
    input: MixSeriesInputSchema,
    output: z.object({ recipes: z.array(MixRecipeSchema), mixes: z.array(MixSchema) }),
  },
  "mixes.list": { input: z.object({}).strict(), output: z.array(MixSchema) },
  "mixes.get": { input: z.object({ mix: mixRef }).strict(), output: MixSchema },
  "mixes.remove": { input: z.object({ mix: mixRef }).strict(), output: z.object({ removed: z.boolean() }) },
  /** Writes the mix as training-ready JSONL (to `out`, else into the data folder). */
  "mixes.build": {
    input: z
      .object({
        mix: mixRef,
        out: z.string().min(1).max(4096).optional(),
        /** Replace an existing `out` (never a file a dataset was imported from). */
        overwrite: z.boolean().default(false),
      })
      .strict(),
    output: MixBuildResultSchema,
  },
} as const;

export const mixEvents = {
  "mixes.changed": z.object({ reason: z.string() }),
} as const;
