// Extractive QA (issue 12, suite 4): XQuAD, MLQA or any SQuAD-format gold against one prediction per
// question. Per item, every metric is on 0–1 (exact match and start match 0/1, F1 0–1, as the official
// scripts compute per question); aggregates are ×100.
import { aggregate, type MetricSpec } from "../aggregate.js";
import { isMlqaLanguage, mlqaExactMatch, mlqaF1, mlqaLanguages } from "../metrics/mlqaMetrics.js";
import { maxOverGolds, squadExactMatch, squadF1 } from "../metrics/squadMetrics.js";
import { answerPrefixes, startMatch } from "../metrics/startMatch.js";
import type { Excluded, ItemScore, SuiteScore } from "../SuiteScore.js";
import { readQaData } from "./readQaData.js";
import { readQaPredictions } from "./readQaPredictions.js";

export interface ScoreQaSuiteOptions {
  /** Gold: SQuAD-format JSON, or a Hugging Face `datasets` folder / .arrow file with SQuAD columns. */
  data: string;
  /** JSONL, one {"id", "prediction"} per line (or the SQuAD scripts' {"id": "prediction"} .json). */
  predictions: string;
  /** Answer language (BCP-47) when the file's name or metadata does not say. Overrides them when given. */
  language?: string;
  resamples?: number;
  seed?: number;
}

/** Metric names: the reference scripts' (`exact_match`, `f1`), MLQA's prefixed, and paper 003's `start_match`. */
export const qaMetrics = {
  exactMatch: "exact_match",
  f1: "f1",
  mlqaExactMatch: "mlqa_exact_match",
  mlqaF1: "mlqa_f1",
  startMatch: "start_match",
} as const;

const listed = (ids: readonly string[], max = 10): string => (ids.length <= max ? ids.join(", ") : `${ids.slice(0, max).join(", ")} and ${ids.length - max} more`);

/** How the QA metrics aggregate: every one is 0/1 or 0–1 per question, reported ×100. */
export function qaMetricSpecs(withMlqa: boolean): MetricSpec[] {
  return [qaMetrics.exactMatch, qaMetrics.f1, ...(withMlqa ? [qaMetrics.mlqaExactMatch, qaMetrics.mlqaF1] : []), qaMetrics.startMatch].map((metric) => ({ metric, perItem: "fraction" as const }));
}

/**
 * One question's scores from one prediction: SQuAD v1.1 EM/F1 (max over golds), paper 003's start match,
 * and MLQA's EM/F1 when `primary` (the answer language's primary subtag) is one of MLQA's languages.
 * The in-memory core of scoreQaSuite, shared with the evaluation job's scorer.
 */
export function scoreQaAnswer(
  prediction: string,
  question: { question: string | null; golds: readonly string[] },
  primary: string | null,
  /** The answer span EM and F1 compare, when it differs from the whole response (a forced prefix removed); start match always reads `prediction`. */
  answer?: string,
): { scores: Record<string, number | null>; detail: Record<string, unknown> } {
  const start = startMatch(prediction, question.golds, { language: primary, question: question.question });
  const span = answer ?? prediction;
  const scores: Record<string, number | null> = {
    [qaMetrics.exactMatch]: maxOverGolds(squadExactMatch, span, question.golds),
    [qaMetrics.f1]: maxOverGolds(squadF1, span, question.golds),
    [qaMetrics.startMatch]: start.correct,
  };
  if (isMlqaLanguage(primary)) {
    scores[qaMetrics.mlqaExactMatch] = maxOverGolds((p, g) => mlqaExactMatch(p, g, primary), span, question.golds);
    scores[qaMetrics.mlqaF1] = maxOverGolds((p, g) => mlqaF1(p, g, primary), span, question.golds);
  }
  return { scores, detail: { question: question.question, golds: question.golds, prediction, ...(answer !== undefined ? { answer } : {}), startAnswer: start.answer, strippedPrefix: start.strippedPrefix, strippedQuestion: start.strippedQuestion } };
}

export function scoreQaSuite(options: ScoreQaSuiteOptions): SuiteScore {
  const gold = readQaData(options.data);
  const predictions = readQaPredictions(options.predictions);
  const language = options.language ?? gold.language;
  const primary = language ? (language.toLowerCase().split(/[-_]/)[0] ?? null) : null;
  const withMlqa = isMlqaLanguage(primary);

  const items: ItemScore[] = [];
  const excluded: Excluded[] = [...gold.excluded];
  const missing: string[] = [];
  for (const q of gold.questions) {
    const found = predictions.get(q.id);
    if (!found) {
      missing.push(q.id);
      excluded.push({ id: q.id, reason: "no prediction for this question" });
      continue;
    }
    const scored = scoreQaAnswer(found.prediction, q, primary);
    items.push({ id: q.id, language, ...scored });
  }

  const known = new Set([...gold.questions.map((q) => q.id), ...gold.excluded.map((e) => e.id)]);
  const unknown = [...predictions.keys()].filter((id) => !known.has(id));
  const notes: string[] = [];
  notes.push(`${gold.questions.length + gold.excluded.length} questions in ${gold.files.join(", ")}; ${items.length} scored.`);
  if (language === null) notes.push("Answer language unknown (give one): exact match and F1 use SQuAD v1.1's English-centric normalisation only.");
  else if (!withMlqa) notes.push(`MLQA defines no normalisation for "${language}" (only ${mlqaLanguages.join(", ")}): ${qaMetrics.mlqaExactMatch} and ${qaMetrics.mlqaF1} are not reported.`);
  if (primary && !answerPrefixes[primary]) notes.push(`No answer prefix is known for "${language}"; start match strips the English and other known prefixes only.`);
  else if (primary && answerPrefixes[primary]!.source === "polytune") notes.push(`The "${primary}" answer prefix is Polytune's translation, not the paper's.`);
  if (gold.excluded.length > 0) notes.push(`${gold.excluded.length} questions left out for missing or malformed gold answers: ${listed(gold.excluded.map((e) => e.id))}.`);
  if (missing.length > 0) notes.push(`${missing.length} questions have no prediction and are left out of the means (the official scripts would count them as 0): ${listed(missing)}.`);
  if (unknown.length > 0) notes.push(`${unknown.length} predictions name no question of the gold file and were ignored: ${listed(unknown)}.`);

  const aggregates = aggregate(items, qaMetricSpecs(withMlqa), { resamples: options.resamples, seed: options.seed });
  return { suite: "qa", items, aggregates, excluded, notes };
}
