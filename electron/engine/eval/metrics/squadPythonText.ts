// The pieces of Python's string semantics that the official SQuAD v1.1 and MLQA evaluation scripts
// rely on, written out for JavaScript, whose `\s`, `\b` and `\w` mean something narrower. Getting
// these exactly right is what makes our exact match and F1 equal to the scripts' on non-English text.

/**
 * Python's `str.isspace()` set, which `str.split()` (no argument) splits on: JavaScript's `\s` minus
 * U+FEFF, plus the information separators U+001C–U+001F and NEL U+0085.
 */
const pythonWhitespace = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const pythonWhitespaceRun = new RegExp(`[${pythonWhitespace}]+`, "u");

/** `text.split()` in Python: runs of whitespace separate tokens, no empty tokens. */
export function pythonSplit(text: string): string[] {
  return text.split(pythonWhitespaceRun).filter((token) => token !== "");
}

/**
 * Python's `\w` on str patterns is `str.isalnum()` or "_": letters (L*) and numbers (Nd, Nl, No), but
 * not combining marks. JavaScript's `\b` only knows ASCII, so word boundaries are spelled out with
 * lookarounds on this class.
 */
const pythonWordChar = "[\\p{L}\\p{N}_]";

/** `re.sub(r'\b(w1|w2|…)\b', ' ', text)` with Python's Unicode-aware word boundaries. */
export function pythonReplaceWords(text: string, words: readonly string[], replacement = " "): string {
  const alternation = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const pattern = new RegExp(`(?<!${pythonWordChar})(?:${alternation})(?!${pythonWordChar})`, "gu");
  return text.replace(pattern, replacement);
}

/** Python's `string.punctuation`: the 32 ASCII punctuation and symbol characters. */
export const asciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const asciiPunctuationSet = new Set(asciiPunctuation);

export function isAsciiPunctuation(char: string): boolean {
  return asciiPunctuationSet.has(char);
}

/** Bag-of-tokens F1 exactly as both scripts' `f1_score` compute it (0 when no token is shared), on 0–1. */
export function tokenF1(predictionTokens: readonly string[], goldTokens: readonly string[]): number {
  const goldCounts = new Map<string, number>();
  for (const token of goldTokens) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predictionTokens) {
    const left = goldCounts.get(token) ?? 0;
    if (left > 0) {
      same += 1;
      goldCounts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predictionTokens.length;
  const recall = same / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}
