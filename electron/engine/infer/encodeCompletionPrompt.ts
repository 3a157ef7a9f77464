import type { LlamaModel, Token } from "node-llama-cpp";

/**
 * The tokens LlamaCompletion feeds for a plain-text prompt (it prepends BOS itself, and then trims
 * the tokenizer's leading space). Training uses this same function, so a prompt is tokenised exactly
 * as it is at inference.
 */
export function encodeCompletionPrompt(model: LlamaModel, text: string): Token[] {
  const prependsBos = model.tokens.shouldPrependBosToken && model.tokens.bos !== null;
  return model.tokenize(text, false, prependsBos ? "trimLeadingSpace" : undefined);
}
