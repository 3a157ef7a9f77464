// sacrebleu's "13a" tokenizer (mteval-v13a, used by WMT), which EASSE applies before SARI
// (sacrebleu/tokenizers/tokenizer_13a.py + tokenizer_re.py; decision 0028). Ported rule by rule so
// n-gram counts, and so SARI, match the Python reference on the same text.

/**
 * Python's `str.split()` with no argument splits on `str.isspace()` characters. JavaScript's `\s` differs:
 * it includes U+FEFF and lacks U+001C–U+001F and U+0085, so the set is written out.
 */
// eslint-disable-next-line no-control-regex -- U+001C–U+001F are whitespace to Python, so they must split here too.
const pythonWhitespace = /[\t\n\v\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** Python's `" ".join(text.split())`: runs of whitespace become one space, none at either end. */
export function splitPythonWhitespace(text: string): string[] {
  return text.split(pythonWhitespace).filter((token) => token !== "");
}

// tokenizer_re.py, in its order. The first class is `{-~`, `[-\``, ` -&`, `(-+`, `:-@` and `/`:
// every ASCII symbol except `'`, `-`, `.` and `,`, which the later rules treat by context.
const symbols = /([{-~[-` -&(-+:-@/])/g;
/** Period and comma split off unless preceded by a digit. */
const dotCommaAfterNonDigit = /([^0-9])([.,])/g;
/** Period and comma split off unless followed by a digit. */
const dotCommaBeforeNonDigit = /([.,])([^0-9])/g;
/** A dash after a digit is split off ("1-2" → "1 - 2"; "a-b" stays one token). */
const dashAfterDigit = /([0-9])(-)/g;

/** Tokenizes one line exactly as sacrebleu's `Tokenizer13a()(line)`; the tokens are joined by single spaces. */
export function tokenize13a(line: string): string {
  // Language-independent part. Entities are replaced one after another, as in sacrebleu, so
  // "&amp;quot;" becomes "&quot;" (the &quot; pass has already run) and "&amp;lt;" becomes "<".
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  text = text.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  text = ` ${text} `;
  // Language-dependent part. JavaScript's global replace scans left to right without overlap, like re.sub.
  text = text.replace(symbols, " $1 ");
  text = text.replace(dotCommaAfterNonDigit, "$1 $2 ");
  text = text.replace(dotCommaBeforeNonDigit, " $1 $2");
  text = text.replace(dashAfterDigit, "$1 $2 ");
  return splitPythonWhitespace(text).join(" ");
}
