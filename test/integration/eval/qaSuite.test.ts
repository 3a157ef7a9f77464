// The QA suite on real gold files (XQuAD de/en in SQuAD JSON, XGLUE's MLQA de as a Hugging Face Arrow
// folder) from ../shared/data, and on small files written here for the malformed cases.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SuiteScore } from "../../../electron/engine/eval/SuiteScore.js";
import { readQaData } from "../../../electron/engine/eval/suites/readQaData.js";
import { scoreQaSuite } from "../../../electron/engine/eval/suites/scoreQaSuite.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const xquad = (lang: string): string => join(sharedDataDir, "xquad", `xquad.${lang}.first10articles.json`);
const mlqaDir = join(sharedDataDir, "mlqa_de_xglue");
const hasData = prerequisite(existsSync(xquad("de")) && existsSync(xquad("en")) && existsSync(join(mlqaDir, "validation")), `XQuAD and MLQA in ${sharedDataDir}`);

const tmp = makeTempDir("polytune-qa-");
afterAll(() => tmp.cleanup());
let fileNo = 0;
function write(name: string, content: string): string {
  const file = join(tmp.dir, `${fileNo++}-${name}`);
  writeFileSync(file, content);
  return file;
}
const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const overall = (score: SuiteScore, metric: string) => score.aggregates.find((a) => a.language === null && a.metric === metric);

// Every question's id and first gold answer, read straight from the SQuAD JSON (not through our reader).
function squadGolds(file: string): Array<{ id: string; gold: string }> {
  const json = JSON.parse(readFileSync(file, "utf8")) as { data: Array<{ paragraphs: Array<{ qas: Array<{ id: string; answers: Array<{ text: string }> }> }> }> };
  return json.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => ({ id: q.id, gold: q.answers[0]!.text }))));
}

describe.skipIf(!hasData)("XQuAD and MLQA from the shared data", () => {
  for (const lang of ["de", "en"]) {
    it(`XQuAD ${lang}: gold answers as predictions score 100 on every metric`, () => {
      const golds = squadGolds(xquad(lang));
      expect(golds.length).toBe(274);
      const predictions = write(`gold-${lang}.jsonl`, jsonl(golds.map((g) => ({ id: g.id, prediction: g.gold }))));
      const score = scoreQaSuite({ data: xquad(lang), predictions, resamples: 200 });
      expect(score.excluded).toEqual([]);
      expect(score.items).toHaveLength(274);
      expect(score.items.every((i) => i.language === lang)).toBe(true); // from the file name
      for (const metric of ["exact_match", "f1", "mlqa_exact_match", "mlqa_f1", "start_match"]) {
        const agg = overall(score, metric);
        expect(agg, metric).toMatchObject({ n: 274, mean: 100, ci95: [100, 100] });
      }
      expect(score.aggregates.filter((a) => a.language === lang)).toHaveLength(5);
    });
  }

  it("XQuAD de: empty predictions score 0 and every question is still counted", () => {
    const golds = squadGolds(xquad("de"));
    const predictions = write("empty-de.jsonl", jsonl(golds.map((g) => ({ id: g.id, prediction: "" }))));
    const score = scoreQaSuite({ data: xquad("de"), predictions, resamples: 200 });
    for (const metric of ["exact_match", "f1", "mlqa_exact_match", "mlqa_f1", "start_match"]) {
      expect(overall(score, metric), metric).toMatchObject({ n: 274, mean: 0 });
    }
  });

  it("XQuAD de: the paper's German prefix and a repeated question are stripped before the start match", () => {
    const json = JSON.parse(readFileSync(xquad("de"), "utf8")) as { data: Array<{ paragraphs: Array<{ qas: Array<{ id: string; question: string; answers: Array<{ text: string }> }> }> }> };
    const qas = json.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
    const predictions = write("prefixed-de.jsonl", jsonl(qas.map((q) => ({ id: q.id, prediction: `Anhand des Textes lautet die Antwort auf die Frage „${q.question} ${q.answers[0]!.text}“.\nWeil …` }))));
    const score = scoreQaSuite({ data: xquad("de"), predictions, resamples: 200 });
    expect(overall(score, "start_match")).toMatchObject({ n: 274, mean: 100 });
    expect(score.items.every((i) => i.detail?.strippedPrefix === true && i.detail?.strippedQuestion === true)).toBe(true);
    // Exact match sees the whole response, as the official script would: nothing matches.
    expect(overall(score, "exact_match")!.mean).toBe(0);
  });

  it("MLQA de (XGLUE, Arrow): read with apache-arrow, language from dataset_info.json", () => {
    const data = readQaData(mlqaDir);
    expect(data.format).toBe("hf-arrow");
    expect(data.language).toBe("de");
    expect(data.questions.length + data.excluded.length).toBe(512);
    expect(data.excluded).toEqual([]);
    // The first row of the validation split.
    expect(data.questions[0]).toMatchObject({
      id: "b6fc947411e98316fd0790477c4dc3bd97f4df4c",
      question: "Was war die Position der Berliner Gerichts gegenüber Großbritannien und Russland?",
      golds: ["überwiegend antibritisch und prorussisch"],
    });

    const predictions = write("gold-mlqa.jsonl", jsonl(data.questions.map((q) => ({ id: q.id, prediction: q.golds[0] }))));
    const score = scoreQaSuite({ data: join(mlqaDir, "validation"), predictions, resamples: 200 });
    expect(overall(score, "mlqa_f1")).toMatchObject({ n: data.questions.length, mean: 100 });
    expect(overall(score, "exact_match")).toMatchObject({ n: data.questions.length, mean: 100 });
  });
});

describe("gold and prediction files written here", () => {
  const gold = {
    version: "1.1",
    data: [
      {
        title: "T",
        paragraphs: [
          {
            context: "Super Bowl 50 was played at Levi's Stadium in Santa Clara, California.",
            qas: [
              { id: "ok", question: "Where was it played?", answers: [{ text: "Levi's Stadium", answer_start: 28 }, { text: "Santa Clara, California", answer_start: 46 }] },
              { id: "no-answers", question: "q?" },
              { id: "empty-list", question: "q?", answers: [] },
              { id: "empty-text", question: "q?", answers: [{ text: "  ", answer_start: 0 }] },
              { id: "number-text", question: "q?", answers: [{ text: 50, answer_start: 0 }] },
              { id: "unanswered", question: "Which game?", answers: [{ text: "Super Bowl 50", answer_start: 0 }] },
            ],
          },
        ],
      },
    ],
  };

  it("reports malformed golds by id, never scores them, and reports missing and unknown predictions", () => {
    const data = write("gold.json", JSON.stringify(gold, null, 2));
    const predictions = write(
      "preds.jsonl",
      jsonl([
        { id: "ok", prediction: "Santa Clara" },
        { id: "no-answers", prediction: "" },
        { id: "empty-text", prediction: "x" },
        { id: "stranger", prediction: "?" },
      ]),
    );
    const score = scoreQaSuite({ data, predictions, language: "en", resamples: 200 });
    expect(score.items.map((i) => i.id)).toEqual(["ok"]);
    // Santa Clara vs "Santa Clara, California": P = 1, R = 2/3, F1 = 0.8 → 80 on the aggregate scale.
    // Start match 0: neither gold is the start of "Santa Clara" (the second is longer than it).
    expect(score.items[0]!.scores).toMatchObject({ exact_match: 0, start_match: 0 });
    expect(score.items[0]!.scores.f1).toBeCloseTo(0.8, 12);
    expect(overall(score, "f1")!.mean).toBeCloseTo(80, 9);
    expect(overall(score, "f1")!.ci95).toBeNull(); // n = 1
    const reasons = Object.fromEntries(score.excluded.map((e) => [e.id, e.reason]));
    expect(Object.keys(reasons).sort()).toEqual(["empty-list", "empty-text", "no-answers", "number-text", "unanswered"]);
    expect(reasons["no-answers"]).toMatch(/answers missing.*qas\[1\]/);
    expect(reasons["empty-text"]).toMatch(/gold answer 0 is empty/);
    expect(reasons["number-text"]).toMatch(/no text string/);
    expect(reasons.unanswered).toBe("no prediction for this question");
    expect(score.notes.join("\n")).toMatch(/1 predictions name no question.*stranger/);
    expect(score.notes.join("\n")).toMatch(/4 questions left out for missing or malformed gold answers/);
  });

  it("reads the official scripts' {id: prediction} .json, and leaves MLQA scores out for a language MLQA lacks", () => {
    const data = write("gold.json", JSON.stringify(gold));
    const predictions = write("preds.json", JSON.stringify({ ok: "Levi's Stadium", unanswered: "Super Bowl 50" }));
    const score = scoreQaSuite({ data, predictions, language: "ru", resamples: 200 });
    expect(overall(score, "exact_match")).toMatchObject({ n: 2, mean: 100 });
    expect(overall(score, "mlqa_f1")).toBeUndefined();
    expect(score.notes.join("\n")).toMatch(/MLQA defines no normalisation for "ru"/);
  });

  it("names the file and line of bad input", () => {
    const data = write("gold.json", JSON.stringify(gold));
    const badLine = write("bad.jsonl", '{"id": "ok", "prediction": "a"}\n{"id": "unanswered", prediction: 1}\n');
    expect(() => scoreQaSuite({ data, predictions: badLine })).toThrow(expect.objectContaining({ where: `${badLine}:2` }));
    const noPrediction = write("noprediction.jsonl", '{"id": "ok"}\n');
    expect(() => scoreQaSuite({ data, predictions: noPrediction })).toThrow(expect.objectContaining({ where: `${noPrediction}:1: prediction` }));
    const twice = write("twice.jsonl", jsonl([{ id: "ok", prediction: "a" }, { id: "ok", prediction: "b" }]));
    expect(() => scoreQaSuite({ data, predictions: twice })).toThrow(/second prediction/);

    const brokenJson = write("broken.json", '{\n  "data": [\n    {"paragraphs": [}\n  ]\n}\n');
    let error: unknown;
    try {
      readQaData(brokenJson);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolytuneError);
    expect((error as PolytuneError).where).toBe(`${brokenJson}:3`);

    const noQas = write("noqas.json", JSON.stringify({ data: [{ paragraphs: [{ context: "c" }] }] }));
    expect(() => readQaData(noQas)).toThrow(expect.objectContaining({ where: `${noQas}: data[0].paragraphs[0].qas` }));
    const dupes = write("dupes.json", JSON.stringify({ data: [{ paragraphs: [{ qas: [{ id: "a", answers: [{ text: "x" }] }, { id: "a", answers: [{ text: "y" }] }] }] }] }));
    expect(() => readQaData(dupes)).toThrow(/appears twice/);
    expect(() => readQaData(join(tmp.dir, "nope.json"))).toThrow(expect.objectContaining({ code: "not-found" }));
  });
});
