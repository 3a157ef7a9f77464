// The experiment form as plain functions: what the user picked and typed becomes exactly the spec
// `experiments.plan`/`create` accept and `my-experiment.json` stores, checked with the contract's own
// schema; each problem is keyed by the spec's own path ("grid.lr.lora", "eval.suites.0.data"), which
// is also how a file's problems are named. A spec read back into the form keeps what the form has no
// field for, so "Save as file" gives it back whole.
import {
  defaultLearningRates,
  ExperimentEvalSchema,
  ExperimentGridSchema,
  ExperimentMixesSchema,
  ExperimentSpecSchema,
  LrChoiceSchema,
  type ExperimentSpec,
  type ExperimentSpecParsed,
  type LrChoice,
} from "../../../../electron/shared/experimentContract.js";
import type { EvalSuiteName } from "../../../../electron/shared/evalContract.js";
import type { crossAlpacaDirections, MixSource, templateLanguages } from "../../../../electron/shared/mixContract.js";
import { experimentFieldPath, parseExperimentFile } from "../../../../electron/shared/parseExperimentFile.js";
import type { TrainMethod } from "../../../../electron/shared/trainContract.js";
import { formatLearningRate } from "../../../../electron/shared/trainSettings.js";
import { strings } from "../../i18n/strings.js";
import { crossLingualSuites, freshSuiteDraft, type SuiteDraft } from "../evaluate/evalDraft.js";

const s = strings.experiments;
const check = strings.evaluate.check;

export type MixKind = "saved" | "ladder" | "crossalpaca";
export type Direction = (typeof crossAlpacaDirections)[number];
/** One set of directions the CrossAlpaca study trains with: one way, or both. */
export type DirectionSet = Direction | "both";
export type TemplateLanguage = (typeof templateLanguages)[number];
export interface CriterionDraft {
  suite: EvalSuiteName;
  metric: string;
}

export interface ExperimentDraft {
  name: string;
  description: string;
  model: string;
  mixKind: MixKind;
  /** Saved mixes, by id. */
  savedMixes: string[];
  /** Datasets a study draws from, pinned to the fingerprint they had when picked (or in the opened file). */
  sources: MixSource[];
  seed: string;
  /** Ladder: the added languages in order; CrossAlpaca: the x languages (empty: all). */
  languages: string;
  /** Ladder: the base language; CrossAlpaca: the pivot. */
  base: string;
  perLanguage: string;
  total: string;
  rungs: string;
  directions: DirectionSet[];
  perDirection: string;
  instructions: string;
  templateLanguage: TemplateLanguage;
  methods: TrainMethod[];
  lrLora: string;
  lrFull: string;
  ranks: string;
  steps: string;
  trainThreads: string;
  criteria: CriterionDraft[];
  tolerance: string;
  suites: SuiteDraft[];
  evalLanguages: string;
  limit: string;
  maxTokens: string;
  evalThreads: string;
  /** Library model id of the judge; empty: no judge. */
  judge: string;
  baseline: boolean;
  /** What an opened file set that the form shows no field for (other run settings, filters, decoding, judge options). */
  kept: Kept;
}

interface Kept {
  train: Record<string, unknown>;
  filters: Record<string, unknown> | null;
  decoding: Record<string, unknown> | null;
  judge: Record<string, unknown> | null;
}

const directionSetOf = (directions: readonly Direction[]): DirectionSet => (directions.length === 2 ? "both" : directions[0]!);

// The form starts from the contract's own defaults (the options are saved, ladder, crossalpaca).
const [, ladderMixes, crossAlpacaMixes] = ExperimentMixesSchema.options;
const defaultLrChoice = (): LrChoice => LrChoiceSchema.parse({});

export const defaultCriteria = (): CriterionDraft[] => defaultLrChoice().criteria.map((c) => ({ ...c }));

/** The metrics a criterion can name: the surface metrics first, the order the papers rank them. */
export const criterionMetrics = ["language_correctness", "relevance", "spelling", "line_pass_rate", "word_pass_rate", "helpfulness", "exact_match", "f1", "start_match", "sari", "accuracy"] as const;

const rates = (xs: readonly number[]): string => xs.map(formatLearningRate).join(" ");
export const defaultRatesText = { lora: rates(defaultLearningRates.lora), full: rates(defaultLearningRates.full) };

export const freshExperimentDraft = (): ExperimentDraft => ({
  name: "",
  description: "",
  model: "",
  mixKind: "saved",
  savedMixes: [],
  sources: [],
  seed: String(ladderMixes.shape.seed.parse(undefined)),
  languages: "",
  base: ladderMixes.shape.base.parse(undefined),
  perLanguage: "",
  total: "",
  rungs: "",
  directions: crossAlpacaMixes.shape.directions.parse(undefined).map(directionSetOf),
  perDirection: crossAlpacaMixes.shape.perDirection.parse(undefined).join(" "),
  instructions: "",
  templateLanguage: crossAlpacaMixes.shape.templateLanguage.parse(undefined),
  methods: ExperimentGridSchema.shape.method.parse(undefined),
  lrLora: defaultRatesText.lora,
  lrFull: defaultRatesText.full,
  ranks: "",
  steps: "",
  trainThreads: "",
  criteria: defaultCriteria(),
  tolerance: String(defaultLrChoice().tolerance),
  suites: [freshSuiteDraft()],
  evalLanguages: "",
  limit: "",
  maxTokens: "",
  evalThreads: "",
  judge: "",
  baseline: ExperimentEvalSchema.shape.baseline.parse(undefined),
  kept: { train: {}, filters: null, decoding: null, judge: null },
});

export type ExperimentDraftErrors = Record<string, string>;

const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const words = (text: string): string[] => text.split(/[\s,;]+/).filter(Boolean);
const codes = (text: string): string[] => [...new Set(words(text))];
const directionsOf = (set: DirectionSet): Direction[] => (set === "both" ? ["en-x", "x-en"] : [set]);

/** The spec, or each wrong field with a sentence keyed by its path in the spec (shown next to it). */
export function experimentSpec(draft: ExperimentDraft): { spec: ExperimentSpec; errors: null } | { spec: null; errors: ExperimentDraftErrors } {
  const errors: ExperimentDraftErrors = {};
  const whole = (field: string, text: string): number | undefined => {
    if (!text.trim()) return undefined;
    if (/^\s*\d+\s*$/.test(text)) return Number(text);
    errors[field] = check.wholeNumber;
    return undefined;
  };
  const decimal = (field: string, text: string): number | undefined => {
    if (!text.trim()) return undefined;
    const n = Number(text.trim().replace(",", "."));
    if (Number.isFinite(n)) return n;
    errors[field] = check.number;
    return undefined;
  };
  const list = (field: string, text: string, integer: boolean): number[] | undefined => {
    const parts = words(text);
    if (!parts.length) return undefined;
    const values = parts.map(Number);
    if (values.some((v) => !Number.isFinite(v) || (integer && !Number.isInteger(v)))) {
      errors[field] = integer ? check.wholeNumber : check.number;
      return undefined;
    }
    return values;
  };
  const sources = draft.sources.map((x) => ({ ...x }));
  const filters = draft.kept.filters ? { filters: draft.kept.filters } : {};
  const seed = draft.mixKind === "saved" ? undefined : whole("mixes.seed", draft.seed);
  const seedPart = seed !== undefined ? { seed } : {};

  const mixes =
    draft.mixKind === "saved"
      ? { kind: "saved", mixes: draft.savedMixes }
      : draft.mixKind === "ladder"
        ? {
            kind: "ladder",
            sources,
            ...filters,
            ...seedPart,
            total: whole("mixes.total", draft.total),
            base: draft.base.trim() || undefined,
            perLanguage: whole("mixes.perLanguage", draft.perLanguage),
            languages: codes(draft.languages),
            rungs: list("mixes.rungs", draft.rungs, true),
          }
        : {
            kind: "crossalpaca",
            sources,
            ...filters,
            ...seedPart,
            instructions: whole("mixes.instructions", draft.instructions),
            languages: codes(draft.languages).length ? codes(draft.languages) : undefined,
            pivot: draft.base.trim() || undefined,
            templateLanguage: draft.templateLanguage,
            directions: draft.directions.map(directionsOf),
            perDirection: list("mixes.perDirection", draft.perDirection, true),
          };

  const lora = draft.methods.includes("lora") ? list("grid.lr.lora", draft.lrLora, false) : undefined;
  const full = draft.methods.includes("full") ? list("grid.lr.full", draft.lrFull, false) : undefined;
  const rank = list("grid.rank", draft.ranks, true);
  const steps = list("grid.steps", draft.steps, true);
  const trainThreads = whole("train.threads", draft.trainThreads);
  const tolerance = decimal("lrChoice.tolerance", draft.tolerance);
  const limit = whole("eval.limit", draft.limit);
  const maxTokens = whole("eval.decoding.maxTokens", draft.maxTokens);
  const evalThreads = whole("eval.threads", draft.evalThreads);
  const evalLanguages = codes(draft.evalLanguages);
  const decoding = { ...(draft.kept.decoding ?? {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
  draft.suites.forEach((suite, i) => {
    if (!lines(suite.data).length) errors[`eval.suites.${i}.data`] = check.data;
  });
  if (!draft.model) errors.model = check.model;
  if (!draft.name.trim()) errors.name = s.check.name;
  if (draft.mixKind === "saved" && !draft.savedMixes.length) errors["mixes.mixes"] = s.check.mixes;
  if (draft.mixKind !== "saved" && !draft.sources.length) errors["mixes.sources"] = s.check.sources;
  if (draft.mixKind === "ladder" && !codes(draft.languages).length) errors["mixes.languages"] = s.check.languages;
  if (draft.mixKind === "crossalpaca" && !draft.directions.length) errors["mixes.directions"] = s.check.directions;
  if (!draft.methods.length) errors["grid.method"] = s.check.methods;
  if (!draft.criteria.length) errors["lrChoice.criteria"] = s.check.criteria;

  const spec = dropUndefined({
    name: draft.name,
    description: draft.description.trim() || undefined,
    model: draft.model,
    mixes,
    train: { ...draft.kept.train, threads: trainThreads },
    grid: { method: draft.methods, lr: { lora, full }, rank, steps },
    lrChoice: { criteria: draft.criteria, tolerance },
    eval: {
      suites: draft.suites.map((suite) => ({
        suite: suite.suite,
        data: lines(suite.data),
        ...(suite.crossLingual && crossLingualSuites.includes(suite.suite) ? { crossLingual: true } : {}),
        ...(suite.language.trim() ? { language: suite.language.trim() } : {}),
      })),
      languages: evalLanguages.length ? evalLanguages : undefined,
      limit,
      decoding: Object.keys(decoding).length ? decoding : undefined,
      judge: draft.judge ? { ...(draft.kept.judge ?? {}), model: draft.judge } : undefined,
      baseline: draft.baseline,
      threads: evalThreads,
    },
  }) as ExperimentSpec;

  const parsed = ExperimentSpecSchema.safeParse(spec);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = fieldOf(issue.path);
      if (!(key in errors)) errors[key] = issueSentence(issue);
    }
  }
  if (Object.keys(errors).length) return { spec: null, errors };
  return { spec, errors: null };
}

/** Objects without their undefined entries, all the way down, so the spec holds only what was set. */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)]));
  return value;
}

/** The schema's bounds in the form's words; other issues keep the schema's own message. */
export function issueSentence(issue: { code: string; message: string; origin?: string; minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean }): string {
  if (issue.origin === "number" && issue.code === "too_small") return issue.inclusive === false ? check.above(Number(issue.minimum)) : check.atLeast(Number(issue.minimum));
  if (issue.origin === "number" && issue.code === "too_big") return check.atMost(Number(issue.maximum));
  return issue.message;
}

/** The form field an issue belongs to: list entries point at their list's box, a suite's at the suite's box. */
export function fieldOf(path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  if (parts[0] === "eval" && parts[1] === "suites" && parts.length >= 4) return parts.slice(0, 4).join(".");
  if (parts[0] === "eval" && parts[1] === "decoding") return "eval.decoding.maxTokens";
  if (parts[0] === "eval" && parts[1] === "judge") return "eval.judge";
  if (parts[0] === "grid" && parts[1] === "lr") return parts.slice(0, 3).join(".");
  if (parts[0] === "lrChoice" && parts[1] === "criteria") return "lrChoice.criteria";
  if (parts[0] === "mixes" && parts[1] === "sources") return "mixes.sources";
  if (parts[0] === "mixes" && parts[1] === "directions") return "mixes.directions";
  return parts.slice(0, 2).join(".") || "name";
}

/** A spec (as the schema outputs it, defaults filled) in the form, every value it has kept. */
export function draftFromSpec(spec: ExperimentSpecParsed): ExperimentDraft {
  const fresh = freshExperimentDraft();
  const m = spec.mixes;
  const numbers = (xs: readonly number[] | undefined): string => (xs ? xs.join(" ") : "");
  const { threads, ...train } = spec.train;
  const { maxTokens, ...decoding } = spec.eval.decoding ?? {};
  const { model: judge, ...judgeOptions } = spec.eval.judge ?? { model: "" };
  return {
    ...fresh,
    name: spec.name,
    description: spec.description ?? "",
    model: spec.model,
    mixKind: m.kind,
    savedMixes: m.kind === "saved" ? [...m.mixes] : [],
    sources: m.kind === "saved" ? [] : m.sources.map((x) => ({ ...x })),
    seed: m.kind === "saved" ? fresh.seed : String(m.seed),
    languages: m.kind === "ladder" ? m.languages.join(" ") : m.kind === "crossalpaca" ? (m.languages ?? []).join(" ") : "",
    base: m.kind === "ladder" ? m.base : m.kind === "crossalpaca" ? m.pivot : fresh.base,
    perLanguage: m.kind === "ladder" ? String(m.perLanguage) : "",
    total: m.kind === "ladder" ? String(m.total) : "",
    rungs: m.kind === "ladder" ? numbers(m.rungs) : "",
    directions: m.kind === "crossalpaca" ? m.directions.map(directionSetOf) : fresh.directions,
    perDirection: m.kind === "crossalpaca" ? numbers(m.perDirection) : fresh.perDirection,
    instructions: m.kind === "crossalpaca" && m.instructions !== undefined ? String(m.instructions) : "",
    templateLanguage: m.kind === "crossalpaca" ? m.templateLanguage : fresh.templateLanguage,
    methods: [...spec.grid.method],
    lrLora: spec.grid.lr.lora ? numbers(spec.grid.lr.lora) : spec.grid.method.includes("lora") ? "" : fresh.lrLora,
    lrFull: spec.grid.lr.full ? numbers(spec.grid.lr.full) : spec.grid.method.includes("full") ? "" : fresh.lrFull,
    ranks: numbers(spec.grid.rank),
    steps: numbers(spec.grid.steps),
    trainThreads: threads === undefined ? "" : String(threads),
    criteria: spec.lrChoice.criteria.map((c) => ({ ...c })),
    tolerance: String(spec.lrChoice.tolerance),
    suites: spec.eval.suites.map((x) => ({ suite: x.suite, data: x.data.join("\n"), crossLingual: x.crossLingual, language: x.language ?? "" })),
    evalLanguages: (spec.eval.languages ?? []).join(" "),
    limit: spec.eval.limit === undefined ? "" : String(spec.eval.limit),
    maxTokens: spec.eval.decoding && maxTokens !== undefined ? String(maxTokens) : "",
    evalThreads: spec.eval.threads === undefined ? "" : String(spec.eval.threads),
    judge,
    baseline: spec.eval.baseline,
    kept: {
      train,
      filters: m.kind === "saved" ? null : m.filters,
      decoding: spec.eval.decoding ? decoding : null,
      judge: spec.eval.judge ? judgeOptions : null,
    },
  };
}

/** Absolute on POSIX or Windows ("/d/a.jsonl", "C:\d\a.jsonl", "\\server\d"). */
const isAbsolutePath = (p: string): boolean => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p);
/** A model or judge that names a file rather than a library model: only these can be relative paths. */
const looksLikePath = (p: string): boolean => /^\.{1,2}[\\/]/.test(p) || /\.gguf$/i.test(p);

/**
 * An experiment file's text, read as the CLI reads it (comments allowed): its spec, or each problem with
 * its line and field. A relative path is a problem here: the CLI resolves it against the file's folder,
 * which a browser never learns.
 */
export function readExperimentFile(text: string): { spec: ExperimentSpecParsed; problems: null } | { spec: null; problems: string[] } {
  const read = parseExperimentFile(text);
  if (!read.spec) {
    return { spec: null, problems: read.problems.map((p) => (p.issue ? s.fileProblem(p.line, p.field, issueSentence(p.issue)) : s.fileNotJson(p.line, p.message))) };
  }
  const spec = read.spec;
  const paths: [PropertyKey[], string][] = [
    ...(looksLikePath(spec.model) ? [[["model"], spec.model] as [PropertyKey[], string]] : []),
    ...spec.eval.suites.flatMap((suite, i) => suite.data.map((d, j) => [["eval", "suites", i, "data", j], d] as [PropertyKey[], string])),
    ...(spec.eval.judge && looksLikePath(spec.eval.judge.model) ? [[["eval", "judge", "model"], spec.eval.judge.model] as [PropertyKey[], string]] : []),
  ];
  const relative = paths.filter(([, p]) => !isAbsolutePath(p));
  if (relative.length) return { spec: null, problems: relative.map(([path, p]) => s.fileProblem(read.lineOf(path), experimentFieldPath(path), s.fileRelativePath(p))) };
  return { spec, problems: null };
}

/** The rule of the learning-rate choice in one sentence, criteria in order. */
export function lrChoiceInWords(criteria: readonly CriterionDraft[], tolerance: string): string {
  return s.ruleInWords(
    criteria.map((c) => s.criterionText(s.metricName(c.metric), strings.evaluate.suiteNames[c.suite])),
    tolerance.trim() || "0",
  );
}

/** `name.json` for a download, from the experiment's name. */
export function experimentFileName(name: string): string {
  const base = name
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  return `${base || "experiment"}.json`;
}
