// The evaluation form as plain functions: what the user picked and typed becomes exactly the request
// eval.start accepts, checked with the contract's own schema (so the form and the engine agree), each
// problem keyed by the field it belongs to ("model", "suites.0.data", "decoding.maxTokens").
import type { EventPayload } from "../../../../electron/shared/contract.js";
import { EvalStartSchema, type EvalJob, type EvalStart, type EvalSuiteName, type judgements } from "../../../../electron/shared/evalContract.js";
import { strings } from "../../i18n/strings.js";

const s = strings.evaluate.check;

export type Judgement = (typeof judgements)[number];

export interface SuiteDraft {
  suite: EvalSuiteName;
  /** One path per line. */
  data: string;
  crossLingual: boolean;
  language: string;
}

export interface EvalDraft {
  source: "model" | "run";
  model: string;
  run: string;
  /** One path per line. */
  adapters: string;
  baseline: boolean;
  suites: SuiteDraft[];
  /** Codes separated by spaces or commas; empty: every language. */
  languages: string;
  limit: string;
  mode: "greedy" | "sampling";
  repeatPenalty: string;
  temperature: string;
  topP: string;
  seeds: string;
  maxTokens: string;
  /** One stop string per line. */
  stop: string;
  parallel: string;
  threads: string;
  /** Library model id of the judge; empty: no judge. */
  judge: string;
  judgements: Judgement[];
  name: string;
}

/** Suites whose prompts exist both monolingual (xx:xx) and cross-lingual (en:xx). */
export const crossLingualSuites: readonly EvalSuiteName[] = ["qa", "nli", "mcq", "simplification"];

export const freshSuiteDraft = (suite: EvalSuiteName = "open"): SuiteDraft => ({ suite, data: "", crossLingual: false, language: "" });

// The papers' defaults, as EvalDecodingSchema has them.
export const freshEvalDraft = (): EvalDraft => ({
  source: "model",
  model: "",
  run: "",
  adapters: "",
  baseline: false,
  suites: [freshSuiteDraft()],
  languages: "",
  limit: "",
  mode: "greedy",
  repeatPenalty: "1.1",
  temperature: "0.8",
  topP: "0.9",
  seeds: "3",
  maxTokens: "256",
  stop: "",
  parallel: "8",
  threads: "",
  judge: "",
  judgements: ["relevance", "criteria", "helpfulness"],
  name: "",
});

export type EvalDraftErrors = Record<string, string>;

const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const codes = (text: string): string[] => [...new Set(text.split(/[\s,;]+/).map((l) => l.trim()).filter(Boolean))];

/** The request, or each wrong field with a sentence (shown next to it). */
export function evalRequest(draft: EvalDraft): { request: EvalStart; errors: null } | { request: null; errors: EvalDraftErrors } {
  const errors: EvalDraftErrors = {};
  const whole = (field: string, text: string): number | undefined => {
    if (!text.trim()) return undefined;
    if (/^\s*\d+\s*$/.test(text)) return Number(text);
    errors[field] = s.wholeNumber;
    return undefined;
  };
  const decimal = (field: string, text: string): number | undefined => {
    if (!text.trim()) return undefined;
    const n = Number(text.trim().replace(",", "."));
    if (Number.isFinite(n)) return n;
    errors[field] = s.number;
    return undefined;
  };

  if (draft.source === "model" && !draft.model) errors.model = s.model;
  if (draft.source === "run" && !draft.run) errors.run = s.run;
  draft.suites.forEach((suite, i) => {
    if (!lines(suite.data).length) errors[`suites.${i}.data`] = s.data;
  });
  if (draft.judge && !draft.judgements.length) errors["judge.judgements"] = s.judgements;

  const limit = whole("limit", draft.limit);
  const threads = whole("threads", draft.threads);
  const decoding = {
    mode: draft.mode,
    repeatPenalty: decimal("decoding.repeatPenalty", draft.repeatPenalty),
    temperature: decimal("decoding.temperature", draft.temperature),
    topP: decimal("decoding.topP", draft.topP),
    seeds: whole("decoding.seeds", draft.seeds),
    maxTokens: whole("decoding.maxTokens", draft.maxTokens),
    parallel: whole("decoding.parallel", draft.parallel),
    stop: draft.stop.split(/\r?\n/).filter((x) => x !== ""),
  };
  const languages = codes(draft.languages);
  const request = {
    ...(draft.source === "run" ? { run: draft.run } : { model: draft.model, adapters: lines(draft.adapters) }),
    ...(draft.baseline ? { baseline: true } : {}),
    suites: draft.suites.map((suite) => ({
      suite: suite.suite,
      data: lines(suite.data),
      ...(suite.crossLingual && crossLingualSuites.includes(suite.suite) ? { crossLingual: true } : {}),
      ...(suite.language.trim() ? { language: suite.language.trim() } : {}),
    })),
    ...(languages.length ? { languages } : {}),
    ...(limit !== undefined ? { limit } : {}),
    decoding: Object.fromEntries(Object.entries(decoding).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))),
    ...(draft.judge ? { judge: { model: draft.judge, judgements: draft.judgements } } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
  } as EvalStart;

  const parsed = EvalStartSchema.safeParse(request);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = fieldOf(issue.path);
      if (!(key in errors)) errors[key] = issue.path[0] === "languages" && typeof issue.path[1] === "number" ? s.language(languages[issue.path[1]] ?? "") : issueSentence(issue);
    }
  }
  if (Object.keys(errors).length) return { request: null, errors };
  return { request, errors: null };
}

/** The schema's bounds in the form's words; other issues keep the schema's own message. */
function issueSentence(issue: { code: string; message: string; origin?: string; minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean }): string {
  if (issue.origin === "number" && issue.code === "too_small") return issue.inclusive === false ? s.above(Number(issue.minimum)) : s.atLeast(Number(issue.minimum));
  if (issue.origin === "number" && issue.code === "too_big") return s.atMost(Number(issue.maximum));
  return issue.message;
}

/** The form field an issue of the schema belongs to: list entries point at their list's box. */
function fieldOf(path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  if (parts[0] === "suites" && parts.length >= 3) return parts.slice(0, 3).join(".");
  if (parts[0] === "adapters" || parts[0] === "languages") return parts[0];
  if (parts[0] === "decoding" && parts[1] === "stop") return "decoding.stop";
  if (parts[0] === "judge") return parts[1] === "judgements" ? "judge.judgements" : "judge";
  return parts.slice(0, 2).join(".") || "model";
}

/** A progress event applied to the job it is about: done, total (its outputs, in every phase) and phase move; the rest waits for the next reload. */
export function applyEvalProgress(jobs: EvalJob[], p: EventPayload<"eval.progress">): EvalJob[] {
  return jobs.map((j) => (j.id === p.job ? { ...j, done: p.done, total: p.total, phase: p.phase } : j));
}

/** A job that stopped before its end and can go on from where it stopped. */
export const canResumeEval = (job: EvalJob): boolean => job.status === "cancelled" || job.status === "interrupted" || job.status === "failed";
