import { PolytuneError } from "../../shared/PolytuneError.js";
import type { Conversation, Turn } from "./Conversation.js";
import { readJsonlObjects } from "./readJsonlObjects.js";

const roleAliases: Record<string, Turn["role"]> = {
  system: "system",
  user: "user",
  human: "user",
  prompter: "user",
  assistant: "assistant",
  gpt: "assistant",
  bot: "assistant",
  model: "assistant",
};

// Guanaco/OpenAssistant text: "### Human: … ### Assistant: …", several turns allowed.
function parseGuanacoText(text: string): Turn[] | null {
  const parts = text.split(/###\s*(Human|Assistant)\s*:/);
  if (parts.length < 3) return null;
  const turns: Turn[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    turns.push({ role: parts[i] === "Human" ? "user" : "assistant", content: (parts[i + 1] ?? "").trim() });
  }
  return turns;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Turns one JSON record into a conversation. Accepts the shapes instruction data comes in:
 * Alpaca ({instruction, input?, output}), prompt/response pairs, chat ({messages|conversations:[{role|from, content|value}]}),
 * and Guanaco text ({text: "### Human: … ### Assistant: …"}).
 */
export function recordToTurns(record: Record<string, unknown>): Turn[] | string {
  const instruction = str(record.instruction);
  const output = str(record.output) ?? str(record.response) ?? str(record.completion);
  if (instruction !== undefined && output !== undefined) {
    const input = str(record.input);
    const system = str(record.system);
    const user: Turn = input ? { role: "user", content: instruction, input } : { role: "user", content: instruction };
    return [...(system ? [{ role: "system" as const, content: system }] : []), user, { role: "assistant", content: output }];
  }
  const prompt = str(record.prompt);
  if (prompt !== undefined && output !== undefined) return [{ role: "user", content: prompt }, { role: "assistant", content: output }];
  const messages = record.messages ?? record.conversations;
  if (Array.isArray(messages)) {
    const turns: Turn[] = [];
    for (const [i, m] of messages.entries()) {
      if (typeof m !== "object" || m === null) return `message ${i + 1} is not an object`;
      const mm = m as Record<string, unknown>;
      const roleName = (str(mm.role) ?? str(mm.from) ?? "").toLowerCase();
      const role = roleAliases[roleName];
      const content = str(mm.content) ?? str(mm.value);
      if (!role) return `message ${i + 1} has an unknown role "${roleName}"`;
      if (content === undefined) return `message ${i + 1} has no text content`;
      turns.push({ role, content });
    }
    return turns;
  }
  const text = str(record.text);
  if (text !== undefined) return parseGuanacoText(text) ?? 'the "text" field is not in "### Human: … ### Assistant: …" form';
  return 'expected {instruction, output}, {prompt, response}, {messages: [...]} or {text: "### Human: …"}';
}

export interface LoadedData {
  examples: Conversation[];
  file: string;
}

/**
 * Reads instruction data from a JSONL file. A malformed line stops the load with its line number and
 * what is wrong: silently dropping examples would change the experiment without anyone knowing.
 */
export function loadInstructionData(file: string): LoadedData {
  const examples: Conversation[] = [];
  for (const { record, line } of readJsonlObjects(file, "Each line must be one JSON object (JSONL).")) {
    const where = `${file}:${line}`;
    const turns = recordToTurns(record);
    if (typeof turns === "string") throw new PolytuneError("data-malformed", `Line ${line}: ${turns}.`, { where });
    const last = turns[turns.length - 1];
    if (!last || last.role !== "assistant") throw new PolytuneError("data-malformed", `Line ${line} does not end with an assistant answer.`, { where });
    if (last.content.trim() === "") throw new PolytuneError("data-malformed", `Line ${line} has an empty answer.`, { where });
    const example: Conversation = { turns, source: { file, line } };
    const lang = str(record.lang) ?? str(record.language);
    if (lang) example.lang = lang;
    const provenance = str(record.provenance);
    if (provenance) example.provenance = provenance;
    examples.push(example);
  }
  if (examples.length === 0) {
    throw new PolytuneError("data-empty", "The training data file has no examples.", { where: file, hint: "Add one JSON object per line, e.g. {\"instruction\": …, \"output\": …}." });
  }
  return { examples, file };
}
