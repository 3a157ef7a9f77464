import type { Inspection } from "../../shared/datasetContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { ImportRecord, RecordReader } from "./ImportRecord.js";
import { openInstructionFile } from "./openInstructionFile.js";
import { openReader } from "./openReader.js";
import { sniffFormat } from "./sniffFormat.js";

const shownRecords = 5;
const shownChars = 2000;

/** A value as the wizard shows it: text as is (cut when long), anything else as JSON. */
function show(value: unknown): string {
  const text = typeof value === "string" ? value : typeof value === "bigint" ? value.toString() : JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
  return text.length > shownChars ? `${text.slice(0, shownChars)}…` : text;
}

function asRow(value: unknown): Record<string, string> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, show(v)]));
  return { messages: show(value) };
}

function pairRow(record: ImportRecord): Record<string, string> {
  if (record.kind === "pair") return { source: record.source, target: record.target, ...(record.sourceLanguage ? { sourceLanguage: record.sourceLanguage } : {}), ...(record.targetLanguage ? { targetLanguage: record.targetLanguage } : {}) };
  if (record.kind === "skip") return { line: String(record.line), problem: record.reason };
  return { turns: show(record.turns) };
}

/**
 * The import wizard's first step: what the files are (format, kind, encoding, notes), the field names
 * found, a suggested mapping and whether it must be confirmed, and the first records as text. A file
 * that cannot be read at all is refused with the same error the import would give.
 */
export async function inspectFiles(files: string[], options: { format?: string | undefined } = {}): Promise<Inspection> {
  const format = options.format ?? "auto";
  if (files.length === 0) throw new PolytuneError("data-no-files", "No file was given to inspect.", { hint: "Choose one or more files." });
  const sniffed = await Promise.all(files.map((f) => sniffFormat(f)));
  const fileList = sniffed.map((s) => ({ path: s.file, bytes: s.bytesTotal }));
  const [first] = sniffed;
  const instructionCandidate = first && first.container !== "xml" && first.container !== "text" && !["moses", "tsv-pairs", "tmx"].includes(format);
  let parallel: RecordReader | null = null;
  if (instructionCandidate) {
    const opened = await openInstructionFile(first, format);
    const looksParallel = format === "auto" && first.container === "tsv" && opened.detected.mappingRequired && opened.detected.fields.length === 2;
    // Two unnamed columns are sentence pairs only when their languages are named (header or file name).
    parallel = looksParallel ? await openReader(files, { format: "tsv-pairs" }).catch((error: unknown) => {
      if (error instanceof PolytuneError && error.code === "data-languages") return null;
      throw error;
    }) : null;
    if (!parallel) {
      return {
        files: fileList,
        format: opened.detected.format as Inspection["format"],
        kind: "instructions",
        encoding: [...new Set(sniffed.map((s) => s.encoding))].join(", "),
        notes: sniffed.flatMap((s) => s.notes),
        fields: opened.detected.fields,
        suggestedMapping: opened.detected.mapping,
        sample: opened.samples.slice(0, shownRecords).map((r) => ("value" in r ? asRow(r.value) : { line: String(r.line), problem: r.error })),
        mappingRequired: opened.detected.mappingRequired,
      };
    }
  }
  // Parallel text: its reader tells the format, languages and first pairs.
  const reader = parallel ?? (await openReader(files, { format }));
  const sample: Record<string, string>[] = [];
  for await (const record of reader.records()) {
    sample.push(pairRow(record));
    if (sample.length >= shownRecords) break;
  }
  return {
    files: fileList,
    format: reader.format as Inspection["format"],
    kind: reader.kind,
    encoding: reader.encoding,
    notes: reader.notes,
    fields: reader.format === "tsv-pairs" ? ["source", "target"] : [],
    suggestedMapping: {},
    sample,
    mappingRequired: false,
  };
}
