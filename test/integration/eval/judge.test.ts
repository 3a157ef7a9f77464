// The judge for real: node-llama-cpp decoding on a tiny random-weights model the project writes. Such
// a model judges nothing, but the JSON-schema grammar must still make every criteria and helpfulness
// answer a schema-valid object, relevance must be read from free text, and every score must be in
// range or missing with its attempts (the retry included) recorded next to the fingerprint and hash.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fastFingerprint } from "../../../electron/engine/models/fingerprintFile.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { judgePromptHash } from "../../../electron/engine/eval/judge/judgePrompts.js";
import { LlmJudge, type JudgeVerdict } from "../../../electron/engine/eval/judge/LlmJudge.js";
import { parseCriteria, parseHelpfulness, parseRelevance } from "../../../electron/engine/eval/judge/parseJudgeOutput.js";
import { scoreOpenSuite } from "../../../electron/engine/eval/suites/scoreOpenSuite.js";
import { createEngine } from "../../../electron/engine/createEngine.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir("polytune-judge-");
const modelPath = join(tmp.dir, "tiny-judge.gguf");
let fingerprint: string;

beforeAll(async () => {
  await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 11, contextLength: 2048 });
  fingerprint = fastFingerprint(modelPath);
}, 120_000);
afterAll(() => tmp.cleanup());

/** Each attempt's raw text parses exactly when it says so, at most two attempts, and the value matches the last. */
function checkAttempts<T>(verdict: JudgeVerdict<T>, parse: (text: string) => T | null): void {
  expect(verdict.model).toBe(fingerprint);
  expect(verdict.attempts.length).toBeGreaterThanOrEqual(1);
  expect(verdict.attempts.length).toBeLessThanOrEqual(2);
  for (const a of verdict.attempts) expect(a.parsed).toBe(parse(a.text) !== null);
  const last = verdict.attempts.at(-1)!;
  if (verdict.value === null) {
    // Missing only after the retry failed too.
    expect(verdict.attempts).toHaveLength(2);
    expect(verdict.attempts.every((a) => !a.parsed)).toBe(true);
  } else {
    expect(last.parsed).toBe(true);
    expect(verdict.value).toEqual(parse(last.text));
    // A first answer that parsed is never asked again.
    if (verdict.attempts.length === 2) expect(verdict.attempts[0]!.parsed).toBe(false);
  }
}

describe("a local GGUF judge through node-llama-cpp", () => {
  it("answers every judgement in range or missing, with the retry recorded", async () => {
    const judge = await LlmJudge.open({ modelPath, gpu: "cpu", contextSize: 2048, maxTokens: 320, threads: 1 });
    try {
      const task = "Give me three tips for staying healthy.";
      const response = "Eat a balanced diet, exercise regularly and get enough sleep every night.";
      const relevance = await judge.relevance(task, response);
      checkAttempts(relevance, parseRelevance);
      expect(relevance.prompt).toBe(judgePromptHash("relevance"));
      // Random weights may write no 0 or 1 at all; how free text becomes a score is pinned on crafted answers in test/unit/eval/judgeReading.test.ts.
      expect([0, 1, null]).toContain(relevance.value);

      const criteria = await judge.criteria(task, response);
      checkAttempts(criteria, parseCriteria);
      expect(criteria.prompt).toBe(judgePromptHash("criteria"));
      // With room to finish, the grammar makes even random weights write a complete, valid object.
      expect(criteria.value).not.toBeNull();
      for (const stars of Object.values(criteria.value!)) expect([1, 2, 3]).toContain(stars);
      // The grammar allows only the schema's shape: whatever was written is a prefix of an object with those keys.
      for (const a of criteria.attempts) {
        expect(a.text.trimStart().startsWith("{")).toBe(true);
        if (a.stopReason === "eos") expect(a.parsed).toBe(true);
      }

      const helpfulness = await judge.helpfulness(task, response);
      checkAttempts(helpfulness, parseHelpfulness);
      expect(helpfulness.value).not.toBeNull();
      expect([1, 2, 3, 4, 5, 6]).toContain(helpfulness.value!.score);
      for (const a of helpfulness.attempts) if (a.stopReason === "eos") expect(a.parsed).toBe(true);
    } finally {
      await judge.dispose();
    }
  }, 300_000);

  it("retries an answer cut short, then records it as missing, never as a number", async () => {
    // 24 tokens cannot hold the six-key object (the model above needed more than 48 for five keys).
    const judge = await LlmJudge.open({ modelPath, gpu: "cpu", contextSize: 2048, maxTokens: 24, threads: 1 });
    try {
      const criteria = await judge.criteria("Name a colour.", "Blue.");
      expect(criteria.value).toBeNull();
      expect(criteria.attempts).toHaveLength(2);
      for (const a of criteria.attempts) {
        expect(a).toMatchObject({ stopReason: "maxTokens", parsed: false });
        expect(a.text.trimStart().startsWith("{")).toBe(true);
      }
      // The retry samples, so it is a second answer, not the first repeated.
      expect(criteria.attempts[1]!.text).not.toBe(criteria.attempts[0]!.text);
      expect(criteria.model).toBe(fingerprint);
    } finally {
      await judge.dispose();
    }
  }, 300_000);

  it("scores the open suite with the judge: ranges, forcing, and provenance in every item", async () => {
    const predictions = join(tmp.dir, "open.jsonl");
    const rows = [
      { id: "en-1", language: "en", prompt: "Give me three tips for staying healthy.", prediction: "Eat a balanced diet, exercise regularly and get enough sleep every night." },
      // A French prompt answered in English: lid.176 says en, so helpfulness is forced to 1 and only the language criterion counts.
      { id: "fr-en", language: "fr", prompt: "Donne-moi trois conseils pour rester en bonne santé.", prediction: "Eat a balanced diet, exercise regularly and get enough sleep every night." },
    ];
    writeFileSync(predictions, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const score = await scoreOpenSuite({ predictions, judge: { model: modelPath, judgements: ["relevance", "criteria", "helpfulness"], gpu: "cpu", contextSize: 2048, maxTokens: 320, threads: 1 }, resamples: 50 });

    const en = score.items.find((i) => i.id === "en-1")!;
    const fr = score.items.find((i) => i.id === "fr-en")!;
    expect(en.scores.language_correctness).toBe(1);
    expect(fr.scores.language_correctness).toBe(0);
    expect(fr.scores.helpfulness).toBe(1);
    // With room to finish, the grammar-bound answers of the English item are all there.
    expect([1, 2, 3, 4, 5, 6]).toContain(en.scores.helpfulness);
    for (const k of ["language", "fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness"]) expect([0, 1, 2]).toContain(en.scores[`criterion_${k}`]);
    expect([0, 1, 2]).toContain(fr.scores.criterion_language);
    for (const k of ["fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness"]) expect(fr.scores[`criterion_${k}`]).toBeNull();
    for (const item of score.items) {
      const s = item.scores;
      expect([0, 1, null]).toContain(s.relevance);
      expect([1, 2, 3, 4, 5, 6, null]).toContain(s.helpfulness);
      for (const k of ["language", "fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness"]) expect([0, 1, 2, null]).toContain(s[`criterion_${k}`]);
      const judged = item.detail!.judge as Record<string, { model?: string; prompt?: string }>;
      expect(judged.relevance!.model).toBe(fingerprint);
      expect(judged.relevance!.prompt).toBe(judgePromptHash("relevance"));
      expect(judged.criteria!.model).toBe(fingerprint);
    }
    // The English item was judged for helpfulness (fingerprint stored); the French one was forced without asking.
    expect((en.detail!.judge as Record<string, { model: string }>).helpfulness!.model).toBe(fingerprint);
    expect(JSON.stringify(fr.detail!.judge)).toContain("forced to 1");
    expect(score.notes.some((n) => n.startsWith("judge: "))).toBe(true);
  }, 300_000);

  it("runs through eval.score with the judge named by its library id", async () => {
    const engine = await createEngine({ home: join(tmp.dir, "home") });
    try {
      const added = await engine.call("models.add", { path: modelPath });
      const id = added.added[0]!.id;
      const predictions = join(tmp.dir, "engine.jsonl");
      writeFileSync(predictions, JSON.stringify({ id: "en-1", language: "en", prompt: "Name a colour.", prediction: "Blue is a colour that many people like very much." }) + "\n");
      const score = await engine.call("eval.score", { suite: "open", predictions, judge: { model: id, judgements: ["criteria"], gpu: "cpu", contextSize: 2048, maxTokens: 320 }, resamples: 20 });
      const item = score.items[0]!;
      expect([0, 1, 2]).toContain(item.scores.criterion_language);
      expect((item.detail!.judge as { criteria: { model: string; prompt: string } }).criteria).toMatchObject({ model: fingerprint, prompt: judgePromptHash("criteria") });
      expect(score.aggregates.find((a) => a.metric === "criterion_language" && a.language === null)?.n).toBe(1);
      // Only what was asked: no relevance or helpfulness columns.
      expect(item.scores).not.toHaveProperty("relevance");
      expect(item.scores).not.toHaveProperty("helpfulness");
    } finally {
      await engine.close();
    }
  }, 300_000);

  it("refuses a judge run on predictions without prompts, naming the line and field", async () => {
    const predictions = join(tmp.dir, "no-prompt.jsonl");
    writeFileSync(predictions, JSON.stringify({ id: "x", language: "en", prediction: "Hello there, friend." }) + "\n");
    const error = await scoreOpenSuite({ predictions, judge: { model: modelPath, judgements: ["relevance"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolytuneError);
    expect((error as PolytuneError).where).toBe(`${predictions}:1: prompt`);
  }, 120_000);
});
