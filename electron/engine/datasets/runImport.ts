import type { Database } from "better-sqlite3";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { ImportError, ImportProgress } from "../../shared/datasetContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { Turn } from "../data/Conversation.js";
import type { ImportRecord, RecordReader } from "../data/ImportRecord.js";
import { openReader } from "../data/openReader.js";
import { undeterminedLanguage, type LanguageGuess } from "../langid/loadLanguageIdentifier.js";
import { DatasetStore, keptErrors, type DatasetFileInfo, type NewExample, type NewPair } from "./DatasetStore.js";
import type { ImportWorkerInput } from "./ImportWorkerProtocol.js";
import { openLanguageLabeller, type LanguageLabeller } from "./LanguagePool.js";
import { baseLanguage } from "../data/languageCodes.js";
import { languageFromFileName } from "./languageCode.js";

export interface ImportCallbacks {
  signal?: AbortSignal;
  /** Throttled by the caller's clock: called at most every `progressMs`, and once at the end. */
  onProgress?: (progress: ImportProgress) => void;
  /** The dataset row exists; until `finishDataset` it is invisible and removed if the import stops. */
  onStarted?: (datasetId: string) => void;
  progressMs?: number;
}

/**
 * Records stored per transaction. Each commit rewrites every page it touched, and the dedup index on a
 * SHA-256 touches pages at random, so fewer, larger commits save most of the writing: 10,000 rows
 * hold the write lock for about 0.3 s on a free core (decision 0023).
 */
const batchSize = 10_000;
/** Records sent to an identification thread at a time, and how many such chunks may be out at once. */
const identifyChunk = 1000;
const maxInFlight = 8;
/** Below this, an import is over before identification threads would have loaded: it identifies in its own thread. */
const threadsFromBytes = 4 * 2 ** 20;
const unknown: LanguageGuess = { language: undeterminedLanguage, confidence: 0 };
/** Characters of each turn, and of an example in all, that decide its language. */
// fastText's time grows with the text, and a language shows within a few hundred characters: on LIMA
// and the four seed-task files, 1500 characters gave the same label as 3000 for 1691 of 1692 examples.
const perTurnChars = 600;
const perExampleChars = 1500;

/**
 * The import job: reads the files (engine/data's readers), identifies each example's language
 * (engine/langid), and stores the examples in chunks in a dataset that stays invisible until it is
 * finished. Any failure or cancellation removes what was written; the caller gets the error. Runs in
 * the import worker, on the worker's own database connection.
 */
export async function runImport(db: Database, input: ImportWorkerInput, callbacks: ImportCallbacks = {}): Promise<string> {
  const { signal } = callbacks;
  const files = input.files.map((f) => resolve(f));
  const store = new DatasetStore(db);
  const bytes = { done: 0 };
  const reader = await openReader(files, {
    format: input.format,
    ...(input.mapping ? { mapping: input.mapping } : {}),
    ...(input.languages ? { languages: input.languages } : {}),
    ...(signal ? { signal } : {}),
    onBytes: (done) => {
      bytes.done = done;
    },
  });
  const labeller = await (reader.bytesTotal < threadsFromBytes ? openLanguageLabeller(0) : openLanguageLabeller());
  try {
    return await importRecords(store, reader, labeller, input, files, callbacks, bytes);
  } finally {
    await labeller.close();
  }
}

async function importRecords(
  store: DatasetStore,
  reader: RecordReader,
  labeller: LanguageLabeller,
  input: ImportWorkerInput,
  files: string[],
  callbacks: ImportCallbacks,
  bytes: { done: number },
): Promise<string> {
  const { signal } = callbacks;
  const fileInfos = await Promise.all(files.map((f) => describeFile(f, signal)));
  checkCancelled(signal);

  const datasetId = store.beginDataset({
    name: input.name ?? defaultName(files),
    kind: reader.kind,
    format: reader.format,
    files: fileInfos,
    encoding: reader.encoding,
    notes: reader.notes,
  });
  callbacks.onStarted?.(datasetId);
  try {
    const progress: ImportProgress = { importId: input.importId, file: files[0] ?? "", bytesDone: 0, bytesTotal: reader.bytesTotal, records: 0, kept: 0, skipped: 0, duplicates: 0 };
    const errors: ImportError[] = [];
    const claimedOfFile = new Map<string, string | null>();
    const wholeFileClaim = input.language ?? null;
    let examples: NewExample[] = [];
    let pairs: NewPair[] = [];
    let lastReport = 0;
    const report = (force: boolean): void => {
      const t = Date.now();
      if (!force && t - lastReport < (callbacks.progressMs ?? 200)) return;
      lastReport = t;
      callbacks.onProgress?.({ ...progress, bytesDone: Math.min(bytes.done, reader.bytesTotal) });
    };
    const flush = (): void => {
      if (examples.length > 0) tally(store.insertExamples(datasetId, examples));
      if (pairs.length > 0) tally(store.insertPairs(datasetId, pairs));
      examples = [];
      pairs = [];
    };
    const tally = (r: { kept: number; duplicates: number }): void => {
      progress.kept += r.kept;
      progress.duplicates += r.duplicates;
    };

    // Identification runs beside this thread (LanguagePool): records go out in chunks, and chunks are
    // stored in the order they were read, as their labels come back.
    type Identified = Extract<ImportRecord, { kind: "conversation" | "pair" }>;
    interface Chunk {
      records: Identified[];
      claims: Array<string | null>;
      guesses: Promise<LanguageGuess[]>;
    }
    const inFlight: Chunk[] = [];
    let records: Identified[] = [];
    let claims: Array<string | null> = [];
    let texts: string[] = [];
    const dispatch = (): void => {
      if (records.length === 0) return;
      const guesses = labeller.identify(texts);
      // Awaited in turn below; a rejection meanwhile must not count as unhandled (it would end the worker).
      guesses.catch(() => undefined);
      inFlight.push({ records, claims, guesses });
      records = [];
      claims = [];
      texts = [];
    };
    const settleOldest = async (): Promise<void> => {
      const chunk = inFlight.shift();
      if (!chunk) return;
      const guesses = await chunk.guesses;
      checkCancelled(signal);
      let g = 0;
      chunk.records.forEach((record, i) => {
        if (record.kind === "conversation") examples.push(toExample(record, guesses[g++] ?? unknown, input, chunk.claims[i] ?? null));
        else {
          const source = guesses[g++] ?? unknown;
          pairs.push(toPair(record, source, guesses[g++] ?? unknown, input));
        }
      });
      if (examples.length + pairs.length >= batchSize) {
        flush();
        // Lets a cancel message in between batches (identification in this thread never waits).
        await new Promise((r) => setImmediate(r));
      }
    };

    for await (const record of reader.records()) {
      checkCancelled(signal);
      progress.records++;
      progress.file = record.file;
      if (record.kind === "skip") {
        progress.skipped++;
        if (errors.length < keptErrors) errors.push({ file: record.file, line: record.line, reason: record.recordId ? `${record.reason} (record ${record.recordId})` : record.reason });
      } else if (record.kind === "conversation") {
        if (!claimedOfFile.has(record.file)) claimedOfFile.set(record.file, languageFromFileName(record.file));
        records.push(record);
        claims.push(record.claimedLanguage ?? wholeFileClaim ?? claimedOfFile.get(record.file) ?? null);
        texts.push(identificationText(record.turns));
      } else {
        records.push(record);
        claims.push(null);
        texts.push(record.source, record.target);
      }
      if (records.length >= identifyChunk) {
        dispatch();
        while (inFlight.length > maxInFlight) await settleOldest();
      }
      report(false);
    }
    checkCancelled(signal);
    dispatch();
    while (inFlight.length > 0) {
      await settleOldest();
      report(false);
    }
    checkCancelled(signal);
    flush();
    bytes.done = reader.bytesTotal;
    report(true);

    if (progress.kept === 0) {
      const first = errors.slice(0, 3).map((e) => `${basename(e.file)}:${e.line}: ${e.reason}`);
      throw new PolytuneError("data-nothing-imported", progress.records === 0 ? "The files hold no records to import." : `None of the ${progress.records} records could be imported (${progress.skipped} malformed).`, {
        where: errors[0] ? `${errors[0].file}:${errors[0].line}` : files.join(", "),
        hint: first.length > 0 ? `First problems: ${first.join("; ")}. Check the format and the field mapping (polytune data import --format, --map).` : "Check that the files hold instruction or parallel data in one of the supported formats.",
      });
    }
    const notes = progress.duplicates > 0 ? [`${progress.duplicates} duplicate ${progress.duplicates === 1 ? "example was" : "examples were"} left out (same content as an earlier one).`] : [];
    store.finishDataset(datasetId, { skipped: progress.skipped, errors, errorCount: progress.skipped, notes });
    return datasetId;
  } catch (error) {
    store.discardDataset(datasetId);
    if (error instanceof PolytuneError) throw error;
    // A database or file-system failure mid-way (disk full, file removed): said plainly, with its cause.
    const message = error instanceof Error ? error.message : String(error);
    throw new PolytuneError("data-import-failed", `The import failed and nothing of it was kept: ${message}.`, { where: files.join(", "), details: error instanceof Error ? error.stack : undefined, cause: error });
  }
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PolytuneError("data-import-cancelled", "The import was cancelled; nothing of it was kept.");
}

function defaultName(files: string[]): string {
  return files.map((f) => basename(f)).join(" + ").slice(0, 200);
}

/** Size and SHA-256 of a source file, streamed. */
async function describeFile(path: string, signal: AbortSignal | undefined): Promise<DatasetFileInfo> {
  const { size } = await stat(path);
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, signal ? { signal } : {})) hash.update(chunk as Buffer);
  return { path, bytes: size, sha256: hash.digest("hex") };
}

/**
 * The text that decides a conversation's language: what the user asks and the assistant answers (the
 * system prompt is often boilerplate in another language), each turn cut at a word boundary.
 */
export function identificationText(turns: readonly Turn[]): string {
  const parts: string[] = [];
  let total = 0;
  for (const t of turns) {
    if (t.role === "system") continue;
    for (const text of [t.content, t.input ?? ""]) {
      if (text === "" || total >= perExampleChars) continue;
      const piece = cutAtWord(text, Math.min(perTurnChars, perExampleChars - total));
      parts.push(piece);
      total += piece.length + 1;
    }
  }
  return parts.join(" ");
}

function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.search(/\s\S*$/u);
  return space > max / 2 ? cut.slice(0, space) : cut;
}

/** A claimed language as stored: normalised when it names a language, else as written (shown, never compared). */
function claimed(text: string | null | undefined): string | null {
  if (text === null || text === undefined || text.trim() === "") return null;
  return baseLanguage(text) ?? text.trim().slice(0, 64);
}

function toExample(record: Extract<ImportRecord, { kind: "conversation" }>, guess: LanguageGuess, input: ImportWorkerInput, claimedLanguage: string | null): NewExample {
  return {
    turns: record.turns,
    language: guess.language,
    confidence: guess.confidence,
    claimedLanguage: claimed(claimedLanguage),
    provenance: input.provenance,
    category: record.category ?? null,
    file: record.file,
    line: record.line,
    recordId: record.recordId ?? null,
    translation: null,
  };
}

function toPair(record: Extract<ImportRecord, { kind: "pair" }>, source: LanguageGuess, target: LanguageGuess, input: ImportWorkerInput): NewPair {
  return {
    source: record.source,
    target: record.target,
    sourceLanguage: source.language,
    targetLanguage: target.language,
    sourceConfidence: source.confidence,
    targetConfidence: target.confidence,
    claimedSourceLanguage: claimed(input.languages?.source ?? record.sourceLanguage),
    claimedTargetLanguage: claimed(input.languages?.target ?? record.targetLanguage),
    provenance: input.provenance,
    file: record.file,
    line: record.line,
    recordId: record.recordId ?? null,
  };
}
