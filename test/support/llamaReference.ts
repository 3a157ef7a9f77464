// llama.cpp (through node-llama-cpp) as the reference the trainer is compared with.
import { LlamaCompletion, type LlamaModel, type Token } from "node-llama-cpp";
import { promptTokensFor } from "../../electron/engine/infer/GreedyRunner.js";
import { encodeExample, type EncodedExample } from "../../electron/engine/train/encodeExample.js";

/** log-softmax of one row of logits. */
export function logSoftmax(row: Float32Array): Float64Array {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let z = 0;
  for (const x of row) z += Math.exp(x - max);
  const lz = Math.log(z) + max;
  return Float64Array.from(row, (x) => x - lz);
}

/** BOS (when the model wants one) followed by the text's tokens. */
export function tokensOf(model: LlamaModel, text: string): number[] {
  return [...(model.tokens.bos !== null && model.tokens.shouldPrependBosToken ? [model.tokens.bos] : []), ...model.tokenize(text)];
}

/**
 * The largest difference between our log-probabilities and llama.cpp's at the last `positions`
 * positions, over llama.cpp's 20 likeliest tokens. Differences are taken to the likeliest token:
 * llama.cpp normalises over the whole vocabulary in F32, which shifts every log-probability by the
 * same small amount. llama.cpp runs with flash attention off and an F32 KV cache (the 1e-6 regime).
 */
export async function worstLogProbDifference(model: LlamaModel, tokens: number[], ours: Float32Array, vocabSize: number, options: { adapter?: string; positions?: number } = {}): Promise<number> {
  const positions = options.positions ?? 4;
  const context = await model.createContext({
    contextSize: 128,
    flashAttention: false,
    experimentalKvCacheKeyType: "F32",
    experimentalKvCacheValueType: "F32",
    ...(options.adapter ? { lora: { adapters: [{ filePath: options.adapter }] } } : {}),
  } as Parameters<LlamaModel["createContext"]>[0]);
  try {
    const sequence = context.getSequence();
    const out = await sequence.controlledEvaluate(tokens.map((t, i) => (i >= tokens.length - positions ? [t, { generateNext: { probabilities: true } }] : t)) as Parameters<typeof sequence.controlledEvaluate>[0]);
    let worst = 0;
    for (let i = tokens.length - positions; i < tokens.length; i++) {
      const probs = (out[i] as { next?: { probabilities?: Map<Token, number> } }).next?.probabilities;
      if (!probs) throw new Error(`llama.cpp returned no probabilities at position ${i}`);
      const lp = logSoftmax(ours.subarray(i * vocabSize, (i + 1) * vocabSize));
      const [top, pTop] = [...probs][0]!;
      let n = 0;
      for (const [token, p] of probs) {
        worst = Math.max(worst, Math.abs(lp[token]! - lp[top]! - (Math.log(p) - Math.log(pTop))));
        if (++n >= 20) break;
      }
    }
    return worst;
  } finally {
    await context.dispose();
  }
}

/** Question/answer pairs as training examples in the Alpaca format, loss on the answers. */
export function alpacaExamples(model: LlamaModel, pairs: ReadonlyArray<readonly [string, string]>): EncodedExample[] {
  return pairs.map(([q, a], i) =>
    encodeExample(model, { turns: [{ role: "user", content: q }, { role: "assistant", content: a }], source: { file: "mem", line: i + 1 } }, { format: "alpaca", maskPrompt: true, maxLength: 256 }),
  );
}

/** llama.cpp's greedy answer to an Alpaca-formatted prompt, with or without an adapter. */
export async function greedyAnswer(model: LlamaModel, prompt: string, adapter?: string): Promise<string> {
  const context = await model.createContext({ contextSize: 256, ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}) });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    return (await completion.generateCompletion(promptTokensFor(model, prompt, "alpaca"), { maxTokens: 16, temperature: 0 })).trim();
  } finally {
    await context.dispose();
  }
}
