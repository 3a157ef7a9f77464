// Log-likelihood scoring of continuations (rank classification), for real: node-llama-cpp on a tiny
// model the project writes, checked against log-probabilities read independently, one token per
// decode through node-llama-cpp's full-vocabulary probabilities.
import { join } from "node:path";
import type { LlamaModel, Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchedDecoder, ContinuationItem, ContinuationResult } from "../../../electron/engine/infer/BatchedDecoder.js";
import { encodeContinuationPair } from "../../../electron/engine/infer/ContinuationScorer.js";
import { makeTempDir } from "../../support/tempDir.js";
import { closeTinyBatchedDecoder, collectResults, openTinyBatchedDecoder } from "../../support/tinyBatchedDecoder.js";

const tmp = makeTempDir();
const modelPath = join(tmp.dir, "tiny.gguf");
let decoder: BatchedDecoder;
let model: LlamaModel;
let vocabSize = 0;

const items: ContinuationItem[] = [
  { id: "nli", context: "The cat sleeps on the sofa. Question: The cat is awake? True, False or Neither? Answer:", continuations: [" True", " False", " Neither"] },
  { id: "trail", context: "Q: What is 2 + 2?\nA: ", continuations: ["4", "four", "5"] },
  { id: "empty", context: "", continuations: ["Hello world", "Bonjour"] },
  { id: "fr", context: "Le chat dort sur le canapé, donc", continuations: [" il est fatigué", " il court"] },
];

async function score(parallel: number, input = items): Promise<ContinuationResult[]> {
  const out = await collectResults(decoder.scoreContinuations(input, { parallel, threads: 1 }));
  return out.sort((a, b) => a.index - b.index);
}

/**
 * The reference: a fresh single-sequence context, one token per decode, log of node-llama-cpp's
 * full-vocabulary probability (temperature 0 leaves the logits untouched) of each continuation token.
 */
async function referenceLoglikelihood(context: Token[], continuation: Token[]): Promise<{ ll: number; sums: number[]; sizes: number[] }> {
  // The scorer's precision (F32 KV cache, no flash attention), reached another way: one token per decode.
  const ctx = await model.createContext({ contextSize: 256, sequences: 1, threads: 1, flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" });
  try {
    const sequence = ctx.getSequence();
    const all = [...context, ...continuation];
    let ll = 0;
    const sums: number[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < all.length - 1; i++) {
      const wants = i >= context.length - 1;
      const [out] = await sequence.controlledEvaluate([wants ? [all[i]!, { generateNext: { probabilities: true } }] : all[i]!]);
      if (!wants) continue;
      const probabilities = out?.next?.probabilities;
      if (!probabilities) throw new Error("no probabilities");
      let sum = 0;
      for (const p of probabilities.values()) sum += p;
      sums.push(sum);
      sizes.push(probabilities.size);
      ll += Math.log(probabilities.get(all[i + 1]!)!);
    }
    return { ll, sums, sizes };
  } finally {
    await ctx.dispose();
  }
}

beforeAll(async () => {
  ({ decoder, vocabSize } = await openTinyBatchedDecoder(modelPath));
  model = decoder.model;
}, 180_000);

afterAll(async () => {
  await closeTinyBatchedDecoder(decoder);
  tmp.cleanup();
});

describe("encodeContinuationPair", () => {
  it("splits context + continuation tokenised together at the context's length, moving trailing whitespace", () => {
    const bos = model.tokens.bos!;
    expect(model.tokens.shouldPrependBosToken).toBe(true);
    const pair = encodeContinuationPair(model, "Q: What is 2 + 2?\nA: ", "4");
    expect(pair.context).toEqual([bos, ...model.tokenize("Q: What is 2 + 2?\nA:")]);
    expect(pair.continuation).toEqual(model.tokenize("Q: What is 2 + 2?\nA: 4").slice(model.tokenize("Q: What is 2 + 2?\nA:").length));
    // The same as giving the space to the continuation in the first place.
    expect(encodeContinuationPair(model, "Q: What is 2 + 2?\nA:", " 4")).toEqual(pair);
    // An empty context: the continuation after BOS alone.
    expect(encodeContinuationPair(model, "", "Hello world")).toEqual({ context: [bos], continuation: model.tokenize("Hello world") });
  });
});

describe("BatchedDecoder.scoreContinuations", () => {
  it("matches log-probabilities read one token at a time over the full vocabulary, to 1e-4", async () => {
    const scored = await score(2);
    expect(scored.map((r) => r.id)).toEqual(items.map((i) => i.id));
    for (const [k, item] of items.entries()) {
      const result = scored[k]!;
      expect(result.loglikelihoods).toHaveLength(item.continuations.length);
      for (const [c, continuation] of item.continuations.entries()) {
        const pair = encodeContinuationPair(model, item.context, continuation);
        expect(result.tokenCounts[c]).toBe(pair.continuation.length);
        const reference = await referenceLoglikelihood(pair.context, pair.continuation);
        // The reference's distribution is the raw one: every token of the vocabulary, summing to 1.
        for (const s of reference.sums) expect(s).toBeCloseTo(1, 4);
        for (const n of reference.sizes) expect(n).toBe(vocabSize);
        expect(Math.abs(result.loglikelihoods[c]! - reference.ll)).toBeLessThan(1e-4);
        expect(result.loglikelihoods[c]!).toBeLessThan(0);
      }
    }
  }, 900_000);

  it("gives the same scores one item at a time and four at a time", async () => {
    const one = await score(1);
    const four = await score(4);
    four.forEach((r, k) => r.loglikelihoods.forEach((ll, c) => expect(Math.abs(ll - one[k]!.loglikelihoods[c]!)).toBeLessThan(1e-4)));
  }, 900_000);

  it("ranks the greedy continuation first", async () => {
    // The greedy continuation of a context's own tokens, decoded without any penalty. A random model
    // often emits byte pieces that detokenise to part of a character and tokenise back differently;
    // the ranking is checked on the contexts whose greedy text splits back into the greedy tokens.
    const contexts = ["The capital of France is", "Once upon a time", "Q: What is 2 + 2?\nA:", "Le chat dort sur", "Give me three tips", "1 2 3 4"];
    let checked = 0;
    for (const context of contexts) {
      const pair = encodeContinuationPair(model, context, " x");
      const ctx = await model.createContext({ contextSize: 128, sequences: 1, threads: 1 });
      const greedy: Token[] = [];
      try {
        for await (const token of ctx.getSequence().evaluate(pair.context, { temperature: 0 })) {
          greedy.push(token);
          if (greedy.length >= 4) break;
        }
      } finally {
        await ctx.dispose();
      }
      const greedyText = model.detokenize(greedy, false, pair.context);
      if (encodeContinuationPair(model, context, greedyText).continuation.join() !== greedy.join()) continue;
      checked++;
      const others = [" Paris and Rome", " a small town", " not known at"];
      const [result] = await score(1, [{ id: "g", context, continuations: [...others, greedyText] }]);
      const best = result!.loglikelihoods.indexOf(Math.max(...result!.loglikelihoods));
      expect(best).toBe(3);
    }
    expect(checked).toBeGreaterThan(0);
  }, 900_000);

  it("refuses items it cannot score, by id", async () => {
    await expect(decoder.scoreContinuations([{ id: "none", context: "a", continuations: [] }], { parallel: 1 }).next()).rejects.toMatchObject({ code: "no-continuations", where: "none" });
    await expect(decoder.scoreContinuations([{ id: "blank", context: "a", continuations: [""] }], { parallel: 1 }).next()).rejects.toMatchObject({ code: "empty-continuation", where: "blank.continuations[0]" });
    await expect(decoder.scoreContinuations([{ id: "long", context: "word ".repeat(200), continuations: [" x"] }], { parallel: 1, contextSize: 64 }).next()).rejects.toMatchObject({ code: "prompt-too-long", where: "long" });
  });
});
