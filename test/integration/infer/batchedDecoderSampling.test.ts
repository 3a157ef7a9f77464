// Sampling, forced response prefixes, per-prompt overrides and several adapters in the batched decoder,
// for real: node-llama-cpp on a tiny model the project writes and LoRA adapters written here in
// llama.cpp's adapter format.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchedDecoder, type BatchedDecodeSettings, type BatchedPrompt, type BatchedResult } from "../../../electron/engine/infer/BatchedDecoder.js";
import { promptTokensFor } from "../../../electron/engine/infer/GreedyRunner.js";
import { makeTempDir } from "../../support/tempDir.js";
import { closeTinyBatchedDecoder, collectResults, openTinyBatchedDecoder } from "../../support/tinyBatchedDecoder.js";
import { writeTinyAdapter } from "../../support/writeTinyAdapter.js";

const tmp = makeTempDir();
const modelPath = join(tmp.dir, "tiny.gguf");
const adapterA = join(tmp.dir, "a.gguf");
const adapterMinusA = join(tmp.dir, "minus-a.gguf");
let decoder: BatchedDecoder;

const prompts: BatchedPrompt[] = [
  "Hi",
  "The capital of France is",
  "Give me three tips for staying healthy.",
  "Translate into Portuguese: the house is small.",
  "Q: What is 2 + 2?\nA:",
  "Résumez ce texte en une phrase : le chat dort.",
].map((prompt, i) => ({ id: `p${i}`, prompt }));

async function run(d: BatchedDecoder, input: readonly BatchedPrompt[], settings: Partial<BatchedDecodeSettings> = {}): Promise<BatchedResult[]> {
  const out = await collectResults(d.decode(input, { parallel: 3, maxTokens: 8, repeatPenalty: 1.1, threads: 1, ...settings }));
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

beforeAll(async () => {
  writeTinyAdapter(adapterA, 3, 64);
  writeTinyAdapter(adapterMinusA, 3, 64, -1);
  ({ decoder } = await openTinyBatchedDecoder(modelPath));
}, 180_000);

afterAll(async () => {
  await closeTinyBatchedDecoder(decoder);
  tmp.cleanup();
});

describe("BatchedDecoder sampling", () => {
  it("gives the same text for the same seed whatever the parallelism and order, and other texts for other seeds", async () => {
    const sampled = { temperature: 1, topP: 1, seed: 7 };
    const one = await run(decoder, prompts, { ...sampled, parallel: 1 });
    const shuffled = [prompts[4]!, prompts[1]!, prompts[5]!, prompts[0]!, prompts[3]!, prompts[2]!];
    const three = await run(decoder, shuffled, { ...sampled, parallel: 3 });
    expect(three.map((r) => r.tokens)).toEqual(one.map((r) => r.tokens));
    expect(three.map((r) => r.text)).toEqual(one.map((r) => r.text));
    const greedy = await run(decoder, prompts);
    // At T=1 over a random model's near-flat distribution, sampling leaves the greedy path.
    expect(one.some((r, i) => r.tokens.join() !== greedy[i]!.tokens.join())).toBe(true);
    const other = await run(decoder, prompts, { ...sampled, seed: 8 });
    expect(other.some((r, i) => r.text !== one[i]!.text)).toBe(true);
  }, 900_000);

  it("decodes greedily at temperature 0, and top-p that keeps only the likeliest token equals greedy with the same penalty", async () => {
    const greedy = await run(decoder, prompts, { repeatPenalty: 1.3 });
    const zero = await run(decoder, prompts, { repeatPenalty: 1.3, temperature: 0, seed: 5 });
    expect(zero.map((r) => r.tokens)).toEqual(greedy.map((r) => r.tokens));
    // llama.cpp's top-p keeps at least one token: the likeliest after the penalty, as greedy picks.
    const nucleus = await run(decoder, prompts, { repeatPenalty: 1.3, temperature: 1, topP: 1e-9, seed: 5 });
    expect(nucleus.map((r) => r.tokens)).toEqual(greedy.map((r) => r.tokens));
  }, 900_000);

  it("refuses bad sampling settings", async () => {
    await expect(decoder.decode(prompts, { parallel: 1, maxTokens: 4, temperature: -1 }).next()).rejects.toMatchObject({ code: "invalid-setting", where: "temperature" });
    await expect(decoder.decode(prompts, { parallel: 1, maxTokens: 4, temperature: 1, topP: 0 }).next()).rejects.toMatchObject({ code: "invalid-setting", where: "topP" });
    await expect(decoder.decode(prompts, { parallel: 1, maxTokens: 4, temperature: 1, seed: -1 }).next()).rejects.toMatchObject({ code: "invalid-setting", where: "seed" });
  });
});

describe("BatchedDecoder response prefix and per-prompt overrides", () => {
  it("decodes prompt P with prefix X as the raw prompt P+X, where their tokens agree", async () => {
    const model = decoder.model;
    const pairs = [
      ["The capital of France is", " Paris, and the capital of Spain is"],
      ["Q: What is 2 + 2?\nA:", " The answer is"],
    ] as const;
    for (const [p, x] of pairs) {
      // The decoder feeds tokens(P) then tokens(X) as continuing text; the raw prompt is tokens(P+X).
      // They agree here because X starts at a word boundary (SentencePiece pieces start with the space).
      const prefixTokens = model.tokenize(x, false, "trimLeadingSpace");
      expect([...promptTokensFor(model, p, "raw"), ...prefixTokens]).toEqual(promptTokensFor(model, p + x, "raw"));
    }
    // Inside a word they do not: "capit" + "al" are other pieces than "capital". The decoder then feeds
    // the pieces as given, which is what forcing a prefix means.
    expect([...promptTokensFor(model, "The capit", "raw"), ...model.tokenize("al", false, "trimLeadingSpace")]).not.toEqual(promptTokensFor(model, "The capital", "raw"));

    const withPrefix = await run(decoder, pairs.map(([p, x], i) => ({ id: `q${i}`, prompt: p, responsePrefix: x })));
    const raw = await run(decoder, pairs.map(([p, x], i) => ({ id: `q${i}`, prompt: p + x })));
    expect(withPrefix.map((r) => r.tokens)).toEqual(raw.map((r) => r.tokens));
    expect(withPrefix.map((r) => r.promptTokens)).toEqual(raw.map((r) => r.promptTokens));
    withPrefix.forEach((r, i) => {
      const [p, x] = pairs[i]!;
      // The text excludes the prefix and reads on from it: prompt + prefix + text is the whole decode.
      expect(r.text.startsWith(x)).toBe(false);
      const whole = model.detokenize([...promptTokensFor(model, p + x, "raw"), ...r.tokens]);
      expect(whole.endsWith(x + r.text)).toBe(true);
    });
    // The penalty's history holds the prefix: a huge penalty never repeats one of its tokens.
    const penalised = await run(decoder, [{ id: "r", prompt: "Hi", responsePrefix: " Paris Paris London Rome Madrid" }], { repeatPenalty: 1e4, repeatLastN: 1024 });
    const prefixSet = new Set(model.tokenize(" Paris Paris London Rome Madrid", false, "trimLeadingSpace"));
    for (const t of penalised[0]!.tokens) expect(prefixSet.has(t)).toBe(false);
  }, 900_000);

  it("lets a prompt override maxTokens and stop", async () => {
    const base = await run(decoder, prompts, { maxTokens: 10 });
    const sample = base.find((r) => r.text.trim().length > 8)!;
    const stop = sample.text.slice(Math.floor(sample.text.length / 2), Math.floor(sample.text.length / 2) + 3);
    const input = prompts.map((p) => (p.id === sample.id ? { ...p, stop: [stop] } : p.id === "p0" ? { ...p, maxTokens: 3, stop: [] } : p));
    const out = await run(decoder, input, { maxTokens: 10, stop: ["\u0000never"] });
    const byId = new Map(out.map((r) => [r.id, r]));
    expect(byId.get(sample.id)).toMatchObject({ stopReason: "stop", text: sample.text.slice(0, sample.text.indexOf(stop)) });
    if (sample.id !== "p0") expect(byId.get("p0")!.tokens).toEqual(base.find((r) => r.id === "p0")!.tokens.slice(0, 3));
    // The others keep the settings' budget and are unchanged.
    for (const r of out.filter((x) => x.id !== sample.id && x.id !== "p0")) expect(r.tokens).toEqual(base.find((b) => b.id === r.id)!.tokens);
  }, 900_000);
});

describe("BatchedDecoder adapters", () => {
  it("applies several adapters together at scale 1: an adapter and its negation cancel", async () => {
    const base = await run(decoder, prompts);
    const a = await run(BatchedDecoder.forModel(decoder.model, adapterA), prompts);
    expect(a.some((r, i) => r.tokens.join() !== base[i]!.tokens.join())).toBe(true);
    const aList = await run(BatchedDecoder.forModel(decoder.model, [adapterA]), prompts);
    expect(aList.map((r) => r.tokens)).toEqual(a.map((r) => r.tokens));
    const cancelled = await run(BatchedDecoder.forModel(decoder.model, [adapterA, adapterMinusA]), prompts);
    expect(cancelled.map((r) => r.tokens)).toEqual(base.map((r) => r.tokens));
  }, 900_000);

  it("names the adapter that does not fit", async () => {
    // A model file is no adapter: llama.cpp refuses it, and the error says which of the two it was.
    const bad = BatchedDecoder.forModel(decoder.model, [adapterA, modelPath]);
    await expect(run(bad, prompts.slice(0, 1))).rejects.toMatchObject({ code: "adapter-load-failed", where: modelPath });
    const missing = BatchedDecoder.forModel(decoder.model, [join(tmp.dir, "missing.gguf")]);
    await expect(run(missing, prompts.slice(0, 1))).rejects.toMatchObject({ code: "file-missing", where: join(tmp.dir, "missing.gguf") });
  }, 900_000);
});
