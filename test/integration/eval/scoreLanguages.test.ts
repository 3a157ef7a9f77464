// eval.languages on real greedy decoding: a tiny model's own answers, decoded through the same call the
// "try it" panel uses, become the expected answers of some examples, so the scores are known.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { loadLanguageIdentifier } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir("polytune-eval-");
const modelPath = join(tmp.dir, "tiny.gguf");
let engine: PolytuneEngine;
const answers: string[] = [];
const prompts = ["Sag hallo.", "Dis bonjour."];

beforeAll(async () => {
  await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 11 });
  engine = new PolytuneEngine({ home: join(tmp.dir, "home") });
  for (const [i, prompt] of prompts.entries()) {
    const result = await engine.call("models.try", { model: modelPath, prompt, maxTokens: 6, repeatPenalty: 1, gpu: "cpu", format: "alpaca", requestId: `t${i}` });
    answers.push(result.text.trim());
  }
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

function dataFile(name: string, rows: Array<{ instruction: string; output: string; lang: string }>): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return path;
}

describe("eval.languages", () => {
  it("counts, per language, the prompts whose greedy answer is the expected one", async () => {
    expect(answers.every((a) => a.length > 0), "the tiny model answers something").toBe(true);
    const data = dataFile("scored.jsonl", [
      { instruction: prompts[0]!, output: answers[0]!, lang: "de" },
      { instruction: prompts[0]!, output: `${answers[0]} and more`, lang: "de" },
      { instruction: prompts[1]!, output: answers[1]!, lang: "fr" },
      { instruction: prompts[1]!, output: "Bonjour !", lang: "it" },
    ]);
    const progress: Array<[number, number | null]> = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "progress") {
        const p = payload as { task: string; done: number; total: number | null };
        if (p.task === "eval.languages") progress.push([p.done, p.total]);
      }
    });
    const scores = await engine.call("eval.languages", { model: modelPath, data, maxTokens: 6, gpu: "cpu" }).finally(off);
    expect(scores.examples).toBe(4);
    // Language correctness: the answer's lid.176 label is the prompt's language, counted here per prompt.
    const identifier = await loadLanguageIdentifier();
    const inLanguage = (answer: string, language: string): number => (identifier.identify(answer).language === language ? 1 : 0);
    expect(scores.languages).toEqual([
      { language: "de", examples: 2, base: { exact: 1, languageCorrect: 2 * inLanguage(answers[0]!, "de") }, tuned: null, sample: { prompt: prompts[0], expected: answers[0], base: answers[0], tuned: null } },
      { language: "fr", examples: 1, base: { exact: 1, languageCorrect: inLanguage(answers[1]!, "fr") }, tuned: null, sample: { prompt: prompts[1], expected: answers[1], base: answers[1], tuned: null } },
      { language: "it", examples: 1, base: { exact: 0, languageCorrect: inLanguage(answers[1]!, "it") }, tuned: null, sample: { prompt: prompts[1], expected: "Bonjour !", base: answers[1], tuned: null } },
    ]);
    expect(progress).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  }, 120_000);

  it("decodes a second pass with the adapter, and says when the adapter does not fit", async () => {
    const data = dataFile("one.jsonl", [{ instruction: prompts[0]!, output: answers[0]!, lang: "de" }]);
    const result = await engine.dispatch("eval.languages", { model: modelPath, data, adapter: modelPath, maxTokens: 6, gpu: "cpu" }, "ipc");
    expect(result).toMatchObject({ ok: false, error: { code: "adapter-load-failed", where: modelPath } });
  }, 120_000);

  it("refuses a data file that is not there, naming it, before decoding anything", async () => {
    const missing = join(tmp.dir, "missing.jsonl");
    const result = await engine.dispatch("eval.languages", { model: modelPath, data: missing }, "ipc");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(`${result.error.message} ${result.error.where ?? ""}`).toContain(missing);
  });
});
