import { join } from "node:path";
import { getLlama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TextDocument } from "../../../electron/engine/data/readTextDocuments.js";
import { encodeCompletionPrompt } from "../../../electron/engine/infer/encodeCompletionPrompt.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { encodeTextDocuments } from "../../../electron/engine/train/encodeTextDocuments.js";
import { makeTempDir } from "../../support/tempDir.js";

const tmp = makeTempDir();
let model: LlamaModel;
// Qwen2's tokenizer has a BOS token but asks for none at inference (add_bos_token false).
let qwenModel: LlamaModel;

beforeAll(async () => {
  const llama = await getLlama({ gpu: false });
  await writeTinyModel({ out: join(tmp.dir, "m.gguf"), layers: 1, embd: 16, heads: 2, headsKv: 1 });
  await writeTinyModel({ out: join(tmp.dir, "q.gguf"), vocab: "qwen2", arch: "qwen2", layers: 1, embd: 16, heads: 2, headsKv: 1 });
  model = await llama.loadModel({ modelPath: join(tmp.dir, "m.gguf"), vocabOnly: true });
  qwenModel = await llama.loadModel({ modelPath: join(tmp.dir, "q.gguf"), vocabOnly: true });
});
afterAll(async () => {
  await model.dispose();
  await qwenModel.dispose();
  tmp.cleanup();
});

const texts = ["The cat sat on the mat.", "Die Katze saß auf der Matte.", "Кошка сидела на коврике.", "猫坐在垫子上。", "Le chat était assis.", "El gato se sentó."];
const documents: TextDocument[] = texts.map((text, i) => ({ text, source: { file: "t.jsonl", line: i + 1 } }));

/** The documents' texts in the order their BOS tokens appear in the packed stream. */
function decodedDocuments(windows: Array<{ tokens: Token[] }>): string[] {
  const stream = windows.flatMap((w) => w.tokens);
  const out: string[] = [];
  let start = -1;
  stream.forEach((t, i) => {
    if (t === model.tokens.bos) start = i + 1;
    if (t === model.tokens.eos) {
      out.push(model.detokenize(stream.slice(start, i)));
      start = -1;
    }
  });
  // The stream may end in a document whose EOS was a dropped one-token tail.
  if (start >= 0) out.push(model.detokenize(stream.slice(start)));
  return out;
}

describe("encodeTextDocuments", () => {
  it("wraps each document in BOS … EOS, tokenised as inference does, and packs them in a seeded order", () => {
    const { train, validation } = encodeTextDocuments(model, documents, { seqLen: 16, seed: 3, validationFraction: 0 });
    expect(validation).toEqual([]);
    const total = texts.reduce((n, t) => n + encodeCompletionPrompt(model, t).length + 2, 0);
    // A last window of one token (nothing to predict) is dropped.
    expect(train).toHaveLength(Math.ceil((total - 1) / 16));
    expect(train.slice(0, -1).every((w) => w.tokens.length === 16)).toBe(true);
    const order = decodedDocuments(train);
    expect([...order].sort()).toEqual([...texts].sort());
    expect(order).not.toEqual(texts);
    const stream = train.flatMap((w) => w.tokens);
    const first = texts.indexOf(order[0]!);
    expect(stream.slice(0, encodeCompletionPrompt(model, texts[first]!).length + 2)).toEqual([model.tokens.bos, ...encodeCompletionPrompt(model, texts[first]!), model.tokens.eos]);
    for (const w of train) expect([...w.target]).toEqual(w.tokens.map((_, i) => (i === 0 ? 0 : 1)));
    // The same seed gives the same windows; another seed another order.
    expect(encodeTextDocuments(model, documents, { seqLen: 16, seed: 3, validationFraction: 0 }).train).toEqual(train);
    expect(decodedDocuments(encodeTextDocuments(model, documents, { seqLen: 16, seed: 4, validationFraction: 0 }).train)).not.toEqual(order);
  });

  it("holds out whole documents for validation", () => {
    const { train, validation } = encodeTextDocuments(model, documents, { seqLen: 16, seed: 3, validationFraction: 0.34 });
    const held = decodedDocuments(validation);
    const trained = decodedDocuments(train);
    expect(held).toHaveLength(2);
    expect(trained).toHaveLength(4);
    expect([...held, ...trained].sort()).toEqual([...texts].sort());
  });

  it("puts BOS before a document only where inference does: not for a tokenizer that asks for none", () => {
    expect(qwenModel.tokens.bos).not.toBeNull();
    expect(qwenModel.tokens.shouldPrependBosToken).toBe(false);
    const [one, two] = texts;
    const { train } = encodeTextDocuments(qwenModel, documents.slice(0, 2), { seqLen: 4096, seed: 3, validationFraction: 0 });
    expect(train).toHaveLength(1);
    const doc = (text: string): Token[] => [...encodeCompletionPrompt(qwenModel, text), qwenModel.tokens.eos!];
    // Seeded order: either document may come first; each is its inference tokens and EOS, nothing more.
    expect([[...doc(one!), ...doc(two!)], [...doc(two!), ...doc(one!)]]).toContainEqual(train[0]!.tokens);
  });

  it("refuses to hold out validation from a single document, and names a too-short validation text as such", () => {
    expect(() => encodeTextDocuments(model, documents.slice(0, 1), { seqLen: 16, seed: 3, validationFraction: 0.2 })).toThrow(
      expect.objectContaining({ code: "validation-one-document", where: "t.jsonl:1", message: expect.stringMatching(/one document, so none can be held out for validation/) }),
    );
    const tiny: TextDocument[] = [{ text: "", source: { file: "val.txt", line: 1 } }];
    // BOS + EOS is two tokens, one window; an empty text without BOS leaves one token, nothing to predict.
    expect(() => encodeTextDocuments(qwenModel, tiny, { seqLen: 16, seed: 3, validationFraction: 0, role: "validation" })).toThrow(
      expect.objectContaining({ code: "data-empty", where: "val.txt:1", message: "The validation text holds too few tokens to validate on." }),
    );
    expect(() => encodeTextDocuments(qwenModel, tiny, { seqLen: 16, seed: 3, validationFraction: 0 })).toThrow(expect.objectContaining({ message: "The training text holds too few tokens to learn from." }));
  });
});
