import type { Database, Statement } from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import {
  DatasetSchema,
  exampleProvenances,
  ShowInputSchema,
  type Dataset,
  type DatasetKind,
  type ExampleRow,
  type ImportError,
  type PairRow,
  type Provenance,
  type ShowInput,
  type ShowResult,
  type TranslationInfo,
} from "../../shared/datasetContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { Turn } from "../data/Conversation.js";
import { languagesDisagree } from "../data/languageCodes.js";

/** Under this confidence an example is "low confidence" and left out of mixes by default (paper 003). */
import { defaultMinConfidence as lowConfidenceThreshold } from "../../shared/datasetContract.js";
/** How many malformed records a dataset keeps with file, line and reason; `errorCount` counts them all. */
export const keptErrors = 200;

export interface DatasetFileInfo {
  path: string;
  bytes: number;
  sha256: string;
}

export interface DatasetMeta {
  name: string;
  kind: DatasetKind;
  format: string;
  files: DatasetFileInfo[];
  encoding: string;
  notes: string[];
  /** The process writing it; a dataset left `importing` by a process that is gone is swept at the next start. */
  pid?: number;
}

export interface NewExample {
  turns: Turn[];
  language: string;
  confidence: number;
  claimedLanguage: string | null;
  provenance: Provenance;
  category: string | null;
  file: string;
  line: number;
  recordId: string | null;
  translation: TranslationInfo | null;
}

export interface NewPair {
  source: string;
  target: string;
  sourceLanguage: string;
  targetLanguage: string;
  sourceConfidence: number;
  targetConfidence: number;
  claimedSourceLanguage: string | null;
  claimedTargetLanguage: string | null;
  provenance: Provenance;
  file: string;
  line: number;
  recordId: string | null;
}

export interface FinishSummary {
  skipped: number;
  /** The first malformed records (kept up to 200). */
  errors: ImportError[];
  errorCount: number;
  /** Notes added while importing, after those given at the start. */
  notes?: string[];
}

/** A light row for mixing: enough to filter, count and sample without the text. */
export interface ExampleCandidate {
  id: number;
  datasetId: string;
  ordinal: number;
  hash: string;
  language: string;
  confidence: number;
  claimedLanguage: string | null;
  provenance: Provenance;
  category: string | null;
  translatedFrom: number | null;
}

interface DatasetRowDb {
  id: string;
  name: string;
  kind: DatasetKind;
  format: string;
  files_json: string;
  fingerprint: string;
  encoding: string;
  notes_json: string;
  status: string;
  pid: number | null;
  created_at: string;
  examples: number;
  skipped: number;
  duplicates: number;
  low_confidence: number;
  languages_json: string;
  provenance_json: string;
  errors_json: string;
  error_count: number;
}

interface ExampleRowDb {
  id: number;
  ordinal: number;
  turns_json: string;
  language: string;
  confidence: number;
  claimed_language: string | null;
  mismatched: number;
  provenance: Provenance;
  category: string | null;
  source_file: string;
  source_line: number;
  translation_model: string | null;
  translation_model_fingerprint: string | null;
  translation_prompt: string | null;
  translated_from: number | null;
}

interface PairRowDb {
  id: number;
  ordinal: number;
  source: string;
  target: string;
  source_language: string;
  target_language: string;
  source_confidence: number;
  target_confidence: number;
  claimed_source_language: string | null;
  claimed_target_language: string | null;
  source_file: string;
  source_line: number;
}

/** The content hash an example is deduplicated by: its turns, as canonical JSON (fixed key order, no absent fields). */
export function exampleHash(turns: readonly Turn[]): string {
  const canonical = JSON.stringify(turns.map((t) => (t.input !== undefined ? [t.role, t.content, t.input] : [t.role, t.content])));
  return createHash("sha256").update(canonical).digest("hex");
}

export function pairHash(source: string, target: string): string {
  return createHash("sha256").update(JSON.stringify([source, target])).digest("hex");
}

/**
 * Settings for a connection that imports (the import worker's own). WAL with synchronous=NORMAL skips the
 * fsync at each commit: a power cut can lose the last commits but never corrupts the file, and an import
 * cut short that way is still `importing`, so the sweep at the next start removes it. A 64 MiB page
 * cache keeps the dedup index (random SHA-256 keys) in memory between commits instead of re-reading it.
 */
export function tuneForImport(db: Database): void {
  db.pragma("synchronous = NORMAL");
  db.pragma("cache_size = -65536");
}

/** `%term%` for LIKE … ESCAPE '\', the term's own wildcards taken literally. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function emptyProvenance(): Record<Provenance, number> {
  return Object.fromEntries(exampleProvenances.map((p) => [p, 0])) as Record<Provenance, number>;
}

function parseJson<T>(text: string, fallback: T): { value: T; ok: boolean } {
  try {
    return { value: JSON.parse(text) as T, ok: true };
  } catch {
    return { value: fallback, ok: false };
  }
}

/** Whether a process with this id is running (EPERM: it is, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const now = (): string => new Date().toISOString();
// Rows deleted per transaction when a dataset goes: short write locks, so the app and an import keep going.
const deleteChunk = 20_000;

/**
 * Datasets, their examples (instruction data) or pairs (parallel text), and token counts per model.
 * Used by the engine's handlers on the main thread and by the import worker on its own connection.
 */
export class DatasetStore {
  private readonly insertExample: Statement;
  private readonly insertPair: Statement;
  private readonly nextOrdinalOf: Record<"examples" | "pairs", Statement>;
  private readonly addDuplicates: Statement;

  constructor(private readonly db: Database) {
    this.insertExample = db.prepare(`INSERT OR IGNORE INTO examples
      (dataset_id, ordinal, hash, turns_json, language, confidence, claimed_language, mismatched, provenance, category, source_file, source_line, record_id,
       translation_model, translation_model_fingerprint, translation_prompt, translated_from)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertPair = db.prepare(`INSERT OR IGNORE INTO pairs
      (dataset_id, ordinal, hash, source, target, source_language, target_language, source_confidence, target_confidence,
       claimed_source_language, claimed_target_language, mismatched, provenance, source_file, source_line, record_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.addDuplicates = db.prepare("UPDATE datasets SET duplicates = duplicates + ? WHERE id = ?");
    this.nextOrdinalOf = {
      examples: db.prepare("SELECT COALESCE(MAX(ordinal) + 1, 0) AS n FROM examples WHERE dataset_id = ?"),
      pairs: db.prepare("SELECT COALESCE(MAX(ordinal) + 1, 0) AS n FROM pairs WHERE dataset_id = ?"),
    };
  }

  // ── reading ────────────────────────────────────────────────────────────────

  /** The ready datasets, oldest first. A row that cannot be read whole is listed with a note, never failing the list. */
  list(): Dataset[] {
    const rows = this.db.prepare("SELECT * FROM datasets WHERE status = 'ready' ORDER BY created_at, rowid").all() as DatasetRowDb[];
    return rows.flatMap((r) => {
      const dataset = this.toDataset(r);
      return dataset ? [dataset] : [];
    });
  }

  get(id: string): Dataset {
    const row = this.db.prepare("SELECT * FROM datasets WHERE id = ? AND status = 'ready'").get(id) as DatasetRowDb | undefined;
    const dataset = row ? this.toDataset(row) : null;
    if (!dataset) {
      throw new PolytuneError("dataset-not-found", `No dataset "${id}".`, { where: id, hint: "List the datasets with `polytune data list` (or the Data view) and use one of their ids." });
    }
    return dataset;
  }

  /** A page of a dataset's rows matching the filters, with how many match in all. */
  show(query: ShowInput): ShowResult {
    const q = ShowInputSchema.parse(query);
    const dataset = this.get(q.dataset);
    const where: string[] = ["dataset_id = @dataset"];
    const params: Record<string, unknown> = { dataset: q.dataset, limit: q.limit, offset: q.offset, threshold: lowConfidenceThreshold };
    const parallel = dataset.kind === "parallel";
    if (q.language !== undefined) {
      where.push(parallel ? "(source_language = @language OR target_language = @language)" : "language = @language");
      params.language = q.language;
    }
    if (q.provenance !== undefined) {
      where.push("provenance = @provenance");
      params.provenance = q.provenance;
    }
    if (q.lowConfidence !== undefined) {
      const low = parallel ? "MIN(source_confidence, target_confidence) < @threshold" : "confidence < @threshold";
      where.push(q.lowConfidence ? low : `NOT (${low})`);
    }
    if (q.mismatched !== undefined) where.push(q.mismatched ? "mismatched != 0" : "mismatched = 0");
    const term = q.search?.trim();
    if (term) {
      params.search = likePattern(term);
      if (parallel) {
        where.push("(source LIKE @search ESCAPE '\\' OR target LIKE @search ESCAPE '\\')");
      } else {
        // The JSON text is a cheap first cut (the term as JSON writes it); the turns' own texts decide, so
        // a search for "user" or "content" does not match every row by its JSON keys.
        params.searchJson = likePattern(JSON.stringify(term).slice(1, -1));
        where.push(`turns_json LIKE @searchJson ESCAPE '\\' AND EXISTS (SELECT 1 FROM json_each(turns_json) t
          WHERE json_extract(t.value, '$.content') LIKE @search ESCAPE '\\' OR json_extract(t.value, '$.input') LIKE @search ESCAPE '\\')`);
      }
    }
    const table = parallel ? "pairs" : "examples";
    const filter = where.join(" AND ");
    const { n: total } = this.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${filter}`).get(params) as { n: number };
    const rows = this.db.prepare(`SELECT * FROM ${table} WHERE ${filter} ORDER BY ordinal LIMIT @limit OFFSET @offset`).all(params);
    return { dataset, total, rows: parallel ? (rows as PairRowDb[]).map(toPairRow) : (rows as ExampleRowDb[]).map(toExampleRow) };
  }

  /** Every example of a dataset, light, in stored order: what mixes filter and sample. */
  candidates(datasetId: string): ExampleCandidate[] {
    this.get(datasetId);
    const rows = this.db
      .prepare("SELECT id, ordinal, hash, language, confidence, claimed_language, provenance, category, translated_from FROM examples WHERE dataset_id = ? ORDER BY ordinal")
      .all(datasetId) as Array<{ id: number; ordinal: number; hash: string; language: string; confidence: number; claimed_language: string | null; provenance: Provenance; category: string | null; translated_from: number | null }>;
    return rows.map((r) => ({
      id: r.id,
      datasetId,
      ordinal: r.ordinal,
      hash: r.hash,
      language: r.language,
      confidence: r.confidence,
      claimedLanguage: r.claimed_language,
      provenance: r.provenance,
      category: r.category,
      translatedFrom: r.translated_from,
    }));
  }

  /** Full rows for these example ids, in the order given. */
  examplesByIds(ids: readonly number[]): ExampleRow[] {
    const found = new Map<number, ExampleRow>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const rows = this.db.prepare(`SELECT * FROM examples WHERE id IN (${chunk.map(() => "?").join(",")})`).all(...chunk) as ExampleRowDb[];
      for (const r of rows) found.set(r.id, toExampleRow(r));
    }
    return ids.map((id) => {
      const row = found.get(id);
      if (!row) throw new PolytuneError("dataset-example-missing", `Example ${id} is no longer stored.`, { where: `example ${id}`, hint: "Its dataset was removed or re-imported; rebuild the mix from datasets that are listed." });
      return row;
    });
  }

  /** Every pair of a parallel dataset, in stored order. */
  pairs(datasetId: string): PairRow[] {
    this.get(datasetId);
    return (this.db.prepare("SELECT * FROM pairs WHERE dataset_id = ? ORDER BY ordinal").all(datasetId) as PairRowDb[]).map(toPairRow);
  }

  // ── writing ────────────────────────────────────────────────────────────────

  /** A new dataset, invisible (`importing`) until `finishDataset`. */
  beginDataset(meta: DatasetMeta): string {
    const id = randomUUID().slice(0, 8);
    this.db
      .prepare(
        `INSERT INTO datasets (id, name, kind, format, files_json, encoding, notes_json, status, pid, created_at, provenance_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'importing', ?, ?, ?)`,
      )
      .run(id, meta.name, meta.kind, meta.format, JSON.stringify(meta.files), meta.encoding, JSON.stringify(meta.notes), meta.pid ?? process.pid, now(), JSON.stringify(emptyProvenance()));
    return id;
  }

  /** Stores examples after those already there; one transaction. An example whose content is already in the dataset is a duplicate. */
  insertExamples(datasetId: string, rows: readonly NewExample[]): { kept: number; duplicates: number } {
    return this.db.transaction(() => {
      let ordinal = (this.nextOrdinalOf.examples.get(datasetId) as { n: number }).n;
      let kept = 0;
      for (const r of rows) {
        // Positional parameters: binding 17 named ones from an object per row was a measurable part of storing.
        const changes = this.insertExample.run(
          datasetId,
          ordinal,
          exampleHash(r.turns),
          JSON.stringify(r.turns),
          r.language,
          r.confidence,
          r.claimedLanguage,
          languagesDisagree(r.claimedLanguage, r.language) ? 1 : 0,
          r.provenance,
          r.category,
          r.file,
          r.line,
          r.recordId,
          r.translation?.model ?? null,
          r.translation?.modelFingerprint ?? null,
          r.translation?.prompt ?? null,
          r.translation?.fromExample ?? null,
        ).changes;
        if (changes > 0) {
          kept++;
          ordinal++;
        }
      }
      const duplicates = rows.length - kept;
      if (duplicates > 0) this.addDuplicates.run(duplicates, datasetId);
      return { kept, duplicates };
    })();
  }

  insertPairs(datasetId: string, rows: readonly NewPair[]): { kept: number; duplicates: number } {
    return this.db.transaction(() => {
      let ordinal = (this.nextOrdinalOf.pairs.get(datasetId) as { n: number }).n;
      let kept = 0;
      for (const r of rows) {
        // A bit per side: 1 the source, 2 the target disagrees with the language claimed for it.
        const mismatched = (languagesDisagree(r.claimedSourceLanguage, r.sourceLanguage) ? 1 : 0) | (languagesDisagree(r.claimedTargetLanguage, r.targetLanguage) ? 2 : 0);
        const changes = this.insertPair.run(
          datasetId,
          ordinal,
          pairHash(r.source, r.target),
          r.source,
          r.target,
          r.sourceLanguage,
          r.targetLanguage,
          r.sourceConfidence,
          r.targetConfidence,
          r.claimedSourceLanguage,
          r.claimedTargetLanguage,
          mismatched,
          r.provenance,
          r.file,
          r.line,
          r.recordId,
        ).changes;
        if (changes > 0) {
          kept++;
          ordinal++;
        }
      }
      const duplicates = rows.length - kept;
      if (duplicates > 0) this.addDuplicates.run(duplicates, datasetId);
      return { kept, duplicates };
    })();
  }

  /** Counts, languages, fingerprint and error report; the dataset becomes visible. */
  finishDataset(datasetId: string, summary: FinishSummary): Dataset {
    const row = this.db.prepare("SELECT kind, notes_json FROM datasets WHERE id = ? AND status = 'importing'").get(datasetId) as { kind: DatasetKind; notes_json: string } | undefined;
    if (!row) throw new PolytuneError("dataset-not-importing", `Dataset ${datasetId} is not being imported.`, { where: datasetId });
    const parallel = row.kind === "parallel";
    const table = parallel ? "pairs" : "examples";
    // A recipe pins the dataset by this: the same examples, with the same language labels, claims and
    // provenance, in the same order give the same fingerprint (a mix draws on all of them).
    const fingerprint = createHash("sha256").update(`${row.kind}\n`);
    const labelled = parallel
      ? `SELECT hash, source_language, target_language, source_confidence, target_confidence, claimed_source_language, claimed_target_language, provenance FROM pairs WHERE dataset_id = ? ORDER BY ordinal`
      : `SELECT hash, language, confidence, claimed_language, provenance FROM examples WHERE dataset_id = ? ORDER BY ordinal`;
    for (const r of this.db.prepare(labelled).raw().iterate(datasetId)) fingerprint.update(`${JSON.stringify(r)}\n`);

    const languages = parallel ? this.pairLanguages(datasetId) : this.exampleLanguages(datasetId);
    const provenance = emptyProvenance();
    for (const p of this.db.prepare(`SELECT provenance, COUNT(*) AS n FROM ${table} WHERE dataset_id = ? GROUP BY provenance`).all(datasetId) as Array<{ provenance: Provenance; n: number }>) {
      if (p.provenance in provenance) provenance[p.provenance] = p.n;
    }
    const lowSql = parallel ? "MIN(source_confidence, target_confidence) < ?" : "confidence < ?";
    const { n: examples, low } = this.db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(${lowSql}), 0) AS low FROM ${table} WHERE dataset_id = ?`).get(lowConfidenceThreshold, datasetId) as { n: number; low: number };
    const notes = [...parseJson<string[]>(row.notes_json, []).value, ...(summary.notes ?? [])];
    this.db
      .prepare(
        `UPDATE datasets SET status = 'ready', pid = NULL, fingerprint = ?, notes_json = ?, examples = ?, skipped = ?, low_confidence = ?,
         languages_json = ?, provenance_json = ?, errors_json = ?, error_count = ? WHERE id = ?`,
      )
      .run(fingerprint.digest("hex"), JSON.stringify(notes), examples, summary.skipped, low, JSON.stringify(languages), JSON.stringify(provenance), JSON.stringify(summary.errors.slice(0, keptErrors)), summary.errorCount, datasetId);
    return this.get(datasetId);
  }

  /** Deletes a dataset being written (a failed or cancelled import), in short transactions. */
  discardDataset(datasetId: string): void {
    this.db.prepare("UPDATE datasets SET status = 'removing' WHERE id = ?").run(datasetId);
    this.deleteRows(datasetId);
  }

  /** Removes a ready dataset with its examples and their token counts. */
  remove(id: string): boolean {
    const marked = this.markRemoving(id);
    if (marked) this.deleteRows(id);
    return marked;
  }

  /** `remove`, letting the event loop run between chunks: what the engine's thread uses for a large dataset. */
  async removeGradually(id: string): Promise<boolean> {
    const marked = this.markRemoving(id);
    if (marked) {
      while (this.deleteChunk(id)) await new Promise((r) => setImmediate(r));
      this.db.prepare("DELETE FROM datasets WHERE id = ?").run(id);
    }
    return marked;
  }

  /**
   * Removes what an earlier process left half-written: datasets `importing` or `removing` whose process
   * is gone (killed, crashed, power lost). Called when the engine opens; returns the ids removed.
   */
  sweepAbandoned(): string[] {
    const rows = this.db.prepare("SELECT id, pid FROM datasets WHERE status != 'ready'").all() as Array<{ id: string; pid: number | null }>;
    const gone = rows.filter((r) => r.pid === null || !processAlive(r.pid)).map((r) => r.id);
    for (const id of gone) {
      this.db.prepare("UPDATE datasets SET status = 'removing', pid = NULL WHERE id = ?").run(id);
      this.deleteRows(id);
    }
    return gone;
  }

  /** Token counts already computed for these examples with this model (by its fingerprint). */
  tokenCounts(modelFingerprint: string, ids: readonly number[]): Map<number, number> {
    const counts = new Map<number, number>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT example_id, tokens FROM example_tokens WHERE model_fingerprint = ? AND example_id IN (${chunk.map(() => "?").join(",")})`)
        .all(modelFingerprint, ...chunk) as Array<{ example_id: number; tokens: number }>;
      for (const r of rows) counts.set(r.example_id, r.tokens);
    }
    return counts;
  }

  saveTokenCounts(modelFingerprint: string, counts: Map<number, number>): void {
    const insert = this.db.prepare("INSERT OR REPLACE INTO example_tokens (example_id, model_fingerprint, tokens) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM examples WHERE id = ?)");
    this.db.transaction(() => {
      for (const [id, tokens] of counts) insert.run(id, modelFingerprint, tokens, id);
    })();
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** Hidden at once (no longer `ready`); a removal cut short is finished by the sweep at the next start. */
  private markRemoving(id: string): boolean {
    return this.db.prepare("UPDATE datasets SET status = 'removing', pid = ? WHERE id = ? AND status = 'ready'").run(process.pid, id).changes > 0;
  }

  /** Deletes up to `deleteChunk` of a dataset's rows in one short transaction; false once none are left. */
  private deleteChunk(datasetId: string): boolean {
    for (const table of ["examples", "pairs"] as const) {
      if (this.db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE dataset_id = ? LIMIT ${deleteChunk})`).run(datasetId).changes > 0) return true;
    }
    return false;
  }

  private deleteRows(datasetId: string): void {
    while (this.deleteChunk(datasetId)) {
      // Each chunk is its own transaction (autocommit), so the write lock is released in between.
    }
    this.db.prepare("DELETE FROM datasets WHERE id = ?").run(datasetId);
  }

  private exampleLanguages(datasetId: string): Dataset["languages"] {
    return this.db
      .prepare(
        `SELECT language, COUNT(*) AS examples, SUM(confidence < ?) AS lowConfidence, SUM(mismatched != 0) AS mismatched
         FROM examples WHERE dataset_id = ? GROUP BY language ORDER BY examples DESC, language`,
      )
      .all(lowConfidenceThreshold, datasetId) as Dataset["languages"];
  }

  /** Per language over both sides of the pairs; a pair counts once per side. */
  private pairLanguages(datasetId: string): Dataset["languages"] {
    return this.db
      .prepare(
        `SELECT language, COUNT(*) AS examples, SUM(confidence < ?) AS lowConfidence, SUM(mismatched) AS mismatched FROM (
           SELECT source_language AS language, source_confidence AS confidence, (mismatched & 1) != 0 AS mismatched FROM pairs WHERE dataset_id = ?
           UNION ALL
           SELECT target_language, target_confidence, (mismatched & 2) != 0 FROM pairs WHERE dataset_id = ?
         ) GROUP BY language ORDER BY examples DESC, language`,
      )
      .all(lowConfidenceThreshold, datasetId, datasetId) as Dataset["languages"];
  }

  /** A stored row as the contract's Dataset; a damaged summary is reported in the notes, not thrown. */
  private toDataset(r: DatasetRowDb): Dataset | null {
    const damaged: string[] = [];
    const json = <T>(text: string, fallback: T, what: string): T => {
      const parsed = parseJson(text, fallback);
      if (!parsed.ok) damaged.push(what);
      return parsed.value;
    };
    const candidate = {
      id: r.id,
      name: r.name,
      kind: r.kind,
      format: r.format,
      files: json(r.files_json, [], "files"),
      fingerprint: r.fingerprint,
      encoding: r.encoding,
      notes: json<string[]>(r.notes_json, [], "notes"),
      createdAt: r.created_at,
      examples: r.examples,
      skipped: r.skipped,
      duplicates: r.duplicates,
      lowConfidence: r.low_confidence,
      languages: json(r.languages_json, [], "languages"),
      provenance: { ...emptyProvenance(), ...json<Record<string, number>>(r.provenance_json, {}, "provenance") },
      errors: json(r.errors_json, [], "error report"),
      errorCount: r.error_count,
    };
    const parsed = DatasetSchema.safeParse(candidate);
    if (parsed.success && damaged.length === 0) return parsed.data;
    // Keep what reads, note what does not: one damaged row never hides the others or this one.
    const fallback = DatasetSchema.safeParse({
      ...candidate,
      files: parsed.success ? candidate.files : [],
      languages: parsed.success ? candidate.languages : [],
      provenance: parsed.success ? candidate.provenance : emptyProvenance(),
      errors: parsed.success ? candidate.errors : [],
      notes: [
        ...(Array.isArray(candidate.notes) ? candidate.notes.filter((n): n is string => typeof n === "string") : []),
        `Part of this dataset's stored summary cannot be read (${damaged.length ? damaged.join(", ") : "unexpected values"}); remove and re-import it to restore it.`,
      ],
    });
    return fallback.success ? fallback.data : null;
  }
}

function toExampleRow(r: ExampleRowDb): ExampleRow {
  return {
    kind: "example",
    id: r.id,
    ordinal: r.ordinal,
    turns: JSON.parse(r.turns_json) as Turn[],
    language: r.language,
    confidence: r.confidence,
    claimedLanguage: r.claimed_language,
    mismatched: r.mismatched !== 0,
    provenance: r.provenance,
    category: r.category,
    file: r.source_file,
    line: r.source_line,
    translation:
      r.translation_model !== null
        ? { model: r.translation_model, modelFingerprint: r.translation_model_fingerprint ?? "", prompt: r.translation_prompt ?? "", fromExample: r.translated_from }
        : null,
  };
}

function toPairRow(r: PairRowDb): PairRow {
  return {
    kind: "pair",
    id: r.id,
    ordinal: r.ordinal,
    source: r.source,
    target: r.target,
    sourceLanguage: r.source_language,
    targetLanguage: r.target_language,
    sourceConfidence: r.source_confidence,
    targetConfidence: r.target_confidence,
    claimedSourceLanguage: r.claimed_source_language,
    claimedTargetLanguage: r.claimed_target_language,
    file: r.source_file,
    line: r.source_line,
  };
}
