// The open-ended suite's items (issue 12, suite 1): the Chirkova et al. set (one chat message list per
// line), AlpacaEval JSON/JSONL (`instruction`) or the user's own JSONL (`prompt` or `instruction`, an
// optional `language`). The prompt is the single user turn, shown and decoded as written.
import { basename } from "node:path";
import type { EvalSuiteRequest } from "../../../shared/evalContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { EvalTask, EvalTaskItem } from "./EvalTask.js";
import { languageOfFileName, parseTaskJson, readTaskLines, readTaskText, taskLanguage, type TaskLine } from "./readTaskLines.js";

/** What the open suite's scorer reads from an item's `reference`. */
export interface OpenReference {
  /** file:line of the prompt, for the drill-down. */
  source: string;
}

/** One prompt read from a file, before it becomes an item. */
export interface OpenPrompt {
  /** The record's own id, when it has one. */
  recordId: string | null;
  language: string;
  prompt: string;
  file: string;
  line: number;
}

const code = "open-data";
const hint = 'Each line: a chat message list [{"role": "user", "content": …}], or {"instruction": …} / {"prompt": …} with an optional "language".';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The prompt of one record: the single user turn of a message list, or the `prompt`/`instruction` (+ `input`) of an object. */
function promptOf(value: unknown, where: string): { prompt: string; language?: unknown; id?: unknown } {
  if (Array.isArray(value)) {
    const users = value.filter((m) => isRecord(m) && m.role === "user");
    const others = value.filter((m) => !(isRecord(m) && (m.role === "user" || m.role === "system")));
    // A conversation's later turn depends on answers the model did not write: refused rather than cut.
    if (users.length !== 1 || others.length > 0) {
      throw new PolytuneError(code, `This message list has ${users.length} user turn(s) and ${others.length} other turn(s); the open suite prompts with exactly one user turn.`, { where, hint: "Keep one user message per line (a system message may precede it)." });
    }
    const content = (users[0] as Record<string, unknown>).content;
    if (typeof content !== "string" || content.trim() === "") throw new PolytuneError(code, "The user turn has no text content.", { where: `${where}: content`, hint });
    return { prompt: content };
  }
  if (!isRecord(value)) throw new PolytuneError(code, "This line is neither a message list nor an object.", { where, hint });
  const text = typeof value.prompt === "string" ? value.prompt : value.instruction;
  if (typeof text !== "string" || text.trim() === "") throw new PolytuneError(code, 'The record has no "prompt" or "instruction" text.', { where: `${where}: instruction`, hint });
  // Alpaca-style records may carry the task's input beside the instruction.
  const input = typeof value.input === "string" && value.input.trim() !== "" ? `\n\n${value.input}` : "";
  return { prompt: text + input, language: value.language ?? value.lang, id: value.id };
}

/** Reads every prompt of one file: JSONL, or a JSON array (AlpacaEval's `alpaca_eval.json`). */
export function readOpenPrompts(file: string, fallbackLanguage: string | undefined): OpenPrompt[] {
  const text = readTaskText(file, code);
  let records: Array<{ value: unknown; line: number }>;
  if (/\.json$/i.test(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new PolytuneError(code, `The file is not valid JSON: ${(error as Error).message}.`, { where: file, hint: "AlpacaEval JSON is one list of {\"instruction\": …} objects.", cause: error });
    }
    if (!Array.isArray(parsed)) throw new PolytuneError(code, "The JSON file is not a list of records.", { where: file, hint });
    // A JSON list has no lines: record k is reported as "file:#k" (1-based).
    records = parsed.map((value, i) => ({ value, line: i + 1 }));
  } else {
    records = readTaskLines(file, code)
      .filter((l: TaskLine) => l.text.trim() !== "")
      .map((l) => ({ value: parseTaskJson(file, l, code, hint), line: l.line }));
  }
  const fromName = languageOfFileName(file);
  return records.map(({ value, line }) => {
    const where = `${file}:${line}`;
    const { prompt, language, id } = promptOf(value, where);
    if (language !== undefined && typeof language !== "string") throw new PolytuneError(code, 'Field "language" is not a string.', { where: `${where}: language`, hint });
    const lang = language !== undefined ? taskLanguage(language, `${where}: language`, code) : (fromName ?? (fallbackLanguage !== undefined ? taskLanguage(fallbackLanguage, "language", code) : undefined));
    if (lang === undefined) {
      throw new PolytuneError(code, "The prompts' language is unknown: the record has no \"language\", the file name none (….fr.jsonl) and the suite none.", { where, hint: 'Add "language" to each record, name the file PROMPTS.xx.jsonl, or give the suite a language.' });
    }
    const recordId = typeof id === "string" && id !== "" ? id : typeof id === "number" ? String(id) : null;
    return { recordId, language: lang, prompt, file, line };
  });
}

/**
 * Ids `language:recordId` or `language:line`. Where one language's prompts come from more than one file,
 * that language's ids carry the file's name (`en:prompts.jsonl:3`), so two unlabelled files of one
 * language do not clash; a language read from one file keeps the short id, whatever other files the
 * suite has, so the ids of a file's items do not change when a file of another language is added.
 * A second item with the same id names both places.
 */
export function assignIds<T extends { language: string; recordId: string | null; file: string; line: number }>(prompts: readonly T[]): Array<T & { id: string }> {
  const filesOf = new Map<string, Set<string>>();
  for (const p of prompts) filesOf.set(p.language, (filesOf.get(p.language) ?? new Set<string>()).add(p.file));
  const seen = new Map<string, string>();
  return prompts.map((p) => {
    const local = p.recordId ?? String(p.line);
    const id = filesOf.get(p.language)!.size > 1 ? `${p.language}:${basename(p.file)}:${local}` : `${p.language}:${local}`;
    const where = p.recordId === null ? `${p.file}:${p.line}` : `${p.file}:${p.line} (id "${p.recordId}")`;
    const earlier = seen.get(id);
    if (earlier) throw new PolytuneError(code, `Two prompts get the id "${id}": ${earlier} and ${where}.`, { where, hint: 'Give each record a unique "id", and files of one language different names.' });
    seen.set(id, where);
    return { ...p, id };
  });
}

export function loadOpenTask(input: EvalSuiteRequest): EvalTask {
  const prompts = assignIds(input.data.flatMap((file) => readOpenPrompts(file, input.language)));
  const items: EvalTaskItem[] = prompts.map((p) => ({ id: p.id, language: p.language, prompt: p.prompt, kind: "generate", reference: { source: `${p.file}:${p.line}` } satisfies OpenReference }));
  return {
    suite: "open",
    items,
    excluded: [],
    notes: [`${items.length} open-ended prompt(s) from ${input.data.join(", ")}; each answered as written, in its own language.`],
    greedy: false,
  };
}
