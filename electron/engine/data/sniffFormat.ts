import { basename, extname } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { decodeHead, fileSize, readHead } from "./decodeText.js";

/** How a file's records are laid out, told from its content (never from its name). */
export type Container = "json-array" | "json-lines" | "csv" | "tsv" | "parquet" | "guanaco-text" | "xml" | "text";

export interface Sniffed {
  file: string;
  container: Container;
  bytesTotal: number;
  /** The encoding the text will be read in ("binary" for Parquet). */
  encoding: string;
  notes: string[];
}

const containerNames: Record<Container, string> = {
  "json-array": "a JSON array",
  "json-lines": "a JSON Lines file",
  csv: "a CSV file",
  tsv: "a TSV (tab-separated) file",
  parquet: "a Parquet file",
  "guanaco-text": 'a text file of "### Human: … ### Assistant: …" conversations',
  xml: "an XML (TMX) file",
  text: "a plain text file",
};

/** What each extension promises; a content that disagrees is named for what it is. */
const extensionContainers: Record<string, Container[]> = {
  ".json": ["json-array"],
  ".jsonl": ["json-lines"],
  ".ndjson": ["json-lines"],
  ".csv": ["csv"],
  ".tsv": ["tsv"],
  ".tab": ["tsv"],
  ".parquet": ["parquet"],
  ".tmx": ["xml"],
  ".xml": ["xml"],
  ".txt": ["text", "guanaco-text", "tsv"],
};

function refuseBinary(file: string, what: string, hint: string): PolytuneError {
  return new PolytuneError("data-wrong-format", `${basename(file)} is ${what}, not a data file Polytune can read.`, { where: file, hint });
}

/** Refuses archives and other binary files by their first bytes. */
function checkMagic(file: string, head: Buffer): "parquet" | null {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06) || starts(0x50, 0x4b, 0x07, 0x08)) {
    throw refuseBinary(file, "a ZIP archive", "Unpack it and import the files inside. (An Excel workbook is a ZIP archive too: save the sheet as CSV.)");
  }
  if (starts(0x1f, 0x8b)) throw refuseBinary(file, "gzip-compressed", "Decompress it (for example with gunzip) and import the file inside.");
  if (starts(0x42, 0x5a, 0x68)) throw refuseBinary(file, "bzip2-compressed", "Decompress it and import the file inside.");
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) throw refuseBinary(file, "xz-compressed", "Decompress it and import the file inside.");
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) throw refuseBinary(file, "zstd-compressed", "Decompress it and import the file inside.");
  if (starts(0x25, 0x50, 0x44, 0x46)) throw refuseBinary(file, "a PDF document", "Export the data as JSON Lines, CSV or Parquet.");
  if (starts(0x50, 0x41, 0x52, 0x31)) return "parquet";
  return null;
}

/** The first few non-blank lines of a text sample (the last may be cut by the sample's end, so it is dropped when the sample is). */
function firstLines(text: string, complete: boolean, n: number): string[] {
  const lines = text.split("\n");
  if (!complete) lines.pop();
  return lines.map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "").slice(0, n);
}

function parses(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function looksLikeMessage(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && ("role" in value || "from" in value);
}

/**
 * Whether the sampled lines are a table: a header of at least two short names and (a `share` of) rows with
 * just as many fields (parsed by csv-parse, so quoted delimiters and newlines count right). Prose with commas has a
 * varying number of them from line to line, and is plain text.
 */
function consistentColumns(lines: string[], delimiter: "," | "\t", share: number): boolean {
  if (lines.length < 2 || !lines[0]!.includes(delimiter)) return false;
  let rows: string[][];
  try {
    rows = parseCsv(lines.join("\n"), { delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
  } catch {
    // The sample may end inside a quoted field; the lines before it decide.
    try {
      rows = parseCsv(lines.slice(0, -1).join("\n"), { delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: true });
    } catch {
      return false;
    }
  }
  const [header, ...body] = rows;
  if (!header || header.length < 2 || body.length === 0) return false;
  if (header.some((name) => name.trim().length > 64)) return false;
  return body.filter((row) => row.length === header.length).length >= share * body.length;
}

function sniffText(file: string, text: string, complete: boolean): Container {
  const ext = extname(file).toLowerCase();
  const start = text.trimStart();
  if (start.startsWith("<")) return "xml";
  if (/^###\s*(Human|Assistant)\s*:/.test(start)) return "guanaco-text";
  const lines = firstLines(text, complete, 20);
  if (start.startsWith("[") || start.startsWith("{")) {
    // A first line longer than the sample: a record of JSON Lines, or a one-line JSON array.
    if (lines.length === 0) return start.startsWith("{") ? "json-lines" : "json-array";
    const first = lines[0] ?? "";
    const value = parses(first);
    if (value !== undefined && typeof value === "object" && value !== null) {
      // One line that is a whole array of records is a JSON array; an array of messages per line is JSON Lines.
      if (lines.length === 1 && Array.isArray(value) && !value.some(looksLikeMessage)) return "json-array";
      return "json-lines";
    }
    if (start.startsWith("[")) return "json-array";
    // A broken first line among JSON Lines still reads as JSON Lines: that line is reported, the rest kept.
    // (A first line that is a bare "{" opens a pretty-printed object instead.)
    if (first.trim() !== "{" && lines.slice(1).some((l) => l.trimStart().startsWith("{") && parses(l) !== undefined)) return "json-lines";
    throw new PolytuneError("data-wrong-format", `${basename(file)} starts like a single JSON object spread over several lines; Polytune reads a JSON array of records or JSON Lines (one record per line).`, {
      where: `${file}:1`,
      hint: "If the records sit in a list inside the object, save that list as its own file (a JSON array or JSON Lines).",
    });
  }
  // Every sampled row must match the header, unless the name says it is a table: then most rows must
  // (a ragged row in a real table is reported on its own).
  if (consistentColumns(lines, "\t", ext === ".tsv" || ext === ".tab" ? 0.5 : 1)) return "tsv";
  if (consistentColumns(lines, ",", ext === ".csv" ? 0.5 : 1)) return "csv";
  return "text";
}

/**
 * Tells what a file is by its content: archives and other binaries are refused by their magic bytes,
 * Parquet by "PAR1", text by its first 64 KiB (JSON array, JSON Lines, CSV, TSV, Guanaco text, XML, or
 * plain lines). A name that says otherwise gets a note, and the file is read as what it is.
 */
export async function sniffFormat(file: string): Promise<Sniffed> {
  const bytesTotal = await fileSize(file);
  if (bytesTotal === 0) throw new PolytuneError("data-empty", `${basename(file)} is empty (0 bytes).`, { where: file, hint: "Choose the file that holds the data." });
  const head = await readHead(file);
  const notes: string[] = [];
  let container: Container;
  let encoding = "binary";
  if (checkMagic(file, head) === "parquet") container = "parquet";
  else {
    const decoded = decodeHead(file, head);
    encoding = decoded.encoding;
    notes.push(...decoded.notes);
    const complete = head.length >= bytesTotal;
    if (decoded.text.trim() === "" && complete) {
      throw new PolytuneError("data-empty", `${basename(file)} holds only whitespace: there is nothing to import.`, { where: file, hint: "Choose the file that holds the data." });
    }
    container = sniffText(file, decoded.text, complete);
  }
  const ext = extname(file).toLowerCase();
  const promised = extensionContainers[ext];
  if (promised && !promised.includes(container)) {
    notes.push(`${basename(file)} is ${containerNames[container]}, whatever its name says; it was read as such.`);
  }
  return { file, container, bytesTotal, encoding, notes };
}

export function describeContainer(container: Container): string {
  return containerNames[container];
}
