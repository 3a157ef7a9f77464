// How the Data area writes datasets and their rows: language summaries, the parts of a conversation a
// table cell shows, and the paging line. Plain functions, so they are tested without a browser.
import type { Dataset, DatasetRow, ExampleRow } from "../../../../electron/shared/datasetContract.js";

/** Languages by examples, most first: "en 120 · de 40 · +3". */
export function languageSummary(dataset: Pick<Dataset, "languages">, shown = 4): string {
  const sorted = [...dataset.languages].sort((a, b) => b.examples - a.examples || a.language.localeCompare(b.language));
  const head = sorted.slice(0, shown).map((l) => `${l.language} ${l.examples}`);
  const rest = sorted.length - shown;
  return [...head, ...(rest > 0 ? [`+${rest}`] : [])].join(" · ");
}

/** The first turn of a role, with Alpaca's input after the instruction; "" when there is none. */
export function turnText(row: Pick<ExampleRow, "turns">, role: "system" | "user" | "assistant"): string {
  const turn = row.turns.find((t) => t.role === role);
  if (!turn) return "";
  return turn.input ? `${turn.content}\n\n${turn.input}` : turn.content;
}

/** Whether the file claimed another language than the one identified (any side of a pair). */
export function isMismatched(row: DatasetRow): boolean {
  // The engine decides it for examples at import (one rule, `languagesDisagree`); a row made without the flag is compared as written.
  if (row.kind === "example") return row.mismatched ?? (row.claimedLanguage !== null && row.claimedLanguage !== row.language);
  return (row.claimedSourceLanguage !== null && row.claimedSourceLanguage !== row.sourceLanguage) || (row.claimedTargetLanguage !== null && row.claimedTargetLanguage !== row.targetLanguage);
}

/** Whether a row's label is under the confidence threshold (any side of a pair). */
export function isLowConfidence(row: DatasetRow, threshold: number): boolean {
  return row.kind === "example" ? row.confidence < threshold : Math.min(row.sourceConfidence, row.targetConfidence) < threshold;
}

/** 1-based first and last row of a page, and whether there are pages before and after. */
export function pageRange(offset: number, limit: number, shown: number, total: number): { first: number; last: number; hasPrevious: boolean; hasNext: boolean } {
  return { first: shown ? offset + 1 : 0, last: offset + shown, hasPrevious: offset > 0, hasNext: offset + shown < total };
}

/** Text cut to a length at a word boundary where one is near, with an ellipsis. */
export function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.7 ? cut.slice(0, space) : cut}…`;
}
