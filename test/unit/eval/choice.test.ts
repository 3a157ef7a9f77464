import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { choiceAccuracy, parseChoiceLetter, parseNliLabel, rankChoice } from "../../../electron/engine/eval/metrics/choiceAccuracy.js";
import { readChoiceGold, scoreChoiceSuite } from "../../../electron/engine/eval/suites/scoreChoiceSuite.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

function write(name: string, lines: unknown[]): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return path;
}

function thrown(fn: () => unknown): PolytuneError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolytuneError) return error;
    throw error;
  }
  throw new Error("expected a PolytuneError");
}

describe("reading a letter answer", () => {
  it.each([
    ["B", "B"],
    ["b", "B"],
    ["B)", "B"],
    ["(b)", "B"],
    ["[C]", "C"],
    ["D.", "D"],
    [" E ", "E"],
    ["B) Paris", "B"],
    ["(c) the river bank", "C"],
    ["A: a bank", "A"],
    ["Answer: B", "B"],
    ["answer: (d)", "D"],
    ["The answer is (C).", "C"],
    ["The correct answer is E, because…", "E"],
    ["Antwort: D", "D"],
    ["Ответ: A", "A"],
    ["答案：B", "B"],
    ["La réponse est (b).", "B"],
  ])("%j → %s", (text, letter) => {
    expect(parseChoiceLetter(text)).toBe(letter);
  });

  it.each(["A dog would sit there.", "I think so.", "", "Answer: F", "BC", "Bank", "The answer is a bank.", "Answer: Bank"])("%j names no letter", (text) => {
    expect(parseChoiceLetter(text)).toBeNull();
  });

  it("only accepts the letters the item offers", () => {
    expect(parseChoiceLetter("E", ["A", "B", "C", "D"])).toBeNull();
    expect(parseChoiceLetter("d", ["A", "B", "C", "D"])).toBe("D");
  });
});

describe("reading an NLI label", () => {
  it("takes names in any case and XNLI's numeric ids 0/1/2", () => {
    expect(parseNliLabel("entailment")).toBe("entailment");
    expect(parseNliLabel(" Contradiction. ")).toBe("contradiction");
    expect(parseNliLabel("NEUTRAL")).toBe("neutral");
    expect(parseNliLabel(0)).toBe("entailment");
    expect(parseNliLabel(1)).toBe("neutral");
    expect(parseNliLabel(2)).toBe("contradiction");
    expect(parseNliLabel("2")).toBe("contradiction");
  });

  it("refuses anything else", () => {
    for (const v of [3, -1, 0.5, "yes", "entails", "", null, undefined, true]) expect(parseNliLabel(v)).toBeNull();
  });
});

describe("rank classification", () => {
  it("picks the choice with the highest log-likelihood", () => {
    expect(rankChoice({ entailment: -4.2, neutral: -1.3, contradiction: -2.0 }, ["entailment", "neutral", "contradiction"])).toBe("neutral");
    expect(rankChoice([-9, -8, -0.5, -7, -3], ["A", "B", "C", "D", "E"])).toBe("C");
  });

  it("gives a tie to the earlier choice (numpy argmax) and null for missing or non-numeric scores", () => {
    expect(rankChoice([-1, -1, -2], ["entailment", "neutral", "contradiction"])).toBe("entailment");
    expect(rankChoice({ entailment: -1, neutral: -2 }, ["entailment", "neutral", "contradiction"])).toBeNull();
    expect(rankChoice([-1, "x", -2], ["A", "B", "C"])).toBeNull();
    expect(rankChoice([-1, -2], ["A", "B", "C"])).toBeNull();
    expect(rankChoice({ A: -1, B: Number.NaN }, ["A", "B"])).toBeNull();
  });

  it("scores 1 only for the gold choice", () => {
    expect(choiceAccuracy("B", "B")).toBe(1);
    expect(choiceAccuracy("A", "B")).toBe(0);
    expect(choiceAccuracy(null, "B")).toBe(0);
  });
});

describe("the multiple-choice suite (X-CSQA JSONL)", () => {
  const question = (id: string, lang: string, answerKey?: string) => ({
    id,
    lang,
    question: { stem: `Frage ${id}?`, choices: ["A", "B", "C", "D", "E"].map((label) => ({ label, text: `Antwort ${label}` })) },
    ...(answerKey !== undefined ? { answerKey } : {}),
  });

  it("scores letters in their usual wrappings, leaves out unknown ids, missing predictions and missing gold", () => {
    const data = write("xcsqa.jsonl", [question("q1", "de", "A"), question("q2", "de", "B"), question("q3", "fr", "C"), question("q4", "fr", "D"), question("q5", "fr"), question("q6", "de", "E")]);
    const predictions = write("xcsqa-pred.jsonl", [
      { id: "q1", prediction: "Answer: A" }, // right
      { id: "q2", prediction: "(c)" }, // wrong
      { id: "q3", prediction: "C) Antwort C" }, // right
      { id: "q4", loglikelihoods: [-5, -4, -3, -0.1, -9] }, // D by rank: right
      { id: "q5", prediction: "A" }, // gold has no answerKey: left out
      { id: "zz", prediction: "B" }, // not in the gold
      // q6 has no prediction
    ]);
    const r = scoreChoiceSuite({ suite: "mcq", data, predictions, resamples: 200 });
    expect(r.suite).toBe("mcq");
    expect(r.items.map((i) => [i.id, i.language, i.scores.accuracy])).toEqual([["q1", "de", 1], ["q2", "de", 0], ["q3", "fr", 1], ["q4", "fr", 1]]);
    expect(r.items[1]!.detail).toMatchObject({ gold: "B", predicted: "C" });
    // accuracy: all 3/4 = 75, de 1/2 = 50, fr 2/2 = 100.
    expect(r.aggregates.map((a) => [a.language, a.metric, a.n, a.mean])).toEqual([[null, "accuracy", 4, 75], ["de", "accuracy", 2, 50], ["fr", "accuracy", 2, 100]]);
    const reasons = new Map(r.excluded.map((e) => [e.id, e.reason]));
    expect(reasons.get("q5")).toMatch(/xcsqa\.jsonl:5: gold answer missing/);
    expect(reasons.get("zz")).toMatch(/xcsqa-pred\.jsonl:6: this id is not in the gold data/);
    expect(reasons.get("q6")).toMatch(/xcsqa\.jsonl:6: no prediction/);
    expect(r.items.some((i) => ["q5", "q6", "zz"].includes(i.id))).toBe(false);
  });

  it("counts an answer that names no letter as wrong and says so", () => {
    const data = write("xcsqa2.jsonl", [question("a", "de", "A"), question("b", "de", "B")]);
    const predictions = write("xcsqa2-pred.jsonl", [{ id: "a", prediction: "I am not sure." }, { id: "b", prediction: "B" }]);
    const r = scoreChoiceSuite({ suite: "mcq", data, predictions });
    expect(r.items.map((i) => i.scores.accuracy)).toEqual([0, 1]);
    expect(r.items[0]!.detail).toMatchObject({ predicted: null });
    expect(r.notes.join(" ")).toMatch(/1 answer\(s\) named no letter/);
  });
});

describe("bad input is refused with file and line", () => {
  const data = write("small.jsonl", [{ id: "1", premise: "p", hypothesis: "h", label: 0 }, { id: "2", premise: "p", hypothesis: "h", label: "neutral" }]);

  it("a malformed predictions line", () => {
    const predictions = write("bad.jsonl", [{ id: "1", prediction: "entailment" }, "{not json"]);
    const e = thrown(() => scoreChoiceSuite({ suite: "nli", data, predictions }));
    expect(e.code).toBe("jsonl-malformed");
    expect(e.where).toBe(`${predictions}:2`);
  });

  it("a line without id, without an answer, or repeating an id", () => {
    expect(thrown(() => scoreChoiceSuite({ suite: "nli", data, predictions: write("noid.jsonl", [{ prediction: "neutral" }]) })).message).toMatch(/Line 1 has no "id"/);
    expect(thrown(() => scoreChoiceSuite({ suite: "nli", data, predictions: write("noans.jsonl", [{ id: "1" }]) })).message).toMatch(/neither "prediction" nor "loglikelihoods"/);
    const dup = write("dup.jsonl", [{ id: "1", prediction: 0 }, { id: "1", prediction: 1 }]);
    expect(thrown(() => scoreChoiceSuite({ suite: "nli", data, predictions: dup })).where).toBe(`${dup}:2`);
  });

  it("a missing file, and predictions none of whose ids are in the gold", () => {
    const missing = join(tmp.dir, "nope.jsonl");
    const e = thrown(() => scoreChoiceSuite({ suite: "nli", data, predictions: missing }));
    expect(e).toMatchObject({ code: "file-unreadable", where: missing });
    expect(e.message).toMatch(/does not exist/);
    const other = write("other.jsonl", [{ id: "x", prediction: 0 }]);
    expect(thrown(() => scoreChoiceSuite({ suite: "nli", data, predictions: other })).message).toMatch(/No prediction id matches/);
  });

  it("an XNLI line with the wrong number of fields", () => {
    const tsv = join(tmp.dir, "bad.tsv");
    writeFileSync(tsv, "a\tb\tentailment\nonly two\tfields\n");
    expect(thrown(() => readChoiceGold("nli", tsv)).where).toBe(`${tsv}:2`);
  });
});

const xnliDir = join(sharedDataDir, "xnli_de_xglue");
const hasXnli = prerequisite(existsSync(join(xnliDir, "test.txt")), `the XNLI German files in ${xnliDir}`);

describe.skipIf(!hasXnli)("real XNLI (German, XGLUE split)", () => {
  const test = join(xnliDir, "test.txt");
  const labels = readFileSync(test, "utf8").split("\n").filter((l) => l !== "").map((l) => l.split("\t")[2]!);

  it("reads all 5010 test pairs, ids being line numbers", () => {
    const { items, excluded } = readChoiceGold("nli", test, "de");
    expect(items).toHaveLength(5010);
    expect(excluded).toEqual([]);
    expect(items[0]).toMatchObject({ id: "1", language: "de", gold: "contradiction" });
    expect(items[1]).toMatchObject({ id: "2", gold: "entailment" });
    expect(items[2]).toMatchObject({ id: "3", gold: "neutral" });
  });

  it("scores the gold labels as 100, one constant label as the share of its class (1670/5010 = 33.33)", { timeout: 120_000 }, () => {
    const gold = write("xnli-gold.jsonl", labels.map((label, i) => ({ id: String(i + 1), prediction: label })));
    const perfect = scoreChoiceSuite({ suite: "nli", data: test, predictions: gold, language: "de", resamples: 200 });
    expect(perfect.aggregates[0]).toEqual({ language: null, metric: "accuracy", n: 5010, mean: 100, ci95: [100, 100] });
    const neutral = write("xnli-neutral.jsonl", labels.map((_, i) => ({ id: String(i + 1), prediction: 1 })));
    const r = scoreChoiceSuite({ suite: "nli", data: test, predictions: neutral, language: "de", resamples: 500 });
    const all = r.aggregates.find((a) => a.language === null)!;
    expect(all.mean).toBeCloseTo((100 * 1670) / 5010, 10);
    // Normal approximation: SE = 100·√(1/3 · 2/3 / 5010) = 0.666; the 95% interval spans about ±1.31.
    expect(all.ci95![0]).toBeGreaterThan(33.33 - 1.31 * 1.25);
    expect(all.ci95![0]).toBeLessThan(33.33 - 1.31 * 0.75);
    expect(all.ci95![1]).toBeGreaterThan(33.33 + 1.31 * 0.75);
    expect(all.ci95![1]).toBeLessThan(33.33 + 1.31 * 1.25);
    expect(r.aggregates.find((a) => a.language === "de")!.mean).toBeCloseTo(all.mean, 10);
  });

  it("ranks log-likelihoods on the dev set", () => {
    const dev = join(xnliDir, "dev.txt");
    const devLabels = readFileSync(dev, "utf8").split("\n").filter((l) => l !== "").map((l) => l.split("\t")[2]!);
    // The gold label gets −1, the others −2 — except on every 10th pair, where entailment gets −0.5.
    const predictions = write("xnli-dev-ll.jsonl", devLabels.map((label, i) => ({
      id: String(i + 1),
      loglikelihoods: Object.fromEntries(["entailment", "neutral", "contradiction"].map((c) => [c, (i + 1) % 10 === 0 && c === "entailment" ? -0.5 : c === label ? -1 : -2])),
    })));
    const r = scoreChoiceSuite({ suite: "nli", data: dev, predictions });
    // Wrong exactly on the 10th, 20th, … pairs whose gold is not entailment.
    const wrong = devLabels.filter((label, i) => (i + 1) % 10 === 0 && label !== "entailment").length;
    expect(wrong).toBeGreaterThan(0);
    expect(r.aggregates[0]!.mean).toBeCloseTo((100 * (250 - wrong)) / 250, 10);
    expect(r.notes.join(" ")).toMatch(/250 answer\(s\) chosen by rank classification/);
  });
});
