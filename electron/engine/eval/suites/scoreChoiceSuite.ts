// NLI (XNLI) and multiple choice (X-CSQA): gold labels from the suite's files, one answer per item
// from a predictions file, accuracy per item and per language with bootstrap intervals.
import { readFileSync } from "node:fs";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { aggregate } from "../aggregate.js";
import { choiceAccuracy, mcqLetters, nliLabels, parseChoiceLetter, parseNliLabel, rankChoice } from "../metrics/choiceAccuracy.js";
import type { Excluded, ItemScore, SuiteScore } from "../SuiteScore.js";

export interface ScoreChoiceOptions {
  suite: "nli" | "mcq";
  /** Gold: XNLI TSV (`premise⇥hypothesis⇥label` without header, or with a header naming `gold_label`/`label`), NLI JSONL, or X-CSQA JSONL. */
  data: string;
  /** JSONL: `{"id", "prediction"}` (label, number or letter as text) or `{"id", "loglikelihoods"}` (rank classification). */
  predictions: string;
  /** Language of items whose gold does not name one. */
  language?: string;
  resamples?: number;
  seed?: number;
}

export interface GoldItem {
  id: string;
  language: string | null;
  gold: string;
  /** The choices of this item, in order (labels or letters). */
  choices: readonly string[];
  where: string;
  /** NLI: the sentence pair, when the file gives it (the evaluation job builds its rank-classification continuations from it). */
  premise?: string;
  hypothesis?: string;
  /** Multiple choice: the question stem and each choice's text, in `choices` order, when the file gives them. */
  question?: string;
  choiceTexts?: string[];
}

interface Prediction {
  id: string;
  prediction?: unknown;
  loglikelihoods?: Record<string, unknown> | unknown[];
  line: number;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolytuneError("file-unreadable", code === "ENOENT" ? `The ${what} file does not exist.` : `The ${what} file cannot be read: ${(error as Error).message}.`, { where: file });
  }
}

/** Lines with their 1-based numbers, blank lines skipped. */
function lines(text: string): Array<{ line: number; text: string }> {
  return text.split(/\r?\n/).flatMap((t, i) => (t.trim() === "" ? [] : [{ line: i + 1, text: t }]));
}

function parseJsonLine(file: string, line: number, text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PolytuneError("jsonl-malformed", `Line ${line} of the ${what} is not valid JSON: ${(error as Error).message}.`, { where: `${file}:${line}`, hint: "Each line must be one JSON object." });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PolytuneError("jsonl-malformed", `Line ${line} of the ${what} is not a JSON object.`, { where: `${file}:${line}`, hint: "Each line must be one JSON object." });
  }
  return value as Record<string, unknown>;
}

/** The NLI sentence pair when both are strings (fields absent from the file are left out, not ""). */
const pair = (premise: unknown, hypothesis: unknown): { premise?: string; hypothesis?: string } => (typeof premise === "string" && typeof hypothesis === "string" ? { premise, hypothesis } : {});

const stringOrNull = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : typeof v === "number" ? String(v) : null);

/** The gold items, and the ones left out with the reason (a missing or unknown label is never scored). */
export function readChoiceGold(suite: "nli" | "mcq", file: string, language?: string): { items: GoldItem[]; excluded: Excluded[] } {
  const text = readText(file, "gold data");
  const rows = lines(text);
  const items: GoldItem[] = [];
  const excluded: Excluded[] = [];
  const seen = new Set<string>();
  const add = (item: GoldItem | { id: string; reason: string }): void => {
    if (seen.has(item.id)) throw new PolytuneError("gold-duplicate-id", `The id "${item.id}" appears twice in the gold data.`, { where: "where" in item ? item.where : file });
    seen.add(item.id);
    if ("reason" in item) excluded.push(item);
    else items.push(item);
  };
  const first = rows[0]?.text.trimStart() ?? "";
  if (first.startsWith("{")) {
    for (const { line, text: t } of rows) {
      const obj = parseJsonLine(file, line, t, "gold data");
      const where = `${file}:${line}`;
      const id = stringOrNull(obj.id) ?? String(line);
      const lang = stringOrNull(obj.language) ?? stringOrNull(obj.lang) ?? language ?? null;
      if (suite === "nli") {
        const raw = obj.label ?? obj.gold_label;
        const gold = parseNliLabel(raw);
        if (gold === null) add({ id, reason: `${where}: gold label ${raw === undefined ? "missing" : JSON.stringify(raw)} is not one of ${nliLabels.join(", ")} or 0–2` });
        else add({ id, language: lang, gold, choices: nliLabels, where, ...pair(obj.premise ?? obj.sentence1, obj.hypothesis ?? obj.sentence2) });
      } else {
        const question = obj.question as { stem?: unknown; choices?: Array<{ label?: unknown; text?: unknown }> } | undefined;
        const labels = Array.isArray(question?.choices) ? question.choices.map((c) => stringOrNull(c?.label)?.toUpperCase() ?? "") : [...mcqLetters];
        if (labels.some((l) => !/^[A-Z]$/.test(l))) {
          add({ id, reason: `${where}: question.choices has a label that is not a single letter` });
          continue;
        }
        const raw = obj.answerKey ?? obj.answer ?? obj.label;
        const gold = typeof raw === "string" ? parseChoiceLetter(raw, labels) : null;
        if (gold === null) add({ id, reason: `${where}: gold answer ${raw === undefined ? "missing" : JSON.stringify(raw)} is not one of the letters ${labels.join(", ")}` });
        else {
          const texts = Array.isArray(question?.choices) ? question.choices.map((c) => (typeof c?.text === "string" ? c.text : null)) : [];
          const stem = typeof question?.stem === "string" ? question.stem : undefined;
          add({ id, language: lang, gold, choices: labels, where, ...(stem !== undefined ? { question: stem } : {}), ...(texts.length === labels.length && texts.every((t) => t !== null) ? { choiceTexts: texts as string[] } : {}) });
        }
      }
    }
    return { items, excluded };
  }
  if (suite === "mcq") throw new PolytuneError("gold-format", "Multiple-choice gold must be JSONL (X-CSQA: one {id, question: {stem, choices}, answerKey} per line).", { where: file });
  // XNLI TSV, no quoting (as XNLI and XGLUE write it): ids are line numbers in the gold file.
  const header = rows[0]!.text.split("\t").map((h) => h.trim().toLowerCase());
  const labelColumn = header.findIndex((h) => h === "gold_label" || h === "label");
  const hasHeader = labelColumn >= 0;
  const languageColumn = hasHeader ? header.findIndex((h) => h === "language" || h === "lang") : -1;
  const premiseColumn = hasHeader ? header.findIndex((h) => h === "premise" || h === "sentence1") : 0;
  const hypothesisColumn = hasHeader ? header.findIndex((h) => h === "hypothesis" || h === "sentence2") : 1;
  for (const { line, text: t } of hasHeader ? rows.slice(1) : rows) {
    const fields = t.split("\t");
    const where = `${file}:${line}`;
    if (!hasHeader && fields.length !== 3) {
      throw new PolytuneError("gold-format", `Line ${line} has ${fields.length} tab-separated fields; XNLI TSV without header has 3 (premise, hypothesis, label).`, { where, hint: "Or give a header line naming the columns, with gold_label or label among them." });
    }
    if (hasHeader && fields.length < header.length) {
      throw new PolytuneError("gold-format", `Line ${line} has ${fields.length} tab-separated fields; the header names ${header.length}.`, { where });
    }
    const raw = fields[hasHeader ? labelColumn : 2]!;
    const gold = parseNliLabel(raw);
    const id = String(line);
    const lang = (languageColumn >= 0 ? stringOrNull(fields[languageColumn]) : null) ?? language ?? null;
    if (gold === null) add({ id, reason: `${where}: gold label ${JSON.stringify(raw)} is not one of ${nliLabels.join(", ")} or 0–2` });
    else add({ id, language: lang, gold, choices: nliLabels, where, ...pair(fields[premiseColumn], fields[hypothesisColumn]) });
  }
  return { items, excluded };
}

/** The predictions file: one `{"id", "prediction"}` or `{"id", "loglikelihoods"}` per line; anything else refused with file:line. */
export function readChoicePredictions(file: string): Prediction[] {
  const out: Prediction[] = [];
  const seen = new Map<string, number>();
  for (const { line, text } of lines(readText(file, "predictions"))) {
    const obj = parseJsonLine(file, line, text, "predictions");
    const where = `${file}:${line}`;
    const id = stringOrNull(obj.id);
    if (id === null) throw new PolytuneError("predictions-field", `Line ${line} has no "id".`, { where, hint: 'Each line: {"id": …, "prediction": …}.' });
    if (seen.has(id)) throw new PolytuneError("predictions-duplicate-id", `The id "${id}" appears twice (lines ${seen.get(id)} and ${line}).`, { where });
    seen.set(id, line);
    const ll = obj.loglikelihoods;
    if (ll !== undefined && (typeof ll !== "object" || ll === null)) {
      throw new PolytuneError("predictions-field", `Line ${line}: "loglikelihoods" must be an object keyed by choice or an array in choice order.`, { where });
    }
    if (obj.prediction === undefined && ll === undefined) {
      throw new PolytuneError("predictions-field", `Line ${line} has neither "prediction" nor "loglikelihoods".`, { where, hint: 'Each line: {"id": …, "prediction": "B"} or {"id": …, "loglikelihoods": {…}}.' });
    }
    if (obj.prediction !== undefined && typeof obj.prediction !== "string" && typeof obj.prediction !== "number") {
      throw new PolytuneError("predictions-field", `Line ${line}: "prediction" must be text or a number.`, { where });
    }
    out.push({ id, line, ...(obj.prediction !== undefined ? { prediction: obj.prediction } : {}), ...(ll !== undefined ? { loglikelihoods: ll as Record<string, unknown> } : {}) });
  }
  return out;
}

/**
 * One item's answer read and scored: by rank classification when log-likelihoods are given, else from
 * the written label (NLI) or letter (MCQ). The in-memory core of scoreChoiceSuite, shared with the
 * evaluation job's scorer; `predicted` is null when no answer could be read (scored as wrong).
 */
export function scoreChoiceAnswer(
  suite: "nli" | "mcq",
  gold: { gold: string; choices: readonly string[] },
  answer: { prediction?: unknown; loglikelihoods?: Record<string, unknown> | readonly unknown[] },
): { predicted: string | null; scores: { accuracy: 0 | 1 }; detail: Record<string, unknown> } {
  let predicted: string | null;
  if (answer.loglikelihoods !== undefined) predicted = rankChoice(answer.loglikelihoods, gold.choices);
  else if (suite === "nli") predicted = parseNliLabel(answer.prediction);
  else predicted = parseChoiceLetter(String(answer.prediction), gold.choices);
  return {
    predicted,
    scores: { accuracy: choiceAccuracy(predicted, gold.gold) },
    detail: { gold: gold.gold, predicted, ...(answer.prediction !== undefined ? { prediction: answer.prediction } : {}), ...(answer.loglikelihoods !== undefined ? { loglikelihoods: answer.loglikelihoods } : {}) },
  };
}

/** Accuracy per item (0/1; aggregated ×100 as `accuracy`) for XNLI labels or X-CSQA letters. */
export function scoreChoiceSuite(options: ScoreChoiceOptions): SuiteScore {
  const { suite } = options;
  const gold = readChoiceGold(suite, options.data, options.language);
  const predictions = readChoicePredictions(options.predictions);
  const byId = new Map(predictions.map((p) => [p.id, p]));
  const goldIds = new Set([...gold.items.map((g) => g.id), ...gold.excluded.map((e) => e.id)]);
  const excluded: Excluded[] = [...gold.excluded];
  const unknown = predictions.filter((p) => !goldIds.has(p.id));
  const missing = gold.items.filter((g) => !byId.has(g.id));
  if (predictions.length > 0 && gold.items.length > 0 && unknown.length === predictions.length) {
    throw new PolytuneError("predictions-ids", `No prediction id matches the gold data (first ids: ${unknown.slice(0, 3).map((p) => JSON.stringify(p.id)).join(", ")}; gold ids look like ${gold.items.slice(0, 3).map((g) => JSON.stringify(g.id)).join(", ")}).`, {
      where: options.predictions,
      hint: suite === "nli" ? "For TSV gold the ids are line numbers in the gold file; JSONL gold uses its own id fields." : "Use the ids of the X-CSQA file.",
    });
  }
  for (const p of unknown) excluded.push({ id: p.id, reason: `${options.predictions}:${p.line}: this id is not in the gold data` });
  for (const g of missing) excluded.push({ id: g.id, reason: `${g.where}: no prediction for this item` });

  const items: ItemScore[] = [];
  let unreadable = 0;
  let ranked = 0;
  for (const g of gold.items) {
    const p = byId.get(g.id);
    if (!p) continue;
    if (p.loglikelihoods !== undefined) ranked++;
    const scored = scoreChoiceAnswer(suite, g, p);
    if (scored.predicted === null) unreadable++;
    items.push({ id: g.id, language: g.language, scores: scored.scores, detail: scored.detail });
  }
  const notes = [
    suite === "nli" ? `XNLI accuracy over ${items.length} item(s); per item 0/1, aggregated on 0–100.` : `Multiple-choice accuracy over ${items.length} item(s); per item 0/1, aggregated on 0–100.`,
  ];
  if (ranked > 0) notes.push(`${ranked} answer(s) chosen by rank classification (highest log-likelihood; ties to the earlier choice).`);
  if (unreadable > 0) notes.push(`${unreadable} answer(s) named no ${suite === "nli" ? "label" : "letter"} that could be read; they count as wrong.`);
  if (unknown.length > 0) notes.push(`${unknown.length} prediction(s) have ids not in the gold data; left out.`);
  if (missing.length > 0) notes.push(`${missing.length} gold item(s) have no prediction; left out, not scored as wrong.`);
  if (gold.excluded.length > 0) notes.push(`${gold.excluded.length} gold item(s) have a missing or malformed label; left out.`);
  const bootstrap = { ...(options.resamples !== undefined ? { resamples: options.resamples } : {}), ...(options.seed !== undefined ? { seed: options.seed } : {}) };
  return { suite, items, aggregates: aggregate(items, [{ metric: "accuracy", perItem: "fraction" }], bootstrap), excluded, notes };
}
