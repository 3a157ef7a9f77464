// Reading a judge's raw output: every hand-written malformed answer must give null (missing), never a
// number, and every well-formed one exactly its value.
import { describe, expect, it } from "vitest";
import { parseCriteria, parseHelpfulness, parseRelevance } from "../../../electron/engine/eval/judge/parseJudgeOutput.js";
import { criteriaSchema, helpfulnessSchema, judgePrompt, judgePromptHash } from "../../../electron/engine/eval/judge/judgePrompts.js";

describe("relevance: the last 0 or 1 the judge writes counts", () => {
  it("reads a lone verdict", () => {
    expect(parseRelevance("The response answers the question. 1")).toBe(1);
    expect(parseRelevance("0")).toBe(0);
  });
  it("takes the last of several 0s and 1s", () => {
    expect(parseRelevance("It could be 1, but it ignores the question, so 0")).toBe(0);
    expect(parseRelevance("0 at first sight; on reflection 1.")).toBe(1);
    expect(parseRelevance("Score: 0\nCorrection: 1\n")).toBe(1);
  });
  it("does not read 0 or 1 out of longer numbers or decimals", () => {
    // "10", "2021", "0.5" and "1,5" are numbers, not verdicts; the last real verdict is the first 1.
    expect(parseRelevance("1 — it lists 10 tips from 2021, rated 0.5 and 1,5")).toBe(1);
    expect(parseRelevance("Rated 10 out of 10")).toBeNull();
  });
  it("is missing when no digit is written", () => {
    expect(parseRelevance("The response is relevant.")).toBeNull();
    expect(parseRelevance("")).toBeNull();
    expect(parseRelevance("2 3 4")).toBeNull();
  });
});

describe("the six criteria of paper 002 (1–3 stars)", () => {
  const full = { language: 3, fluency: 2, helpfulness: 1, accuracy: 3, logical_coherence: 2, harmlessness: 3 };
  it("reads a complete object, also with prose around it", () => {
    expect(parseCriteria(JSON.stringify(full))).toEqual(full);
    expect(parseCriteria(`Here are the scores: ${JSON.stringify(full)} Done.`)).toEqual(full);
  });
  it("is missing when a key is missing", () => {
    const { accuracy: _dropped, ...partial } = full;
    expect(parseCriteria(JSON.stringify(partial))).toBeNull();
  });
  it("is missing when a star count is out of range, fractional or a string", () => {
    expect(parseCriteria(JSON.stringify({ ...full, fluency: 4 }))).toBeNull();
    expect(parseCriteria(JSON.stringify({ ...full, fluency: 0 }))).toBeNull();
    expect(parseCriteria(JSON.stringify({ ...full, fluency: 2.5 }))).toBeNull();
    expect(parseCriteria(JSON.stringify({ ...full, fluency: "3" }))).toBeNull();
  });
  it("is missing when the text is not a JSON object", () => {
    expect(parseCriteria('{"language": 3, "fluency": ')).toBeNull();
    expect(parseCriteria("[3,3,3,3,3,3]")).toBeNull();
    expect(parseCriteria("3 stars everywhere")).toBeNull();
  });
});

describe("helpfulness of paper 003 (1–6)", () => {
  it("reads the score and keeps the explanation", () => {
    expect(parseHelpfulness('{"explanation": "Complete and correct.", "score": 6}')).toEqual({ score: 6, explanation: "Complete and correct." });
    expect(parseHelpfulness('{"score": 1}')).toEqual({ score: 1, explanation: null });
  });
  it("is missing when the score is absent, out of range or not whole", () => {
    expect(parseHelpfulness('{"explanation": "fine"}')).toBeNull();
    expect(parseHelpfulness('{"score": 7}')).toBeNull();
    expect(parseHelpfulness('{"score": 0}')).toBeNull();
    expect(parseHelpfulness('{"score": 4.5}')).toBeNull();
    expect(parseHelpfulness("I would give it 5")).toBeNull();
  });
});

describe("prompts and grammars", () => {
  it("fills the task and response literally and hashes only the template", () => {
    const prompt = judgePrompt("criteria", "Name a colour.", "Blue costs $& nothing.");
    expect(prompt).toContain("[Task]: Name a colour.");
    expect(prompt).toContain("[Submission]: Blue costs $& nothing.");
    expect(judgePromptHash("criteria")).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(judgePromptHash("criteria")).not.toBe(judgePromptHash("helpfulness"));
  });
  it("allows in the grammar exactly the values the parsers accept", () => {
    expect(Object.keys(criteriaSchema.properties)).toEqual(["language", "fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness"]);
    for (const p of Object.values(criteriaSchema.properties)) expect(p.enum).toEqual([1, 2, 3]);
    expect(helpfulnessSchema.properties.score.enum).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
