// From a judge's raw answers to the stored score, on crafted answers a tiny random-weights judge cannot
// be relied on to write: each answer recorded and read exactly as LlmJudge does (readAttempt), then the
// papers' rules applied (judgedScores). Relevance is free text, so its reading is what this pins down.
import { describe, expect, it } from "vitest";
import { judgedScores } from "../../../electron/engine/eval/judge/judgeOpenItems.js";
import { readAttempt, type JudgeVerdict } from "../../../electron/engine/eval/judge/LlmJudge.js";
import { parseModifierVerdict, parseRelevance } from "../../../electron/engine/eval/judge/parseJudgeOutput.js";

const provenance = { model: "fp1:abc", prompt: "sha256:0123" };

/** The verdict LlmJudge builds from these answers in turn: at most two, stopping at the first that reads. */
function verdictFrom<T>(answers: readonly string[], parse: (text: string) => T | null): JudgeVerdict<T> {
  const verdict: JudgeVerdict<T> = { value: null, attempts: [], ...provenance };
  for (const text of answers.slice(0, 2)) if (readAttempt(verdict, text, "eos", parse)) break;
  return verdict;
}

describe("relevance from the judge's free text to the item's score", () => {
  it("an explanation then a verdict: the last 0 or 1 is the score", () => {
    const verdict = verdictFrom(["The response lists 3 tips about health, which is what the instruction asks for. 1"], parseRelevance);
    expect(verdict.value).toBe(1);
    expect(verdict.attempts).toEqual([{ text: "The response lists 3 tips about health, which is what the instruction asks for. 1", stopReason: "eos", parsed: true }]);
    const { scores, detail } = judgedScores(["relevance"], { relevance: verdict }, 1);
    expect(scores).toEqual({ relevance: 1 });
    expect((detail.judge as { relevance: unknown }).relevance).toEqual(verdict);
  });

  it("a verdict that changes its mind counts as its last word, also for a wrong-language response", () => {
    const verdict = verdictFrom(["At first 1 seems right, but the response talks about cooking instead.\nAnswer: 0"], parseRelevance);
    expect(judgedScores(["relevance"], { relevance: verdict }, 0).scores).toEqual({ relevance: 0 });
  });

  it("no verdict in the first answer: asked again, the second answer counts", () => {
    const verdict = verdictFrom(["The response is about 10 tips from 2021.", "It answers the instruction: 1"], parseRelevance);
    expect(verdict.attempts.map((a) => a.parsed)).toEqual([false, true]);
    expect(judgedScores(["relevance"], { relevance: verdict }, 1).scores.relevance).toBe(1);
  });

  it("no verdict twice: missing, never 0, with both answers kept", () => {
    const verdict = verdictFrom(["Relevant.", "Rated 10 out of 10", "1"], parseRelevance);
    expect(verdict.value).toBeNull();
    expect(verdict.attempts).toHaveLength(2);
    expect(judgedScores(["relevance"], { relevance: verdict }, 1).scores).toEqual({ relevance: null });
  });
});

describe("modifier fulfilment from the judge's JSON", () => {
  it("reads 0 or 1 under fulfilled, with or without an explanation", () => {
    expect(parseModifierVerdict('{"explanation": "Three sentences: brief.", "fulfilled": 1}')).toEqual({ fulfilled: 1, explanation: "Three sentences: brief." });
    expect(parseModifierVerdict('{"fulfilled": 0}')).toEqual({ fulfilled: 0, explanation: null });
  });
  it("is missing for anything else", () => {
    expect(parseModifierVerdict('{"fulfilled": 2}')).toBeNull();
    expect(parseModifierVerdict('{"fulfilled": "1"}')).toBeNull();
    expect(parseModifierVerdict('{"explanation": "ok"}')).toBeNull();
    expect(parseModifierVerdict('{"fulfilled": ')).toBeNull();
    expect(parseModifierVerdict("yes, 1")).toBeNull();
  });
});
