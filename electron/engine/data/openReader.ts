import { basename } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { throwIfAborted } from "./decodeText.js";
import { mappingIsComplete, mappingRoles, type FieldMapping } from "./FieldMapping.js";
import type { ImportRecord, ReaderOptions, RecordReader } from "./ImportRecord.js";
import { openInstructionFile, type InstructionFile } from "./openInstructionFile.js";
import { readParallel } from "./readParallel.js";
import { recordToConversation } from "./recordToConversation.js";
import { sniffFormat, type Sniffed } from "./sniffFormat.js";

const parallelFormats = new Set(["moses", "tsv-pairs", "tmx"]);

function describeMapping(mapping: FieldMapping): string {
  const parts = mappingRoles.filter((r) => mapping[r] !== undefined).map((r) => `${r} ← "${mapping[r]}"`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

/** The parallel format a sniffed input is, when "auto" meets something that is not instruction data. */
function autoParallel(sniffed: Sniffed[], firstFile: InstructionFile | null): string | null {
  const [first] = sniffed;
  if (!first) return null;
  if (first.container === "xml") return "tmx";
  if (sniffed.length === 2 && sniffed.every((s) => s.container === "text")) return "moses";
  if (sniffed.length === 1 && first.container === "text") {
    throw new PolytuneError("data-wrong-format", `${basename(first.file)} is plain text, one line at a time, not instruction data.`, {
      where: first.file,
      hint: "For parallel text choose both files, one per language (format moses); for instruction data use JSON, JSON Lines, CSV, TSV or Parquet.",
    });
  }
  // Two columns that name no instruction field: sentence pairs.
  if (first.container === "tsv" && firstFile && firstFile.detected.mappingRequired && firstFile.detected.fields.length === 2) return "tsv-pairs";
  return null;
}

/** The mapping to read with: the user's (checked against the fields found), else the detected one when it needs no confirming. */
function mappingFor(file: InstructionFile, given: FieldMapping | undefined): FieldMapping {
  const { detected, sniffed } = file;
  const found = detected.fields.length > 0 ? `its fields are ${detected.fields.map((f) => `"${f}"`).join(", ")}` : "no fields were found in its first records";
  if (given) {
    const unknown = mappingRoles.filter((r) => given[r] !== undefined && detected.fields.length > 0 && !detected.fields.includes(given[r]!));
    if (unknown.length > 0) {
      throw new PolytuneError("data-mapping", `The mapping names ${unknown.map((r) => `"${given[r]}" (for ${r})`).join(", ")}, but ${basename(sniffed.file)} has no such field; ${found}.`, {
        where: sniffed.file,
        hint: "Map each part to one of the file's fields.",
      });
    }
    if (!mappingIsComplete(given)) {
      throw new PolytuneError("data-mapping", "The mapping must name the instruction and output fields, or the field that holds the conversation.", { where: sniffed.file, hint: "Complete the mapping." });
    }
    return given;
  }
  if (detected.mappingRequired) {
    const guessed = detected.guessed.length > 0 ? ` Some names look misspelt (${detected.guessed.map((r) => `"${detected.mapping[r]}" for ${r}`).join(", ")}).` : "";
    throw new PolytuneError("data-mapping-required", `${basename(sniffed.file)} does not name its fields the way a known format does (${found}); it needs a field mapping before it is imported.${guessed}`, {
      where: sniffed.file,
      hint: `Confirm the mapping in the import wizard, or pass it with --map (suggested: ${describeMapping(detected.mapping)}).`,
    });
  }
  return detected.mapping;
}

/**
 * Opens data files as one stream of records. Each file's format is told from its content ("auto") or
 * taken as chosen; parallel formats go to readParallel. A file that cannot be read at all is refused here,
 * before the first record, naming it; a bad record later on is a skip naming its line.
 */
export async function openReader(files: string[], options: ReaderOptions = {}): Promise<RecordReader> {
  if (files.length === 0) throw new PolytuneError("data-no-files", "No file was given to import.", { hint: "Choose one or more files." });
  const format = options.format ?? "auto";
  if (parallelFormats.has(format)) return readParallel(files, format, options);
  throwIfAborted(options.signal);
  const sniffed: Sniffed[] = [];
  for (const file of files) sniffed.push(await sniffFormat(file));
  let firstFile: InstructionFile | null = null;
  if (format === "auto") {
    const first = sniffed[0]!;
    if (first.container !== "xml" && first.container !== "text") firstFile = await openInstructionFile(first, format);
    const parallel = autoParallel(sniffed, firstFile);
    if (parallel === "tsv-pairs") {
      // Two unnamed columns may be sentence pairs, or instructions whose fields need mapping: columns
      // that name no languages (header or file name) are the latter.
      const pairs = await readParallel(files, parallel, options).catch((error: unknown) => {
        if (error instanceof PolytuneError && error.code === "data-languages") return null;
        throw error;
      });
      if (pairs) return pairs;
    } else if (parallel) return readParallel(files, parallel, options);
  }
  const opened: InstructionFile[] = [];
  for (const [i, s] of sniffed.entries()) {
    throwIfAborted(options.signal);
    opened.push(i === 0 && firstFile ? firstFile : await openInstructionFile(s, format));
  }
  const formats = [...new Set(opened.map((f) => f.detected.format))];
  if (formats.length > 1) {
    throw new PolytuneError("data-mixed-formats", `The files are in different formats (${opened.map((f) => `${basename(f.sniffed.file)}: ${f.detected.format}`).join(", ")}); one import reads one format.`, {
      where: opened[1]!.sniffed.file,
      hint: "Import each format as its own dataset.",
    });
  }
  const mappings = opened.map((f) => mappingFor(f, options.mapping));
  const encodings = [...new Set(opened.map((f) => f.sniffed.encoding))];
  const bytesTotal = opened.reduce((n, f) => n + f.sniffed.bytesTotal, 0);
  return {
    format: formats[0]!,
    kind: "instructions",
    encoding: encodings.join(", "),
    notes: opened.flatMap((f) => f.sniffed.notes),
    bytesTotal,
    records: () => instructionRecords(opened, mappings, options),
  };
}

async function* instructionRecords(files: InstructionFile[], mappings: FieldMapping[], options: ReaderOptions): AsyncGenerator<ImportRecord> {
  let offset = 0;
  for (const [i, f] of files.entries()) {
    const file = f.sniffed.file;
    const mapping = mappings[i]!;
    const onBytes = options.onBytes;
    const stream = f.records({ signal: options.signal, onBytes: onBytes ? (done) => onBytes(offset + done) : undefined });
    for await (const raw of stream) {
      if ("error" in raw) yield { kind: "skip", file, line: raw.line, reason: raw.error };
      else yield* recordToConversation(raw.value, mapping, { file, line: raw.line });
    }
    offset += f.sniffed.bytesTotal;
    onBytes?.(offset);
  }
}
