// The papers' two rules on top of the judge's verdicts, checked against values derived by hand:
// helpfulness forced to 1 for a wrong-language response (003), and every criterion but language
// averaged only over correct-language responses (002).
import { describe, expect, it } from "vitest";
import { aggregate } from "../../../electron/engine/eval/aggregate.js";
import { judgedScores, judgeMetrics, type JudgeVerdicts } from "../../../electron/engine/eval/judge/judgeOpenItems.js";
import type { CriterionKey } from "../../../electron/engine/eval/judge/judgePrompts.js";
import type { ItemScore } from "../../../electron/engine/eval/SuiteScore.js";

const all = ["relevance", "criteria", "helpfulness"] as const;
const provenance = { model: "fp1:abc", prompt: "sha256:0123" };
const stars = (language: 1 | 2 | 3, rest: 1 | 2 | 3): Record<CriterionKey, 1 | 2 | 3> => ({ language, fluency: rest, helpfulness: rest, accuracy: rest, logical_coherence: rest, harmlessness: rest });
const verdicts = (relevance: 0 | 1 | null, criteria: Record<CriterionKey, 1 | 2 | 3> | null, helpfulness: number | null): JudgeVerdicts => ({
  relevance: { value: relevance, attempts: [], ...provenance },
  criteria: { value: criteria, attempts: [], ...provenance },
  helpfulness: { value: helpfulness === null ? null : { score: helpfulness, explanation: null }, attempts: [], ...provenance },
});

describe("judged scores of one item", () => {
  it("reports stars as 0–2 for a correct-language response", () => {
    const { scores } = judgedScores(all, verdicts(1, stars(3, 2), 5), 1);
    expect(scores).toEqual({
      relevance: 1,
      helpfulness: 5,
      criterion_language: 2,
      criterion_fluency: 1,
      criterion_helpfulness: 1,
      criterion_accuracy: 1,
      criterion_logical_coherence: 1,
      criterion_harmlessness: 1,
    });
  });
  it("forces helpfulness to 1 and keeps only the language criterion for a wrong-language response", () => {
    // The judge was not asked for helpfulness here (no verdict), yet the item has 1, marked as forced.
    const v = verdicts(1, stars(1, 3), null);
    delete v.helpfulness;
    const { scores, detail } = judgedScores(all, v, 0);
    expect(scores.helpfulness).toBe(1);
    expect(scores.criterion_language).toBe(0);
    for (const k of ["fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness"]) expect(scores[`criterion_${k}`]).toBeNull();
    expect(JSON.stringify(detail)).toContain("forced to 1");
  });
  it("forces helpfulness to 1 even when the judge rated the wrong-language response highly", () => {
    expect(judgedScores(["helpfulness"], verdicts(null, null, 6), 0).scores).toEqual({ helpfulness: 1 });
  });
  it("keeps a missing verdict missing, never 0", () => {
    const { scores } = judgedScores(all, verdicts(null, null, null), 1);
    expect(Object.values(scores).every((v) => v === null)).toBe(true);
  });
  it("stores the judge's fingerprint and the prompt's hash with the score", () => {
    const { detail } = judgedScores(["relevance"], verdicts(0, null, null), 1);
    expect(detail).toEqual({ judge: { relevance: { value: 0, attempts: [], model: "fp1:abc", prompt: "sha256:0123" } } });
  });
});

describe("aggregates over items", () => {
  it("averages every criterion but language over correct-language responses only", () => {
    // Four responses in one language:
    //   a: correct language, stars language 3 / others 3 → 2 and 2
    //   b: correct language, stars language 3 / others 1 → 2 and 0
    //   c: wrong language,   stars language 1 / others 3 → 0 and (left out)
    //   d: wrong language,   stars language 2 / others 3 → 1 and (left out)
    // criterion_language = mean(2, 2, 0, 1) = 1.25 over n = 4;
    // criterion_fluency  = mean(2, 0) = 1 over n = 2 (c and d left out, although their 3 stars would raise it);
    // helpfulness (1–6)  = mean(6, 2, 1 forced, 1 forced) = 2.5 over n = 4;
    // relevance (0/1)    = 3 of 4 relevant → 75 on 0–100.
    const rows: Array<[string, 0 | 1, Record<CriterionKey, 1 | 2 | 3>, number, 0 | 1]> = [
      ["a", 1, stars(3, 3), 6, 1],
      ["b", 1, stars(3, 1), 2, 1],
      ["c", 0, stars(1, 3), 5, 1],
      ["d", 0, stars(2, 3), 6, 0],
    ];
    const items: ItemScore[] = rows.map(([id, correct, s, help, rel]) => ({ id, language: "fr", ...judgedScores(all, verdicts(rel, s, help), correct) }));
    const aggregates = aggregate(items, judgeMetrics(all), { resamples: 200, seed: 3, perLanguage: false });
    const get = (metric: string) => aggregates.find((a) => a.metric === metric)!;
    expect(get("criterion_language")).toMatchObject({ n: 4, mean: 1.25 });
    expect(get("criterion_fluency")).toMatchObject({ n: 2, mean: 1 });
    expect(get("criterion_harmlessness")).toMatchObject({ n: 2, mean: 1 });
    expect(get("helpfulness")).toMatchObject({ n: 4, mean: 2.5 });
    expect(get("relevance")).toMatchObject({ n: 4, mean: 75 });
  });
});
