// Exact match and F1 as the official SQuAD v1.1 evaluation script defines them (evaluate-v1.1.py,
// Rajpurkar et al. 2016): the XQuAD authors score every language with this English-centric script, so
// its numbers are the ones papers report for XQuAD. See docs/decisions/0027-qa-scoring.md.
import { isAsciiPunctuation, pythonReplaceWords, pythonSplit, tokenF1 } from "./squadPythonText.js";

const englishArticles = ["a", "an", "the"] as const;

/**
 * `normalize_answer`: lower-case, drop `string.punctuation` characters, replace the whole words
 * a/an/the by a space, then join the whitespace-separated tokens with single spaces.
 */
export function squadNormalize(text: string): string {
  const lowered = text.toLowerCase();
  let withoutPunctuation = "";
  for (const char of lowered) if (!isAsciiPunctuation(char)) withoutPunctuation += char;
  return pythonSplit(pythonReplaceWords(withoutPunctuation, englishArticles)).join(" ");
}

/** `exact_match_score`: 1 when both normalise to the same string, else 0. */
export function squadExactMatch(prediction: string, gold: string): number {
  return squadNormalize(prediction) === squadNormalize(gold) ? 1 : 0;
}

/** `f1_score`: token-bag F1 of the normalised strings, 0–1 (two empty strings score 0, as in the script). */
export function squadF1(prediction: string, gold: string): number {
  return tokenF1(pythonSplit(squadNormalize(prediction)), pythonSplit(squadNormalize(gold)));
}

/** `metric_max_over_ground_truths`: the best score over the gold answers (which must not be empty). */
export function maxOverGolds(metric: (prediction: string, gold: string) => number, prediction: string, golds: readonly string[]): number {
  if (golds.length === 0) throw new Error("maxOverGolds needs at least one gold answer (the script's max() fails on none).");
  return Math.max(...golds.map((gold) => metric(prediction, gold)));
}
