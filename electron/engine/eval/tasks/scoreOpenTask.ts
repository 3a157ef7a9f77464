// Scoring the open and modifier suites' outputs: the open suite's surface metrics on every response,
// the local judge's verdicts (relevance, criteria, helpfulness; for modifiers helpfulness and modifier
// fulfilment), each stored in the JudgeStore under its own key the moment it exists, and rule-based
// modifier fulfilment where a program can check the modifier.
import { aggregate, type MetricSpec } from "../aggregate.js";
import { judgedScores, judgeMetrics, type JudgeRequest, type JudgeVerdicts } from "../judge/judgeOpenItems.js";
import type { Judgement } from "../judge/judgePrompts.js";
import { LlmJudge, type JudgeVerdict } from "../judge/LlmJudge.js";
import type { ItemScore } from "../SuiteScore.js";
import { loadOpenTools, openJudgeNotes, openSurfaceMetrics, openSurfaceNotes, scoreOpenResponse } from "../suites/scoreOpenSuite.js";
import { seedReplicates, type SeedScore } from "./averageSeeds.js";
import type { EvalOutput, EvalTaskItem, JudgeStore } from "./EvalTask.js";
import type { ModifierReference } from "./loadModifiersTask.js";
import { checkModifier, modifierKind } from "./modifierFulfilment.js";

export interface Scorable {
  item: EvalTaskItem;
  /** The item's outputs with text (generate) or log-likelihoods (rank), in seed order. */
  outputs: EvalOutput[];
}

export interface SuiteOutputScores {
  /** Per scorable item (same order), each seed's scores and detail. */
  perSeed: SeedScore[][];
  /** Item-level detail (not per seed), e.g. the modifier type. */
  itemDetail?: Array<Record<string, unknown>>;
  metrics: (items: readonly ItemScore[]) => MetricSpec[];
  notes: (items: readonly ItemScore[]) => string[];
}

export interface OpenScoringOptions {
  judge?: JudgeRequest;
  judgeStore?: JudgeStore;
  dictionaries?: string;
  resamples?: number;
  seed?: number;
  /** Judge calls done and needed (stored ones counted as done), after each verdict. */
  onJudged?: (done: number, total: number) => void;
  /** Checked before each judge call; once aborted, scoring rejects with an AbortError (stored verdicts stay). */
  signal?: AbortSignal;
}

/** What one judge call decides: the open suite's judgements, or a modifier's fulfilment. */
type JudgeCall = Judgement | "modifier";

/** The JudgeStore key of one judgement of one output (see EvalTask.ts). */
export const judgeKey = (itemId: string, seed: number | null, call: JudgeCall): string => `${itemId}\u0000${seed ?? ""}\u0000${call}`;

/** The rejection of a scoring cancelled through its signal. */
export function abortError(): Error {
  const error = new Error("Scoring was cancelled.");
  error.name = "AbortError";
  return error;
}

/** Per-modifier-type aggregate rows, `metric` over the items of one modifier type each, for the notes. */
function byModifierType(items: readonly ItemScore[], metric: string, perItem: "fraction" | "percent", options: OpenScoringOptions): string[] {
  const types = [...new Set(items.map((i) => String(i.detail?.modifier)))].sort();
  const rows: string[] = [];
  for (const type of types) {
    const subset = items.filter((i) => i.detail?.modifier === type);
    const [overall] = aggregate(subset, [{ metric, perItem }], { perLanguage: false, replicates: seedReplicates(subset), ...(options.resamples !== undefined ? { resamples: options.resamples } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    rows.push(overall ? `${type} ${overall.mean.toFixed(1)}${overall.ci95 ? ` [${overall.ci95[0].toFixed(1)}, ${overall.ci95[1].toFixed(1)}]` : ""} (n=${overall.n})` : `${type} missing (n=0)`);
  }
  return rows;
}

export async function scoreOpenOutputs(suite: "open" | "modifiers", scorable: readonly Scorable[], options: OpenScoringOptions): Promise<SuiteOutputScores> {
  const expectedOf = (item: EvalTaskItem): string => (suite === "modifiers" ? (item.reference as ModifierReference).expectedLanguage : item.language);
  const languages = [...new Set(scorable.map((s) => expectedOf(s.item)))].sort();
  const tools = await loadOpenTools(languages, options.dictionaries);

  const perSeed: SeedScore[][] = scorable.map(({ item, outputs }) =>
    outputs.map((o) => {
      const text = o.text ?? "";
      const surface = scoreOpenResponse(tools, text, expectedOf(item));
      const scores = { ...surface.scores };
      const detail: Record<string, unknown> = { ...surface.detail };
      if (suite === "modifiers") {
        const modifier = (item.reference as ModifierReference).modifier;
        const identified = (surface.detail.identified as { language: string }).language;
        const check = checkModifier(modifier, text, identified);
        // Judge-kind modifiers stay missing unless a judge fills them in below.
        scores.modifier_fulfilment = check.fulfilled;
        detail.modifierCheck = modifierKind(modifier) === "rule" ? check.detail : { rule: null, judged: options.judge !== undefined };
      }
      return { seed: o.seed, scores, detail };
    }),
  );

  const judge = options.judge;
  const judgements = judge ? (suite === "open" ? judge.judgements : judge.judgements.filter((j) => j === "helpfulness")) : [];
  const judged: Array<{ scores: Record<string, number | null> }> = [];
  if (judge) {
    const languageCorrect = (i: number, k: number): 0 | 1 | null => perSeed[i]![k]!.scores.language_correctness as 0 | 1 | null;
    // Every judge call each output needs, in the order they are asked.
    const calls = scorable.flatMap((s, i) =>
      s.outputs.flatMap((o, k) => {
        const needed: JudgeCall[] = (["relevance", "criteria", "helpfulness"] as const).filter((j) => judgements.includes(j) && (j !== "helpfulness" || languageCorrect(i, k) !== 0));
        if (suite === "modifiers" && modifierKind((s.item.reference as ModifierReference).modifier) === "judge") needed.push("modifier");
        return needed.map((call) => ({ item: s.item, output: o, call, key: judgeKey(s.item.id, o.seed, call) }));
      }),
    );
    const verdicts = new Map<string, JudgeVerdict<unknown>>();
    for (const c of calls) {
      const stored = options.judgeStore?.get(c.key);
      if (stored) verdicts.set(c.key, stored.detail.verdict as JudgeVerdict<unknown>);
    }
    let done = verdicts.size;
    if (calls.length > 0) options.onJudged?.(done, calls.length);
    const todo = calls.filter((c) => !verdicts.has(c.key));
    if (todo.length > 0) {
      if (options.signal?.aborted) throw abortError();
      // One model load for every judgement still to make; each verdict stored as soon as it exists.
      const session = await LlmJudge.open({ modelPath: judge.model, ...(judge.gpu !== undefined ? { gpu: judge.gpu } : {}), ...(judge.contextSize !== undefined ? { contextSize: judge.contextSize } : {}), ...(judge.maxTokens !== undefined ? { maxTokens: judge.maxTokens } : {}), ...(judge.threads !== undefined ? { threads: judge.threads } : {}) });
      try {
        for (const c of todo) {
          if (options.signal?.aborted) throw abortError();
          const response = c.output.text ?? "";
          const verdict: JudgeVerdict<unknown> =
            c.call === "relevance" ? await session.relevance(c.item.prompt, response)
            : c.call === "criteria" ? await session.criteria(c.item.prompt, response)
            : c.call === "helpfulness" ? await session.helpfulness(c.item.prompt, response)
            : await session.fulfilment(c.item.prompt, (c.item.reference as ModifierReference).modifier, response);
          options.judgeStore?.put(c.key, { scores: {}, detail: { judgement: c.call, verdict } });
          verdicts.set(c.key, verdict);
          options.onJudged?.(++done, calls.length);
        }
      } finally {
        await session.dispose();
      }
    }
    scorable.forEach((s, i) =>
      s.outputs.forEach((o, k) => {
        const get = (call: JudgeCall): JudgeVerdict<unknown> | undefined => verdicts.get(judgeKey(s.item.id, o.seed, call));
        const target = perSeed[i]![k]!;
        // Each stored verdict was made by the judgement its key names, so its value has that judgement's shape.
        const v: Record<string, JudgeVerdict<unknown>> = {};
        for (const j of ["relevance", "criteria", "helpfulness"] as const) {
          const verdict = get(j);
          if (verdict) v[j] = verdict;
        }
        const scored = judgedScores(judgements, v as JudgeVerdicts, languageCorrect(i, k));
        const modifier = get("modifier") as JudgeVerdict<{ fulfilled: 0 | 1; explanation: string | null }> | undefined;
        // A rule's verdict stands; the judge's only fills a judge-kind modifier.
        if (modifier && target.scores.modifier_fulfilment === null) target.scores.modifier_fulfilment = modifier.value?.fulfilled ?? null;
        if (modifier) (scored.detail.judge as Record<string, unknown>).modifier = modifier;
        target.scores = { ...target.scores, ...scored.scores };
        target.detail = { ...target.detail, ...scored.detail };
        judged.push(scored);
      }),
    );
  }

  const itemDetail = suite === "modifiers" ? scorable.map((s) => ({ modifier: (s.item.reference as ModifierReference).modifier, expectedLanguage: expectedOf(s.item) })) : undefined;
  const metrics = (): MetricSpec[] => [...openSurfaceMetrics, ...(suite === "modifiers" ? [{ metric: "modifier_fulfilment", perItem: "fraction" as const }] : []), ...judgeMetrics(judgements)];
  const notes = (items: readonly ItemScore[]): string[] => {
    const out: string[] = [];
    if (judge && judgements.length > 0) out.push(...openJudgeNotes({ ...judge, judgements }, judged));
    if (suite === "modifiers") {
      out.push(`modifier_fulfilment: 0/1 per response, by rule for lang_XX, cap/html/arrow/markdown templates and num_items_N; by the judge for the rest${judge ? "" : " — no judge was given, so those are missing (not 0)"}.`);
      out.push(`modifier_fulfilment by modifier type (all languages): ${byModifierType(items, "modifier_fulfilment", "fraction", options).join("; ")}.`);
      if (judgements.includes("helpfulness")) out.push(`helpfulness by modifier type (1–6): ${byModifierType(items, "helpfulness", "percent", options).join("; ")}.`);
      out.push("Surface metrics check each response against the language it should be in (XX for lang_XX).");
    }
    out.push(...openSurfaceNotes(languages, tools.checkers, items));
    return out;
  };
  return { perSeed, ...(itemDetail ? { itemDetail } : {}), metrics, notes };
}
