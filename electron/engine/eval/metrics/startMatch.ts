// Paper 003's extractive-QA score (Kew, Schottmann & Sennrich 2024, §4.3 and footnote 11): the prompt
// force-decodes "Based on the passage, the answer to the question is" (or its translation), so the
// answer should come first in what the model writes. A response is correct when a gold answer matches
// its beginning, after stripping a repeated question and cutting at 50 characters or the first line
// break, whichever comes first. See docs/decisions/0027-qa-scoring.md for the choices made here.
import { isMlqaLanguage, mlqaNormalize } from "./mlqaMetrics.js";

export interface AnswerPrefix {
  text: string;
  /** "paper-003": the string the paper's released prompts use; "polytune": our translation, not reviewed by a native speaker. */
  source: "paper-003" | "polytune";
}

/**
 * The forced response prefix per language (BCP-47 primary subtag). en, de and ar are the paper's own
 * (its repository's data/xquad/xquad_dev_{en,de,ar}_*.json prompts); the rest are ours.
 */
export const answerPrefixes: Readonly<Record<string, AnswerPrefix>> = {
  en: { text: "Based on the passage, the answer to the question is", source: "paper-003" },
  de: { text: "Anhand des Textes lautet die Antwort auf die Frage", source: "paper-003" },
  ar: { text: "بناء على القطعة فإن إجابة السؤال هي", source: "paper-003" },
  es: { text: "Según el pasaje, la respuesta a la pregunta es", source: "polytune" },
  fr: { text: "D'après le passage, la réponse à la question est", source: "polytune" },
  pt: { text: "Com base no texto, a resposta à pergunta é", source: "polytune" },
  ru: { text: "Согласно тексту, ответ на вопрос", source: "polytune" },
  zh: { text: "根据这段文字，问题的答案是", source: "polytune" },
  el: { text: "Με βάση το απόσπασμα, η απάντηση στην ερώτηση είναι", source: "polytune" },
  hi: { text: "अनुच्छेद के आधार पर, प्रश्न का उत्तर है", source: "polytune" },
  ro: { text: "Pe baza textului, răspunsul la întrebare este", source: "polytune" },
  th: { text: "จากข้อความ คำตอบของคำถามคือ", source: "polytune" },
  tr: { text: "Metne göre sorunun cevabı", source: "polytune" },
  vi: { text: "Dựa trên đoạn văn, câu trả lời cho câu hỏi là", source: "polytune" },
};

/** The paper's cut: at most this many characters (code points) of the answer are compared. */
export const startMatchMaxChars = 50;

export interface StartMatchOptions {
  /** The answer language (BCP-47); picks the prefix tried first and the normalisation. */
  language?: string | null;
  /** The question, stripped when the model repeats it before answering. */
  question?: string | null;
}

export interface StartMatchResult {
  /** 1 when a gold answer matches the start of the extracted answer, else 0. */
  correct: number;
  /** What was compared: the response after stripping and cutting. */
  answer: string;
  strippedPrefix: boolean;
  strippedQuestion: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// A phrase as a pattern: case-insensitive, any run of whitespace where it has one.
function loosePhrase(phrase: string): string {
  return phrase.trim().split(/\s+/u).map(escapeRegExp).join("\\s+");
}

const leadingNoise = /^[\s\p{P}]+/u;

function primarySubtag(language: string | null | undefined): string | null {
  return language ? (language.toLowerCase().split(/[-_]/)[0] ?? null) : null;
}

/** Removes a forced prefix the response repeats: the answer language's first, then English, then any other. */
export function stripAnswerPrefix(response: string, language?: string | null): { text: string; stripped: boolean } {
  const own = primarySubtag(language);
  const order = [own, "en", ...Object.keys(answerPrefixes)].filter((l, i, all): l is string => l !== null && answerPrefixes[l] !== undefined && all.indexOf(l) === i);
  const trimmed = response.replace(/^\s+/u, "");
  for (const lang of order) {
    const match = new RegExp(`^${loosePhrase(answerPrefixes[lang]!.text)}`, "iu").exec(trimmed);
    if (match) return { text: trimmed.slice(match[0].length).replace(leadingNoise, ""), stripped: true };
  }
  return { text: trimmed.replace(leadingNoise, ""), stripped: false };
}

/** Removes the question when the response starts by repeating it (seen with German and Russian prompts). */
export function stripRepeatedQuestion(text: string, question: string | null | undefined): { text: string; stripped: boolean } {
  const core = (question ?? "").trim().replace(/[\s\p{P}]+$/u, "");
  if (core === "") return { text, stripped: false };
  const match = new RegExp(`^${loosePhrase(core)}`, "iu").exec(text);
  if (!match) return { text, stripped: false };
  return { text: text.slice(match[0].length).replace(leadingNoise, ""), stripped: true };
}

/** The paper's cut: up to the first line break, then at most 50 characters. */
export function cutAnswer(text: string): string {
  const firstLine = text.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/u)[0] ?? "";
  return Array.from(firstLine).slice(0, startMatchMaxChars).join("");
}

/** Everything between the model's response and the string compared with the gold answers. */
export function extractStartAnswer(response: string, options: StartMatchOptions = {}): Omit<StartMatchResult, "correct"> {
  const prefix = stripAnswerPrefix(response, options.language);
  const question = stripRepeatedQuestion(prefix.text, options.question);
  return { answer: cutAnswer(question.text), strippedPrefix: prefix.stripped, strippedQuestion: question.stripped };
}

/**
 * MLQA's normalisation for the languages it defines; for the others its Chinese rules, which are the
 * language-neutral ones (Unicode punctuation removed, no articles, Han characters split, whitespace
 * elsewhere). SQuAD's ASCII-only punctuation would leave „“«» around answers in other scripts.
 */
export function startMatchNormalize(text: string, language?: string | null): string {
  const lang = primarySubtag(language);
  return mlqaNormalize(text, isMlqaLanguage(lang) ? lang : "zh");
}

// Scripts written without spaces between words: there a match may end inside a space-free run.
const unspacedScript = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

/**
 * Whether `gold` (normalised) is the start of `answer` (normalised) and ends at a word boundary, so that
 * "19" does not match "1990". Both are assumed normalised; an empty gold never matches.
 */
export function startsWithGold(answer: string, gold: string): boolean {
  if (gold === "" || !answer.startsWith(gold)) return false;
  if (answer.length === gold.length) return true;
  const next = answer.slice(gold.length).codePointAt(0)!;
  const nextChar = String.fromCodePoint(next);
  const lastChar = Array.from(gold).at(-1)!;
  return nextChar === " " || unspacedScript.test(nextChar) || unspacedScript.test(lastChar);
}

/**
 * Paper 003's start match of one response against its gold answers (any gold may match). A gold answer
 * longer than the cut is cut the same way: the response keeps only 50 characters, so a longer gold could
 * never match otherwise (3 of XQuAD's 274 English answers in the shared sample, 8 of the German).
 */
export function startMatch(response: string, golds: readonly string[], options: StartMatchOptions = {}): StartMatchResult {
  const extracted = extractStartAnswer(response, options);
  const answer = startMatchNormalize(extracted.answer, options.language);
  const correct = golds.some((gold) => {
    const cut = cutAnswer(gold.trim());
    const normalized = startMatchNormalize(cut, options.language);
    if (cut === gold.trim()) return startsWithGold(answer, normalized);
    // A cut gold ends mid-text anyway, so only its start must agree.
    return normalized !== "" && answer.startsWith(normalized);
  })
    ? 1
    : 0;
  return { correct, ...extracted };
}

