/** Which source field or column holds each part of an example; each value is a field/column name in the file. */
export interface FieldMapping {
  instruction?: string;
  input?: string;
  output?: string;
  system?: string;
  /** A field holding the whole conversation: a list of {role|from, content|value} messages, a list of strings (user and assistant alternating), or "### Human: … ### Assistant: …" text. */
  conversations?: string;
  category?: string;
  language?: string;
  id?: string;
}

export type MappingRole = keyof FieldMapping;
export const mappingRoles: MappingRole[] = ["instruction", "input", "output", "system", "conversations", "category", "language", "id"];

/** The fields each named instruction format keeps its parts in. */
export const formatMappings: Record<string, FieldMapping> = {
  alpaca: { instruction: "instruction", input: "input", output: "output" },
  dolly: { instruction: "instruction", input: "context", output: "response", category: "category" },
  sharegpt: { conversations: "conversations" },
  openai: { conversations: "messages" },
  lima: { conversations: "conversations" },
  guanaco: { conversations: "text" },
};

/** Names a field goes by in data found in the wild, most usual first; matched case-insensitively. */
const synonyms: Record<MappingRole, string[]> = {
  instruction: ["instruction", "prompt", "question", "query", "instructions", "user", "human"],
  input: ["input", "context", "inputs"],
  output: ["output", "response", "answer", "completion", "outputs", "assistant", "reply"],
  system: ["system", "system_prompt"],
  conversations: ["conversations", "messages", "conversation", "dialog", "dialogue", "chat", "text"],
  category: ["category", "task", "task_type", "source"],
  language: ["language", "lang", "locale"],
  id: ["id", "uid", "record_id", "example_id"],
};

/** Edit distance, capped: only small distances matter (a misspelt field name). */
function distance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

export interface MappingSuggestion {
  mapping: FieldMapping;
  /** Roles matched only by a close spelling (e.g. "ouput" for output): the user must confirm them. */
  guessed: MappingRole[];
}

/**
 * A mapping from the field names a file has: exact names first (any case), then names within a small
 * edit distance of a known one. A conversations field is suggested only when no instruction/output pair is.
 */
export function suggestMapping(fields: string[]): MappingSuggestion {
  const mapping: FieldMapping = {};
  const guessed: MappingRole[] = [];
  const used = new Set<string>();
  const lower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  for (const role of mappingRoles) {
    const exact = synonyms[role].map((name) => lower.get(name)).find((f) => f !== undefined && !used.has(f));
    if (exact !== undefined) {
      mapping[role] = exact;
      used.add(exact);
    }
  }
  for (const role of mappingRoles) {
    if (mapping[role] !== undefined) continue;
    let best: { field: string; d: number } | undefined;
    for (const field of fields) {
      if (used.has(field)) continue;
      const name = field.toLowerCase();
      for (const known of synonyms[role]) {
        const d = distance(name, known);
        // Short names are too easy to reach by accident ("id" is one edit from "in").
        if (d <= Math.min(2, Math.floor(known.length / 4)) && (!best || d < best.d)) best = { field, d };
      }
    }
    if (best) {
      mapping[role] = best.field;
      used.add(best.field);
      guessed.push(role);
    }
  }
  if (mapping.instruction !== undefined && mapping.output !== undefined && mapping.conversations !== undefined) {
    if (guessed.includes("conversations")) guessed.splice(guessed.indexOf("conversations"), 1);
    delete mapping.conversations;
  }
  return { mapping, guessed };
}

/** Whether a mapping says where the example's text is: an instruction and an output, or a conversation. */
export function mappingIsComplete(mapping: FieldMapping): boolean {
  return mapping.conversations !== undefined || (mapping.instruction !== undefined && mapping.output !== undefined);
}
