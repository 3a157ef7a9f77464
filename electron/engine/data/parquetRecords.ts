import { basename } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { throwIfAborted } from "./decodeText.js";
import type { RawRecord } from "./jsonRecords.js";

export interface ParquetFile {
  buffer: AsyncBuffer;
  metadata: FileMetaData;
  rows: number;
  columns: string[];
}

/** Rows read per call: bounds memory whatever a row group's size. */
const rowsPerRead = 5000;

function refuse(file: string, reason: string): PolytuneError {
  return new PolytuneError("data-parquet", `${basename(file)} cannot be read as Parquet: ${reason}.`, {
    where: file,
    hint: "The file may be incomplete (an interrupted download or copy): fetch or export it again.",
  });
}

/**
 * Opens a Parquet file through hyparquet, which reads only the footer here. A file cut short has no
 * closing "PAR1"; a footer that claims more bytes than the file has is refused before anything is allocated.
 */
export async function openParquet(file: string): Promise<ParquetFile> {
  const buffer = await asyncBufferFromFile(file);
  if (buffer.byteLength < 12) throw refuse(file, `it is only ${buffer.byteLength} bytes long, too short to hold a Parquet footer`);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    const text = (error as Error).message;
    if (/footer != PAR1/.test(text)) throw refuse(file, 'it does not end with the Parquet marker "PAR1", so it is truncated');
    const tooLong = /metadata length (\d+) exceeds/.exec(text);
    if (tooLong) throw refuse(file, `its footer claims ${tooLong[1]} bytes of metadata, more than the whole file (${buffer.byteLength} bytes)`);
    throw refuse(file, `its footer is damaged (${text})`);
  }
  let columns: string[];
  try {
    columns = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (error) {
    throw refuse(file, `its schema is damaged (${(error as Error).message})`);
  }
  return { buffer, metadata, rows: Number(metadata.num_rows), columns };
}

/** The rows as records; `line` is the 1-based row number. A damaged row range is reported once and ends the file. */
export async function* parquetRecords(file: string, parquet: ParquetFile, options: { signal?: AbortSignal | undefined; onBytes?: ((bytesDone: number) => void) | undefined } = {}): AsyncGenerator<RawRecord> {
  for (let start = 0; start < parquet.rows; start += rowsPerRead) {
    throwIfAborted(options.signal);
    const end = Math.min(parquet.rows, start + rowsPerRead);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: parquet.buffer, metadata: parquet.metadata, rowStart: start, rowEnd: end });
    } catch (error) {
      yield { line: start + 1, index: start + 1, error: `rows ${start + 1} to ${parquet.rows} cannot be read: the file's data is damaged or truncated (${(error as Error).message})` };
      return;
    }
    for (const [k, row] of rows.entries()) yield { line: start + k + 1, index: start + k + 1, value: row };
    options.onBytes?.(Math.round((parquet.buffer.byteLength * end) / Math.max(1, parquet.rows)));
  }
}
