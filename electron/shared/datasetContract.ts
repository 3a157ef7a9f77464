// The datasets domain of the contract: importing instruction and parallel data, listing, previewing
// and removing it. Spread into `calls` and `events` in contract.ts; imports zod only (contract.ts
// imports this file, so the reverse would be circular).
import { z } from "zod";

/** Every file format an import understands; "auto" sniffs it, "jsonl" is JSON Lines with user-mapped fields. */
export const datasetFormats = ["auto", "alpaca", "dolly", "sharegpt", "openai", "guanaco", "lima", "csv", "tsv", "parquet", "jsonl", "moses", "tsv-pairs", "tmx"] as const;
export const DatasetFormatSchema = z.enum(datasetFormats);
export type DatasetFormat = z.infer<typeof DatasetFormatSchema>;

/** The formats that hold parallel text (source/target pairs) rather than instructions. */
export const parallelFormats = ["moses", "tsv-pairs", "tmx"] as const satisfies readonly DatasetFormat[];

export const datasetKinds = ["instructions", "parallel"] as const;
export const DatasetKindSchema = z.enum(datasetKinds);
export type DatasetKind = z.infer<typeof DatasetKindSchema>;

/** Where an example came from (paper 003 §5.1 compares native with machine-translated data). */
export const exampleProvenances = ["native", "machine-translated", "translation-demo", "user-written"] as const;
export const ProvenanceSchema = z.enum(exampleProvenances);
export type Provenance = z.infer<typeof ProvenanceSchema>;
/**
 * The provenances an import may claim. "machine-translated" is not one: such an example must record the
 * model and prompt that made it, which only the translation job (`polytune data translate`) knows.
 */
export const importProvenances = ["native", "translation-demo", "user-written"] as const satisfies readonly Provenance[];

/**
 * Under this confidence a language label is "low confidence" and its example is left out of mixes unless
 * the user includes it (paper 003, Kew et al. 2024). The one place the number is written: the store, the
 * recipe defaults, the CLI, the UI and its texts all derive from it.
 */
export const defaultMinConfidence = 0.8;

/** A language label as examples are labelled: ISO 639-1 where one exists, else lid.176's code ("und": nothing identified). */
export const LanguageCodeSchema = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, "a language code such as en, de, zh or pt-BR")
  .max(32);

/** A language as a user claims it for a file: a code ("de", "DEU", "pt_BR") or an English name ("German"); the engine normalises it. */
export const ClaimedLanguageSchema = z.string().trim().min(2).max(64);

const fieldName = z.string().min(1).max(200);
/** Which source field or column holds each part of an example. */
export const FieldMappingSchema = z
  .object({
    instruction: fieldName.optional(),
    input: fieldName.optional(),
    output: fieldName.optional(),
    system: fieldName.optional(),
    conversations: fieldName.optional(),
    category: fieldName.optional(),
    language: fieldName.optional(),
    id: fieldName.optional(),
  })
  .strict();
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

/** One turn of a conversation (engine/data/Conversation.ts's Turn). */
export const TurnSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
  /** Alpaca's separate "input" field, kept apart so the Alpaca prompt shows it in its own section. */
  input: z.string().optional(),
});
export type TurnShape = z.infer<typeof TurnSchema>;

/** The import wizard's first step: what the files are and how their fields map. */
export const InspectionSchema = z.object({
  files: z.array(z.object({ path: z.string(), bytes: z.number() })),
  format: DatasetFormatSchema,
  kind: DatasetKindSchema,
  encoding: z.string(),
  notes: z.array(z.string()),
  /** The field or column names found in the first records. */
  fields: z.array(z.string()),
  suggestedMapping: FieldMappingSchema,
  /** Up to five raw records, each value shown as text. */
  sample: z.array(z.record(z.string(), z.string())).max(5),
  /** True when the fields are not ones the format names: the user must map them before importing. */
  mappingRequired: z.boolean(),
});
export type Inspection = z.infer<typeof InspectionSchema>;

export const DatasetIdSchema = z.string().min(1).max(64);

export const ImportErrorSchema = z.object({ file: z.string(), line: z.number().int(), reason: z.string() });
export type ImportError = z.infer<typeof ImportErrorSchema>;

export const DatasetLanguageSchema = z.object({
  language: z.string(),
  /** Examples (or, for parallel data, pairs with a side) labelled with this language. */
  examples: z.number().int(),
  /** Of those, identified with a confidence under the threshold (`defaultMinConfidence`, paper 003). */
  lowConfidence: z.number().int(),
  /** Of those, where the file claimed another language. */
  mismatched: z.number().int(),
});

export const DatasetSchema = z.object({
  id: DatasetIdSchema,
  name: z.string(),
  kind: DatasetKindSchema,
  format: z.string(),
  files: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() })),
  /** A hash over the stored examples' content hashes in order: a recipe pins it. */
  fingerprint: z.string(),
  encoding: z.string(),
  notes: z.array(z.string()),
  createdAt: z.string(),
  /** Stored examples (pairs, for parallel data). */
  examples: z.number().int(),
  skipped: z.number().int(),
  duplicates: z.number().int(),
  lowConfidence: z.number().int(),
  languages: z.array(DatasetLanguageSchema),
  provenance: z.record(ProvenanceSchema, z.number().int()),
  /** The first 200 malformed records; `errorCount` has them all. */
  errors: z.array(ImportErrorSchema),
  errorCount: z.number().int(),
});
export type Dataset = z.infer<typeof DatasetSchema>;

export const TranslationInfoSchema = z.object({
  model: z.string(),
  modelFingerprint: z.string(),
  prompt: z.string(),
  /** The example (id) this one was translated from. */
  fromExample: z.number().int().nullable(),
});
export type TranslationInfo = z.infer<typeof TranslationInfoSchema>;

/** One stored instruction example. */
export const ExampleRowSchema = z.object({
  kind: z.literal("example"),
  id: z.number().int(),
  ordinal: z.number().int(),
  turns: z.array(TurnSchema),
  language: z.string(),
  confidence: z.number(),
  claimedLanguage: z.string().nullable(),
  /** The claimed language disagrees with the identified one (decided at import by `languagesDisagree`). */
  mismatched: z.boolean().optional(),
  provenance: ProvenanceSchema,
  category: z.string().nullable(),
  file: z.string(),
  line: z.number().int(),
  translation: TranslationInfoSchema.nullable(),
});
export type ExampleRow = z.infer<typeof ExampleRowSchema>;

/** One stored pair of parallel text. */
export const PairRowSchema = z.object({
  kind: z.literal("pair"),
  id: z.number().int(),
  ordinal: z.number().int(),
  source: z.string(),
  target: z.string(),
  sourceLanguage: z.string(),
  targetLanguage: z.string(),
  sourceConfidence: z.number(),
  targetConfidence: z.number(),
  /** The languages the files claimed (file names, TMX xml:lang, --source-lang/--target-lang), if any. */
  claimedSourceLanguage: z.string().nullable(),
  claimedTargetLanguage: z.string().nullable(),
  file: z.string(),
  line: z.number().int(),
});
export type PairRow = z.infer<typeof PairRowSchema>;

export const DatasetRowSchema = z.discriminatedUnion("kind", [ExampleRowSchema, PairRowSchema]);
export type DatasetRow = z.infer<typeof DatasetRowSchema>;

const files = z.array(z.string().min(1).max(4096)).min(1).max(64);

export const ImportInputSchema = z
  .object({
    /** Made by the client (like models.try's requestId) so it can cancel and follow progress. */
    importId: z.string().min(1).max(64),
    /** The files of one dataset; two line-aligned files for Moses. */
    files,
    format: DatasetFormatSchema.default("auto"),
    mapping: FieldMappingSchema.optional(),
    /** Parallel data: the two sides' languages (else from the file names or TMX xml:lang). */
    languages: z.object({ source: ClaimedLanguageSchema.optional(), target: ClaimedLanguageSchema.optional() }).strict().optional(),
    /** A language the whole file claims to be in; a disagreeing identification is shown as mismatched. */
    language: ClaimedLanguageSchema.optional(),
    /** One of `importProvenances`; "machine-translated" is refused with what to do instead (the engine says so, naming the field). */
    provenance: ProvenanceSchema.default("native"),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type ImportInput = z.input<typeof ImportInputSchema>;

export const ShowInputSchema = z
  .object({
    dataset: DatasetIdSchema,
    /** A substring of the example's text (any turn; either side of a pair). */
    search: z.string().max(1000).optional(),
    language: z.string().min(1).max(32).optional(),
    provenance: ProvenanceSchema.optional(),
    lowConfidence: z.boolean().optional(),
    mismatched: z.boolean().optional(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export type ShowInput = z.input<typeof ShowInputSchema>;

export const ShowResultSchema = z.object({
  dataset: DatasetSchema,
  /** Rows matching the filters, all pages together. */
  total: z.number().int(),
  rows: z.array(DatasetRowSchema),
});
export type ShowResult = z.infer<typeof ShowResultSchema>;

export const ImportProgressSchema = z.object({
  importId: z.string(),
  file: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  records: z.number().int(),
  kept: z.number().int(),
  skipped: z.number().int(),
  duplicates: z.number().int(),
});
export type ImportProgress = z.infer<typeof ImportProgressSchema>;

const byDataset = z.object({ dataset: DatasetIdSchema }).strict();

/** Calls and events of this domain; spread into `calls` and `events` in contract.ts. */
export const datasetCalls = {
  "data.inspect": {
    input: z.object({ files, format: DatasetFormatSchema.default("auto") }).strict(),
    output: InspectionSchema,
  },
  "data.import": { input: ImportInputSchema, output: DatasetSchema },
  "data.cancelImport": { input: z.object({ importId: z.string().min(1).max(64) }).strict(), output: z.object({ cancelled: z.boolean() }) },
  "data.list": { input: z.object({}).strict(), output: z.array(DatasetSchema) },
  "data.show": { input: ShowInputSchema, output: ShowResultSchema },
  "data.remove": { input: byDataset, output: z.object({ removed: z.boolean() }) },
  /** Reads raw training text (.txt: one document; .jsonl: one {"text"} a line) as a run will, refusing a bad file or line; says how much there is. */
  "data.checkText": {
    input: z.object({ files: z.array(z.string().min(1).max(4096)).min(1) }).strict(),
    output: z.object({ documents: z.number().int(), bytes: z.number().int() }),
  },
} as const;

export const datasetEvents = {
  "data.importProgress": ImportProgressSchema,
} as const;
