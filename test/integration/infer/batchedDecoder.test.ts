// Batched greedy decoding for real: node-llama-cpp on a tiny model the project writes. Greedy outputs
// must not depend on how many sequences share the context, nor on which prompts are decoded beside
// each one, so the same 8 prompts (of different lengths) are decoded alone and 4 and 8 at a time.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchedDecoder, BatchedPrompt, BatchedResult } from "../../../electron/engine/infer/BatchedDecoder.js";
import { makeTempDir } from "../../support/tempDir.js";
import { closeTinyBatchedDecoder, collectResults, openTinyBatchedDecoder } from "../../support/tinyBatchedDecoder.js";

const tmp = makeTempDir();
const modelPath = join(tmp.dir, "tiny.gguf");
let decoder: BatchedDecoder;

const prompts: BatchedPrompt[] = [
  "Hi",
  "The capital of France is",
  "Give me three tips for staying healthy, and explain why each one matters for a long life.",
  "Translate into Portuguese: the house is small but the garden is large and full of flowers.",
  "1 2 3 4 5",
  "Once upon a time, in a village at the edge of a great forest, there lived an old woodcutter who",
  "Q: What is 2 + 2?\nA:",
  "Résumez ce texte en une phrase : le chat dort sur le canapé depuis ce matin.",
].map((prompt, i) => ({ id: `p${i}`, prompt }));

async function collect(parallel: number, extra: Partial<Parameters<BatchedDecoder["decode"]>[1]> = {}): Promise<BatchedResult[]> {
  return collectResults(decoder.decode(prompts, { parallel, maxTokens: 12, repeatPenalty: 1.1, ...extra }));
}

const byIndex = (rs: BatchedResult[]) => [...rs].sort((a, b) => a.index - b.index);

beforeAll(async () => {
  ({ decoder } = await openTinyBatchedDecoder(modelPath));
}, 180_000);

afterAll(async () => {
  await closeTinyBatchedDecoder(decoder);
  tmp.cleanup();
});

describe("BatchedDecoder", () => {
  it("gives every prompt the same greedy tokens alone, 4 at a time and 8 at a time", async () => {
    const alone = byIndex(await collect(1));
    const four = byIndex(await collect(4));
    const eight = byIndex(await collect(8));
    expect(alone.map((r) => r.id)).toEqual(prompts.map((p) => p.id));
    // Each prompt decodes to 12 tokens (random weights rarely pick EOS) and distinct prompts differ.
    for (const r of alone) expect(r.tokens.length).toBeGreaterThan(0);
    expect(new Set(alone.map((r) => r.tokens.join(","))).size).toBeGreaterThan(4);
    expect(four.map((r) => r.tokens)).toEqual(alone.map((r) => r.tokens));
    expect(eight.map((r) => r.tokens)).toEqual(alone.map((r) => r.tokens));
    expect(eight.map((r) => r.text)).toEqual(alone.map((r) => r.text));
    expect(new Set(eight.map((r) => r.promptTokens)).size).toBeGreaterThan(4);
  }, 900_000);

  it("applies the repetition penalty over the prompt and the output", async () => {
    // A penalty so large that a penalised token can only win when every other logit is lower still:
    // on a random model no output token repeats one of the prompt's or its own earlier tokens.
    const decoded = byIndex(await collect(8, { repeatPenalty: 1e4, repeatLastN: 1024 }));
    const tokenize = (text: string) => decoder.model.tokenize(text);
    for (const r of decoded) {
      const seen = new Set<number>(tokenize(prompts[r.index]!.prompt));
      for (const t of r.tokens) {
        expect(seen.has(t)).toBe(false);
        seen.add(t);
      }
    }
  }, 900_000);

  it("stops at maxTokens and cuts the text before a stop string", async () => {
    const full = byIndex(await collect(8, { maxTokens: 5 }));
    for (const r of full) {
      expect(r.tokens).toHaveLength(5);
      expect(r.stopReason).toBe("maxTokens");
    }
    // A stop string taken from the middle of a real output: the text ends just before it.
    const longer = byIndex(await collect(8));
    const sample = longer.find((r) => r.text.trim().length > 8)!;
    const stop = sample.text.slice(Math.floor(sample.text.length / 2), Math.floor(sample.text.length / 2) + 3);
    const cut = byIndex(await collect(8, { stop: [stop] }));
    const same = cut[sample.index]!;
    expect(same.stopReason).toBe("stop");
    expect(same.text).toBe(sample.text.slice(0, sample.text.indexOf(stop)));
    expect(same.text).not.toContain(stop);
  }, 900_000);

  it("yields results as they finish, before the slowest prompt is done", async () => {
    // Prompt 0 gets many tokens of budget through ordering: with 2 sequences the short ones finish first.
    const seen: string[] = [];
    const order: number[] = [];
    for await (const r of decoder.decode(prompts, { parallel: 2, maxTokens: 6 })) {
      seen.push(r.id);
      order.push(r.index);
    }
    expect(seen.sort()).toEqual(prompts.map((p) => p.id).sort());
    // The first result arrives while later prompts have not even started: it is one of the first two.
    expect([0, 1]).toContain(order[0]);
  }, 900_000);

  it("refuses a prompt longer than the context with its id", async () => {
    const it = decoder.decode([{ id: "long", prompt: "word ".repeat(400) }], { parallel: 1, maxTokens: 4, contextSize: 64 });
    await expect(it.next()).rejects.toMatchObject({ code: "prompt-too-long", where: "long" });
  });
});
