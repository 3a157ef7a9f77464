// Sentence simplification items (paper 003 §4.2): ASSET-style sources (`NAME.orig`, or any plain text
// file) with their references `NAME.simp.0…N` (or `NAME.ref.0…N`) beside them, or a MultiSim-style CSV
// with a source column and one or more reference columns. The prompt is the ASSET annotation
// instruction (taskPrompts.ts), in the input's language or in English (en:xx).
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import type { EvalSuiteRequest } from "../../../shared/evalContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { EvalTask, EvalTaskItem } from "./EvalTask.js";
import { languageOfFileName, readTaskLines, readTaskText, taskLanguage } from "./readTaskLines.js";
import { simplificationPrompt } from "./taskPrompts.js";

/** What the simplification scorer reads from an item's `reference`. */
export interface SimplificationReference {
  source: string;
  references: string[];
  /** file:line (or file:row) of the source sentence. */
  where: string;
}

const code = "simplification-data";

/** The reference files beside a sources file, ordered by their number: `asset.test.orig` → `asset.test.simp.0` … */
export function referenceFilesOf(file: string): string[] {
  const stem = basename(file).replace(/\.(orig|src|source|complex|txt)$/i, "");
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(?:simp|ref)\\.(\\d+)$`);
  return readdirSync(dirname(file))
    .flatMap((name) => {
      const m = pattern.exec(name);
      return m ? [{ name, k: Number(m[1]) }] : [];
    })
    .sort((a, b) => a.k - b.k)
    .map((f) => join(dirname(file), f.name));
}

interface Row {
  source: string;
  references: string[];
  where: string;
}

function readAligned(file: string): Row[] {
  const refs = referenceFilesOf(file);
  if (refs.length === 0) {
    throw new PolytuneError(code, "No reference simplifications beside the sources.", { where: file, hint: `Put the references beside it as ${basename(file).replace(/\.(orig|src|source|complex|txt)$/i, "")}.simp.0, .simp.1, … (one sentence per line, aligned with the sources).` });
  }
  const sources = readTaskLines(file, code);
  const references = refs.map((r) => ({ file: r, lines: readTaskLines(r, code) }));
  for (const r of references) {
    if (r.lines.length !== sources.length) throw new PolytuneError(code, `${file} has ${sources.length} lines but ${r.file} has ${r.lines.length}; references are line-aligned with the sources.`, { where: r.file });
  }
  return sources.map((s, i) => ({ source: s.text, references: references.map((r) => r.lines[i]!.text), where: `${file}:${s.line}` }));
}

const sourceColumns = ["original", "complex", "source", "original_sentence", "complex_sentence"];
const referenceColumn = /^(?:simple|simplification|reference|simp|ref)(?:[_ -]?\d+)?$/;

function readCsv(file: string): Row[] {
  let records: string[][];
  try {
    records = parseCsv(readTaskText(file, code), { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new PolytuneError(code, `The CSV file cannot be read: ${(error as Error).message}.`, { where: file, cause: error });
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const src = header.findIndex((h) => sourceColumns.includes(h));
  const refs = header.flatMap((h, i) => (referenceColumn.test(h) ? [i] : []));
  if (src < 0 || refs.length === 0) {
    throw new PolytuneError(code, `The CSV header names ${src < 0 ? "no source column" : "no reference column"}.`, { where: `${file}:1`, hint: `Name the source column one of ${sourceColumns.join(", ")} and each reference column simple, simple_1, … (or simplification, reference).` });
  }
  return records.slice(1).map((r, i) => {
    const where = `${file}:row ${i + 2}`;
    const references = refs.map((k) => r[k] ?? "");
    if (references.some((t) => t.trim() === "")) throw new PolytuneError(code, "A reference simplification is empty.", { where, hint: "Every row needs every reference column filled." });
    return { source: r[src] ?? "", references, where };
  });
}

export function loadSimplificationTask(input: EvalSuiteRequest): EvalTask {
  const items: EvalTaskItem[] = [];
  const untranslated = new Set<string>();
  const seen = new Set<string>();
  for (const file of input.data) {
    const rows = /\.csv$/i.test(file) ? readCsv(file) : readAligned(file);
    const fromName = languageOfFileName(file);
    const raw = input.language ?? fromName ?? (/asset/i.test(basename(file)) ? "en" : undefined);
    if (raw === undefined) throw new PolytuneError(code, "The sources' language is unknown.", { where: file, hint: "Give the suite a language, or name the file NAME.xx.orig." });
    const language = taskLanguage(raw, file, code);
    rows.forEach((row, i) => {
      const id = `${language}:${i + 1}`;
      if (seen.has(id)) throw new PolytuneError(code, `Two sources files of ${language} give the item "${id}".`, { where: row.where, hint: "Give one sources file per language." });
      seen.add(id);
      if (row.source.trim() === "") throw new PolytuneError(code, "A source sentence is empty.", { where: row.where });
      const built = simplificationPrompt(language, row.source, input.crossLingual);
      if (!input.crossLingual && built.instructionLanguage !== language) untranslated.add(language);
      items.push({ id, language, prompt: built.prompt, kind: "generate", reference: { source: row.source, references: row.references, where: row.where } satisfies SimplificationReference });
    });
  }
  const notes = [
    `${items.length} sentence(s) from ${input.data.join(", ")}, prompted with the ASSET annotation instruction (paper 003 §4.2) ${input.crossLingual ? "in English (en:xx)" : "in the input's language (xx:xx)"}; instructions other than English are Polytune's translations.`,
  ];
  if (untranslated.size > 0) notes.push(`No instruction in ${[...untranslated].join(", ")}: those items are prompted in English (en:xx).`);
  return { suite: "simplification", items, excluded: [], notes, greedy: false };
}
