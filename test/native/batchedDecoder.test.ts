// The native batched decoder (native/src/batched_decoder.cpp) against node-llama-cpp's batched path, for
// real: the same BatchedDecoder, the same tokenized prompts, a tiny model the project writes and LoRA
// adapters in llama.cpp's format. Greedy outputs must be the same token for token.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchedDecoder, type BatchedDecodeSettings, type BatchedPrompt, type BatchedResult } from "../../electron/engine/infer/BatchedDecoder.js";
import { loadNativeDecoder } from "../../electron/engine/infer/NativeDecoder.js";
import { makeTempDir } from "../support/tempDir.js";
import { closeTinyBatchedDecoder, collectResults, openTinyBatchedDecoder } from "../support/tinyBatchedDecoder.js";
import { writeTinyAdapter } from "../support/writeTinyAdapter.js";

const tmp = makeTempDir();
const modelPath = join(tmp.dir, "tiny.gguf");
const adapter = join(tmp.dir, "adapter.gguf");
const narrowAdapter = join(tmp.dir, "narrow.gguf");
let decoder: BatchedDecoder;

const prompts: BatchedPrompt[] = [
  "Hi",
  "The capital of France is",
  "Give me three tips for staying healthy.",
  "Translate into Portuguese: the house is small.",
  "Q: What is 2 + 2?\nA:",
  "Résumez ce texte en une phrase : le chat dort.",
  "Объясните, почему небо голубое.",
].map((prompt, i) => ({ id: `p${i}`, prompt }));

type Path = "native" | "node-llama-cpp";

async function run(d: BatchedDecoder, path: Path, input: readonly BatchedPrompt[], settings: Partial<BatchedDecodeSettings> = {}): Promise<BatchedResult[]> {
  const out = await collectResults(d.decode(input, { parallel: 3, maxTokens: 12, repeatPenalty: 1.1, threads: 1, decoder: path, ...settings }));
  return out.sort((a, b) => a.index - b.index);
}

/** What must agree between the paths (seconds aside). */
const comparable = (results: BatchedResult[]): unknown[] => results.map(({ id, index, text, tokens, promptTokens, stopReason }) => ({ id, index, text, tokens, promptTokens, stopReason }));

beforeAll(async () => {
  writeTinyAdapter(adapter, 5, 64);
  writeTinyAdapter(narrowAdapter, 5, 32);
  ({ decoder } = await openTinyBatchedDecoder(modelPath));
}, 180_000);

afterAll(async () => {
  await closeTinyBatchedDecoder(decoder);
  tmp.cleanup();
});

describe("native batched decoder", () => {
  it("is built with the addon", () => {
    expect(loadNativeDecoder()).not.toBeNull();
  });

  it.each([
    [1, 1.1],
    [4, 1.1],
    [1, 1],
    [4, 1],
  ])("decodes greedily to the same tokens and text as node-llama-cpp (parallel %i, repeat penalty %f)", async (parallel, repeatPenalty) => {
    const settings = { parallel, repeatPenalty };
    const ours = await run(decoder, "native", prompts, settings);
    expect(comparable(ours)).toEqual(comparable(await run(decoder, "node-llama-cpp", prompts, settings)));
    expect(ours.every((r) => r.tokens.length > 0)).toBe(true);
    const withAdapter = BatchedDecoder.forModel(decoder.model, adapter);
    const adapted = await run(withAdapter, "native", prompts, settings);
    expect(comparable(adapted)).toEqual(comparable(await run(withAdapter, "node-llama-cpp", prompts, settings)));
    // The adapter changes what the model says.
    expect(adapted.some((r, i) => r.tokens.join() !== ours[i]!.tokens.join())).toBe(true);
  }, 900_000);

  it("honours per-prompt maxTokens, stop strings and response prefixes as node-llama-cpp does", async () => {
    const base = await run(decoder, "native", prompts, { maxTokens: 12 });
    const sample = base.find((r) => r.text.trim().length > 8)!;
    const middle = Math.floor(sample.text.length / 2);
    const stop = sample.text.slice(middle, middle + 3);
    const input = prompts.map((p) =>
      p.id === sample.id ? { ...p, stop: [stop] } : p.id === "p0" ? { ...p, maxTokens: 3, stop: [] } : p.id === "p4" ? { ...p, responsePrefix: " The answer is" } : p,
    );
    const settings = { maxTokens: 12, stop: ["\u0000never"] };
    const ours = await run(decoder, "native", input, settings);
    expect(comparable(ours)).toEqual(comparable(await run(decoder, "node-llama-cpp", input, settings)));
    const byId = new Map(ours.map((r) => [r.id, r]));
    expect(byId.get(sample.id)).toMatchObject({ stopReason: "stop", text: sample.text.slice(0, sample.text.indexOf(stop)) });
    if (sample.id !== "p0") expect(byId.get("p0")).toMatchObject({ stopReason: "maxTokens", tokens: base[0]!.tokens.slice(0, 3) });
  }, 900_000);

  it("samples reproducibly per prompt and seed, whatever the parallelism and order", async () => {
    const sampled = { temperature: 1, topP: 0.95, seed: 7 };
    const one = await run(decoder, "native", prompts, { ...sampled, parallel: 1 });
    const shuffled = [4, 1, 6, 0, 3, 5, 2].map((i) => prompts[i]!);
    const three = await run(decoder, "native", shuffled, { ...sampled, parallel: 3 });
    const byId = (results: BatchedResult[]): Record<string, string> => Object.fromEntries(results.map((r) => [r.id, `${r.tokens.join()}|${r.text}`]));
    expect(byId(three)).toEqual(byId(one));
    const greedy = await run(decoder, "native", prompts);
    expect(one.some((r, i) => r.tokens.join() !== greedy[i]!.tokens.join())).toBe(true);
    const other = await run(decoder, "native", prompts, { ...sampled, seed: 8, parallel: 1 });
    expect(other.some((r, i) => r.tokens.join() !== one[i]!.tokens.join())).toBe(true);
    // The same sampler chain as node-llama-cpp's, so the same draws.
    expect(comparable(one)).toEqual(comparable(await run(decoder, "node-llama-cpp", prompts, { ...sampled, parallel: 1 })));
  }, 900_000);

  it("stops promptly when cancelled, ending the prompts in flight", async () => {
    const many = Array.from({ length: 24 }, (_, i) => ({ id: `m${i}`, prompt: `${prompts[i % prompts.length]!.prompt} (${i})` }));
    const controller = new AbortController();
    const out: BatchedResult[] = [];
    let abortedAt = 0;
    for await (const r of decoder.decode(many, { parallel: 2, maxTokens: 200, repeatPenalty: 1, threads: 1, decoder: "native" }, controller.signal)) {
      out.push(r);
      if (!controller.signal.aborted) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const afterAbort = performance.now() - abortedAt;
    expect(out.length).toBeLessThan(many.length);
    // Prompts the decode thread finished before it saw the flag still arrive; those in flight end cancelled.
    expect(out.filter((r) => r.stopReason === "cancelled").length).toBeGreaterThan(0);
    expect(out.filter((r) => r.stopReason === "cancelled").length).toBeLessThanOrEqual(2);
    // One step of a 4M-parameter model takes milliseconds; the rest of the 24 × 200 tokens would take seconds.
    expect(afterAbort).toBeLessThan(1000);
  }, 900_000);

  it("names the adapter that does not fit, and a missing one", async () => {
    const bad = BatchedDecoder.forModel(decoder.model, [adapter, narrowAdapter]);
    await expect(run(bad, "native", prompts.slice(0, 1))).rejects.toMatchObject({ name: "PolytuneError", code: "adapter-load-failed", where: narrowAdapter });
    const missing = BatchedDecoder.forModel(decoder.model, [join(tmp.dir, "missing.gguf")]);
    await expect(run(missing, "native", prompts.slice(0, 1))).rejects.toMatchObject({ code: "file-missing", where: join(tmp.dir, "missing.gguf") });
  }, 900_000);
});
