import type { Turn } from "./Conversation.js";
import type { FieldMapping } from "./FieldMapping.js";

export type { FieldMapping } from "./FieldMapping.js";

/**
 * One record as a reader found it: a conversation (instruction data), a sentence pair (parallel text),
 * or a skip that says why the record could not be used. A skip keeps its place so the records after it
 * keep their true line numbers.
 */
export type ImportRecord =
  | { kind: "conversation"; file: string; line: number; recordId?: string; turns: Turn[]; category?: string; claimedLanguage?: string }
  | { kind: "pair"; file: string; line: number; recordId?: string; source: string; target: string; sourceLanguage?: string; targetLanguage?: string }
  | { kind: "skip"; file: string; line: number; recordId?: string; reason: string };

/** An opened data source: what it is, how it was decoded, and its records as a stream. */
export interface RecordReader {
  /** One of datasetFormats, as detected or chosen. */
  format: string;
  kind: "instructions" | "parallel";
  /** "utf-8", "utf-8 (BOM)", "utf-16le → utf-8", "windows-1252 → utf-8", … */
  encoding: string;
  /** Plain-words notes for the user (conversion done, BOM removed, …). */
  notes: string[];
  bytesTotal: number;
  /** Streaming: never loads a large file whole. */
  records(): AsyncIterable<ImportRecord>;
}

export interface ReaderOptions {
  /** One of datasetFormats; default "auto". */
  format?: string;
  mapping?: FieldMapping;
  languages?: { source?: string; target?: string };
  signal?: AbortSignal;
  onBytes?: (bytesDone: number) => void;
}
