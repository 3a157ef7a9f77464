// Reads extractive-QA gold data: SQuAD-format JSON (SQuAD v1.1, XQuAD, MLQA's own files) and the Arrow
// files a Hugging Face `datasets` folder holds (e.g. XGLUE's MLQA), read with apache-arrow.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { type ParseError, parse as parseJson, printParseErrorCode } from "jsonc-parser";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { Excluded } from "../SuiteScore.js";

export interface QaQuestion {
  id: string;
  question: string | null;
  /** The passage the answers are spans of (null when the file has none), for building prompts. */
  context: string | null;
  /** The gold answers' texts, each a non-empty string (at least one). */
  golds: string[];
  /** Where the question is in the file, for messages. */
  where: string;
}

export interface QaData {
  questions: QaQuestion[];
  /** Questions whose gold answers are missing or malformed: reported, never scored. */
  excluded: Excluded[];
  /** The answer language the file's name or metadata gives, if any. */
  language: string | null;
  format: "squad-json" | "hf-arrow";
  files: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(message: string, where: string, hint?: string): never {
  throw new PolytuneError("qa-data", message, { where, hint });
}

/** The answer language a file name gives: xquad.de.json, dev-context-de-question-en.json (answers in the context's language). */
export function languageFromFileName(file: string): string | null {
  const name = basename(file).toLowerCase();
  const xquad = /(?:^|[._-])xquad[._-]([a-z]{2,3})(?=[._-]|$)/.exec(name);
  if (xquad) return xquad[1]!;
  const mlqa = /context-([a-z]{2,3})-question-[a-z]{2,3}/.exec(name);
  if (mlqa) return mlqa[1]!;
  return null;
}

// Collects one question's gold texts; a missing, empty or non-string answer makes the question excluded.
function goldTexts(answers: unknown): { golds: string[] } | { reason: string } {
  if (answers === undefined || answers === null) return { reason: "no gold answers (answers missing)" };
  if (!Array.isArray(answers)) return { reason: "gold answers are not a list" };
  if (answers.length === 0) return { reason: "no gold answers (empty list)" };
  const golds: string[] = [];
  for (const [i, answer] of answers.entries()) {
    const text = isRecord(answer) ? answer.text : answer;
    if (typeof text !== "string") return { reason: `gold answer ${i} has no text string` };
    if (text.trim() === "") return { reason: `gold answer ${i} is empty` };
    golds.push(text);
  }
  return { golds };
}

function addQuestion(out: QaData, seen: Map<string, string>, id: unknown, question: unknown, answers: unknown, where: string, context: unknown): void {
  if (typeof id !== "string" || id === "") fail("A question has no id (a non-empty string is needed to match predictions).", `${where}.id`);
  const earlier = seen.get(id);
  if (earlier) fail(`Question id "${id}" appears twice (first at ${earlier}).`, where, "Ids must be unique to match predictions.");
  seen.set(id, where);
  const gold = goldTexts(answers);
  if ("reason" in gold) {
    out.excluded.push({ id, reason: `${gold.reason} at ${where}` });
    return;
  }
  out.questions.push({ id, question: typeof question === "string" ? question : null, context: typeof context === "string" ? context : null, golds: gold.golds, where });
}

function lineOfPosition(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function readSquadJson(file: string): QaData {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8's message names no position for many errors; jsonc-parser's strict parse finds the first one.
    const errors: ParseError[] = [];
    parseJson(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const where = first ? `${file}:${lineOfPosition(text, first.offset)}` : file;
    const what = first ? ` (${printParseErrorCode(first.error)})` : "";
    throw new PolytuneError("qa-data", `The gold file is not valid JSON${what}.`, { where, details: (error as Error).message, cause: error });
  }
  const out: QaData = { questions: [], excluded: [], language: languageFromFileName(file), format: "squad-json", files: [file] };
  if (!isRecord(json) || !Array.isArray(json.data)) fail('Not SQuAD-format JSON: no "data" list at the top.', `${file}: data`, 'Expected {"data": [{"paragraphs": [{"context", "qas": [{"id", "question", "answers": [{"text"}]}]}]}]}.');
  const seen = new Map<string, string>();
  json.data.forEach((article, a) => {
    const at = `${file}: data[${a}]`;
    if (!isRecord(article) || !Array.isArray(article.paragraphs)) fail('An article has no "paragraphs" list.', `${at}.paragraphs`);
    article.paragraphs.forEach((paragraph, p) => {
      const pat = `${at}.paragraphs[${p}]`;
      if (!isRecord(paragraph) || !Array.isArray(paragraph.qas)) fail('A paragraph has no "qas" list.', `${pat}.qas`);
      paragraph.qas.forEach((qa, q) => {
        const qat = `${pat}.qas[${q}]`;
        if (!isRecord(qa)) fail("A question is not an object.", qat);
        addQuestion(out, seen, qa.id, qa.question, qa.answers, qat, paragraph.context);
      });
    });
  });
  return out;
}

// A `datasets` folder: dataset_dict.json (one split) or a split folder with state.json naming its .arrow files.
function arrowFiles(path: string): { files: string[]; infoDir: string } {
  if (!statSync(path).isDirectory()) return { files: [path], infoDir: dirname(path) };
  const dict = join(path, "dataset_dict.json");
  if (existsSync(dict)) {
    const splits = (JSON.parse(readFileSync(dict, "utf8")) as { splits?: unknown }).splits;
    // Copies often keep one split's folder of several listed (the shared MLQA sample keeps "validation").
    const present = Array.isArray(splits) ? splits.map(String).filter((split) => existsSync(join(path, split, "state.json"))) : [];
    if (present.length !== 1) {
      fail(`This dataset folder holds ${present.length === 0 ? "no readable split" : `the splits ${present.join(", ")}`}; name one.`, dict, `Pass ${join(path, "SPLIT")} instead.`);
    }
    return arrowFiles(join(path, present[0]!));
  }
  const state = join(path, "state.json");
  if (!existsSync(state)) fail("The folder is neither a Hugging Face dataset (dataset_dict.json) nor a split (state.json).", path);
  const dataFiles = (JSON.parse(readFileSync(state, "utf8")) as { _data_files?: Array<{ filename?: unknown }> })._data_files;
  if (!Array.isArray(dataFiles) || dataFiles.length === 0) fail('state.json lists no "_data_files".', state);
  return { files: dataFiles.map((f) => join(path, String(f.filename))), infoDir: path };
}

// XGLUE/HF MLQA configs are named "mlqa.CONTEXT.QUESTION"; answers are spans of the context.
function languageFromDatasetInfo(dir: string): string | null {
  const info = join(dir, "dataset_info.json");
  if (!existsSync(info)) return null;
  const config = (JSON.parse(readFileSync(info, "utf8")) as { config_name?: unknown }).config_name;
  const match = typeof config === "string" ? /^mlqa\.([a-z]{2,3})\.[a-z]{2,3}$/.exec(config) : null;
  return match ? match[1]! : null;
}

function readArrow(path: string): QaData {
  const { files, infoDir } = arrowFiles(path);
  const out: QaData = { questions: [], excluded: [], language: languageFromDatasetInfo(infoDir) ?? languageFromFileName(path), format: "hf-arrow", files };
  const seen = new Map<string, string>();
  for (const file of files) {
    let rows: Array<Record<string, unknown>>;
    try {
      rows = tableFromIPC(readFileSync(file)).toArray().map((row: { toJSON(): Record<string, unknown> }) => row.toJSON());
    } catch (error) {
      throw new PolytuneError("qa-data", "The file is not an Arrow table apache-arrow can read.", { where: file, details: (error as Error).message, cause: error });
    }
    rows.forEach((row, r) => {
      const where = `${file}: row ${r}`;
      // `datasets` stores SQuAD answers as a struct of lists: {text: [...], answer_start: [...]}.
      const answers = isRecord(row.answers) ? row.answers : undefined;
      const texts = answers?.text;
      const list = texts && typeof (texts as { toArray?: unknown }).toArray === "function" ? Array.from((texts as { toArray(): ArrayLike<unknown> }).toArray()) : texts;
      addQuestion(out, seen, row.id, row.question, row.answers === undefined || row.answers === null ? undefined : list ?? null, where, row.context);
    });
  }
  return out;
}

/** Reads a QA gold file or folder; bad structure throws a PolytuneError naming the file and field. */
export function readQaData(path: string): QaData {
  if (!existsSync(path)) throw new PolytuneError("not-found", "The gold data file does not exist.", { where: path });
  if (statSync(path).isDirectory() || path.toLowerCase().endsWith(".arrow")) return readArrow(path);
  return readSquadJson(path);
}
