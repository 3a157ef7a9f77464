// sacrebleu's 13a tokenizer, rule by rule (sacrebleu/tokenizers/tokenizer_13a.py, tokenizer_re.py).
// Each expected string follows from the rules written beside it; all were also checked against
// sacrebleu 2.6.0's Tokenizer13a while porting (decision 0028).
import { describe, expect, it } from "vitest";
import { splitPythonWhitespace, tokenize13a } from "../../../electron/engine/eval/metrics/tokenize13a.js";

describe("tokenize13a", () => {
  it("splits period and comma off words, but not inside numbers", () => {
    // ([^0-9])([.,]) and ([.,])([^0-9]) split; "5.00" and "1,000" have digits on both sides and stay.
    expect(tokenize13a("Hello, world.")).toBe("Hello , world .");
    expect(tokenize13a("It costs $5.00, or 1,000 yen.")).toBe("It costs $ 5.00 , or 1,000 yen .");
    // A comma with a digit on one side only is split: "1,b" by the second rule, "a,1" by the first.
    expect(tokenize13a("a,b 1,b a,1")).toBe("a , b 1 , b a , 1");
    // The final period of "1.5." is followed by the padding space (a non-digit).
    expect(tokenize13a("1.5.")).toBe("1.5 .");
    // Non-overlapping left-to-right matching, as re.sub: "U." then "S." each split.
    expect(tokenize13a("U.S. army")).toBe("U . S . army");
  });

  it("splits a dash only after a digit", () => {
    // ([0-9])(-) → "10 - 12"; "well-known" and "a-1" (no digit before the dash) stay whole.
    expect(tokenize13a("pages 10-12 and well-known a-1")).toBe("pages 10 - 12 and well-known a-1");
  });

  it("splits ASCII symbols but keeps apostrophes", () => {
    // The first class covers every ASCII symbol except ' - . , ; "<skipped>" is removed first.
    expect(tokenize13a("<skipped> a (b) [c] {d} ~e~ @f #g")).toBe("a ( b ) [ c ] { d } ~ e ~ @ f # g");
    expect(tokenize13a("don't stop")).toBe("don't stop");
  });

  it("replaces the four entities one after another, as sacrebleu does", () => {
    expect(tokenize13a("&quot;Hi&quot; &amp; bye")).toBe('" Hi " & bye');
    // "&amp;quot;": the &quot; pass runs before &amp; turns it into "&quot;", which then stays and is
    // split as symbols ("&", ";") around the word "quot".
    expect(tokenize13a("&amp;quot;")).toBe("& quot ;");
    // "&amp;lt;": &amp; → "&lt;", and the &lt; pass comes after, so it becomes "<".
    expect(tokenize13a("&amp;lt;b&amp;gt;")).toBe("< b >");
  });

  it("joins a word hyphenated across a line break and folds other breaks", () => {
    expect(tokenize13a("e-\nmail")).toBe("email");
    expect(tokenize13a("one\ntwo")).toBe("one two");
  });

  it("splits on exactly Python's whitespace", () => {
    // NBSP, tab, U+001C and U+0085 are whitespace to Python's str.split(); U+FEFF is not.
    expect(tokenize13a("x\u00a0y\ty")).toBe("x y y");
    expect(tokenize13a("x\u001cy\u0085z")).toBe("x y z");
    expect(tokenize13a("x\ufeffy")).toBe("x\ufeffy");
    expect(splitPythonWhitespace("  a \u3000 b\u2009c ")).toEqual(["a", "b", "c"]);
    expect(tokenize13a("")).toBe("");
  });
});
