import { basename } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { openTextFile, type TextLine } from "./decodeText.js";
import { delimitedRecords } from "./delimitedRecords.js";
import { detectFormat, type Detected } from "./detectFormat.js";
import { guanacoTextRecords } from "./guanacoTextRecords.js";
import { jsonArrayRecords, jsonLinesRecords, type RawRecord } from "./jsonRecords.js";
import { openParquet, parquetRecords } from "./parquetRecords.js";
import { describeContainer, type Sniffed } from "./sniffFormat.js";

/** How many records the format is told from. */
export const sampleRecords = 20;

export interface StreamOptions {
  signal?: AbortSignal | undefined;
  onBytes?: ((bytesDone: number) => void) | undefined;
}

export interface InstructionFile {
  sniffed: Sniffed;
  detected: Detected;
  /** The first records as parsed (objects, or errors), for the wizard's preview. */
  samples: RawRecord[];
  /** A fresh stream of the file's records from the start. */
  records(options: StreamOptions): AsyncGenerator<RawRecord>;
}

/** Formats whose records are JSON values; they read from any record container but XML and plain text. */
const jsonFormats = new Set(["alpaca", "dolly", "sharegpt", "openai", "guanaco", "lima", "jsonl"]);

function refuseFormat(sniffed: Sniffed, format: string): PolytuneError {
  return new PolytuneError("data-wrong-format", `${basename(sniffed.file)} is ${describeContainer(sniffed.container)}, which cannot be read as "${format}".`, {
    where: sniffed.file,
    hint: 'Choose the format "auto" to read the file as what it is, or choose the file that holds this format.',
  });
}

/** Checks a chosen format against what the file is, before anything is read. */
function checkChosen(sniffed: Sniffed, format: string): void {
  const c = sniffed.container;
  if (format === "auto") {
    if (c === "xml" || c === "text") throw new PolytuneError("data-wrong-format", `${basename(sniffed.file)} is ${describeContainer(c)}, not instruction data.`, { where: sniffed.file, hint: "Parallel text is imported as two line-aligned files (moses), TSV pairs or TMX: choose that format." });
    return;
  }
  const ok =
    format === "csv" ? c === "csv" || c === "tsv" :
    format === "tsv" ? c === "tsv" || c === "csv" :
    format === "parquet" ? c === "parquet" :
    format === "guanaco" ? c !== "xml" && c !== "text" :
    jsonFormats.has(format) ? c !== "xml" && c !== "text" && c !== "guanaco-text" : false;
  if (!ok) throw refuseFormat(sniffed, format);
}

/** Opens one instruction-data file: reads the first records to tell its format and fields, and offers its records as a stream. */
export async function openInstructionFile(sniffed: Sniffed, format: string): Promise<InstructionFile> {
  checkChosen(sniffed, format);
  const file = sniffed.file;
  let columns: string[] | undefined;
  let records: (options: StreamOptions) => AsyncGenerator<RawRecord>;
  if (sniffed.container === "parquet") {
    const parquet = await openParquet(file);
    columns = parquet.columns;
    records = (options) => parquetRecords(file, parquet, options);
  } else {
    const container = sniffed.container;
    const fromLines = (lines: AsyncIterable<TextLine>): AsyncGenerator<RawRecord> => {
      switch (container) {
        case "json-array":
          return jsonArrayRecords(lines);
        case "json-lines":
          return jsonLinesRecords(lines);
        case "csv":
        case "tsv":
          return delimitedRecords(lines, container === "csv" ? "," : "\t", (header) => {
            columns ??= header;
          });
        case "guanaco-text":
          return guanacoTextRecords(lines);
        default:
          throw refuseFormat(sniffed, format);
      }
    };
    records = async function* (options) {
      const text = await openTextFile(file, options);
      yield* fromLines(text.lines());
    };
  }
  const samples: RawRecord[] = [];
  for await (const record of records({})) {
    samples.push(record);
    if (samples.length >= sampleRecords) break;
  }
  const values = samples.flatMap((s) => ("value" in s ? [s.value] : []));
  if (values.length === 0 && samples.length > 0 && columns === undefined) {
    const first = samples[0] as { line: number; error: string };
    throw new PolytuneError("data-malformed", `${basename(file)}: none of the first ${samples.length} records can be read; the first problem is on line ${first.line}: ${first.error}.`, {
      where: `${file}:${first.line}`,
      hint: "Check that the file is in the format chosen, and that it is complete.",
    });
  }
  const detected = detectFormat(sniffed.container, values, sniffed.container === "guanaco-text" ? "guanaco" : format, columns);
  return { sniffed, detected, samples, records };
}
