// The translation form as plain functions: what the user picked and typed becomes exactly the request
// translate.start accepts (checked with the contract's own schema, so the form and the engine agree),
// and the engine's progress events fold into the jobs list without reloading it.
import type { EventPayload } from "../../../../../electron/shared/contract.js";
import { LanguageCodeSchema } from "../../../../../electron/shared/datasetContract.js";
import { TranslateStartSchema, type TranslateStart, type TranslationJob } from "../../../../../electron/shared/translateContract.js";
import { strings } from "../../../i18n/strings.js";

const s = strings.translate.check;

/** Offered as checkboxes: the languages of the demo data and paper 003's first additions; others are typed. */
export const commonTargetLanguages = ["es", "de", "fr", "ru", "zh", "pt", "it", "ja", "ar", "hi"] as const;

export interface TranslateSource {
  kind: "dataset" | "mix";
  id: string;
}

export interface TranslateDraft {
  source: TranslateSource | null;
  /** Model id from the library. */
  model: string;
  /** The checked common languages. */
  languages: string[];
  /** Other target languages, separated by spaces or commas ("sv ko"). */
  other: string;
  /** The language of the examples to translate. */
  from: string;
  /** Empty: every source example. */
  limit: string;
  /** Empty: llama.cpp's default (every core). */
  threads: string;
  name: string;
}
export type TranslateDraftField = "source" | "model" | "languages" | "from" | "limit" | "threads" | "name";

export const freshTranslateDraft = (): TranslateDraft => ({ source: null, model: "", languages: [], other: "", from: "en", limit: "", threads: "", name: "" });

/** The target languages, checked ones first, each once, in the order given. */
export function targetLanguages(draft: Pick<TranslateDraft, "languages" | "other">): string[] {
  const typed = draft.other.split(/[\s,;]+/).map((l) => l.trim()).filter(Boolean);
  return [...new Set([...draft.languages, ...typed])];
}

const wholeNumber = (text: string): number | null => (/^\s*\d+\s*$/.test(text) ? Number(text) : null);

/** The request, or the fields that are wrong with a sentence each (shown next to them). */
export function translateRequest(draft: TranslateDraft): { request: TranslateStart; errors: null } | { request: null; errors: Partial<Record<TranslateDraftField, string>> } {
  const errors: Partial<Record<TranslateDraftField, string>> = {};
  if (!draft.source) errors.source = s.source;
  if (!draft.model) errors.model = s.model;
  const languages = targetLanguages(draft);
  const badLanguage = languages.find((l) => !LanguageCodeSchema.safeParse(l).success);
  if (!languages.length) errors.languages = s.languagesNone;
  else if (badLanguage !== undefined) errors.languages = s.languageBad(badLanguage);
  else if (languages.includes(draft.from.trim())) errors.languages = s.languageIsSource(draft.from.trim());
  if (!LanguageCodeSchema.safeParse(draft.from).success) errors.from = s.from;
  const limit = draft.limit.trim() ? wholeNumber(draft.limit) : undefined;
  if (limit === null || (limit !== undefined && limit < 1)) errors.limit = s.limit;
  const threads = draft.threads.trim() ? wholeNumber(draft.threads) : undefined;
  if (threads === null || (threads !== undefined && (threads < 1 || threads > 512))) errors.threads = s.threads;
  if (Object.keys(errors).length) return { request: null, errors };

  const request: TranslateStart = {
    ...(draft.source!.kind === "dataset" ? { dataset: draft.source!.id } : { mix: draft.source!.id }),
    model: draft.model,
    languages,
    from: draft.from.trim(),
    ...(typeof limit === "number" ? { limit } : {}),
    ...(typeof threads === "number" ? { threads } : {}),
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
  };
  const parsed = TranslateStartSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? "source");
    const key: TranslateDraftField = field === "dataset" || field === "mix" ? "source" : (field as TranslateDraftField);
    return { request: null, errors: { [key]: issue.message } };
  }
  return { request, errors: null };
}

/** A progress event applied to the job it is about: done and flagged move, the rest waits for the next reload. */
export function applyProgress(jobs: TranslationJob[], p: EventPayload<"translate.progress">): TranslationJob[] {
  return jobs.map((j) => (j.id === p.job ? { ...j, done: p.done, total: p.total, flagged: p.flagged, kept: p.done - p.flagged } : j));
}

/** A job that stopped before its end and can go on from where it stopped. */
export const canResume = (job: TranslationJob): boolean => job.status === "cancelled" || job.status === "interrupted" || job.status === "failed";

/** The flag reasons of a job, most frequent first. */
export function flagReasons(job: TranslationJob): Array<{ code: string; count: number }> {
  return Object.entries(job.flagCounts)
    .filter(([, n]) => n > 0)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
