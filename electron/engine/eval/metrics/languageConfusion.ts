// Language confusion (Marchisio et al. 2024, "Understanding and Mitigating Language Confusion in LLMs"),
// computed as their reference script (for-ai/language-confusion, compute_metrics.py) does:
// - line level: a response passes when every line of at least 5 tokens is identified as the target
//   language with confidence above 0.3; a response with no such line is left out (null);
// - word level, for targets not written in Latin script: among responses that pass the line level, those
//   in whose checked lines no English word appears.
// These catch mixed answers that one label per response (language correctness) misses. Decision 0029.
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { sameLanguage } from "../../data/languageCodes.js";
import type { LanguageGuess, LanguageIdentifier } from "../../langid/loadLanguageIdentifier.js";
import { loadSpellchecker } from "./spellcheck.js";

/** Lines with fewer tokens are not checked (too short to identify reliably). */
export const minLineTokens = 5;
/** A line's language counts only when lid.176 is more confident than this; at or below it the line is an error. */
export const minLineConfidence = 0.3;
/** English words are lower-case and longer than this (the reference keeps dictionary entries with len > 3). */
const minEnglishWordLength = 4;

export interface ConfusionLine {
  /** 1-based line number in the normalised response. */
  line: number;
  text: string;
  tokens: number;
  language: string;
  confidence: number;
  /** The target language with confidence above 0.3. */
  correct: boolean;
}

export interface LanguageConfusion {
  /** The checked lines (at least 5 tokens), with what lid.176 said. */
  lines: ConfusionLine[];
  /** Per item 0/1 (aggregate ×100 = line-level pass rate); null when no line has 5 tokens. */
  linePass: 0 | 1 | null;
  /** Per item 0/1 (aggregate ×100 = word-level pass rate); null for Latin-script targets, or when the line level is null or 0. */
  wordPass: 0 | 1 | null;
  /** English words found in the checked lines (word level only). */
  englishWords: string[];
  /** Share of checked lines in the target language (the reference's `acc`); null when no line is checked. */
  lineAccuracy: number | null;
}

/** Whether a token is an English word (see `loadEnglishWords`). */
export type EnglishWordTest = (token: string) => boolean;

// Python's string.punctuation, which the reference deletes before splitting lines into tokens.
const asciiPunctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * The reference's `normalize`: cut at a "\nQ:" (a model starting a new turn), trim, delete ASCII
 * punctuation, turn em dashes into spaces and delete Arabic commas.
 */
export function normaliseResponse(text: string): string {
  return text.split("\nQ:")[0]!.trim().replace(asciiPunctuation, "").replace(/\u2014/g, " ").replace(/\u060C/g, "");
}

/** Scripts written without spaces between words: their lines are cut into words (the reference uses jieba and MeCab for zh and ja). */
const unspacedScripts = new Set(["Hans", "Hant", "Jpan", "Thai", "Laoo", "Khmr", "Mymr"]);

/** The likely script of a language (CLDR likely subtags): "ru" → "Cyrl", "zh" → "Hans"; undefined when unknown. */
export function likelyScript(language: string): string | undefined {
  try {
    return new Intl.Locale(language).maximize().script;
  } catch {
    return undefined;
  }
}

/**
 * Tokens as the reference counts them: whitespace-separated for most languages, Intl.Segmenter's
 * word-like segments for languages written without spaces.
 */
export function lineTokens(line: string, target: string): string[] {
  const script = likelyScript(target);
  if (script !== undefined && unspacedScripts.has(script)) {
    const tokens: string[] = [];
    for (const { segment, isWordLike } of new Intl.Segmenter(target, { granularity: "word" }).segment(line)) if (isWordLike) tokens.push(segment);
    return tokens;
  }
  return line.split(/\s+/u).filter((token) => token !== "");
}

/** A line's language passes only when it is the target with confidence strictly above 0.3 (the reference's `score > 0.3`). */
export function linePasses(guess: LanguageGuess, target: string): boolean {
  return guess.confidence > minLineConfidence && sameLanguage(guess.language, target);
}

/** The checked lines of a response with their guesses: the pure core of the metric, given lid.176's answers. */
export interface LineInput {
  line: number;
  text: string;
  tokens: string[];
  guess: LanguageGuess;
}

/**
 * Line and word level from lines already identified. `isEnglishWord` is needed for non-Latin-script
 * targets only; without it the word level is null.
 */
export function judgeLines(lines: readonly LineInput[], target: string, isEnglishWord?: EnglishWordTest): LanguageConfusion {
  const checked = lines.filter((l) => l.tokens.length >= minLineTokens);
  const judged: ConfusionLine[] = checked.map((l) => ({ line: l.line, text: l.text, tokens: l.tokens.length, language: l.guess.language, confidence: l.guess.confidence, correct: linePasses(l.guess, target) }));
  if (judged.length === 0) return { lines: [], linePass: null, wordPass: null, englishWords: [], lineAccuracy: null };
  const errors = judged.filter((l) => !l.correct).length;
  const linePass = errors === 0 ? 1 : 0;
  const lineAccuracy = 1 - errors / judged.length;
  const script = likelyScript(target);
  const wordLevel = isEnglishWord !== undefined && script !== undefined && script !== "Latn";
  if (!wordLevel || linePass === 0) return { lines: judged, linePass, wordPass: null, englishWords: [], lineAccuracy };
  const englishWords = checked.flatMap((l) => l.tokens.filter((token) => isEnglishWord(token)));
  return { lines: judged, linePass, wordPass: englishWords.length === 0 ? 1 : 0, englishWords, lineAccuracy };
}

/** Line- and word-level language confusion of one response, identifying each line with lid.176. */
export function languageConfusion(identifier: LanguageIdentifier, response: string, target: string, isEnglishWord?: EnglishWordTest): LanguageConfusion {
  const lines: LineInput[] = [];
  for (const [index, text] of normaliseResponse(response).split("\n").entries()) {
    const tokens = lineTokens(text, target);
    // Only lines that will be checked are identified: lid.176 on every short line would be wasted work.
    if (tokens.length < minLineTokens) continue;
    lines.push({ line: index + 1, text, tokens, guess: identifier.identify(text) });
  }
  return judgeLines(lines, target, isEnglishWord);
}

/**
 * The English-word test of the word level. The reference takes the entries of a Unix `words` list that are
 * all lower case and longer than 3 characters, and flags a token equal to one of them. Polytune ships no such
 * list; it asks the English Hunspell dictionary (dictionary-en) instead, under the same filters: a token
 * counts when it is all lower-case letters, at least 4 of them, and Hunspell accepts it as written.
 * Hunspell also accepts inflected forms ("houses"), which a plain list may lack (decision 0029).
 */
export async function loadEnglishWords(): Promise<EnglishWordTest> {
  const english = await loadSpellchecker("en");
  if (!english) throw new PolytuneError("spellcheck-dictionary", "The English dictionary that ships with Polytune was not found.", { where: "node_modules/dictionary-en", hint: "Reinstall Polytune (or run npm install) to restore it." });
  return (token) => [...token].length >= minEnglishWordLength && /^\p{Ll}+$/u.test(token) && english.accepts(token);
}
