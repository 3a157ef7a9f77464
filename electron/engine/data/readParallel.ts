import { PolytuneError } from "../../shared/PolytuneError.js";
import type { ReaderOptions, RecordReader } from "./ImportRecord.js";
import { readLineAlignedPair } from "./readLineAlignedPair.js";
import { readTmx } from "./readTmx.js";
import { readTsvPairs } from "./readTsvPairs.js";

/** The parallel-text formats this module reads (datasetContract's parallelFormats). */
export const parallelReaderFormats = ["moses", "tsv-pairs", "tmx"] as const;

/**
 * Opens parallel text as a stream of sentence pairs: "moses" (two line-aligned files: Moses, Tatoeba,
 * FLORES), "tsv-pairs" (one file, source TAB target) or "tmx" (TMX 1.4). Whatever makes the whole input
 * unusable (different line counts, unknown languages, malformed XML, declared entities) is refused here,
 * before the first record; a bad pair later on is a skip record naming its line.
 */
export async function readParallel(files: string[], format: string, options: ReaderOptions = {}): Promise<RecordReader> {
  switch (format) {
    case "moses":
      return readLineAlignedPair(files, options);
    case "tsv-pairs":
      return readTsvPairs(files, options);
    case "tmx":
      return readTmx(files, options);
    default:
      throw new PolytuneError("data-format", `"${format}" is not a parallel-text format.`, { where: files[0], hint: `Parallel text is read as ${parallelReaderFormats.join(", ")}.` });
  }
}
