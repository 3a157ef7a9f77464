// The surface metrics' rules on hand-made cases, with values derived by hand from the reference
// definitions (Marchisio et al. 2024's compute_metrics.py for language confusion; a Hunspell dictionary's
// verdicts for spelling). lid.176's answers are given here as plain values where the rule under test is
// the threshold itself; the real identifier runs in test/integration/eval/openSuite.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { judgeLines, lineTokens, linePasses, likelyScript, loadEnglishWords, normaliseResponse, type EnglishWordTest, type LineInput } from "../../../electron/engine/eval/metrics/languageConfusion.js";
import { checkSpelling, loadSpellchecker, spellingWords } from "../../../electron/engine/eval/metrics/spellcheck.js";

let isEnglishWord: EnglishWordTest;
const listeners: number[] = [];
beforeAll(async () => {
  listeners.push(process.listeners("uncaughtException").length);
  isEnglishWord = await loadEnglishWords();
  listeners.push(process.listeners("uncaughtException").length);
});

it("loads Hunspell without leaving its process-wide uncaughtException listener behind", () => {
  // hunspell-asm's Emscripten glue adds one that rethrows; spellcheck.ts removes it after loading.
  expect(listeners[1]).toBe(listeners[0]);
});

const line = (n: number, text: string, language: string, confidence: number, target = "ru"): LineInput => ({ line: n, text, tokens: lineTokens(text, target), guess: { language, confidence } });

describe("normaliseResponse (the reference's normalize)", () => {
  it("cuts at a new Q: turn, deletes ASCII punctuation and Arabic commas, and turns em dashes into spaces", () => {
    // "Да, это так!\nQ: next" → cut at "\nQ:" → "Да, это так!" → no "," or "!" → "Да это так".
    expect(normaliseResponse("  Да, это так!\nQ: next question")).toBe("Да это так");
    expect(normaliseResponse("Python — язык")).toBe("Python   язык");
    expect(normaliseResponse("نعم، هذا")).toBe("نعم هذا");
  });
});

describe("lineTokens", () => {
  it("splits at whitespace, except for languages written without spaces", () => {
    expect(lineTokens("Я думаю что это   хорошо", "ru")).toEqual(["Я", "думаю", "что", "это", "хорошо"]);
    // ICU's dictionary segmenter cuts the unspaced Chinese sentence into words (4 word-like segments here).
    expect(lineTokens("我们今天去公园", "zh").length).toBeGreaterThanOrEqual(3);
    expect(lineTokens("我们今天去公园", "zh").join("")).toBe("我们今天去公园");
  });
});

describe("line level", () => {
  it("counts a line as the target only with confidence strictly above 0.3", () => {
    // The reference: `label if score > 0.3 else 'unknown'` — exactly 0.3 is an error.
    expect(linePasses({ language: "ru", confidence: 0.3 }, "ru")).toBe(false);
    expect(linePasses({ language: "ru", confidence: 0.3000001 }, "ru")).toBe(true);
    expect(linePasses({ language: "uk", confidence: 0.99 }, "ru")).toBe(false);
    // Codes are compared normalised: "rus" and "ru-RU" name lid.176's "ru".
    expect(linePasses({ language: "ru", confidence: 0.9 }, "rus")).toBe(true);
  });

  it("fails a response with one low-confidence line and passes it just above the boundary", () => {
    const first = "Это первая строка ответа на вопрос";
    const second = "Это вторая строка ответа на вопрос";
    // Two checked lines (6 tokens each); the second at confidence 0.3 → 1 error → line pass 0, accuracy 1 − 1/2.
    const failing = judgeLines([line(1, first, "ru", 0.95), line(2, second, "ru", 0.3)], "ru", isEnglishWord);
    expect(failing.linePass).toBe(0);
    expect(failing.lineAccuracy).toBe(0.5);
    expect(failing.wordPass).toBeNull();
    const passing = judgeLines([line(1, first, "ru", 0.95), line(2, second, "ru", 0.31)], "ru", isEnglishWord);
    expect(passing.linePass).toBe(1);
    expect(passing.lineAccuracy).toBe(1);
  });

  it("skips lines under 5 tokens, even when they are in another language", () => {
    // "OK thanks a lot" has 4 tokens: not checked, so its "en" label cannot fail the response.
    const result = judgeLines([line(1, "OK thanks a lot", "en", 0.99), line(2, "Это первая строка ответа на вопрос", "ru", 0.9)], "ru", isEnglishWord);
    expect(result.lines.map((l) => l.line)).toEqual([2]);
    expect(result.linePass).toBe(1);
  });

  it("leaves a response with no line of 5 tokens out of the denominator (null, not 0 or 1)", () => {
    const result = judgeLines([line(1, "Да", "ru", 0.6), line(2, "Нет не так", "ru", 0.7)], "ru", isEnglishWord);
    expect(result).toEqual({ lines: [], linePass: null, wordPass: null, englishWords: [], lineAccuracy: null });
  });
});

describe("word level", () => {
  it("fails a Russian response that passes the line level but contains an English word", () => {
    // Both lines are "ru" above 0.3 → line pass 1; "framework" is lower case, ≥ 4 letters, English → word pass 0.
    const result = judgeLines([line(1, "Я думаю что это очень хорошая идея", "ru", 0.99), line(2, "Мы можем использовать этот framework сегодня", "ru", 0.99)], "ru", isEnglishWord);
    expect(result.linePass).toBe(1);
    expect(result.wordPass).toBe(0);
    expect(result.englishWords).toEqual(["framework"]);
  });

  it("passes a Russian response whose Latin words are not English words by the reference's filters", () => {
    // "Python" is capitalised, "API" upper case, "ok" shorter than 4 letters: none counts (the reference keeps lower-case entries longer than 3).
    const result = judgeLines([line(1, "Мы пишем на Python через API и всё ok", "ru", 0.9)], "ru", isEnglishWord);
    expect(result.linePass).toBe(1);
    expect(result.wordPass).toBe(1);
  });

  it("looks for English words only in the checked lines", () => {
    // "see docs" has 2 tokens: skipped, so "docs" is not looked at.
    const result = judgeLines([line(1, "see docs", "en", 0.9), line(2, "Я думаю что это очень хорошая идея", "ru", 0.9)], "ru", isEnglishWord);
    expect(result.wordPass).toBe(1);
  });

  it("is not computed for Latin-script targets", () => {
    expect(likelyScript("fr")).toBe("Latn");
    expect(likelyScript("ru")).toBe("Cyrl");
    const result = judgeLines([line(1, "Nous utilisons ce framework pour le projet", "fr", 0.9, "fr")], "fr", isEnglishWord);
    expect(result.linePass).toBe(1);
    expect(result.wordPass).toBeNull();
  });
});

describe("spelling", () => {
  it("counts words with a known number of misspellings", async () => {
    const english = await loadSpellchecker("en");
    expect(english).not.toBeNull();
    // 12 words: The quick brown fox jumps over the lazy dog Recieve teh package; "Recieve" and "teh" are wrong → 10/12.
    const result = checkSpelling("The quick brown fox jumps over the lazy dog. Recieve teh package.", english!);
    expect(result).toEqual({ words: 12, accepted: 10, misspelled: ["Recieve", "teh"] });
  });

  it("leaves out URLs, e-mail addresses, code and words with digits", () => {
    // Left: Visit or run in with options writing to Done (9); out: the URL, `npm instal`, 2024, 3rd, the address, the fenced block.
    const text = "Visit https://example.com/instal or run `npm instal` in 2024 with 3rd options, writing to ann@example.org.\n```js\nconst xyzzy = 1;\n```\nDone";
    expect(spellingWords(text, "en")).toEqual(["Visit", "or", "run", "in", "with", "options", "writing", "to", "Done"]);
  });

  it("reads typographic apostrophes as the dictionaries write them", async () => {
    const french = await loadSpellchecker("fr");
    // 9 words, all French: L'homme est allé à l'école aujourd'hui avec sa sœur.
    expect(checkSpelling("L’homme est allé à l'école aujourd’hui avec sa sœur.", french!)).toEqual({ words: 9, accepted: 9, misspelled: [] });
  });

  it("has a dictionary for en de fr es pt ru it and none (null, never 0) for Dutch", async () => {
    for (const language of ["en", "de", "fr", "es", "pt", "ru", "it"]) expect((await loadSpellchecker(language))?.language).toBe(language);
    // Region and three-letter codes find the same dictionary.
    expect((await loadSpellchecker("pt-BR"))?.language).toBe("pt");
    expect((await loadSpellchecker("deu"))?.language).toBe("de");
    expect(await loadSpellchecker("nl")).toBeNull();
  });

  it("follows Hunspell's case rules: German nouns are capitalised", async () => {
    const german = await loadSpellchecker("de");
    // "Das Haus ist groß" 4/4; "das haus ist gross": "haus" (noun in lower case) and "gross" (Swiss spelling) are rejected → 2/4.
    expect(checkSpelling("Das Haus ist groß", german!).accepted).toBe(4);
    expect(checkSpelling("das haus ist gross", german!)).toEqual({ words: 4, accepted: 2, misspelled: ["haus", "gross"] });
  });
});
