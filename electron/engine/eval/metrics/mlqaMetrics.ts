// Exact match and F1 with the language-specific normalisation of MLQA's official evaluation script
// (mlqa_evaluation_v1.py, Lewis et al. 2020): Unicode punctuation, each language's articles, and
// character-level segmentation of Chinese. The script defines seven answer languages and refuses any
// other; so does this module (callers ask `isMlqaLanguage` first).
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { isAsciiPunctuation, pythonReplaceWords, pythonSplit, tokenF1 } from "./squadPythonText.js";

export const mlqaLanguages = ["en", "es", "hi", "vi", "de", "ar", "zh"] as const;
export type MlqaLanguage = (typeof mlqaLanguages)[number];

export function isMlqaLanguage(language: string | null | undefined): language is MlqaLanguage {
  return language !== null && language !== undefined && (mlqaLanguages as readonly string[]).includes(language);
}

/** The script's PUNCT: every code point whose Unicode category starts with "P", plus `string.punctuation`. */
export function isMlqaPunctuation(char: string): boolean {
  return /^\p{P}$/u.test(char) || isAsciiPunctuation(char);
}

// The script's `[\u4e00-\u9fa5]`: the CJK Unified Ideographs block as of Unicode 4.1, no more.
const hanCharacter = /^[\u4e00-\u9fa5]$/u;

/** `mixed_segmentation`: every Han character and punctuation mark is a token; other runs split on whitespace. */
export function mixedSegmentation(text: string): string[] {
  const out: string[] = [];
  let pending = "";
  for (const char of text) {
    if (hanCharacter.test(char) || isMlqaPunctuation(char)) {
      if (pending !== "") out.push(...pythonSplit(pending));
      pending = "";
      out.push(char);
    } else {
      pending += char;
    }
  }
  if (pending !== "") out.push(...pythonSplit(pending));
  return out;
}

const articles: Record<MlqaLanguage, readonly string[] | null> = {
  en: ["a", "an", "the"],
  es: ["un", "una", "unos", "unas", "el", "la", "los", "las"],
  hi: null, // "Hindi does not have formal articles"
  vi: ["của", "là", "cái", "chiếc", "những"],
  de: ["ein", "eine", "einen", "einem", "eines", "einer", "der", "die", "das", "den", "dem", "des"],
  ar: null, // handled below: the script replaces every "ال", wherever it stands
  zh: null, // "Chinese does not have formal articles"
};

function removeArticles(text: string, language: MlqaLanguage): string {
  // The script's Arabic pattern is '\sال^|ال'; its first branch can never match (a "^" after two
  // characters), so in effect every occurrence of the definite article "ال" becomes a space.
  if (language === "ar") return text.replaceAll("ال", " ");
  const words = articles[language];
  return words ? pythonReplaceWords(text, words) : text;
}

/** `normalize_answer(s, lang)`: lower-case, drop PUNCT, drop articles, re-tokenise and join with spaces. */
export function mlqaNormalize(text: string, language: string): string {
  if (!isMlqaLanguage(language)) {
    throw new PolytuneError("unsupported-language", `MLQA's evaluation defines no normalisation for "${language}".`, { hint: `It covers ${mlqaLanguages.join(", ")}; use the SQuAD v1.1 scores for other languages.` });
  }
  let withoutPunctuation = "";
  for (const char of text.toLowerCase()) if (!isMlqaPunctuation(char)) withoutPunctuation += char;
  const stripped = removeArticles(withoutPunctuation, language);
  const tokens = language === "zh" ? mixedSegmentation(stripped) : pythonSplit(stripped);
  // Python's `t.strip() != ''`, with Python's notion of whitespace.
  return tokens.filter((t) => pythonSplit(t).length > 0).join(" ");
}

export function mlqaExactMatch(prediction: string, gold: string, language: string): number {
  return mlqaNormalize(prediction, language) === mlqaNormalize(gold, language) ? 1 : 0;
}

/** Token-bag F1 (0–1) of the MLQA-normalised strings; the script splits the joined string on whitespace. */
export function mlqaF1(prediction: string, gold: string, language: string): number {
  return tokenF1(pythonSplit(mlqaNormalize(prediction, language)), pythonSplit(mlqaNormalize(gold, language)));
}
