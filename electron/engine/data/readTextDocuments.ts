// Raw text for pretraining: a .txt file is one document, a .jsonl file one {"text": …} document per line.
import { basename, extname } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { readJsonlObjects } from "./readJsonlObjects.js";
import { readUtf8Lines } from "./readUtf8Lines.js";

export interface TextDocument {
  text: string;
  /** Where the document starts: its file, and its line in a .jsonl file (1 for a .txt file). */
  source: { file: string; line: number };
}

const oneTextObject = 'Each line must be one JSON object: {"text": "…"}.';

function jsonlDocuments(file: string): TextDocument[] {
  const documents: TextDocument[] = [];
  for (const { record, line } of readJsonlObjects(file, oneTextObject)) {
    const text = record.text;
    if (typeof text !== "string") {
      throw new PolytuneError("data-malformed", `Line ${line}: the field "text" is ${text === undefined ? "missing" : `a ${Array.isArray(text) ? "list" : text === null ? "null" : typeof text}, not a string`}.`, { where: `${file}:${line} (text)`, hint: oneTextObject });
    }
    if (text.trim() !== "") documents.push({ text, source: { file, line } });
  }
  return documents;
}

/** Reads every file's documents in order; a file with none is refused, as training on nothing would be. */
export function readTextDocuments(files: readonly string[]): TextDocument[] {
  const documents: TextDocument[] = [];
  for (const file of files) {
    const ext = extname(file).toLowerCase();
    if (ext !== ".txt" && ext !== ".jsonl") {
      throw new PolytuneError("data-format", `${basename(file)} is neither a .txt nor a .jsonl file.`, { where: file, hint: 'Give plain text as .txt (one document per file) or .jsonl (one {"text": "…"} per line).' });
    }
    const found = ext === ".txt" ? [{ text: readUtf8Lines(file, "training text").join("\n"), source: { file, line: 1 } }].filter((d) => d.text.trim() !== "") : jsonlDocuments(file);
    if (found.length === 0) throw new PolytuneError("data-empty", `${basename(file)} holds no text.`, { where: file, hint: "Choose the file that holds the training text." });
    documents.push(...found);
  }
  return documents;
}
