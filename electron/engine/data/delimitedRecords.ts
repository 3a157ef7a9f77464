import type { Transform } from "node:stream";
import { parse, type CsvError, type Options } from "csv-parse";
import type { TextLine } from "./decodeText.js";
import type { RawRecord } from "./jsonRecords.js";

const maxRecordBytes = 64 * 1024 * 1024;

/** A row and the 1-based line it starts on. */
interface Located {
  record: string[];
  line: number;
}

/** Resolves when the parser wants more text, or has been closed (the reader stopped early). */
function drained(parser: Transform): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      parser.off("drain", done);
      parser.off("close", done);
      resolve();
    };
    parser.on("drain", done);
    parser.on("close", done);
  });
}

/**
 * CSV or TSV rows as records keyed by the header's column names, through csv-parse: quoted fields may hold
 * newlines and doubled quotes; a row with more or fewer fields than the header is that row's error.
 * Lines arrive decoded (BOM and CR already gone), so Excel's BOM + CRLF files read like any other.
 */
export async function* delimitedRecords(lines: AsyncIterable<TextLine>, delimiter: "," | "\t", onHeader?: (columns: string[]) => void): AsyncGenerator<RawRecord> {
  // Records and skips come out of csv-parse in file order, synchronously: the line a record starts on is
  // the one after where the previous one ended (csv-parse only tells where each ends).
  let lastEnd = 0;
  const options: Options<Located, string[]> = {
    delimiter,
    relax_column_count: true,
    // A stray quote inside a field is kept as a character instead of swallowing the rows after it.
    relax_quotes: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes,
    on_record: (record, context) => {
      const line = lastEnd + 1;
      lastEnd = context.lines;
      return { record, line };
    },
  };
  // csv-parse's non-generic overload types records as string[]; ours carry their line (Located).
  const parser = parse(options as unknown as Options);
  const problems: RawRecord[] = [];
  parser.on("skip", (error: CsvError & { lines?: number }) => {
    const line = lastEnd + 1;
    lastEnd = error.lines ?? lastEnd;
    problems.push({ line, index: 0, error: `line ${line}: ${error.message}` });
  });
  const lineErrors: RawRecord[] = [];
  const feeding = (async () => {
    try {
      let batch = "";
      for await (const item of lines) {
        if ("error" in item) {
          // Keep the line count right for csv-parse; the line itself is reported on its own.
          lineErrors.push({ line: item.line, index: 0, error: item.error });
          batch += "\n";
        } else batch += item.text + "\n";
        if (batch.length >= 64 * 1024) {
          if (parser.destroyed) return;
          if (!parser.write(batch)) await drained(parser);
          batch = "";
        }
      }
      if (parser.destroyed) return;
      parser.end(batch);
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  let header: string[] | null = null;
  let index = 0;
  const pending = function* (before: number): Generator<RawRecord> {
    for (const list of [lineErrors, problems]) {
      while (list.length > 0 && list[0]!.line < before) {
        const item = list.shift()!;
        yield { ...item, index: ++index };
      }
    }
  };
  try {
    for await (const { record, line } of parser as AsyncIterable<Located>) {
      // A blank line is one empty field; it is no record.
      if (record.length === 1 && record[0] === "") continue;
      if (header === null) {
        header = record.map((name, i) => (name.trim() === "" ? `column ${i + 1}` : name.trim()));
        onHeader?.(header);
        continue;
      }
      yield* pending(line);
      index++;
      if (record.length !== header.length) {
        yield { line, index, error: `line ${line}: the row has ${record.length} field${record.length === 1 ? "" : "s"}; the header has ${header.length}` };
        continue;
      }
      const value: Record<string, string> = {};
      for (const [i, name] of header.entries()) if (!Object.hasOwn(value, name)) value[name] = record[i]!;
      yield { line, index, value };
    }
    await feeding;
    yield* pending(Number.POSITIVE_INFINITY);
  } finally {
    parser.destroy();
  }
}
