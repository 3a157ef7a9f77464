// Reading a suite's text files for the evaluation job: UTF-8 lines with their numbers, JSON lines
// refused with file:line, and the language a file's name gives (`alpacaeval_test_subset.fr.jsonl`).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { normaliseLanguage } from "../../data/languageCodes.js";

export interface TaskLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The file's text: UTF-8 (anything else refused, naming the file), a BOM dropped. */
export function readTaskText(file: string, code: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new PolytuneError("not-found", missing ? "The suite's data file does not exist." : "The suite's data file cannot be read.", { where: file, details: (error as Error).message, cause: error });
  }
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, "");
  } catch (error) {
    throw new PolytuneError(code, "The file is not UTF-8 text.", { where: file, hint: "Save it as UTF-8.", cause: error });
  }
}

/**
 * Every line with its number, CRs dropped. A final newline opens no extra line, so a file with and one
 * without a final newline have the same lines (the Chirkova `.types` files lack it, the `.jsonl` have it).
 */
export function readTaskLines(file: string, code: string): TaskLine[] {
  const lines = readTaskText(file, code)
    .split("\n")
    .map((text, i) => ({ line: i + 1, text: text.endsWith("\r") ? text.slice(0, -1) : text }));
  if (lines.at(-1)?.text === "") lines.pop();
  return lines;
}

/** One JSON value per line; a line that is not JSON stops with its file and line. */
export function parseTaskJson(file: string, line: TaskLine, code: string, hint: string): unknown {
  try {
    return JSON.parse(line.text);
  } catch (error) {
    throw new PolytuneError(code, `Line ${line.line} is not valid JSON: ${(error as Error).message}.`, { where: `${file}:${line.line}`, hint, cause: error });
  }
}

/** The language code just before the extension (`….fr.jsonl`, `modifiers.pt.types`, `x.pt-BR.json`), normalised; undefined when none. */
export function languageOfFileName(file: string): string | undefined {
  const match = /\.([a-z]{2,3}(?:[-_][a-z0-9]{2,8})?)\.[a-z0-9]+$/i.exec(basename(file));
  return match ? normaliseLanguage(match[1]!) : undefined;
}

/** A language code normalised to lid.176's label, or a PolytuneError naming where it was read. */
export function taskLanguage(value: string, where: string, code: string): string {
  const language = normaliseLanguage(value);
  if (language === undefined) throw new PolytuneError(code, `"${value}" names no known language.`, { where, hint: 'Use an ISO 639-1 or 639-3 code such as "fr" or "rus".' });
  return language;
}
