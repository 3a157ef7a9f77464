import { formatMappings, mappingIsComplete, suggestMapping, type FieldMapping, type MappingRole } from "./FieldMapping.js";
import type { Container } from "./sniffFormat.js";

export interface Detected {
  /** A named instruction format, or the container's own name ("jsonl", "csv", "tsv", "parquet") when fields must be mapped. */
  format: string;
  fields: string[];
  mapping: FieldMapping;
  /** True when the fields are not ones a format names: import only after the user confirms a mapping. */
  mappingRequired: boolean;
  /** Roles filled by a close spelling only (e.g. "ouput"); shown to the user to confirm. */
  guessed: MappingRole[];
}

/** Field names in order of first appearance over the sampled records. */
export function fieldsOf(samples: unknown[]): string[] {
  const seen = new Set<string>();
  for (const s of samples) if (typeof s === "object" && s !== null && !Array.isArray(s)) for (const k of Object.keys(s)) seen.add(k);
  return [...seen];
}

function firstValue(samples: unknown[], field: string): unknown {
  for (const s of samples) if (typeof s === "object" && s !== null && !Array.isArray(s) && Object.hasOwn(s, field)) return (s as Record<string, unknown>)[field];
  return undefined;
}

/** The named format the sampled records are in, from their field names and shapes; null when none fits. */
function namedFormat(samples: unknown[], fields: string[]): string | null {
  if (samples.length > 0 && samples.every((s) => Array.isArray(s))) return "openai";
  const has = (f: string): boolean => fields.includes(f);
  if (has("messages") && Array.isArray(firstValue(samples, "messages"))) return "openai";
  if (has("conversations")) {
    const list = firstValue(samples, "conversations");
    if (Array.isArray(list) && list.length > 0) return typeof list[0] === "string" ? "lima" : "sharegpt";
  }
  if (has("instruction") && has("response")) return "dolly";
  if (has("instruction") && (has("output") || has("instances"))) return "alpaca";
  const text = firstValue(samples, "text");
  if (typeof text === "string" && /^\s*###\s*Human\s*:/.test(text)) return "guanaco";
  return null;
}

/** The optional parts (id, language, category, system) a named format's records carry under their usual names. */
function withOptionalFields(mapping: FieldMapping, fields: string[]): FieldMapping {
  const exact = suggestMapping(fields);
  const out: FieldMapping = { ...mapping };
  const taken = new Set(Object.values(out));
  for (const role of ["id", "language", "category", "system"] as const) {
    const field = exact.mapping[role];
    if (out[role] === undefined && field !== undefined && !exact.guessed.includes(role) && !taken.has(field)) {
      out[role] = field;
      taken.add(field);
    }
  }
  // The default input/context field is optional in the data: map it only where it exists.
  if (out.input !== undefined && !fields.includes(out.input) && !fields.includes("instances")) delete out.input;
  return out;
}

/**
 * Which instruction format sampled records are in, and how their fields map. `chosen` (not "auto") fixes
 * the format; the mapping is then that format's, checked against the fields the records have.
 */
export function detectFormat(container: Container, samples: unknown[], chosen: string, columns?: string[]): Detected {
  const fields = columns ?? fieldsOf(samples);
  const containerFormat = container === "csv" ? "csv" : container === "tsv" ? "tsv" : container === "parquet" ? "parquet" : "jsonl";
  const named = chosen !== "auto" && formatMappings[chosen] ? chosen : chosen === "auto" ? namedFormat(samples, fields) : null;
  if (named) {
    const mapping = withOptionalFields(formatMappings[named]!, fields);
    const bare = samples.length > 0 && samples.every((s) => Array.isArray(s));
    const missing = bare ? [] : (["instruction", "output", "conversations"] as const).filter((r) => mapping[r] !== undefined && !fields.includes(mapping[r]!) && !(r === "output" && fields.includes("instances")));
    if (missing.length === 0) {
      const format = chosen === "auto" && (container === "csv" || container === "tsv" || container === "parquet") ? containerFormat : named;
      return { format, fields, mapping, mappingRequired: false, guessed: [] };
    }
  }
  const { mapping, guessed } = suggestMapping(fields);
  return { format: chosen === "auto" || !formatMappings[chosen] ? containerFormat : chosen, fields, mapping, mappingRequired: !mappingIsComplete(mapping) || guessed.length > 0, guessed };
}
