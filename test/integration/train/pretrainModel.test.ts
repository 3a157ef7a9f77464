// The initial model of `polytune pretrain`: scaled initialisation and a vocabulary trimmed on the text.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { GgufType } from "../../../electron/engine/gguf/GgufValue.js";
import { vocabPath } from "../../../electron/engine/llamacpp/llamaCppSource.js";
import { spmSegments } from "../../../electron/engine/models/trimVocabulary.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
const languages = ["de", "en", "es", "fr", "pt", "ru", "zh"] as const;
let llama: Llama;

/** Every instruction and answer of the demo data, one document per example. */
function demoTexts(lang: string): string[] {
  return readFileSync(join("assets", "demo", `instructions.${lang}.jsonl`), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { instruction: string; input?: string; output: string })
    .map((r) => [r.instruction, r.input, r.output].filter(Boolean).join("\n"));
}

/** A tensor's values read back from the written file (F32). */
function tensorValues(file: string, name: string): Float32Array {
  const header = readGgufHeader(file);
  const info = header.tensors.find((t) => t.name === name);
  if (!info) throw new Error(`no tensor ${name}`);
  expect(info.type).toBe(0);
  const n = info.dims.reduce((a, b) => a * b, 1);
  const bytes = readFileSync(file).subarray(header.dataOffset + Number(info.offset), header.dataOffset + Number(info.offset) + 4 * n);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 4 * n));
}

function meanAndStd(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

beforeAll(async () => {
  llama = await getLlama({ gpu: false });
});
afterAll(() => tmp.cleanup());

describe("scaled initialisation", () => {
  it("draws matrices with std 0.02, the residual projections with 0.02/sqrt(2·layers), norms 1, biases 0", async () => {
    const out = join(tmp.dir, "scaled.gguf");
    const layers = 4;
    await writeTinyModel({ out, layers, embd: 128, heads: 4, headsKv: 2, ff: 256, biases: true, init: "scaled", contextLength: 256, seed: 5 });
    for (const name of ["token_embd.weight", "output.weight", "blk.0.attn_q.weight", "blk.3.ffn_up.weight", "blk.1.ffn_gate.weight"]) {
      const { mean, std } = meanAndStd(tensorValues(out, name));
      expect(Math.abs(mean), name).toBeLessThan(0.001);
      expect(std / 0.02, name).toBeGreaterThan(0.97);
      expect(std / 0.02, name).toBeLessThan(1.03);
    }
    const residual = 0.02 / Math.sqrt(2 * layers);
    for (const name of ["blk.0.attn_output.weight", "blk.3.ffn_down.weight"]) {
      const { std } = meanAndStd(tensorValues(out, name));
      expect(std / residual, name).toBeGreaterThan(0.96);
      expect(std / residual, name).toBeLessThan(1.04);
    }
    for (const name of ["blk.0.attn_norm.weight", "blk.2.ffn_norm.weight", "output_norm.weight"]) expect([...new Set(tensorValues(out, name))], name).toEqual([1]);
    for (const name of ["blk.0.attn_q.bias", "blk.1.ffn_down.bias"]) expect([...new Set(tensorValues(out, name))], name).toEqual([0]);
    // Normal, not uniform: about 4.6% of draws lie beyond 2 standard deviations (uniform has none).
    const q = tensorValues(out, "blk.0.attn_q.weight");
    const tail = q.filter((v) => Math.abs(v) > 0.04).length / q.length;
    expect(tail).toBeGreaterThan(0.035);
    expect(tail).toBeLessThan(0.058);
    const header = readGgufHeader(out);
    expect(header.kv.get("llama.context_length")).toMatchObject({ value: 256 });
  });

  it("is the same file for the same seed", async () => {
    const a = join(tmp.dir, "a.gguf");
    const b = join(tmp.dir, "b.gguf");
    await writeTinyModel({ out: a, layers: 1, embd: 16, heads: 2, headsKv: 1, init: "scaled", seed: 9 });
    await writeTinyModel({ out: b, layers: 1, embd: 16, heads: 2, headsKv: 1, init: "scaled", seed: 9 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
});

describe("trimmed vocabulary", () => {
  const size = 1200;
  let corpus: string;
  let trimmedPath: string;
  let trimmed: LlamaModel;
  let full: LlamaModel;

  beforeAll(async () => {
    corpus = join(tmp.dir, "corpus.jsonl");
    writeFileSync(corpus, languages.flatMap((l) => demoTexts(l)).map((text) => JSON.stringify({ text })).join("\n"));
    trimmedPath = join(tmp.dir, "trimmed.gguf");
    await writeTinyModel({ out: trimmedPath, layers: 1, embd: 32, heads: 2, headsKv: 1, init: "scaled", vocabSize: size, vocabFrom: [corpus] });
    trimmed = await llama.loadModel({ modelPath: trimmedPath });
    full = await llama.loadModel({ modelPath: await vocabPath("llama-spm"), vocabOnly: true });
  });
  afterAll(async () => {
    await trimmed?.dispose();
    await full?.dispose();
  });

  it("has exactly the asked number of tokens, special and byte tokens included, and a matching embedding", () => {
    const header = readGgufHeader(trimmedPath);
    const tokens = header.kv.get("tokenizer.ggml.tokens");
    if (tokens?.type !== GgufType.ARRAY) throw new Error("no tokens");
    expect(tokens.items).toHaveLength(size);
    expect(tokens.items.slice(0, 3)).toEqual(["<unk>", "<s>", "</s>"]);
    expect(tokens.items.filter((t) => /^<0x[0-9A-F]{2}>$/.test(String(t)))).toHaveLength(256);
    expect(header.tensors.find((t) => t.name === "token_embd.weight")?.dims).toEqual([32, size]);
    expect(trimmed.tokens.bos).toBe(1);
    expect(trimmed.tokens.eos).toBe(2);
    expect(trimmed.detokenize([trimmed.tokens.eos!], true)).toBe("</s>");
  });

  it("round-trips every demo language exactly (Latin, Cyrillic, Han)", () => {
    for (const lang of languages) {
      for (const text of demoTexts(lang).slice(0, 20)) expect(trimmed.detokenize(trimmed.tokenize(text, false, "trimLeadingSpace")), lang).toBe(text);
    }
    const unseen = "Съешь же ещё этих мягких французских булок 你好世界 ß ∑ 🙂";
    expect(trimmed.detokenize(trimmed.tokenize(unseen, false, "trimLeadingSpace"))).toBe(unseen);
  });

  it("tokenises each kept piece to itself, as its own merge simulation says", () => {
    const header = readGgufHeader(trimmedPath);
    const tokens = header.kv.get("tokenizer.ggml.tokens");
    const types = header.kv.get("tokenizer.ggml.token_type");
    const scores = header.kv.get("tokenizer.ggml.scores");
    if (tokens?.type !== GgufType.ARRAY || types?.type !== GgufType.ARRAY || scores?.type !== GgufType.ARRAY) throw new Error("no tokenizer arrays");
    const scoreOf = new Map(tokens.items.map((t, i) => [String(t), Number(scores.items[i])]));
    let checked = 0;
    tokens.items.forEach((t, id) => {
      if (types.items[id] !== 1) return;
      const text = String(t).replaceAll("\u2581", " ");
      expect(spmSegments(String(t), scoreOf), String(t)).toEqual([String(t)]);
      expect(trimmed.tokenize(text, false, "trimLeadingSpace"), JSON.stringify(t)).toEqual([id]);
      checked++;
    });
    expect(checked).toBe(size - 259);
  });

  it("spends about as many tokens per character as the full vocabulary on the text it was trimmed on", async () => {
    const perChar = (model: LlamaModel, texts: string[]): number => texts.reduce((n, t) => n + model.tokenize(t, false, "trimLeadingSpace").length, 0) / texts.reduce((n, t) => n + t.length, 0);
    const all = languages.flatMap((l) => demoTexts(l));
    const multilingual = perChar(trimmed, all) / perChar(full, all);
    // Chinese uses fewer distinct pieces (684) than the budget holds: then nearly every token stays as it was.
    const chinese = join(tmp.dir, "zh.jsonl");
    writeFileSync(chinese, demoTexts("zh").map((text) => JSON.stringify({ text })).join("\n"));
    const zhPath = join(tmp.dir, "zh.gguf");
    await writeTinyModel({ out: zhPath, layers: 1, embd: 16, heads: 2, headsKv: 1, init: "scaled", vocabSize: size, vocabFrom: [chinese] });
    const zh = await llama.loadModel({ modelPath: zhPath });
    const monolingual = perChar(zh, demoTexts("zh")) / perChar(full, demoTexts("zh"));
    await zh.dispose();
    // Reported: the 7 languages use about 9,000 distinct pieces, far more than 1,200 hold.
    console.log(`tokens per character, trimmed to ${size} ÷ full 32000: 7 languages ×${multilingual.toFixed(3)}, Chinese alone ×${monolingual.toFixed(3)}`);
    expect(monolingual).toBeLessThan(1.02);
    expect(multilingual).toBeLessThan(1.6);
  });

  it("refuses a size the vocabulary cannot give before writing anything", async () => {
    const out = join(tmp.dir, "never.gguf");
    await expect(writeTinyModel({ out, vocabSize: 40_000, vocabFrom: [corpus] })).rejects.toMatchObject({ code: "tiny-model-shape" });
    await expect(writeTinyModel({ out, vocab: "qwen2", arch: "qwen2", vocabSize: 500, vocabFrom: [corpus] })).rejects.toMatchObject({ code: "tiny-model-shape" });
    expect(() => readFileSync(out)).toThrow();
  });
});
