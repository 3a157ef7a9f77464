// The open-ended suite's surface metrics end to end: predictions files written here (and the Chirkova et al.
// prompts from ../shared/data), the real language identifier (lid.176) and real Hunspell dictionaries.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreOpenSuite } from "../../../electron/engine/eval/suites/scoreOpenSuite.js";
import type { Aggregate, SuiteScore } from "../../../electron/engine/eval/SuiteScore.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

let temp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  temp = makeTempDir("polytune-open-");
});
afterAll(() => temp.cleanup());

const writeJsonl = (name: string, rows: readonly unknown[]): string => {
  const file = join(temp.dir, name);
  writeFileSync(file, rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n");
  return file;
};
const find = (score: SuiteScore, metric: string, language: string | null): Aggregate | undefined => score.aggregates.find((a) => a.metric === metric && a.language === language);
const scoresOf = (score: SuiteScore, id: string): Record<string, number | null> => score.items.find((i) => i.id === id)!.scores;

// Each response is built so that its metrics follow by hand from the definitions (lid.176's labels were
// checked on these texts: every checked line is identified above 0.9 confidence).
const handMade = [
  // en, one 12-token line in English → correct 1, line 1; word level not for Latin script; spelling "Recieve", "teh" wrong → 10/12.
  { id: "en-1", language: "en", prediction: "The quick brown fox jumps over the lazy dog. Recieve teh package." },
  // ru, mostly Russian (lid.176 labels the whole response ru, 0.99) but line 3 is English (11 tokens) → correct 1, line 0, word null.
  { id: "ru-mixed", language: "ru", prediction: "Я думаю, что это очень хорошая идея для нашей команды.\nДа.\nI think this is a really good idea for the team." },
  // ru, one Russian line with "framework" → correct 1, line 1, word 0.
  { id: "ru-word", language: "ru", prediction: "Мы можем использовать этот framework для нашего нового проекта." },
  // ru, clean → 1, 1, 1.
  { id: "ru-clean", language: "ru", prediction: "Привет! Вот краткое объяснение правил игры в бадминтон для начинающих игроков." },
  // fr prompt answered in English → correct 0, line 0, word null (Latin script).
  { id: "fr-en", language: "fr", prediction: "The rules are simple and easy to learn for everyone." },
  // nl: no bundled Dutch dictionary → spelling null ("not covered"), never 0.
  { id: "nl-1", language: "nl", prediction: "Het huis is groot en de tuin is erg mooi." },
  // ru, no line of 5 tokens → line and word level null (out of the denominator).
  { id: "ru-short", language: "ru", prediction: "Да, конечно." },
];

describe("scoreOpenSuite on hand-made predictions", () => {
  let score: SuiteScore;
  beforeAll(async () => {
    score = await scoreOpenSuite({ predictions: writeJsonl("preds.jsonl", handMade), resamples: 200 });
  });

  it("scores every item with the definitions' values", () => {
    expect(scoresOf(score, "en-1")).toEqual({ language_correctness: 1, line_pass_rate: 1, word_pass_rate: null, spelling: (100 * 10) / 12 });
    expect(scoresOf(score, "ru-mixed")).toMatchObject({ language_correctness: 1, line_pass_rate: 0, word_pass_rate: null });
    expect(scoresOf(score, "ru-word")).toMatchObject({ language_correctness: 1, line_pass_rate: 1, word_pass_rate: 0, spelling: 100 * (8 / 9) });
    expect(scoresOf(score, "ru-clean")).toEqual({ language_correctness: 1, line_pass_rate: 1, word_pass_rate: 1, spelling: 100 });
    expect(scoresOf(score, "fr-en")).toMatchObject({ language_correctness: 0, line_pass_rate: 0, word_pass_rate: null });
    expect(scoresOf(score, "nl-1")).toEqual({ language_correctness: 1, line_pass_rate: 1, word_pass_rate: null, spelling: null });
    expect(scoresOf(score, "ru-short")).toMatchObject({ line_pass_rate: null, word_pass_rate: null, spelling: 100 });
  });

  it("shows what each item was judged on", () => {
    const mixed = score.items.find((i) => i.id === "ru-mixed")!.detail!;
    // Line 2 ("Да") is under 5 tokens: only lines 1 and 3 are checked.
    expect((mixed.lines as Array<{ line: number; language: string }>).map((l) => [l.line, l.language])).toEqual([[1, "ru"], [3, "en"]]);
    expect(score.items.find((i) => i.id === "ru-word")!.detail!.englishWords).toEqual(["framework"]);
    expect(score.items.find((i) => i.id === "en-1")!.detail!.misspelled).toEqual(["Recieve", "teh"]);
  });

  it("aggregates on 0–100, leaving nulls out of n", () => {
    // line_pass_rate over the 6 items with a checked line: en-1 1, ru-mixed 0, ru-word 1, ru-clean 1, fr-en 0, nl-1 1 → 4/6.
    expect(find(score, "line_pass_rate", null)).toMatchObject({ n: 6, mean: (100 * 4) / 6 });
    // Russian: ru-mixed 0, ru-word 1, ru-clean 1 (ru-short left out) → 2/3.
    expect(find(score, "line_pass_rate", "ru")).toMatchObject({ n: 3, mean: (100 * 2) / 3 });
    // word level: only ru-word 0 and ru-clean 1 (the Russian responses that pass the line level) → 50.
    expect(find(score, "word_pass_rate", "ru")).toMatchObject({ n: 2, mean: 50 });
    expect(find(score, "word_pass_rate", "en")).toBeUndefined();
    // Dutch spelling is not covered: no aggregate at all rather than 0.
    expect(find(score, "spelling", "nl")).toBeUndefined();
    expect(find(score, "spelling", "en")).toMatchObject({ n: 1, mean: (100 * 10) / 12, ci95: null });
    const overall = find(score, "language_correctness", null)!;
    expect(overall.n).toBe(7);
    expect(overall.ci95).not.toBeNull();
    expect(overall.ci95![0]).toBeLessThanOrEqual(overall.mean);
    expect(overall.ci95![1]).toBeGreaterThanOrEqual(overall.mean);
  });

  it("says which languages spelling does not cover and where the word level does not apply", () => {
    expect(score.notes).toContain("spelling (nl): not covered — no Hunspell dictionary for this language; reported as missing, not 0.");
    expect(score.notes.some((n) => n.startsWith("word_pass_rate: not computed for Latin-script targets (en, fr, nl)"))).toBe(true);
    expect(score.notes).toContain("line_pass_rate: 1 response(s) have no line of at least 5 tokens and are left out of its denominator.");
    expect(score.suite).toBe("open");
    expect(score.excluded).toEqual([]);
  });

  it("covers a language with the user's own Hunspell pair", async () => {
    const folder = join(temp.dir, "dicts");
    mkdirSync(folder);
    // A Dutch dictionary of 8 words, without "mooi": Het(het) huis is groot en de tuin is erg mooi → 9/10 accepted.
    writeFileSync(join(folder, "nl_NL.aff"), "SET UTF-8\n");
    writeFileSync(join(folder, "nl_NL.dic"), "8\nhet\nhuis\nis\ngroot\nen\nde\ntuin\nerg\n");
    const withDutch = await scoreOpenSuite({ predictions: writeJsonl("nl.jsonl", [handMade[5]]), dictionaries: folder, resamples: 50 });
    expect(withDutch.items[0]!.scores.spelling).toBe(90);
    expect(withDutch.items[0]!.detail!.misspelled).toEqual(["mooi"]);
  });
});

describe("scoreOpenSuite on bad input", () => {
  const failure = async (rows: readonly unknown[]): Promise<PolytuneError> => {
    const file = writeJsonl("bad.jsonl", rows);
    try {
      await scoreOpenSuite({ predictions: file });
    } catch (error) {
      if (error instanceof PolytuneError) return error;
      throw error;
    }
    throw new Error("scoreOpenSuite accepted bad input");
  };
  const good = { id: "a", language: "en", prediction: "Hello there." };

  it("names the file, line and field", async () => {
    const notJson = await failure([good, "{oops"]);
    expect(notJson.where).toBe(`${join(temp.dir, "bad.jsonl")}:2`);
    const noLanguage = await failure([good, { id: "b", prediction: "x" }]);
    expect(noLanguage.where).toMatch(/bad\.jsonl:2: language$/);
    const unknown = await failure([{ id: "b", language: "qqq", prediction: "x" }]);
    expect(unknown.message).toContain('"qqq"');
    expect(unknown.where).toMatch(/bad\.jsonl:1: language$/);
    const noPrediction = await failure([{ id: "b", language: "en", prediction: 3 }]);
    expect(noPrediction.where).toMatch(/bad\.jsonl:1: prediction$/);
    const twice = await failure([good, good]);
    expect(twice.message).toContain("second prediction");
    expect(twice.where).toMatch(/bad\.jsonl:2: id$/);
    const empty = await failure([]);
    expect(empty.code).toBe("open-predictions");
  });

  it("says when the file cannot be read", async () => {
    await expect(scoreOpenSuite({ predictions: join(temp.dir, "missing.jsonl") })).rejects.toMatchObject({ code: "not-found" });
  });
});

const chirkovaDir = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const hasChirkova = prerequisite(existsSync(join(chirkovaDir, "alpacaeval_test_subset.ru.jsonl")), `the Chirkova et al. prompts in ${chirkovaDir}`);

describe.skipIf(!hasChirkova)("the Chirkova et al. prompts scored as their own responses", () => {
  const languages = ["en", "fr", "pt", "ru"] as const;
  let score: SuiteScore;
  beforeAll(async () => {
    const rows = languages.flatMap((language) =>
      readFileSync(join(chirkovaDir, `alpacaeval_test_subset.${language}.jsonl`), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line, i) => {
          const messages = JSON.parse(line) as Array<{ role: string; content: string }>;
          return { id: `${language}-${i + 1}`, language, prediction: messages.find((m) => m.role === "user")!.content };
        }),
    );
    score = await scoreOpenSuite({ predictions: writeJsonl("chirkova.jsonl", rows), resamples: 200 });
  });

  it("scores all 452 prompts", () => {
    expect(score.items).toHaveLength(452);
    for (const language of languages) expect(find(score, "language_correctness", language)!.n).toBe(113);
  });

  // The prompts are written in their language, so a sound identifier labels every one of them so. Measured:
  // lid.176 agrees on all 452 (language correctness 100 % for en, fr, pt and ru), and every line of at least
  // 5 tokens is in the prompt's language above 0.3 confidence (line level 100 %).
  it("finds every prompt in its own language, response and line level alike", () => {
    for (const language of languages) {
      expect(find(score, "language_correctness", language)).toMatchObject({ n: 113, mean: 100 });
      expect(find(score, "line_pass_rate", language)!.mean).toBe(100);
    }
    // Prompts without a line of 5 tokens ("Quem é Larry Page?") are left out: 112, 111, 111 and 105 remain.
    expect(languages.map((language) => find(score, "line_pass_rate", language)!.n)).toEqual([112, 111, 111, 105]);
  });

  it("catches the one Russian prompt that quotes an English term", () => {
    // ru-107 asks for a summary of an abstract that says "(few-shot learning, FSL)": "learning" is an English
    // word in a Russian line → word level 0 for that prompt, 1 for the other 104 → 104/105.
    const ru = find(score, "word_pass_rate", "ru")!;
    expect(ru.n).toBe(105);
    expect(ru.mean).toBeCloseTo((100 * 104) / 105, 10);
    const failed = score.items.filter((i) => i.scores.word_pass_rate === 0);
    expect(failed.map((i) => i.id)).toEqual(["ru-107"]);
    expect(failed[0]!.detail!.englishWords).toContain("learning");
    expect(find(score, "word_pass_rate", "fr")).toBeUndefined();
  });

  it("accepts most prompt words in every language, and rejects names and English terms", () => {
    // Measured means: en 99.0, fr 99.0, pt 96.7, ru 96.7 %. The misses are names and borrowed terms
    // ("Python", "JavaScript", "Ларри"), which a Hunspell dictionary does not list.
    for (const language of languages) {
      const spelling = find(score, "spelling", language)!;
      expect(spelling.n).toBe(113);
      expect(spelling.mean).toBeGreaterThan(96);
      expect(spelling.mean).toBeLessThan(100);
    }
    expect(score.items.find((i) => i.id === "ru-72")!.detail!.misspelled).toEqual(["Python"]);
  });
});
