// A smaller SentencePiece (llama-spm) vocabulary for models pretrained from scratch: the pieces the
// training text uses most, kept so that llama.cpp's SPM tokenizer still reaches each of them.
import { PolytuneError } from "../../shared/PolytuneError.js";
import { readTextDocuments } from "../data/readTextDocuments.js";
import { GgufType, type GgufHeader, type GgufValue } from "../gguf/GgufValue.js";
import { getLlamaRuntime } from "../llamacpp/llamaRuntime.js";

/** SentencePiece's token types as GGUF stores them; everything but a normal piece is always kept. */
const normalType = 1;
/** The tokenizer writes spaces as this piece; spelled in byte tokens instead it would detokenise as "▁", not " ". */
const spacePiece = "\u2581";

interface Piece {
  id: number;
  text: string;
  score: number;
  type: number;
}

/**
 * The symbols llama.cpp's SPM tokenizer (llm_tokenizer_spm_session) ends with on `text`: starting from
 * single characters, it merges the adjacent pair whose concatenation is the highest-scoring piece
 * (the leftmost on a tie) until no pair is a piece.
 */
export function spmSegments(text: string, scoreOf: ReadonlyMap<string, number>): string[] {
  const symbols = Array.from(text);
  for (;;) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const score = scoreOf.get(symbols[i]! + symbols[i + 1]!);
      if (score !== undefined && score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    if (best < 0) return symbols;
    symbols.splice(best, 2, symbols[best]! + symbols[best + 1]!);
  }
}

type GgufArray = Extract<GgufValue, { type: GgufType.ARRAY }>;

function arrayOf(header: GgufHeader, key: string, file: string): GgufArray {
  const value = header.kv.get(key);
  if (!value || value.type !== GgufType.ARRAY) throw new PolytuneError("vocab-unreadable", `The vocabulary file has no ${key} array.`, { where: file });
  return value;
}

/** How often each piece occurs in the texts, tokenised by llama.cpp with the full vocabulary. */
async function countPieces(vocabFile: string, texts: readonly string[], vocabSize: number): Promise<Float64Array> {
  const llama = await getLlamaRuntime("cpu");
  const model = await llama.loadModel({ modelPath: vocabFile, vocabOnly: true });
  try {
    const counts = new Float64Array(vocabSize);
    // As training and inference tokenise a document: without the tokenizer's leading space.
    for (const text of texts) for (const token of model.tokenize(text, false, "trimLeadingSpace")) counts[token]! += 1;
    return counts;
  } finally {
    await model.dispose();
  }
}

/**
 * The pieces still missing for `text` to be a kept piece formed by merges of kept pieces (the parts
 * may be single characters: the tokenizer starts from them), choosing the split that adds the fewest;
 * null when no split can.
 */
function missingFor(text: string, kept: ReadonlySet<string>, inVocabulary: ReadonlyMap<string, Piece>): string[] | null {
  const memo = new Map<string, string[] | null>();
  const walk = (s: string): string[] | null => {
    if (kept.has(s) || Array.from(s).length === 1) return [];
    const cached = memo.get(s);
    if (cached !== undefined) return cached;
    let best: string[] | null = null;
    if (inVocabulary.has(s)) {
      const chars = Array.from(s);
      for (let cut = 1; cut < chars.length; cut++) {
        const left = walk(chars.slice(0, cut).join(""));
        const right = left && walk(chars.slice(cut).join(""));
        if (!left || !right) continue;
        const union = [...new Set([...left, ...right, s])];
        if (!best || union.length < best.length) best = union;
      }
    }
    memo.set(s, best);
    return best;
  };
  const needed = walk(text);
  // A single character needs nothing to be formed from, but is itself what is missing.
  return needed && (needed.includes(text) ? needed : [...needed, text]);
}

/**
 * Trims the tokenizer of a llama-spm vocabulary file to `size` pieces by their frequency in the text
 * files `from` (.txt or .jsonl as for pretraining). Kept always: the control, unknown and byte tokens
 * (bytes spell whatever no piece covers, so every text still round-trips) and the space piece. Then
 * the most frequent pieces, each with the pieces it is merged from, and each only if every kept piece
 * still tokenises to itself; unused pieces fill what is left by score (the tokenizer's earliest
 * merges). Ids keep the source's order; returns the file's tokenizer.* metadata with the trimmed
 * arrays and renumbered ids.
 */
export async function trimVocabulary(vocabFile: string, header: GgufHeader, from: readonly string[], size: number): Promise<Map<string, GgufValue>> {
  const tokens = arrayOf(header, "tokenizer.ggml.tokens", vocabFile);
  const scores = arrayOf(header, "tokenizer.ggml.scores", vocabFile);
  const types = arrayOf(header, "tokenizer.ggml.token_type", vocabFile);
  const pieces: Piece[] = tokens.items.map((t, id) => ({ id, text: String(t), score: Number(scores.items[id] ?? 0), type: Number(types.items[id] ?? normalType) }));
  const fixed = pieces.filter((p) => p.type !== normalType);
  const space = pieces.find((p) => p.type === normalType && p.text === spacePiece);
  if (!space) throw new PolytuneError("vocab-unreadable", "The vocabulary has no space piece (▁); it is not a SentencePiece vocabulary.", { where: vocabFile });
  if (size > pieces.length) throw new PolytuneError("tiny-model-shape", `The vocabulary has ${pieces.length} tokens; it cannot be trimmed to ${size}.`, { where: vocabFile, hint: `Give a vocabulary size of at most ${pieces.length}.` });
  if (size <= fixed.length) throw new PolytuneError("tiny-model-shape", `A vocabulary of ${size} tokens is too small: the control and byte tokens and the space piece alone are ${fixed.length + 1}.`, { hint: `Give a vocabulary size of at least ${fixed.length + 1}.` });

  const documents = readTextDocuments(from);
  const counts = await countPieces(vocabFile, documents.map((d) => d.text), pieces.length);
  const normal = pieces.filter((p) => p.type === normalType);
  const byText = new Map(normal.map((p) => [p.text, p]));
  // Most frequent first; unused pieces after, earliest merges (highest scores) first.
  const candidates = [...normal].sort((a, b) => counts[b.id]! - counts[a.id]! || b.score - a.score || a.id - b.id);

  const kept = new Set([space.text]);
  const scoreOf = new Map([[space.text, space.score]]);
  const reachesItself = (text: string): boolean => {
    const segments = spmSegments(text, scoreOf);
    return segments.length === 1 && segments[0] === text;
  };
  const room = size - fixed.length;
  for (const candidate of candidates) {
    if (kept.size === room) break;
    if (kept.has(candidate.text)) continue;
    const missing = missingFor(candidate.text, kept, byText);
    if (!missing || kept.size + missing.length > room) continue;
    for (const text of missing) {
      kept.add(text);
      scoreOf.set(text, byText.get(text)!.score);
    }
    // A new piece can only change how texts that contain it are merged.
    const affected = [...kept].filter((k) => missing.some((m) => k.includes(m)));
    if (affected.every(reachesItself)) continue;
    for (const text of missing) {
      kept.delete(text);
      scoreOf.delete(text);
    }
  }

  const chosen = pieces.filter((p) => p.type !== normalType || kept.has(p.text));
  const newId = new Map(chosen.map((p, i) => [p.id, i]));
  const out = new Map<string, GgufValue>();
  for (const [key, value] of header.kv) {
    if (!key.startsWith("tokenizer.")) continue;
    if (/^tokenizer\.ggml\.\w+_token_id$/.test(key) && value.type !== GgufType.ARRAY) {
      const id = newId.get(Number(value.value));
      // A special token the trimmed vocabulary lacks would name another token: leave it out.
      if (id !== undefined) out.set(key, { type: value.type, value: id });
    } else out.set(key, value);
  }
  out.set("tokenizer.ggml.tokens", { type: GgufType.ARRAY, itemType: tokens.itemType, items: chosen.map((p) => p.text) });
  out.set("tokenizer.ggml.scores", { type: GgufType.ARRAY, itemType: scores.itemType, items: chosen.map((p) => p.score) });
  out.set("tokenizer.ggml.token_type", { type: GgufType.ARRAY, itemType: types.itemType, items: chosen.map((p) => p.type) });
  return out;
}
