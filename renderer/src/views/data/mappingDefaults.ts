// The import wizard's column-mapping step, as plain functions: which target fields a mapping has,
// what it starts from (the engine's suggestion, kept only where the column exists), and what stops
// an import (a mapping that would make empty examples).
import type { FieldMapping, Inspection } from "../../../../electron/shared/datasetContract.js";

export type MappingTarget = keyof FieldMapping;

/** The parts of an example a column can fill, in the order the step asks for them. */
export const mappingTargets = ["instruction", "input", "output", "system", "conversations", "category", "language", "id"] as const satisfies readonly MappingTarget[];

/** The engine's suggestion, without columns the files do not have (a suggestion never points at nothing). */
export function initialMapping(inspection: Pick<Inspection, "suggestedMapping" | "fields">): FieldMapping {
  const mapping: FieldMapping = {};
  for (const target of mappingTargets) {
    const column = inspection.suggestedMapping[target];
    if (column && inspection.fields.includes(column)) mapping[target] = column;
  }
  return mapping;
}

/** The mapping with one target set to a column, or cleared by "". */
export function withColumn(mapping: FieldMapping, target: MappingTarget, column: string): FieldMapping {
  const next: FieldMapping = { ...mapping };
  if (column) next[target] = column;
  else delete next[target];
  return next;
}

export type MappingProblem =
  | { kind: "missing-text" }
  | { kind: "missing-output" }
  | { kind: "unknown-column"; target: MappingTarget; column: string }
  | { kind: "same-column"; targets: MappingTarget[]; column: string };

/**
 * Why the mapping cannot make examples: no text at all, an instruction without a response, a column
 * the files do not have, or one column used for two parts of the text. Empty when it can.
 */
export function mappingProblems(mapping: FieldMapping, fields: readonly string[]): MappingProblem[] {
  const problems: MappingProblem[] = [];
  for (const target of mappingTargets) {
    const column = mapping[target];
    if (column && !fields.includes(column)) problems.push({ kind: "unknown-column", target, column });
  }
  if (!mapping.conversations) {
    if (!mapping.instruction && !mapping.output) problems.push({ kind: "missing-text" });
    else if (!mapping.output) problems.push({ kind: "missing-output" });
  }
  // The text parts must come from different columns; a label (category, language, id) may repeat one.
  const textTargets: MappingTarget[] = ["instruction", "input", "output", "system", "conversations"];
  const byColumn = new Map<string, MappingTarget[]>();
  for (const target of textTargets) {
    const column = mapping[target];
    if (column) byColumn.set(column, [...(byColumn.get(column) ?? []), target]);
  }
  for (const [column, targets] of byColumn) if (targets.length > 1) problems.push({ kind: "same-column", targets, column });
  return problems;
}

/** The mapping to send: only targets that name a column, or none at all when the format needs none. */
export function mappingToSend(mapping: FieldMapping, inspection: Pick<Inspection, "mappingRequired" | "suggestedMapping">, touched: boolean): FieldMapping | undefined {
  const entries = Object.entries(mapping).filter(([, column]) => Boolean(column));
  if (!inspection.mappingRequired && !touched) return undefined;
  return entries.length ? (Object.fromEntries(entries) as FieldMapping) : undefined;
}
