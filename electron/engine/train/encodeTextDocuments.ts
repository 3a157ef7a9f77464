import type { LlamaModel, Token } from "node-llama-cpp";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { TextDocument } from "../data/readTextDocuments.js";
import { encodeCompletionPrompt } from "../infer/encodeCompletionPrompt.js";
import { seededShuffle } from "../random/seededRandom.js";
import type { EncodedExample } from "./encodeExample.js";

export interface TextPackingOptions {
  seqLen: number;
  /** Orders the documents before packing; `seed + 1` picks the held-out ones, as for instruction data. */
  seed: number;
  /** Share of whole documents held out for validation (0: none); needs two documents or more. */
  validationFraction: number;
  /** What the documents are for, as an error names them: training text (default) or a validation file's. */
  role?: "training" | "validation";
}

export interface PackedText {
  train: EncodedExample[];
  validation: EncodedExample[];
}

/** One document as the model reads it: BOS where inference puts one (the model says), its text tokenised as at inference, EOS. */
function documentTokens(model: LlamaModel, document: TextDocument): Token[] {
  const { bos, eos, shouldPrependBosToken } = model.tokens;
  if (eos === null) throw new PolytuneError("model-no-eos", "The model's tokenizer has no end-of-sequence token to separate documents with.", { hint: "Pretrain a model whose vocabulary has an EOS token." });
  return [...(shouldPrependBosToken && bos !== null ? [bos] : []), ...encodeCompletionPrompt(model, document.text), eos];
}

/**
 * Concatenates the documents' tokens and cuts them into windows of `seqLen` (the last may be shorter).
 * Every token is a label except each window's first, which has nothing before it to be predicted from.
 */
export function packWindows(documents: readonly Token[][], seqLen: number): EncodedExample[] {
  const stream: Token[] = [];
  for (const tokens of documents) for (const t of tokens) stream.push(t);
  const windows: EncodedExample[] = [];
  // A one-token tail has nothing to learn from.
  for (let start = 0; start + 1 < stream.length; start += seqLen) {
    const tokens = stream.slice(start, start + seqLen);
    const target = new Uint8Array(tokens.length).fill(1);
    target[0] = 0;
    windows.push({ tokens, target, promptLength: 1 });
  }
  return windows;
}

/**
 * Raw text for (continued) pretraining: each document tokenised and wrapped in [BOS] … EOS, the documents
 * put in a seeded order, packed into windows. Validation holds out whole documents, so no held-out text
 * is also trained on.
 */
export function encodeTextDocuments(model: LlamaModel, documents: readonly TextDocument[], options: TextPackingOptions): PackedText {
  const first = documents[0]!.source;
  const role = options.role ?? "training";
  let order = seededShuffle(documents.map((_, i) => i), options.seed);
  let held: number[] = [];
  if (options.validationFraction > 0) {
    // Validation holds out whole documents: one document cannot be both trained on and held out.
    if (documents.length < 2) {
      throw new PolytuneError("validation-one-document", "The training text is one document, so none can be held out for validation (`validationFraction`).", { where: `${first.file}:${first.line}`, hint: "Give more documents (a .jsonl file holds one per line), a validation file (`validationData`), or set validationFraction to 0." });
    }
    const picked = new Set(seededShuffle(documents.map((_, i) => i), options.seed + 1).slice(0, Math.max(1, Math.floor(documents.length * options.validationFraction))));
    held = order.filter((i) => picked.has(i));
    order = order.filter((i) => !picked.has(i));
  }
  const pack = (indices: number[]): EncodedExample[] => packWindows(indices.map((i) => documentTokens(model, documents[i]!)), options.seqLen);
  const train = pack(order);
  if (train.length === 0) {
    throw new PolytuneError("data-empty", `The ${role} text holds too few tokens to ${role === "training" ? "learn from" : "validate on"}.`, { where: `${first.file}:${first.line}`, hint: "Give more text." });
  }
  return { train, validation: pack(held) };
}
