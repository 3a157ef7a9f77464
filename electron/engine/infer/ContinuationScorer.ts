import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { runOnSequences } from "./runOnSequences.js";

export interface ContinuationItem {
  id: string;
  /** Raw text (no prompt template) the continuations follow; may be "". */
  context: string;
  continuations: string[];
}

export interface ContinuationResult {
  id: string;
  /** Position of the item in the input, so a caller can restore the order. */
  index: number;
  /** Natural-log likelihood of each continuation's tokens, in choice order. */
  loglikelihoods: number[];
  tokenCounts: number[];
  seconds: number;
}

export interface ContinuationScoreSettings {
  /** Items scored at once, one sequence each, in one context. */
  parallel: number;
  threads?: number;
  /** Context per sequence; defaults to the longest item. */
  contextSize?: number;
}

export interface EncodedPair {
  /** BOS (when the model wants one) and the context's tokens: what the continuation is conditioned on. */
  context: Token[];
  continuation: Token[];
}

/**
 * lm-evaluation-harness's `_encode_pair`: the context's trailing whitespace moves to the continuation,
 * context + continuation are tokenised together and split at the context's own token count, so the
 * continuation's tokens are those the model would read after the context. An empty context is
 * conditioned on the prefix token alone (BOS, or EOS where the vocabulary has none), as the harness does.
 */
export function encodeContinuationPair(model: LlamaModel, context: string, continuation: string): EncodedPair {
  const trimmed = context.replace(/\s+$/u, "");
  const moved = context.slice(trimmed.length) + continuation;
  const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  const contextTokens = trimmed === "" ? [] : model.tokenize(trimmed, false);
  const whole = model.tokenize(trimmed + moved, false);
  const prefix = bos !== null ? [bos] : contextTokens.length === 0 ? [model.tokens.bos ?? model.tokens.eos].filter((t): t is Token => t !== null) : [];
  return { context: [...prefix, ...contextTokens], continuation: whole.slice(contextTokens.length) };
}

/**
 * Scores every item's continuations in parallel sequences of one context (made by `createContext`).
 * Per item the context is evaluated once and each continuation after it: log p(token) is its raw logit
 * minus the log of the sum of exp(logit) over the whole vocabulary, read at temperature 0 (no sampler
 * changes the logits) from the top logit and node-llama-cpp's `totalLogitWeight`.
 */
export async function* scoreContinuations(
  model: LlamaModel,
  createContext: (contextSize: number, sequences: number, threads: number | undefined) => Promise<LlamaContext>,
  items: readonly ContinuationItem[],
  settings: ContinuationScoreSettings,
  signal?: AbortSignal,
): AsyncGenerator<ContinuationResult> {
  if (!Number.isInteger(settings.parallel) || settings.parallel < 1) {
    throw new PolytuneError("invalid-setting", `parallel must be a whole number of at least 1, not ${settings.parallel}.`, { where: "parallel" });
  }
  if (items.length === 0) return;
  const encoded = items.map((item) => {
    if (item.continuations.length === 0) {
      throw new PolytuneError("no-continuations", `Item "${item.id}" has no continuations to score.`, { where: item.id, hint: "Give every ranked item at least one choice." });
    }
    return item.continuations.map((c, i) => {
      const pair = encodeContinuationPair(model, item.context, c);
      if (pair.continuation.length === 0) {
        throw new PolytuneError("empty-continuation", `Continuation ${i} of item "${item.id}" has no tokens of its own.`, {
          where: `${item.id}.continuations[${i}]`,
          hint: "Every choice needs text after the context; an empty choice has no likelihood to compare.",
        });
      }
      if (pair.context.length === 0) {
        throw new PolytuneError("empty-context", `Item "${item.id}" has an empty context and the model has neither BOS nor EOS to condition on.`, { where: item.id });
      }
      return pair;
    });
  });
  const longest = Math.max(...encoded.flat().map((p) => p.context.length + p.continuation.length));
  const contextSize = settings.contextSize ?? Math.min(model.trainContextSize, longest + 1);
  encoded.forEach((pairs, i) => {
    const length = Math.max(...pairs.map((p) => p.context.length + p.continuation.length));
    if (length > contextSize) {
      throw new PolytuneError("prompt-too-long", `Item "${items[i]!.id}" has ${length} tokens; each sequence's context holds ${contextSize}.`, {
        where: items[i]!.id,
        hint: "Shorten the context or raise the context size.",
      });
    }
  });
  const context = await createContext(contextSize, Math.min(settings.parallel, items.length), settings.threads);
  try {
    const results = runOnSequences(
      context,
      settings.parallel,
      items.length,
      async (sequence, index) => {
        const scored = await scoreItem(sequence, encoded[index]!, signal);
        return scored && { id: items[index]!.id, index, ...scored };
      },
      signal,
    );
    // An item cut short by the signal has no result: a partial sum is no likelihood.
    for await (const result of results) if (result) yield result;
  } finally {
    await context.dispose();
  }
}

async function scoreItem(sequence: LlamaContextSequence, pairs: EncodedPair[], signal: AbortSignal | undefined): Promise<Omit<ContinuationResult, "id" | "index"> | null> {
  const started = performance.now();
  await sequence.clearHistory();
  const loglikelihoods: number[] = [];
  // The context is the same for every continuation (it is tokenised alone): evaluate all of it but its
  // last token once, then each continuation after that token, erasing the previous one.
  const shared = pairs[0]!.context.slice(0, -1);
  if (shared.length > 0) await sequence.controlledEvaluate(shared);
  for (const pair of pairs) {
    if (signal?.aborted) return null;
    if (sequence.nextTokenIndex > shared.length) await sequence.eraseContextTokenRanges([{ start: shared.length, end: sequence.nextTokenIndex }]);
    const input = [pair.context.at(-1)!, ...pair.continuation.slice(0, -1)];
    const out = await sequence.controlledEvaluate(
      input.map((token, i) => [token, { generateNext: { logits: { filter: { tokens: [pair.continuation[i]!], includeTop: 1 } }, totalLogitWeight: true } }] as const),
    );
    let sum = 0;
    for (let i = 0; i < input.length; i++) {
      const next = out[i]?.next;
      const target = pair.continuation[i]!;
      const logit = next?.logits?.get(target);
      const top = next?.logits ? Math.max(...next.logits.values()) : undefined;
      if (logit === undefined || top === undefined || next?.totalLogitWeight === undefined) {
        throw new PolytuneError("no-logits", "llama.cpp returned no logits for a continuation token.", { where: `position ${i}` });
      }
      sum += logit - top - Math.log(next.totalLogitWeight);
    }
    loglikelihoods.push(sum);
  }
  return { loglikelihoods, tokenCounts: pairs.map((p) => p.continuation.length), seconds: (performance.now() - started) / 1000 };
}
