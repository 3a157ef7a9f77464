import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { openTextFile, throwIfAborted, type TextLine } from "./decodeText.js";
import type { ImportRecord, ReaderOptions, RecordReader } from "./ImportRecord.js";
import { languageFromFileName } from "./languageCodes.js";
import { chooseLanguagesHint, combinedEncoding, givenLanguage, requireTwoLanguages } from "./parallelLanguages.js";

/**
 * How many lines openTextFile will yield for the file; its whole-file refusals (empty, binary, unknown
 * encoding) happen here. In 8-bit and UTF-8 files every LF ends a line and trailing bytes make one more,
 * so the bytes are counted without decoding them (several times faster); UTF-16 is decoded.
 */
async function countLines(file: string, signal: AbortSignal | undefined): Promise<number> {
  const text = await openTextFile(file, { signal });
  let count = 0;
  if (text.encoding.startsWith("utf-16")) {
    for await (const _ of text.lines()) count++;
    return count;
  }
  let last = 0x0a;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    throwIfAborted(signal);
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) count++;
    if (chunk.length > 0) last = chunk[chunk.length - 1]!;
  }
  // A UTF-8 BOM alone is no line; any other last line without its LF is one.
  return last !== 0x0a && !(count === 0 && text.encoding === "utf-8 (BOM)" && text.bytesTotal === 3) ? count + 1 : count;
}

/**
 * The languages of the two files: the ones given, else the file names' (`tatoeba.deu-eng.deu`). When
 * both are given and the names say the opposite order, the files are swapped so each side gets its file.
 */
function resolveLanguages(files: [string, string], options: ReaderOptions): { files: [string, string]; source: string; target: string; notes: string[] } {
  const given = { source: givenLanguage(options.languages?.source, "source"), target: givenLanguage(options.languages?.target, "target") };
  const named = files.map(languageFromFileName) as [string | undefined, string | undefined];
  if (given.source && given.target && named[0] === given.target && named[1] === given.source) {
    return { files: [files[1], files[0]], source: given.source, target: given.target, notes: [`${basename(files[1])} holds ${given.source} (the source) and ${basename(files[0])} holds ${given.target} (the target), so they were read in that order.`] };
  }
  const source = given.source ?? named[0];
  const target = given.target ?? named[1];
  const missing = [source === undefined ? files[0] : undefined, target === undefined ? files[1] : undefined].filter((f) => f !== undefined);
  if (source === undefined || target === undefined) {
    throw new PolytuneError("data-languages", `The language of ${missing.map((f) => basename(f)).join(" and ")} cannot be told from the file name.`, {
      where: missing[0],
      hint: `${chooseLanguagesHint} File names such as corpus.de / corpus.en or tatoeba.deu-eng.deu name them.`,
    });
  }
  requireTwoLanguages(source, target, `${files[0]} + ${files[1]}`);
  // The user's word wins over a file name, but the disagreement is worth a look.
  const notes = files.flatMap((file, i) => {
    const chosen = i === 0 ? source : target;
    return named[i] !== undefined && named[i] !== chosen ? [`${basename(file)} is named as ${named[i]} but was imported as ${chosen}, as chosen.`] : [];
  });
  return { files, source, target, notes };
}

/**
 * Two line-aligned files (Moses, Tatoeba, FLORES): line i of one translates line i of the other. Both are
 * counted before anything is read, and different counts refuse the pair: truncating to the shorter would
 * pair every line after a missing one with the wrong translation.
 */
export async function readLineAlignedPair(files: string[], options: ReaderOptions = {}): Promise<RecordReader> {
  if (files.length !== 2) {
    throw new PolytuneError("data-files", `Line-aligned parallel text needs exactly two files, one per language; ${files.length} ${files.length === 1 ? "was" : "were"} given.`, {
      where: files[0],
      hint: "Choose both files of the pair, for example corpus.en and corpus.de.",
    });
  }
  const sides = resolveLanguages([files[0]!, files[1]!], options);
  const [sourceFile, targetFile] = sides.files;
  const [sourceCount, targetCount] = [await countLines(sourceFile, options.signal), await countLines(targetFile, options.signal)];
  if (sourceCount !== targetCount) {
    throw new PolytuneError("data-line-count", `The two files have different numbers of lines: ${basename(sourceFile)} has ${sourceCount}, ${basename(targetFile)} has ${targetCount}. Their lines cannot be paired.`, {
      where: `${sourceFile} + ${targetFile}`,
      hint: "Line-aligned files must have one line per sentence on both sides. Check that the two files belong together and that neither was cut short.",
    });
  }
  // Each file reports its own progress; the reader's is their sum.
  const done = [0, 0];
  const onBytes = (side: 0 | 1) => (bytes: number) => {
    done[side] = bytes;
    options.onBytes?.(done[0]! + done[1]!);
  };
  const source = await openTextFile(sourceFile, { signal: options.signal, onBytes: onBytes(0) });
  const target = await openTextFile(targetFile, { signal: options.signal, onBytes: onBytes(1) });
  const notes = [...sides.notes, ...source.notes.map((n) => `${basename(sourceFile)}: ${n}`), ...target.notes.map((n) => `${basename(targetFile)}: ${n}`)];
  return {
    format: "moses",
    kind: "parallel",
    encoding: combinedEncoding([{ name: basename(sourceFile), encoding: source.encoding }, { name: basename(targetFile), encoding: target.encoding }]),
    notes,
    bytesTotal: source.bytesTotal + target.bytesTotal,
    records: () => pairLines(sourceFile, targetFile, source.lines(), target.lines(), sides.source, sides.target, sourceCount, options.signal),
  };
}

async function* pairLines(
  sourceFile: string,
  targetFile: string,
  sourceLines: AsyncIterable<TextLine>,
  targetLines: AsyncIterable<TextLine>,
  sourceLanguage: string,
  targetLanguage: string,
  expected: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<ImportRecord> {
  const s = sourceLines[Symbol.asyncIterator]();
  const t = targetLines[Symbol.asyncIterator]();
  let line = 0;
  try {
    for (;;) {
      throwIfAborted(signal);
      const [a, b] = await Promise.all([s.next(), t.next()]);
      if (a.done || b.done) {
        // The counts matched when the reader opened; a difference now means a file changed while being read.
        if (!(a.done && b.done) || line !== expected) {
          throw new PolytuneError("data-line-count", `${a.done ? basename(sourceFile) : basename(targetFile)} ended after ${line} lines while being read, but both had ${expected} when the import began.`, {
            where: `${a.done ? sourceFile : targetFile}:${line}`,
            hint: "A file changed during the import. Import it again once nothing is writing to it.",
          });
        }
        return;
      }
      line++;
      const x = a.value;
      const y = b.value;
      if ("error" in x) yield { kind: "skip", file: sourceFile, line, reason: x.error };
      else if ("error" in y) yield { kind: "skip", file: targetFile, line, reason: y.error };
      else {
        const sourceText = x.text.trim();
        const targetText = y.text.trim();
        if (sourceText === "" || targetText === "") {
          const empty = sourceText === "" && targetText === "" ? "both files have" : `${basename(sourceText === "" ? sourceFile : targetFile)} has`;
          yield { kind: "skip", file: sourceText === "" ? sourceFile : targetFile, line, reason: `line ${line}: ${empty} an empty line there, so the pair was skipped` };
        } else {
          yield { kind: "pair", file: sourceFile, line, source: sourceText, target: targetText, sourceLanguage, targetLanguage };
        }
      }
    }
  } finally {
    await Promise.all([s.return?.(), t.return?.()]);
  }
}
