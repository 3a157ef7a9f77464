// scoreEvalTask on small in-memory tasks, against values derived by hand: QA EM/F1 on the answer span
// after the forced prefix, seed averaging that leaves nulls out, rank classification, items without
// output, and SARI × IO-language agreement on a two-sentence corpus.
import { describe, expect, it } from "vitest";
import { averageSeeds } from "../../../../electron/engine/eval/tasks/averageSeeds.js";
import type { EvalTask, EvalTaskItem } from "../../../../electron/engine/eval/tasks/EvalTask.js";
import { qaAnswerSpan, scoreEvalTask } from "../../../../electron/engine/eval/tasks/scoreEvalTask.js";
import type { SuiteScore } from "../../../../electron/engine/eval/SuiteScore.js";
import { PolytuneError } from "../../../../electron/shared/PolytuneError.js";

const mean = (score: SuiteScore, metric: string, language: string | null = null): number | undefined => score.aggregates.find((a) => a.metric === metric && a.language === language)?.mean;
const task = (suite: EvalTask["suite"], items: EvalTaskItem[]): EvalTask => ({ suite, items, excluded: [], notes: [], greedy: true });
const prefix = 'Based on the passage, the answer to the question is "';
const qaItem = (id: string, golds: string[]): EvalTaskItem => ({ id, language: "en", prompt: "…", kind: "generate", responsePrefix: prefix, maxTokens: 32, stop: ["\n"], reference: { question: "Where?", golds, source: "t" } });
const options = { resamples: 50, seed: 1 };

describe("seed averaging", () => {
  it("is the mean over the seeds that have a value; null when none has", () => {
    const scores = averageSeeds([
      { seed: 1, scores: { a: 1, b: null, c: null }, detail: {} },
      { seed: 2, scores: { a: 0, b: null, c: null }, detail: {} },
      { seed: 3, scores: { a: 1, b: 4, c: null }, detail: {} },
    ]);
    expect(scores.a).toBeCloseTo(2 / 3, 12);
    expect(scores.b).toBe(4);
    expect(scores.c).toBeNull();
  });
});

describe("QA", () => {
  it("the answer span is the text after the prefix up to the closing quote or line break", () => {
    expect(qaAnswerSpan(`${prefix}Paris". It is the capital.`, prefix)).toBe("Paris");
    expect(qaAnswerSpan(`${prefix}Paris\nand more`, prefix)).toBe("Paris");
    expect(qaAnswerSpan("Lyon", prefix)).toBe("Lyon");
  });

  it("two questions, one exact hit: EM 50, F1 from the token overlap, start match on the whole response", async () => {
    const t = task("qa", [qaItem("en:1", ["Paris"]), qaItem("en:2", ["the city of Marseille"])]);
    const score = await scoreEvalTask(t, [
      { itemId: "en:1", seed: null, text: `${prefix}Paris". It is the capital.` },
      // Span "the city of Lyon" → SQuAD normalisation drops "the": {city, of, lyon} vs {city, of, marseille}: P = R = 2/3, F1 = 2/3.
      { itemId: "en:2", seed: null, text: `${prefix}the city of Lyon".` },
    ], options);
    expect(score.items.map((i) => i.scores.exact_match)).toEqual([1, 0]);
    expect(score.items[1]!.scores.f1).toBeCloseTo(2 / 3, 12);
    expect(score.items.map((i) => i.scores.start_match)).toEqual([1, 0]);
    expect(mean(score, "exact_match")).toBeCloseTo(50, 10);
    expect(mean(score, "f1")).toBeCloseTo(100 * (1 + 2 / 3) / 2, 10);
    expect(mean(score, "start_match", "en")).toBeCloseTo(50, 10);
  });

  it("an item without output is excluded as 'no output', never scored 0", async () => {
    const t = task("qa", [qaItem("en:1", ["Paris"]), qaItem("en:2", ["Lyon"])]);
    const score = await scoreEvalTask(t, [{ itemId: "en:1", seed: null, text: `${prefix}Paris"` }], options);
    expect(score.items.map((i) => i.id)).toEqual(["en:1"]);
    expect(score.excluded).toEqual([{ id: "en:2", reason: "no output" }]);
    expect(mean(score, "exact_match")).toBe(100);
    expect(score.aggregates.find((a) => a.metric === "exact_match" && a.language === null)!.n).toBe(1);
  });

  it("refuses two outputs of one item for the same seed", async () => {
    const t = task("qa", [qaItem("en:1", ["Paris"])]);
    await expect(scoreEvalTask(t, [{ itemId: "en:1", seed: 1, text: "a" }, { itemId: "en:1", seed: 1, text: "b" }], options)).rejects.toBeInstanceOf(PolytuneError);
  });
});

describe("choices", () => {
  const nli = (id: string, gold: string): EvalTaskItem => ({ id, language: "de", prompt: "p\nh", kind: "rank", context: "p, richtig?", continuations: [" Ja, h", " Auch, h", " Nein, h"], reference: { gold, choices: ["entailment", "neutral", "contradiction"], where: "t" } });

  it("rank classification picks the highest log-likelihood (ties to the earlier choice)", async () => {
    const t = task("nli", [nli("de:1", "neutral"), nli("de:2", "contradiction"), nli("de:3", "entailment")]);
    const score = await scoreEvalTask(t, [
      { itemId: "de:1", seed: null, loglikelihoods: [-5, -1, -3] },
      { itemId: "de:2", seed: null, loglikelihoods: [-2, -4, -3] },
      { itemId: "de:3", seed: null, loglikelihoods: [-1, -1, -2] },
    ], options);
    expect(score.items.map((i) => (i.detail!.seeds as Array<{ detail: { predicted: string } }>)[0]!.detail.predicted)).toEqual(["neutral", "entailment", "entailment"]);
    expect(score.items.map((i) => i.scores.accuracy)).toEqual([1, 0, 1]);
    expect(mean(score, "accuracy", "de")).toBeCloseTo(200 / 3, 10);
  });

  it("multiple choice over three seeds: the item's accuracy is the mean, each seed kept in detail", async () => {
    const item: EvalTaskItem = { id: "en:q1", language: "en", prompt: "Q?\n\nA. x\nB. y", kind: "generate", maxTokens: 8, reference: { gold: "A", choices: ["A", "B"], where: "t" } };
    const score = await scoreEvalTask(task("mcq", [item]), [
      { itemId: "en:q1", seed: 2, text: "B" },
      { itemId: "en:q1", seed: 1, text: "A)" },
      { itemId: "en:q1", seed: 3, text: "The answer is (A)." },
    ], options);
    expect(score.items[0]!.scores.accuracy).toBeCloseTo(2 / 3, 12);
    const seeds = score.items[0]!.detail!.seeds as Array<{ seed: number; scores: { accuracy: number } }>;
    expect(seeds.map((s) => [s.seed, s.scores.accuracy])).toEqual([[1, 1], [2, 0], [3, 1]]);
  });
});

describe("simplification", () => {
  it("corpus SARI × the share of outputs in the input's language", async () => {
    // Sentence 1: S "the cat sat", O "the dog", R "the dog sat" — the structure of sari.test's first case
    //   (S "a b c", O "a d", R "a d c"): add c[1,1,0,0] s[1,1,0,0] r[1,2,1,0]; keep c[1,0,0,0] s[1,0,0,0] r[2,0,0,0];
    //   delete c[1,2,1,0] s[2,2,1,0] r[1,2,1,0].
    // Sentence 2: S "the cat sat", O "le chien", R "the dog sat": add c[0,0,0,0] s[2,1,0,0] r[1,2,1,0];
    //   keep c0 s0 r[2,0,0,0]; delete S−O {the,cat,sat} 3, S−R {cat} 1, correct 1; 2-grams 2/2/2; 3-grams 1/1/1.
    // Summed: add c[1,1] s[3,2] r[2,4,2]: F1 2/5, 1/3 → add = 11/60; keep c1 s1 r4: F1 2/5 → keep = 1/10;
    //   delete c[2,4,2] s[5,4,2] r[2,4,2]: F1 4/7, 1, 1 → delete = 9/14. SARI = (11/60 + 1/10 + 9/14)/3 = 389/1260.
    // Agreement: output 1 is English (the input's language), output 2 French → 1/2.
    const ref = (output: string) => ({ source: "the cat sat", references: ["the dog sat"], where: output });
    const items: EvalTaskItem[] = [
      { id: "en:1", language: "en", prompt: "…", kind: "generate", reference: ref("1") },
      { id: "en:2", language: "en", prompt: "…", kind: "generate", reference: ref("2") },
    ];
    const score = await scoreEvalTask(task("simplification", items), [
      { itemId: "en:1", seed: null, text: "the dog" },
      { itemId: "en:2", seed: null, text: "le chien" },
    ], options);
    expect(score.items.map((i) => i.scores.io_language_agreement)).toEqual([1, 0]);
    expect(mean(score, "sari")).toBeCloseTo((100 * 389) / 1260, 9);
    expect(mean(score, "sari_add")).toBeCloseTo((100 * 11) / 60, 9);
    expect(mean(score, "io_language_agreement")).toBeCloseTo(50, 9);
    expect(mean(score, "sari_io_weighted")).toBeCloseTo((100 * 389) / 1260 / 2, 9);
    expect(mean(score, "sari_io_weighted", "en")).toBeCloseTo((100 * 389) / 1260 / 2, 9);
  });
});
