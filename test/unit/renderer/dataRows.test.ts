// How the Data area writes datasets and rows: language summaries, turns, flags, paging, language labels.
import { describe, expect, it } from "vitest";
import type { ExampleRow, PairRow } from "../../../electron/shared/datasetContract.js";
import { languageLabel } from "../../../renderer/src/format/languageName.js";
import { clip, isLowConfidence, isMismatched, languageSummary, pageRange, turnText } from "../../../renderer/src/views/data/datasetRows.js";

const example = (patch: Partial<ExampleRow> = {}): ExampleRow => ({
  kind: "example",
  id: 1,
  ordinal: 0,
  turns: [
    { role: "user", content: "Translate this.", input: "Guten Tag" },
    { role: "assistant", content: "Good day" },
  ],
  language: "en",
  confidence: 0.95,
  claimedLanguage: null,
  provenance: "native",
  category: null,
  file: "/d/a.jsonl",
  line: 3,
  translation: null,
  ...patch,
});
const pair = (patch: Partial<PairRow> = {}): PairRow => ({
  kind: "pair",
  id: 2,
  ordinal: 0,
  source: "Hello",
  target: "Hallo",
  sourceLanguage: "en",
  targetLanguage: "de",
  sourceConfidence: 0.99,
  targetConfidence: 0.9,
  claimedSourceLanguage: "en",
  claimedTargetLanguage: "de",
  file: "/d/x.en",
  line: 1,
  ...patch,
});

describe("dataset rows", () => {
  it("summarises languages most first, with how many more there are", () => {
    const languages = [
      { language: "de", examples: 40, lowConfidence: 0, mismatched: 0 },
      { language: "en", examples: 120, lowConfidence: 3, mismatched: 0 },
      { language: "es", examples: 40, lowConfidence: 0, mismatched: 0 },
      { language: "fr", examples: 5, lowConfidence: 0, mismatched: 0 },
      { language: "zh", examples: 1, lowConfidence: 1, mismatched: 0 },
    ];
    expect(languageSummary({ languages })).toBe("en 120 · de 40 · es 40 · fr 5 · +1");
    expect(languageSummary({ languages }, 2)).toBe("en 120 · de 40 · +3");
    expect(languageSummary({ languages: [] })).toBe("");
  });

  it("shows a turn with Alpaca's input after the instruction", () => {
    expect(turnText(example(), "user")).toBe("Translate this.\n\nGuten Tag");
    expect(turnText(example(), "assistant")).toBe("Good day");
    expect(turnText(example(), "system")).toBe("");
  });

  it("flags a claimed language the identifier disagrees with, on either side of a pair", () => {
    expect(isMismatched(example())).toBe(false);
    expect(isMismatched(example({ claimedLanguage: "en" }))).toBe(false);
    expect(isMismatched(example({ claimedLanguage: "de" }))).toBe(true);
    expect(isMismatched(pair())).toBe(false);
    expect(isMismatched(pair({ claimedTargetLanguage: "nl" }))).toBe(true);
  });

  it("flags a label under the threshold, the weaker side of a pair counting", () => {
    expect(isLowConfidence(example({ confidence: 0.79 }), 0.8)).toBe(true);
    expect(isLowConfidence(example({ confidence: 0.8 }), 0.8)).toBe(false);
    expect(isLowConfidence(pair({ targetConfidence: 0.5 }), 0.8)).toBe(true);
  });

  it("pages: first and last row, previous and next", () => {
    expect(pageRange(0, 50, 50, 120)).toEqual({ first: 1, last: 50, hasPrevious: false, hasNext: true });
    expect(pageRange(100, 50, 20, 120)).toEqual({ first: 101, last: 120, hasPrevious: true, hasNext: false });
    expect(pageRange(0, 50, 0, 0)).toEqual({ first: 0, last: 0, hasPrevious: false, hasNext: false });
  });

  it("clips long text at a word, folding whitespace", () => {
    expect(clip("short\n text")).toBe("short text");
    const long = "word ".repeat(60);
    const clipped = clip(long, 40);
    expect(clipped.endsWith("…")).toBe(true);
    expect(clipped.length).toBeLessThanOrEqual(41);
    expect(clipped).not.toMatch(/wor…$/);
  });

  it("labels languages as the papers' figures do: code and endonym", () => {
    expect(languageLabel("de")).toBe("de · Deutsch");
    expect(languageLabel("es")).toBe("es · español");
    expect(languageLabel("und")).toBe("und");
  });
});
