// Scores the evaluation job's outputs for one suite from the task alone (no file is read): each seed's
// output with the same metric code eval.score uses, the item's score the mean over its seeds (null-aware),
// `detail.seeds` keeping each seed's scores, and per-language aggregates with bootstrap intervals (over
// items and, where sampled, over each item's seeds).
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { aggregate, type MetricSpec } from "../aggregate.js";
import type { JudgeRequest } from "../judge/judgeOpenItems.js";
import { isMlqaLanguage } from "../metrics/mlqaMetrics.js";
import type { Excluded, ItemScore, SuiteScore } from "../SuiteScore.js";
import { scoreChoiceAnswer } from "../suites/scoreChoiceSuite.js";
import { qaMetricSpecs, scoreQaAnswer } from "../suites/scoreQaSuite.js";
import { averageSeeds, seedReplicates, type SeedScore } from "./averageSeeds.js";
import type { EvalOutput, EvalTask, EvalTaskItem, JudgeStore } from "./EvalTask.js";
import type { ChoiceReference } from "./loadChoiceTask.js";
import type { QaReference } from "./loadQaTask.js";
import { scoreOpenOutputs, type Scorable, type SuiteOutputScores } from "./scoreOpenTask.js";
import { scoreSimplificationOutputs } from "./scoreSimplificationTask.js";

export interface ScoreEvalTaskOptions {
  judge?: JudgeRequest;
  judgeStore?: JudgeStore;
  dictionaries?: string;
  resamples?: number;
  seed?: number;
  /** Judge calls done and needed (stored verdicts counted as done), after each verdict. */
  onJudged?: (done: number, total: number) => void;
  /** Checked between judge verdicts: once aborted, scoring rejects with an Error named "AbortError"; verdicts already stored stay. */
  signal?: AbortSignal;
}

/** The answer span of a QA response for EM/F1: the text after the forced prefix, up to the closing quotation mark or line break. */
export function qaAnswerSpan(text: string, responsePrefix: string | undefined): string {
  const generated = responsePrefix !== undefined && text.startsWith(responsePrefix) ? text.slice(responsePrefix.length) : text;
  return generated.split(/["”»」\n]/u)[0]!.trim();
}

function usable(item: EvalTaskItem, output: EvalOutput): boolean {
  return item.kind === "rank" ? Array.isArray(output.loglikelihoods) : typeof output.text === "string";
}

function scoreQaOutputs(scorable: readonly Scorable[]): SuiteOutputScores {
  const perSeed = scorable.map(({ item, outputs }) => {
    const ref = item.reference as QaReference;
    return outputs.map((o): SeedScore => ({ seed: o.seed, ...scoreQaAnswer(o.text!, ref, item.language, qaAnswerSpan(o.text!, item.responsePrefix)) }));
  });
  const withMlqa = scorable.some((s) => isMlqaLanguage(s.item.language));
  return {
    perSeed,
    metrics: () => qaMetricSpecs(withMlqa),
    notes: () => [
      "exact_match and f1: SQuAD v1.1 (max over gold answers) on the answer span — the text after the forced prefix up to the closing quotation mark or first line break; mlqa_*: MLQA's language-specific normalisation where MLQA defines one; start_match: paper 003's 50-character start match on the whole response.",
    ],
  };
}

function scoreChoiceOutputs(suite: "nli" | "mcq", scorable: readonly Scorable[]): SuiteOutputScores {
  let unreadable = 0;
  const perSeed = scorable.map(({ item, outputs }) => {
    const ref = item.reference as ChoiceReference;
    return outputs.map((o): SeedScore => {
      const scored = scoreChoiceAnswer(suite, ref, item.kind === "rank" ? { loglikelihoods: o.loglikelihoods! } : { prediction: o.text! });
      if (scored.predicted === null) unreadable++;
      return { seed: o.seed, scores: scored.scores, detail: scored.detail };
    });
  });
  return {
    perSeed,
    metrics: () => [{ metric: "accuracy", perItem: "fraction" }],
    notes: () => [
      `accuracy: 0/1 per item, aggregated on 0–100${suite === "nli" ? "; the label whose continuation is most likely wins (ties to the earlier label)" : "; the letter read by parseChoiceLetter"}.`,
      ...(unreadable > 0 ? [`${unreadable} output(s) named no ${suite === "nli" ? "label" : "letter"} that could be read; they count as wrong.`] : []),
    ],
  };
}

export async function scoreEvalTask(task: EvalTask, outputs: readonly EvalOutput[], options: ScoreEvalTaskOptions = {}): Promise<SuiteScore> {
  const byId = new Map(task.items.map((item) => [item.id, item]));
  const grouped = new Map<string, EvalOutput[]>();
  let unknown = 0;
  let unusable = 0;
  for (const output of outputs) {
    const item = byId.get(output.itemId);
    if (!item) {
      unknown++;
      continue;
    }
    if (!usable(item, output)) {
      unusable++;
      continue;
    }
    const list = grouped.get(item.id) ?? [];
    if (list.some((o) => o.seed === output.seed)) {
      throw new PolytuneError("eval-output-duplicate", `Item "${item.id}" has two outputs for seed ${output.seed ?? "none (greedy)"}.`, { where: `${task.suite}: ${item.id}`, hint: "Each item has at most one output per seed." });
    }
    if (item.kind === "rank" && output.loglikelihoods!.length !== (item.continuations?.length ?? 0)) {
      throw new PolytuneError("eval-output-shape", `Item "${item.id}" has ${output.loglikelihoods!.length} log-likelihood(s) for ${item.continuations?.length ?? 0} continuation(s).`, { where: `${task.suite}: ${item.id}` });
    }
    list.push(output);
    grouped.set(item.id, list);
  }
  const seedOrder = (s: number | null): number => (s === null ? -1 : s);
  const scorable: Scorable[] = [];
  const excluded: Excluded[] = [...task.excluded];
  for (const item of task.items) {
    const list = grouped.get(item.id);
    if (!list) excluded.push({ id: item.id, reason: "no output" });
    else scorable.push({ item, outputs: [...list].sort((a, b) => seedOrder(a.seed) - seedOrder(b.seed)) });
  }

  let scored: SuiteOutputScores;
  switch (task.suite) {
    case "open":
    case "modifiers":
      scored = await scoreOpenOutputs(task.suite, scorable, options);
      break;
    case "qa":
      scored = scoreQaOutputs(scorable);
      break;
    case "simplification":
      scored = await scoreSimplificationOutputs(scorable);
      break;
    case "nli":
    case "mcq":
      scored = scoreChoiceOutputs(task.suite, scorable);
      break;
  }

  const items: ItemScore[] = scorable.map((s, i) => {
    const perSeed = scored.perSeed[i]!;
    return { id: s.item.id, language: s.item.language, scores: averageSeeds(perSeed), detail: { ...(scored.itemDetail?.[i] ?? {}), seeds: perSeed } };
  });
  const metrics: MetricSpec[] = scored.metrics(items);
  const seeds = new Set(scorable.flatMap((s) => s.outputs.map((o) => o.seed)));
  const notes = [...task.notes, ...scored.notes(items)];
  if (seeds.size > 1) notes.push(`Each item's score is the mean over its ${seeds.size} seeds' outputs (a metric missing in a seed is left out of that mean); detail.seeds keeps each seed's scores. Intervals resample items and, within each drawn item, its seeds (corpus-level metrics: items only).`);
  const noOutput = excluded.length - task.excluded.length;
  if (noOutput > 0) notes.push(`${noOutput} item(s) have no output and are left out (never scored as 0).`);
  if (unknown > 0) notes.push(`${unknown} output(s) name no item of the task and were ignored.`);
  if (unusable > 0) notes.push(`${unusable} output(s) had no ${task.suite === "nli" ? "log-likelihoods" : "text"} and were ignored.`);
  const aggregates = aggregate(items, metrics, { replicates: seedReplicates(items), ...(options.resamples !== undefined ? { resamples: options.resamples } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  return { suite: task.suite, items, aggregates, excluded, notes };
}
