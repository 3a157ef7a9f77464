import type { TextLine } from "./decodeText.js";

/** A record as parsed from the file, before it is read as an example; `index` counts records from 1. */
export type RawRecord = { line: number; index: number; value: unknown } | { line: number; index: number; error: string };

/** Instruction records are a few levels deep; anything far deeper is not one, and is refused before it is walked. */
export const maxNestingDepth = 100;

/** Whether JSON text nests deeper than `max`, counted without recursion (strings skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

function parseRecord(text: string, line: number, index: number, what: string): RawRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, index, error: `${what} is not valid JSON (${(error as Error).message})` };
  }
  // Only long text can nest deep; V8 parses deep nesting iteratively, but whatever walks it next might not.
  if (text.length > 2 * maxNestingDepth && nestsDeeperThan(text, maxNestingDepth)) {
    return { line, index, error: `${what} nests more than ${maxNestingDepth} levels deep; it is not an instruction record` };
  }
  return { line, index, value };
}

/** JSON Lines: one JSON value per non-blank line. A broken line is that record's error; the others keep their lines. */
export async function* jsonLinesRecords(lines: AsyncIterable<TextLine>): AsyncGenerator<RawRecord> {
  let index = 0;
  for await (const item of lines) {
    if ("error" in item) {
      yield { line: item.line, index: ++index, error: item.error };
      continue;
    }
    if (item.text.trim() === "") continue;
    yield parseRecord(item.text, item.line, ++index, `line ${item.line}`);
  }
}

/**
 * Cuts the text of each top-level element out of a JSON array, line by line, by tracking strings and
 * brackets (no value is built here); each element is then parsed on its own. A plain class rather than
 * generator code, so the per-character loop stays in optimised code.
 */
class JsonArraySplitter {
  private phase: "start" | "array" | "after" = "start";
  private inElement = false;
  private inString = false;
  private escape = false;
  private depth = 0;
  private tooDeep = false;
  private tooLong = false;
  private broken: string | null = null;
  private parts: string[] = [];
  private chars = 0;
  private startLine = 0;
  private index = 0;
  private lastLine = 0;
  private trailingReported = false;
  /** Set when the file turned out not to be a JSON array at all: nothing more is read. */
  stopped = false;

  constructor(private readonly maxRecordChars: number) {}

  private close(tail: string): RawRecord {
    const what = `record ${this.index} (line ${this.startLine})`;
    const line = this.startLine;
    const index = this.index;
    const result: RawRecord = this.broken
      ? { line, index, error: `${what}: ${this.broken}` }
      : this.tooDeep
        ? { line, index, error: `${what} nests more than ${maxNestingDepth} levels deep; it is not an instruction record` }
        : this.tooLong
          ? { line, index, error: `${what} is longer than ${Math.round(this.maxRecordChars / (1024 * 1024))} MiB of text; it was skipped` }
          : parseRecord(this.parts.length === 0 ? tail : this.parts.join("") + tail, line, index, what);
    this.inElement = false;
    this.depth = 0;
    this.tooDeep = this.tooLong = false;
    this.broken = null;
    this.parts = [];
    this.chars = 0;
    return result;
  }

  lineError(line: number, error: string, out: RawRecord[]): void {
    this.lastLine = line;
    if (this.inElement) this.broken ??= error;
    else if (this.phase === "array") out.push({ line, index: ++this.index, error });
  }

  feed(text: string, line: number, out: RawRecord[]): void {
    this.lastLine = line;
    let segStart = 0;
    let backslash = -2;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        // Jump to the next quote or backslash: most of a record is string content.
        if (this.escape) {
          this.escape = false;
          continue;
        }
        const q = text.indexOf('"', i);
        // The next backslash is looked up once per stretch, not per string: no quadratic rescans of long lines.
        if (backslash !== -1 && backslash < i) backslash = text.indexOf("\\", i);
        const b = backslash;
        if (b >= 0 && (q < 0 || b < q)) {
          i = b;
          this.escape = true;
        } else if (q >= 0) {
          i = q;
          this.inString = false;
        } else i = n;
        continue;
      }
      if (this.phase === "after") {
        if (c > 32 && !this.trailingReported) {
          this.trailingReported = true;
          out.push({ line, index: this.index + 1, error: `line ${line}: there is more text after the JSON array's closing "]"; it was ignored` });
        }
        continue;
      }
      if (this.phase === "start") {
        if (c === 91) this.phase = "array";
        else if (c > 32 && c !== 0xfeff) {
          out.push({ line, index: 1, error: `line ${line}: the file does not start with "[", so it is not a JSON array` });
          this.stopped = true;
          return;
        }
        continue;
      }
      if (!this.inElement) {
        if (c <= 32 || c === 44) continue;
        if (c === 93) {
          this.phase = "after";
          continue;
        }
        this.inElement = true;
        this.index++;
        this.startLine = line;
        segStart = i;
      }
      if (c === 34) this.inString = true;
      else if (c === 91 || c === 123) {
        if (++this.depth > maxNestingDepth) this.tooDeep = true;
      } else if (c === 93 || c === 125) {
        if (this.depth === 0 && c === 93) {
          out.push(this.close(this.tooDeep || this.tooLong ? "" : text.slice(segStart, i)));
          this.phase = "after";
          continue;
        }
        this.depth--;
      } else if (c === 44 && this.depth === 0) {
        out.push(this.close(this.tooDeep || this.tooLong ? "" : text.slice(segStart, i)));
      }
    }
    if (this.inElement && !this.tooDeep && !this.tooLong) {
      const rest = text.slice(segStart) + "\n";
      this.chars += rest.length;
      if (this.chars > this.maxRecordChars) {
        this.tooLong = true;
        this.parts = [];
      } else this.parts.push(rest);
    }
  }

  end(out: RawRecord[]): void {
    if (this.phase === "start") out.push({ line: this.lastLine, index: 1, error: "the file holds no JSON array" });
    else if (this.inElement) {
      const kept = this.index - 1;
      out.push({ line: this.startLine, index: this.index, error: `the JSON array is cut off: the file ends inside record ${this.index}, which starts on line ${this.startLine} (the ${kept} record${kept === 1 ? "" : "s"} before it were read)` });
    } else if (this.phase === "array") {
      out.push({ line: this.lastLine, index: this.index + 1, error: `the JSON array is cut off: the file ends after record ${this.index} without the closing "]"` });
    }
  }
}

/**
 * A JSON array of records, streamed: a large array never sits in memory whole, each record keeps the line
 * it starts on, and a truncated file keeps every complete record before the cut.
 */
export async function* jsonArrayRecords(lines: AsyncIterable<TextLine>, maxRecordChars = 64 * 1024 * 1024): AsyncGenerator<RawRecord> {
  const splitter = new JsonArraySplitter(maxRecordChars);
  const out: RawRecord[] = [];
  for await (const item of lines) {
    if ("error" in item) splitter.lineError(item.line, item.error, out);
    else splitter.feed(item.text, item.line, out);
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
    if (splitter.stopped) return;
  }
  splitter.end(out);
  yield* out;
}
