// The judge's scores for the open suite, with the papers' two rules applied on top of the raw verdicts:
// helpfulness 1–6 forced to 1 for a response in the wrong language (003 §4.1), and every criterion but
// language left out (null) for such responses, so those five average over correct-language ones (002).
import type { GpuChoice } from "../../llamacpp/llamaRuntime.js";
import type { MetricSpec } from "../aggregate.js";
import { criteriaKeys, type CriterionKey, type Judgement } from "./judgePrompts.js";
import { LlmJudge, type JudgeVerdict } from "./LlmJudge.js";

export interface JudgeRequest {
  /** Path of the judge's GGUF file. */
  model: string;
  judgements: readonly Judgement[];
  gpu?: GpuChoice;
  contextSize?: number;
  maxTokens?: number;
  threads?: number;
}

export interface JudgedItem {
  task: string;
  response: string;
  /** The item's language_correctness (lid): 1, 0, or null when unknown. */
  languageCorrect: 0 | 1 | null;
}

export interface JudgeVerdicts {
  relevance?: JudgeVerdict<0 | 1>;
  criteria?: JudgeVerdict<Record<CriterionKey, 1 | 2 | 3>>;
  /** Absent when the response is in the wrong language: its score is forced, the judge is not asked. */
  helpfulness?: JudgeVerdict<{ score: number; explanation: string | null }>;
}

export const criterionMetric = (key: CriterionKey): string => `criterion_${key}`;

/**
 * How the judge's metrics aggregate: `relevance` is 0/1 per item (mean ×100); `helpfulness` is 1–6 per
 * item and `criterion_*` 0–2 per item, both averaged on their own scale (the papers report them so).
 */
export function judgeMetrics(judgements: readonly Judgement[]): MetricSpec[] {
  const out: MetricSpec[] = [];
  if (judgements.includes("relevance")) out.push({ metric: "relevance", perItem: "fraction" });
  if (judgements.includes("helpfulness")) out.push({ metric: "helpfulness", perItem: "percent" });
  if (judgements.includes("criteria")) for (const k of criteriaKeys) out.push({ metric: criterionMetric(k), perItem: "percent" });
  return out;
}

/** Scores and detail of one item from its verdicts; pure, so the two rules are testable by hand. */
export function judgedScores(judgements: readonly Judgement[], verdicts: JudgeVerdicts, languageCorrect: 0 | 1 | null): { scores: Record<string, number | null>; detail: Record<string, unknown> } {
  const scores: Record<string, number | null> = {};
  const detail: Record<string, unknown> = {};
  if (judgements.includes("relevance")) {
    scores.relevance = verdicts.relevance?.value ?? null;
    if (verdicts.relevance) detail.relevance = verdicts.relevance;
  }
  if (judgements.includes("helpfulness")) {
    if (languageCorrect === 0) {
      scores.helpfulness = 1;
      detail.helpfulness = { forced: "wrong language: helpfulness forced to 1 (paper 003)", ...(verdicts.helpfulness ?? {}) };
    } else {
      scores.helpfulness = verdicts.helpfulness?.value?.score ?? null;
      if (verdicts.helpfulness) detail.helpfulness = verdicts.helpfulness;
    }
  }
  if (judgements.includes("criteria")) {
    const stars = verdicts.criteria?.value ?? null;
    for (const k of criteriaKeys) {
      // Reported 0–2 (stars − 1). Only language counts for a response not known to be in the right language.
      const counts = k === "language" || languageCorrect === 1;
      scores[criterionMetric(k)] = stars && counts ? stars[k] - 1 : null;
    }
    if (verdicts.criteria) detail.criteria = { ...verdicts.criteria, ...(languageCorrect === 1 ? {} : { excluded: "not in the prompt's language: only the language criterion is averaged" }) };
  }
  return { scores, detail: { judge: detail } };
}

/** Judges every item with one model, loaded once; returns each item's scores and detail in order. */
export async function judgeOpenItems(items: readonly JudgedItem[], request: JudgeRequest): Promise<Array<ReturnType<typeof judgedScores>>> {
  const judge = await LlmJudge.open({
    modelPath: request.model,
    ...(request.gpu !== undefined ? { gpu: request.gpu } : {}),
    ...(request.contextSize !== undefined ? { contextSize: request.contextSize } : {}),
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    ...(request.threads !== undefined ? { threads: request.threads } : {}),
  });
  try {
    const out: Array<ReturnType<typeof judgedScores>> = [];
    for (const item of items) {
      const verdicts: JudgeVerdicts = {};
      if (request.judgements.includes("relevance")) verdicts.relevance = await judge.relevance(item.task, item.response);
      if (request.judgements.includes("criteria")) verdicts.criteria = await judge.criteria(item.task, item.response);
      if (request.judgements.includes("helpfulness") && item.languageCorrect !== 0) verdicts.helpfulness = await judge.helpfulness(item.task, item.response);
      out.push(judgedScores(request.judgements, verdicts, item.languageCorrect));
    }
    return out;
  } finally {
    await judge.dispose();
  }
}
