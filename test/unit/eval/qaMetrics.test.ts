// Exact match and F1 against values derived by hand from the official scripts' definitions:
// SQuAD v1.1 evaluate-v1.1.py (normalize_answer: lower → drop string.punctuation → a/an/the → a space →
// whitespace split/join; F1 = 2PR/(P+R) over token bags; max over golds) and MLQA's
// mlqa_evaluation_v1.py (Unicode punctuation, per-language articles, Chinese split per character).
import { describe, expect, it } from "vitest";
import { isMlqaLanguage, mixedSegmentation, mlqaExactMatch, mlqaF1, mlqaNormalize } from "../../../electron/engine/eval/metrics/mlqaMetrics.js";
import { maxOverGolds, squadExactMatch, squadF1, squadNormalize } from "../../../electron/engine/eval/metrics/squadMetrics.js";
import { pythonSplit, tokenF1 } from "../../../electron/engine/eval/metrics/squadPythonText.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";

describe("SQuAD v1.1 normalize_answer", () => {
  it("lower-cases, drops ASCII punctuation and the articles a/an/the, and fixes whitespace", () => {
    // "The Denver Broncos!" → "the denver broncos!" → "the denver broncos" → " denver broncos" → "denver broncos"
    expect(squadNormalize("The Denver Broncos!")).toBe("denver broncos");
    // Punctuation inside a word joins its parts: "U.S.-based" → "usbased".
    expect(squadNormalize("U.S.-based")).toBe("usbased");
  });

  it("removes articles only as whole words, with Python's Unicode word boundaries", () => {
    // "theater an apple": "the" in "theater" has a word character after it; "an" goes → "theater apple".
    expect(squadNormalize("Theater an apple")).toBe("theater apple");
    // Python's \b sees "ö" as a letter, so "theö" keeps its "the" (an ASCII-only \b would strip it).
    expect(squadNormalize("theö")).toBe("theö");
    // "a" between non-word characters goes: "a-b" → (punctuation first) "ab": one word, kept.
    expect(squadNormalize("a-b")).toBe("ab");
  });

  it("keeps non-ASCII punctuation (the script knows only string.punctuation) and splits on Python's whitespace", () => {
    expect(squadNormalize("„zwei“")).toBe("„zwei“");
    // U+3000 and U+00A0 are whitespace to Python's split(); U+FEFF is not.
    expect(squadNormalize("Super\u3000Bowl\u00a0 50")).toBe("super bowl 50");
    expect(pythonSplit("a\ufeffb c\x1cd")).toEqual(["a\ufeffb", "c", "d"]);
  });
});

describe("SQuAD v1.1 exact match and F1", () => {
  it("exact match compares the normalised strings", () => {
    expect(squadExactMatch("the Broncos", "Broncos.")).toBe(1);
    expect(squadExactMatch("Broncos", "Denver Broncos")).toBe(0);
    expect(squadExactMatch("„zwei“", "zwei")).toBe(0);
  });

  it("F1 over token bags", () => {
    // pred [denver, broncos, won], gold [denver, broncos]: 2 shared; P = 2/3, R = 1; F1 = 2·(2/3)/(5/3) = 0.8
    expect(squadF1("Denver Broncos won", "the Denver Broncos")).toBeCloseTo(0.8, 12);
    // Bags, not sets: pred [paris, paris, london], gold [paris, london, london]: min counts 1 + 1 = 2;
    // P = R = 2/3, F1 = 2/3.
    expect(squadF1("Paris Paris London", "Paris London London")).toBeCloseTo(2 / 3, 12);
    expect(tokenF1(["a", "b"], ["b", "c", "d", "e"])).toBeCloseTo((2 * 0.5 * 0.25) / 0.75, 12);
  });

  it("an empty prediction scores 0; two answers that normalise to nothing are an exact match with F1 0", () => {
    expect(squadExactMatch("", "Broncos")).toBe(0);
    expect(squadF1("", "Broncos")).toBe(0);
    // "The" and "a" both normalise to "": equal strings (EM 1), but no shared token (F1 0), as the script does.
    expect(squadExactMatch("The", "a")).toBe(1);
    expect(squadF1("The", "a")).toBe(0);
  });

  it("takes the best score over several gold answers", () => {
    const golds = ["Levi's Stadium", "Santa Clara, California"];
    // vs gold 2: pred [santa, clara], gold [santa, clara, california]: P = 1, R = 2/3, F1 = 0.8; vs gold 1: 0.
    expect(maxOverGolds(squadF1, "Santa Clara", golds)).toBeCloseTo(0.8, 12);
    expect(maxOverGolds(squadExactMatch, "Santa Clara", golds)).toBe(0);
    expect(maxOverGolds(squadExactMatch, "levis stadium", golds)).toBe(1);
    expect(() => maxOverGolds(squadF1, "x", [])).toThrow(/at least one gold/);
  });
});

describe("MLQA normalisation", () => {
  it("drops every Unicode punctuation character, which SQuAD's script keeps", () => {
    expect(mlqaNormalize("„zwei“", "de")).toBe("zwei");
    expect(mlqaExactMatch("„zwei“", "zwei", "de")).toBe(1);
    // Devanagari danda "।" is category Po.
    expect(mlqaNormalize("दिल्ली।", "hi")).toBe("दिल्ली");
    // string.punctuation symbols that are not Unicode "P" (here "$" and "+") go too.
    expect(mlqaNormalize("$5+", "en")).toBe("5");
  });

  it("removes each language's articles as whole words", () => {
    // de: "der" goes, "Derby" keeps its "der" (a letter follows).
    expect(mlqaNormalize("Der Vertrag von Versailles", "de")).toBe("vertrag von versailles");
    expect(mlqaNormalize("Derby", "de")).toBe("derby");
    expect(mlqaExactMatch("Der Vertrag", "Vertrag", "de")).toBe(1);
    expect(squadExactMatch("Der Vertrag", "Vertrag")).toBe(0);
    // es: "los" goes; "Ángeles" keeps its accent.
    expect(mlqaNormalize("Los Ángeles", "es")).toBe("ángeles");
    // vi: "những" goes.
    expect(mlqaNormalize("những con mèo", "vi")).toBe("con mèo");
    // ar: every "ال" becomes a space, inside words too: "البحر" → " بحر" → "بحر".
    expect(mlqaNormalize("البحر", "ar")).toBe("بحر");
    expect(mlqaExactMatch("الكتاب", "كتاب", "ar")).toBe(1);
  });

  it("splits Chinese into single Han characters, so F1 gives partial credit", () => {
    expect(mixedSegmentation("2008年奥运会")).toEqual(["2008", "年", "奥", "运", "会"]);
    expect(mlqaNormalize("北京大学。", "zh")).toBe("北 京 大 学");
    // pred [北, 京], gold [北, 京, 大, 学]: 2 shared; P = 1, R = 1/2, F1 = 2·(1/2)/(3/2) = 2/3.
    expect(mlqaF1("北京", "北京大学", "zh")).toBeCloseTo(2 / 3, 12);
    // SQuAD's whitespace tokens: "北京" vs "北京大学" share none.
    expect(squadF1("北京", "北京大学")).toBe(0);
  });

  it("defines seven languages and refuses the others", () => {
    expect(["en", "es", "hi", "vi", "de", "ar", "zh"].every(isMlqaLanguage)).toBe(true);
    expect(isMlqaLanguage("ru")).toBe(false);
    expect(() => mlqaNormalize("x", "ru")).toThrow(PolytuneError);
  });
});
