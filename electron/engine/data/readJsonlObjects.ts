// The JSON objects of a JSONL training file, one a line, each with its line number.
import { PolytuneError } from "../../shared/PolytuneError.js";
import { readUtf8Lines } from "./readUtf8Lines.js";

export interface JsonlObject {
  record: Record<string, unknown>;
  line: number;
}

// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const loneSurrogate = /[\ud800-\udfff]/u;

/**
 * Yields each non-blank line's object in order, so a caller that checks its records refuses the first
 * bad line of the file whatever is wrong with it. `shape` is the hint for a line that is not an object.
 */
export function* readJsonlObjects(file: string, shape: string): Generator<JsonlObject> {
  for (const [i, raw] of readUtf8Lines(file, "JSONL").entries()) {
    const text = raw.trim();
    if (text === "") continue;
    const where = `${file}:${i + 1}`;
    let record: unknown;
    let illFormed: string | null = null;
    try {
      // JSON escapes can spell half a surrogate pair ("\ud800"); such text is not Unicode and would train as U+FFFD.
      record = JSON.parse(text, (key, value: unknown) => {
        if (illFormed === null && typeof value === "string" && loneSurrogate.test(value)) illFormed = key;
        return value;
      });
    } catch (error) {
      throw new PolytuneError("data-malformed", `Line ${i + 1} is not valid JSON (${(error as Error).message}).`, { where, hint: shape });
    }
    if (illFormed !== null) {
      const field = /^\d+$/.test(illFormed) ? "a list item" : `the field "${illFormed}"`;
      throw new PolytuneError("data-encoding", `Line ${i + 1}: ${field} holds a lone surrogate escape (such as \\ud800), which is not valid Unicode text.`, {
        where,
        hint: "Fix the escape: a character outside the Basic Multilingual Plane is written as a pair (\\ud83d\\ude00), or as the character itself.",
      });
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new PolytuneError("data-malformed", `Line ${i + 1} is not a JSON object.`, { where, hint: shape });
    }
    yield { record: record as Record<string, unknown>, line: i + 1 };
  }
}
