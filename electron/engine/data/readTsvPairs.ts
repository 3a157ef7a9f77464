import { basename } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { openTextFile, throwIfAborted, type TextLine } from "./decodeText.js";
import type { ImportRecord, ReaderOptions, RecordReader } from "./ImportRecord.js";
import { normaliseLanguage } from "./languageCodes.js";
import { chooseLanguagesHint, givenLanguage, requireTwoLanguages } from "./parallelLanguages.js";

// Header cells that name the columns' roles rather than their languages.
const roleHeader = /^(source|target|src|tgt|trg|text|sentence)[ _-]?\d?$/i;

// A pair of codes in a file name: "deu-eng.tsv", "opus.en-de.tsv".
function pairFromFileName(file: string): [string, string] | undefined {
  for (const part of basename(file).split(".")) {
    const m = /^([a-z]{2,3})[-_]([a-z]{2,3})$/.exec(part);
    const a = m && normaliseLanguage(m[1]!);
    const b = m && normaliseLanguage(m[2]!);
    if (a && b) return [a, b];
  }
  return undefined;
}

/** The first line's two cells as languages ("en\tde", "English\tGerman"), "roles" for "source\ttarget", else undefined. */
function readHeader(first: TextLine | undefined): [string, string] | "roles" | undefined {
  if (first === undefined || "error" in first) return undefined;
  const cells = first.text.split("\t").map((c) => c.trim());
  if (cells.length !== 2) return undefined;
  // A lower-case code ("en", "deu", "pt_BR") or a name ("German"): a sentence such as "Ja" is neither.
  const langs = cells.map((c) => (/^[a-z]{2,3}([-_][A-Za-z0-9]{2,4})?$/.test(c) || c.length > 3 ? normaliseLanguage(c) : undefined));
  if (langs[0] && langs[1]) return [langs[0], langs[1]];
  if (cells.every((c) => roleHeader.test(c))) return "roles";
  return undefined;
}

/**
 * One tab-separated file of sentence pairs, source in the first column and target in the second. Lines
 * are split on tabs only: as in OPUS and Tatoeba exports there is no quoting, so a quote is text. A row
 * without exactly two columns, or with an empty side, is reported by line and skipped.
 */
export async function readTsvPairs(files: string[], options: ReaderOptions = {}): Promise<RecordReader> {
  if (files.length !== 1) {
    throw new PolytuneError("data-files", `TSV pairs are one file with two columns; ${files.length} files were given.`, { where: files[0], hint: "Import one TSV file at a time." });
  }
  const file = files[0]!;
  const text = await openTextFile(file, { signal: options.signal, onBytes: options.onBytes });
  // The header decides the languages, so it is read before the reader is handed out.
  const peek = await openTextFile(file, { signal: options.signal });
  let first: TextLine | undefined;
  for await (const line of peek.lines()) {
    first = line;
    break;
  }
  const header = readHeader(first);
  const fromName = pairFromFileName(file);
  const source = givenLanguage(options.languages?.source, "source") ?? (Array.isArray(header) ? header[0] : fromName?.[0]);
  const target = givenLanguage(options.languages?.target, "target") ?? (Array.isArray(header) ? header[1] : fromName?.[1]);
  if (source === undefined || target === undefined) {
    throw new PolytuneError("data-languages", `The languages of the two columns of ${basename(file)} are not named in its first line or its file name.`, {
      where: file,
      hint: `${chooseLanguagesHint} A first line such as "en<TAB>de" names them too.`,
    });
  }
  requireTwoLanguages(source, target, file);
  const notes = [...text.notes];
  if (header !== undefined) notes.push(`Line 1 is a header (${first && "text" in first ? first.text.replace("\t", " | ") : ""}); it was not imported.`);
  return {
    format: "tsv-pairs",
    kind: "parallel",
    encoding: text.encoding,
    notes,
    bytesTotal: text.bytesTotal,
    records: () => tsvRecords(file, text.lines(), header !== undefined, source, target, options.signal),
  };
}

async function* tsvRecords(file: string, lines: AsyncIterable<TextLine>, skipHeader: boolean, sourceLanguage: string, targetLanguage: string, signal: AbortSignal | undefined): AsyncGenerator<ImportRecord> {
  for await (const item of lines) {
    throwIfAborted(signal);
    const line = item.line;
    if (line === 1 && skipHeader) continue;
    if ("error" in item) {
      yield { kind: "skip", file, line, reason: item.error };
      continue;
    }
    // A blank line between blocks is layout, not a record.
    if (item.text.trim() === "") continue;
    const cells = item.text.split("\t");
    if (cells.length !== 2) {
      yield { kind: "skip", file, line, reason: `line ${line} has ${cells.length} column${cells.length === 1 ? "" : "s"}; expected 2 (source, then target, separated by one tab)` };
      continue;
    }
    const source = cells[0]!.trim();
    const target = cells[1]!.trim();
    if (source === "" || target === "") {
      yield { kind: "skip", file, line, reason: `line ${line}: the ${source === "" ? "source" : "target"} column is empty` };
      continue;
    }
    yield { kind: "pair", file, line, source, target, sourceLanguage, targetLanguage };
  }
}
