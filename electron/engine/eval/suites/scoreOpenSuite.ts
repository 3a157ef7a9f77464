// The open-ended suite's surface metrics (issue 12, suite 1, without the judge): language correctness,
// line- and word-level language confusion, and spellcheck correctness for each response, aggregated
// per language. Predictions come from any system as JSONL, one {"id", "language", "prediction"} a line.
import { readFileSync } from "node:fs";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { normaliseLanguage } from "../../data/languageCodes.js";
import { loadLanguageIdentifier, type LanguageIdentifier } from "../../langid/loadLanguageIdentifier.js";
import { aggregate, type MetricSpec } from "../aggregate.js";
import { languageConfusion, likelyScript, loadEnglishWords, type EnglishWordTest } from "../metrics/languageConfusion.js";
import { languageCorrectness } from "../metrics/languageCorrectness.js";
import { checkSpelling, loadSpellchecker, type Spellchecker } from "../metrics/spellcheck.js";
import type { ItemScore, SuiteScore } from "../SuiteScore.js";
import { judgeMetrics, judgeOpenItems, type JudgeRequest } from "../judge/judgeOpenItems.js";

export interface OpenPrediction {
  id: string;
  /** As written in the file ("pt-BR"). */
  language: string;
  /** Normalised to lid.176's label ("pt"). */
  code: string;
  prediction: string;
  /** The prompt the response answers; optional, needed only by the judge. */
  prompt?: string;
  /** file:line, for messages. */
  where: string;
}

export interface ScoreOpenSuiteOptions {
  /** JSONL, one {"id", "language", "prediction"} per line. */
  predictions: string;
  /** A folder of extra Hunspell pairs named by language (`nl.aff` + `nl.dic`); they win over the bundled ones. */
  dictionaries?: string;
  /** A local judge model and the judgements asked of it (relevance, criteria, helpfulness); each line then needs "prompt". */
  judge?: JudgeRequest;
  resamples?: number;
  seed?: number;
}

/**
 * Per-item scores: `language_correctness`, `line_pass_rate` and `word_pass_rate` are 0/1 (aggregated ×100),
 * `spelling` is the item's share of accepted words on 0–100 (aggregated as the mean over responses, so a
 * long response does not outweigh a short one). Null where the metric does not apply, never 0.
 */
export const openSurfaceMetrics: MetricSpec[] = [
  { metric: "language_correctness", perItem: "fraction" },
  { metric: "line_pass_rate", perItem: "fraction" },
  { metric: "word_pass_rate", perItem: "fraction" },
  { metric: "spelling", perItem: "percent" },
];

function bad(message: string, where: string, hint?: string): never {
  throw new PolytuneError("open-predictions", message, { where, hint });
}

/** Reads and checks the predictions file; any bad line stops with its file, line and field. */
export function readOpenPredictions(file: string): OpenPrediction[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    throw new PolytuneError("not-found", "The predictions file cannot be read.", { where: file, details: (error as Error).message, cause: error });
  }
  const seen = new Map<string, string>();
  const out: OpenPrediction[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    if (line.trim() === "") return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new PolytuneError("open-predictions", "This line is not valid JSON.", { where, details: (error as Error).message, hint: 'Each line must be one {"id", "language", "prediction"} object.', cause: error });
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) bad('This line is not a {"id", "language", "prediction"} object.', where);
    const { id, language, prediction, prompt } = record as Record<string, unknown>;
    if (typeof id !== "string" || id === "") bad('Field "id" is missing or not a non-empty string.', `${where}: id`);
    if (typeof language !== "string" || language.trim() === "") bad(`Field "language" is missing or not a string (id "${id}").`, `${where}: language`, "Write the prompt's language as a code, e.g. \"fr\" or \"pt-BR\".");
    const code = normaliseLanguage(language);
    if (code === undefined) bad(`Field "language" is "${language}", which names no known language (id "${id}").`, `${where}: language`, "Use an ISO 639-1 or 639-3 code such as \"ru\" or \"rus\".");
    if (typeof prediction !== "string") bad(`Field "prediction" is missing or not a string (id "${id}").`, `${where}: prediction`, 'An empty response is written as "".');
    const earlier = seen.get(id);
    if (earlier) bad(`Id "${id}" has a second prediction (first at ${earlier}).`, `${where}: id`);
    if (prompt !== undefined && typeof prompt !== "string") bad(`Field "prompt" is not a string (id "${id}").`, `${where}: prompt`);
    seen.set(id, where);
    out.push({ id, language, code, prediction, ...(typeof prompt === "string" ? { prompt } : {}), where });
  });
  if (out.length === 0) bad("The predictions file has no predictions.", file, 'Write one {"id", "language", "prediction"} per line.');
  return out;
}

/** What the surface metrics need, loaded once: lid.176, the English word list, a spellchecker per language (null: not covered). */
export interface OpenTools {
  identifier: LanguageIdentifier;
  isEnglishWord: EnglishWordTest;
  checkers: Map<string, Spellchecker | null>;
}

export async function loadOpenTools(languages: readonly string[], dictionaries?: string): Promise<OpenTools> {
  const identifier = await loadLanguageIdentifier();
  const isEnglishWord = await loadEnglishWords();
  const checkers = new Map(await Promise.all(languages.map(async (code) => [code, await loadSpellchecker(code, dictionaries === undefined ? {} : { dictionaries })] as const)));
  return { identifier, isEnglishWord, checkers };
}

/**
 * One response's surface metrics against its target language (lid.176 label): the in-memory core of
 * scoreOpenSuite, shared with the evaluation job's scorer.
 */
export function scoreOpenResponse(tools: OpenTools, prediction: string, code: string): { scores: Record<string, number | null>; detail: Record<string, unknown> } {
  const correctness = languageCorrectness(tools.identifier, prediction, code);
  const confusion = languageConfusion(tools.identifier, prediction, code, tools.isEnglishWord);
  const checker = tools.checkers.get(code) ?? null;
  const spelling = checker ? checkSpelling(prediction, checker) : null;
  return {
    scores: {
      language_correctness: correctness.correct,
      line_pass_rate: confusion.linePass,
      word_pass_rate: confusion.wordPass,
      // A response with no word to check has no share (null), not 0 % or 100 %.
      spelling: spelling && spelling.words > 0 ? (100 * spelling.accepted) / spelling.words : null,
    },
    detail: {
      identified: correctness.identified,
      lines: confusion.lines,
      lineAccuracy: confusion.lineAccuracy,
      englishWords: confusion.englishWords,
      ...(spelling ? { words: spelling.words, misspelled: spelling.misspelled } : {}),
    },
  };
}

/** The surface metrics' notes: dictionaries per language, Latin-script word level, short responses left out. */
export function openSurfaceNotes(languages: readonly string[], checkers: ReadonlyMap<string, Spellchecker | null>, items: readonly ItemScore[]): string[] {
  const notes: string[] = [];
  for (const code of languages) {
    const checker = checkers.get(code);
    notes.push(checker ? `spelling (${code}): Hunspell dictionary ${checker.source}.` : `spelling (${code}): not covered — no Hunspell dictionary for this language; reported as missing, not 0.`);
  }
  const latin = languages.filter((code) => likelyScript(code) === "Latn");
  if (latin.length > 0) notes.push(`word_pass_rate: not computed for Latin-script targets (${latin.join(", ")}), as in Marchisio et al. (2024).`);
  const skipped = items.filter((i) => i.scores.line_pass_rate === null).length;
  if (skipped > 0) notes.push(`line_pass_rate: ${skipped} response(s) have no line of at least 5 tokens and are left out of its denominator.`);
  return notes;
}

/** The judge's notes: which model and judgements, and how many verdicts are missing. */
export function openJudgeNotes(judge: JudgeRequest, judged: ReadonlyArray<{ scores: Record<string, number | null> }>): string[] {
  const notes: string[] = [];
  const missingCount = (metric: string): number => judged.filter((j) => metric in j.scores && j.scores[metric] === null).length;
  notes.push(`judge: ${judge.model} (${judge.judgements.join(", ")}); its fingerprint and the prompt's hash are stored with every score in the item's detail.`);
  if (judge.judgements.includes("relevance")) notes.push(`relevance: 0/1 from the judge, the last 0 or 1 it wrote; ${missingCount("relevance")} unreadable after one retry, reported as missing.`);
  if (judge.judgements.includes("helpfulness")) notes.push(`helpfulness: 1–6 (paper 003), forced to 1 for a response in the wrong language; averaged on its 1–6 scale; ${missingCount("helpfulness")} missing.`);
  if (judge.judgements.includes("criteria")) notes.push("criterion_*: paper 002's six criteria, 1–3 stars reported 0–2 and averaged on 0–2; every criterion but language only over responses in the prompt's language.");
  return notes;
}

/** Scores every prediction with the three surface metrics and aggregates them overall and per language. */
export async function scoreOpenSuite(options: ScoreOpenSuiteOptions): Promise<SuiteScore> {
  const predictions = readOpenPredictions(options.predictions);
  const languages = [...new Set(predictions.map((p) => p.code))].sort();
  const tools = await loadOpenTools(languages, options.dictionaries);
  const { checkers } = tools;

  const items: ItemScore[] = predictions.map((p) => ({ id: p.id, language: p.code, ...scoreOpenResponse(tools, p.prediction, p.code) }));

  const notes: string[] = [];
  if (options.judge && options.judge.judgements.length > 0) {
    const missing = predictions.find((p) => p.prompt === undefined);
    if (missing) bad(`The judge needs the prompt each response answers; id "${missing.id}" has no "prompt".`, `${missing.where}: prompt`, 'Write one {"id", "language", "prompt", "prediction"} per line, or score without --judge.');
    const judged = await judgeOpenItems(
      predictions.map((p, i) => ({ task: p.prompt!, response: p.prediction, languageCorrect: items[i]!.scores.language_correctness as 0 | 1 | null })),
      options.judge,
    );
    judged.forEach((j, i) => {
      const item = items[i]!;
      item.scores = { ...item.scores, ...j.scores };
      item.detail = { ...item.detail, ...j.detail };
    });
    notes.push(...openJudgeNotes(options.judge, judged));
  }
  notes.push(...openSurfaceNotes(languages, checkers, items));

  return {
    suite: "open",
    items,
    aggregates: aggregate(items, [...openSurfaceMetrics, ...(options.judge ? judgeMetrics(options.judge.judgements) : [])], { ...(options.resamples === undefined ? {} : { resamples: options.resamples }), ...(options.seed === undefined ? {} : { seed: options.seed }) }),
    excluded: [],
    notes,
  };
}
