// What the evaluation job decodes and scores for one suite: items built from the suite's files with the
// papers' prompts (loadEvalTask), and the outputs decoded for them (scoreEvalTask). Everything the scorer
// needs travels in `reference`, so scoring reads no file and the job can store a task in SQLite.
import type { EvalSuiteName } from "../../../shared/evalContract.js";
import type { Excluded } from "../SuiteScore.js";

export interface EvalTaskItem {
  /** Unique within the suite and stable across loads of the same files (resume and paired comparisons key on it). */
  id: string;
  /** lid.176-normalised language code of the expected response (e.g. "fr", "zh"). */
  language: string;
  /** The prompt as a user reads it, before any prompt-format template (stored and shown in the drill-down). */
  prompt: string;
  /** "generate": decode a response to `prompt`; "rank": score each continuation's log-likelihood after `context`. */
  kind: "generate" | "rank";
  /** generate: the response is forced to start with this text (QA); the scorer sees prefix + generated text. */
  responsePrefix?: string;
  /** rank: the text the continuations follow (may be ""), encoded raw (no template), and the continuations in choice order. */
  context?: string;
  continuations?: string[];
  /** Per-item overrides of the job's decoding (QA: short answers). */
  maxTokens?: number;
  stop?: string[];
  /** What the scorer needs (gold answers, references, modifier type, choice labels); JSON-serialisable, stored in SQLite. */
  reference: unknown;
}

export interface EvalTask {
  suite: EvalSuiteName;
  items: EvalTaskItem[];
  /** Items left out at load (gold missing or malformed), reported by id — never scored against "". */
  excluded: Excluded[];
  notes: string[];
  /** True where the protocol decodes greedily even when the job samples (QA: T≈0 in paper 003). */
  greedy: boolean;
}

/** One output of one item (one seed); `seed` null for greedy. */
export interface EvalOutput {
  itemId: string;
  seed: number | null;
  /** generate: the full response, responsePrefix included. */
  text?: string;
  /** rank: one log-likelihood per continuation, in choice order. */
  loglikelihoods?: number[];
}

/**
 * Where judge verdicts persist between sessions (the job backs it with SQLite): one entry per judgement
 * of one output, keyed `${itemId}\u0000${seed ?? ""}\u0000${judgement}` (relevance, criteria, helpfulness
 * or modifier), put as soon as the judge has answered; the verdict is in `detail.verdict`.
 */
export interface JudgeStore {
  get(key: string): { scores: Record<string, number | null>; detail: Record<string, unknown> } | undefined;
  put(key: string, value: { scores: Record<string, number | null>; detail: Record<string, unknown> }): void;
}
