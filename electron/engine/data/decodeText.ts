import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";
import chardet from "chardet";
import iconv from "iconv-lite";
import { PolytuneError } from "../../shared/PolytuneError.js";

/** One line of a text file, or why that line could not be decoded; line numbers are 1-based. */
export type TextLine = { line: number; text: string } | { line: number; error: string };

export interface TextFile {
  /** "utf-8", "utf-8 (BOM)", "utf-16le → utf-8", "windows-1252 → utf-8", … */
  encoding: string;
  notes: string[];
  bytesTotal: number;
  lines(): AsyncIterable<TextLine>;
}

export interface TextFileOptions {
  signal?: AbortSignal | undefined;
  onBytes?: ((bytesDone: number) => void) | undefined;
  /** A longer line is reported as that line's error and skipped without being held in memory. */
  maxLineBytes?: number;
}

export const defaultMaxLineBytes = 64 * 1024 * 1024;
/** How much of the start of a file decides its encoding. */
export const sampleBytes = 64 * 1024;
const chunkBytes = 1024 * 1024;
/** Fewer non-ASCII bytes than this tell nothing about a legacy encoding. */
const minLegacyBytes = 4;

const saveAsUtf8 = "Save the file as UTF-8 (in most editors: Save As → Encoding: UTF-8) and import it again.";

/** The first bytes of a file (at most `size`), read without touching the rest. */
export async function readHead(path: string, size = sampleBytes): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A file's size, or a refusal naming it when it is missing or not a regular file. */
export async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a regular file");
    return info.size;
  } catch (error) {
    throw new PolytuneError("data-unreadable", `${basename(path)} cannot be read.`, { where: path, hint: "Check the path: it must name a file you can read.", details: String(error) });
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PolytuneError("data-cancelled", "The import was cancelled.");
}

type Decoding =
  | { kind: "utf-8"; skip: number; label: string; notes: string[] }
  | { kind: "utf-16"; endian: "le" | "be"; skip: number; label: string; notes: string[] }
  | { kind: "legacy"; charset: string; label: string; notes: string[] };

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // A sample can end inside a character: `stream: true` keeps those last bytes pending rather than failing.
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Counts well-formed multi-byte UTF-8 sequences: a file that has some is UTF-8 with damaged lines, not a legacy encoding. */
function countUtf8Sequences(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) continue;
    let ok = i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) {
      n++;
      i += len - 1;
    }
  }
  return n;
}

// WHATWG decodes ISO-8859-1 as windows-1252 too: text labelled Latin-1 is almost always the Windows superset.
const charsetAliases: Record<string, string> = { "ISO-8859-1": "windows-1252" };

/** Decides how a file is decoded from its first bytes; refuses what cannot be decoded safely. */
function chooseDecoding(file: string, head: Buffer): Decoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { kind: "utf-8", skip: 3, label: "utf-8 (BOM)", notes: ["The file starts with a UTF-8 byte order mark; it was removed."] };
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    const endian = head[0] === 0xff ? "le" : "be";
    return { kind: "utf-16", endian, skip: 2, label: `utf-16${endian} → utf-8`, notes: [`The file is UTF-16 (${endian === "le" ? "little" : "big"}-endian, with a byte order mark); it was converted to UTF-8.`] };
  }
  const nul = head.indexOf(0);
  if (nul >= 0) {
    let zeros = 0;
    for (const b of head) if (b === 0) zeros++;
    // A text file with a stray NUL gets that line reported; a file full of them is not text at all.
    if (zeros > Math.max(8, head.length / 100)) {
      let even = 0;
      for (let i = 0; i < head.length; i += 2) if (head[i] === 0) even++;
      const utf16Guess = even > zeros * 0.9 || even < zeros * 0.1;
      throw new PolytuneError(
        "data-binary",
        utf16Guess
          ? `${basename(file)} looks like UTF-16 text without a byte order mark (every other byte is zero); it cannot be decoded reliably.`
          : `${basename(file)} is not a text file: it holds binary data (NUL bytes from byte ${nul + 1}).`,
        { where: file, hint: utf16Guess ? saveAsUtf8 : "Import a JSON, JSON Lines, CSV, TSV, Parquet, TMX or plain-text file." },
      );
    }
  }
  let highBytes = 0;
  for (const b of head) if (b >= 0x80) highBytes++;
  // Valid UTF-8 somewhere, or too few non-ASCII bytes to tell an encoding by: UTF-8, each bad line reported.
  if (isUtf8(head) || countUtf8Sequences(head) > 0 || highBytes < minLegacyBytes) return { kind: "utf-8", skip: 0, label: "utf-8", notes: [] };
  // Not UTF-8 and no UTF-8 in it at all: a legacy encoding. Convert only when the detector is sure.
  const guesses = chardet.analyse(head).filter((g) => iconv.encodingExists(charsetAliases[g.name] ?? g.name));
  const [best, second] = guesses;
  const singleByte = best !== undefined && /^(ISO-8859-|windows-12|KOI8-)/.test(best.name);
  // Multi-byte guesses (Shift_JIS, GB18030, …) are made for random bytes too; only near-certain ones count.
  const sure = best !== undefined && (singleByte ? best.confidence >= 30 && best.confidence - (second?.confidence ?? 0) >= 10 : best.confidence >= 90 && !/^UTF-/.test(best.name));
  if (!sure) {
    const named = guesses.slice(0, 3).map((g) => `${charsetAliases[g.name] ?? g.name} (${g.confidence}%)`).join(", ");
    throw new PolytuneError("data-encoding", `${basename(file)} is not UTF-8, and its encoding cannot be told for sure${named ? ` (it could be ${named})` : ""}.`, { where: file, hint: saveAsUtf8 });
  }
  const charset = charsetAliases[best.name] ?? best.name;
  return {
    kind: "legacy",
    charset,
    label: `${charset.toLowerCase()} → utf-8`,
    notes: [`The file is not UTF-8; it was read as ${charset}${best.lang ? ` (text that looks like "${best.lang}")` : ""} and converted to UTF-8. Check a few examples: if they look wrong, save the file as UTF-8 and import it again.`],
  };
}

/** Where a line's UTF-8 first goes wrong (0-based byte), for the error message. */
export function firstInvalidByte(line: Uint8Array): number {
  const cont = (b: number | undefined, lo = 0x80, hi = 0xbf): boolean => b !== undefined && b >= lo && b <= hi;
  let i = 0;
  while (i < line.length) {
    const b = line[i]!;
    let n: number;
    if (b < 0x80) n = 1;
    else if (b >= 0xc2 && b <= 0xdf) n = cont(line[i + 1]) ? 2 : 0;
    else if (b >= 0xe0 && b <= 0xef) {
      const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
      n = cont(line[i + 1], lo, hi) && cont(line[i + 2]) ? 3 : 0;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      n = cont(line[i + 1], lo, hi) && cont(line[i + 2]) && cont(line[i + 3]) ? 4 : 0;
    } else n = 0;
    if (n === 0) return i;
    i += n;
  }
  return Math.max(0, line.length - 1);
}

/**
 * The start of a file as text, for sniffing its format and showing the first records: decoded as the
 * whole file will be, refusing what openTextFile refuses. A character cut by the sample's end is dropped.
 */
export function decodeHead(file: string, head: Buffer): { text: string; encoding: string; notes: string[] } {
  const decoding = chooseDecoding(file, head);
  let text: string;
  if (decoding.kind === "legacy") text = iconv.decode(head, decoding.charset);
  else if (decoding.kind === "utf-16") text = new TextDecoder(decoding.endian === "le" ? "utf-16le" : "utf-16be").decode(head.subarray(decoding.skip, decoding.skip + ((head.length - decoding.skip) & ~1)), { stream: true });
  else text = new TextDecoder("utf-8").decode(head.subarray(decoding.skip), { stream: true });
  return { text, encoding: decoding.label, notes: decoding.notes };
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/**
 * Opens a text file for streaming by lines. The encoding is decided from the first 64 KiB: UTF-8 (a BOM is
 * dropped), UTF-16 with a BOM (converted), or a legacy 8-bit encoding the detector is sure of (converted,
 * with a note). Anything else is refused: decoding leniently would store U+FFFD or mojibake unnoticed.
 * Within a UTF-8 file, a line with invalid bytes or NUL is reported as that line's error; the others keep
 * their numbers.
 */
export async function openTextFile(path: string, options: TextFileOptions = {}): Promise<TextFile> {
  const bytesTotal = await fileSize(path);
  if (bytesTotal === 0) throw new PolytuneError("data-empty", `${basename(path)} is empty (0 bytes).`, { where: path, hint: "Choose the file that holds the data." });
  const head = await readHead(path);
  const decoding = chooseDecoding(path, head);
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  return {
    encoding: decoding.label,
    notes: [...decoding.notes],
    bytesTotal,
    lines: () => readLines(path, decoding, bytesTotal, maxLineBytes, options),
  };
}

async function* readLines(path: string, decoding: Decoding, bytesTotal: number, maxLineBytes: number, options: TextFileOptions): AsyncGenerator<TextLine> {
  const start = decoding.kind === "legacy" ? 0 : decoding.skip;
  const stream = createReadStream(path, { start, highWaterMark: chunkBytes });
  let bytesDone = start;
  let anyText = false;
  try {
    const lines = decoding.kind === "utf-16" ? utf16Lines(stream, decoding.endian, maxLineBytes) : byteLines(stream, decoding, maxLineBytes);
    for await (const item of lines) {
      if ("bytes" in item) {
        bytesDone += item.bytes;
        options.onBytes?.(Math.min(bytesDone, bytesTotal));
        throwIfAborted(options.signal);
        continue;
      }
      if ("text" in item && item.text.trim() !== "") anyText = true;
      if ("error" in item) anyText = true;
      yield item;
    }
  } finally {
    stream.destroy();
  }
  if (!anyText) throw new PolytuneError("data-empty", `${basename(path)} holds only whitespace: there is nothing to import.`, { where: path, hint: "Choose the file that holds the data." });
}

type LineOrProgress = TextLine | { bytes: number };

/** Splits UTF-8 or 8-bit bytes on LF before decoding, so a bad byte costs one line, not the file. */
async function* byteLines(stream: AsyncIterable<Buffer>, decoding: Exclude<Decoding, { kind: "utf-16" }>, maxLineBytes: number): AsyncGenerator<LineOrProgress> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let lineNo = 0;
  const finish = (bytes: Buffer): TextLine => {
    lineNo++;
    if (overlong) {
      overlong = false;
      return { line: lineNo, error: `line ${lineNo} is longer than ${mib(maxLineBytes)}; it was skipped` };
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0) return { line: lineNo, error: `line ${lineNo} holds a NUL byte (byte ${nul + 1} of the line); it is not text` };
    let text: string;
    if (decoding.kind === "legacy") {
      text = iconv.decode(bytes, decoding.charset);
      // A byte the code page leaves undefined decodes to U+FFFD: refuse the line rather than store it.
      if (text.includes("\ufffd")) return { line: lineNo, error: `line ${lineNo} holds a byte that ${decoding.charset} does not define` };
    } else {
      try {
        text = decoder.decode(bytes);
      } catch {
        const at = firstInvalidByte(bytes);
        return { line: lineNo, error: `line ${lineNo} is not valid UTF-8 (byte ${at + 1} of the line, 0x${bytes[at]!.toString(16).padStart(2, "0")}); if the file is in another encoding, save it as UTF-8` };
      }
    }
    return { line: lineNo, text: text.endsWith("\r") ? text.slice(0, -1) : text };
  };
  for await (const chunk of stream) {
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(at, end);
      if (!overlong) {
        if (pendingBytes + piece.length > maxLineBytes) {
          // Drop what was gathered and skip to the next newline: memory stays bounded by the cap.
          overlong = true;
          pending = [];
          pendingBytes = 0;
        } else if (piece.length > 0) {
          // Copy: the stream may reuse its buffer after this chunk.
          pending.push(nl < 0 ? Buffer.from(piece) : piece);
          pendingBytes += piece.length;
        }
      }
      if (nl < 0) break;
      const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      yield finish(bytes);
      at = nl + 1;
    }
    yield { bytes: chunk.length };
  }
  if (pendingBytes > 0 || overlong) yield finish(Buffer.concat(pending, pendingBytes));
}

/** UTF-16 is decoded as a stream first (LF is two bytes there), then split on "\n". */
async function* utf16Lines(stream: AsyncIterable<Buffer>, endian: "le" | "be", maxLineBytes: number): AsyncGenerator<LineOrProgress> {
  const decoder = new TextDecoder(endian === "le" ? "utf-16le" : "utf-16be", { fatal: true });
  let pending = "";
  let overlong = false;
  let lineNo = 0;
  const maxChars = Math.floor(maxLineBytes / 2);
  const finish = (text: string): TextLine => {
    lineNo++;
    if (overlong) {
      overlong = false;
      return { line: lineNo, error: `line ${lineNo} is longer than ${mib(maxLineBytes)}; it was skipped` };
    }
    if (text.includes("\0")) return { line: lineNo, error: `line ${lineNo} holds a NUL character; it is not text` };
    return { line: lineNo, text: text.endsWith("\r") ? text.slice(0, -1) : text };
  };
  let bad = false;
  const decode = (chunk: Buffer | undefined): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      bad = true;
      return "";
    }
  };
  const take = function* (text: string): Generator<TextLine> {
    let at = 0;
    while (at <= text.length) {
      const nl = text.indexOf("\n", at);
      const piece = nl < 0 ? text.slice(at) : text.slice(at, nl);
      if (!overlong) {
        if (pending.length + piece.length > maxChars) {
          overlong = true;
          pending = "";
        } else pending += piece;
      }
      if (nl < 0) break;
      yield finish(pending);
      pending = "";
      at = nl + 1;
    }
  };
  for await (const chunk of stream) {
    const text = decode(chunk);
    if (bad) {
      // UTF-16 has no line-level resynchronisation: an unpaired surrogate ends the usable text.
      lineNo++;
      yield { line: lineNo, error: `line ${lineNo} holds invalid UTF-16 (an unpaired surrogate); the rest of the file was not read` };
      return;
    }
    yield* take(text);
    yield { bytes: chunk.length };
  }
  yield* take(decode(undefined));
  if (bad) {
    lineNo++;
    yield { line: lineNo, error: `the file ends inside a UTF-16 character (an odd number of bytes)` };
    return;
  }
  if (pending.length > 0 || overlong) yield finish(pending);
}
