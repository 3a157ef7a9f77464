import type { Turn } from "./Conversation.js";
import type { FieldMapping } from "./FieldMapping.js";
import type { ImportRecord } from "./ImportRecord.js";

/** Where a record sits in its file: the 1-based line it starts on, and its id or index when it has one. */
export interface RecordPlace {
  file: string;
  line: number;
  recordId?: string;
}

/** A record that cannot become an example; the message says why, in plain words. */
class Skip extends Error {}

// A Map, not an object literal: a role read from a file ("constructor", "__proto__") must never find Object.prototype's members.
const roles = new Map<string, Turn["role"]>([
  ["system", "system"],
  ["user", "user"],
  ["human", "user"],
  ["prompter", "user"],
  ["assistant", "assistant"],
  ["gpt", "assistant"],
  ["chatgpt", "assistant"],
  ["bot", "assistant"],
  ["model", "assistant"],
]);

// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const loneSurrogate = /[\ud800-\udfff]/u;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number" || typeof value === "bigint") return `a number (${String(value)})`;
  if (typeof value === "boolean") return `a boolean (${String(value)})`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "text";
  return typeof value;
}

function checkText(text: string, what: string): string {
  if (loneSurrogate.test(text)) throw new Skip(`${what} holds a lone surrogate escape (such as \\ud800), which is not valid Unicode text`);
  return text;
}

/** A text field: required ones must be present and hold text; optional ones may be missing or null. */
function textField(record: Record<string, unknown>, field: string, required: boolean): string | undefined {
  if (!Object.hasOwn(record, field)) {
    if (required) throw new Skip(`the record has no field "${field}"`);
    return undefined;
  }
  const value = record[field];
  if (typeof value === "string") return checkText(value, `the field "${field}"`);
  if ((value === null || value === undefined) && !required) return undefined;
  throw new Skip(`the field "${field}" holds ${describe(value)} where text belongs`);
}

/** An id or a label: text, or a number written as text. */
function labelField(record: Record<string, unknown>, field: string | undefined): string | undefined {
  if (field === undefined || !Object.hasOwn(record, field)) return undefined;
  const value = record[field];
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value.trim() === "" ? undefined : checkText(value.trim(), `the field "${field}"`);
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new Skip(`the field "${field}" holds ${describe(value)} where text belongs`);
}

/** "### Human: … ### Assistant: …" text (OpenAssistant/Guanaco), any number of turns. */
export function parseGuanacoText(text: string): Turn[] | null {
  const parts = text.split(/###\s*(Human|Assistant)\s*:/);
  if (parts.length < 3 || (parts[0] ?? "").trim() !== "") return null;
  const turns: Turn[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) turns.push({ role: parts[i] === "Human" ? "user" : "assistant", content: (parts[i + 1] ?? "").trim() });
  return turns;
}

/** OpenAI content: a string, or a list of parts of which only text parts are allowed. */
function messageContent(content: unknown, n: number): string {
  if (typeof content === "string") return checkText(content, `message ${n}`);
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === "string") texts.push(part);
      else if (typeof part === "object" && part !== null && (part as Record<string, unknown>).type === "text" && typeof (part as Record<string, unknown>).text === "string") {
        texts.push((part as Record<string, unknown>).text as string);
      } else {
        const type = typeof part === "object" && part !== null ? (part as Record<string, unknown>).type : undefined;
        throw new Skip(`message ${n} has a content part ${typeof type === "string" ? `of type "${type}"` : `that is ${describe(part)}`}; only text parts can be imported`);
      }
    }
    return checkText(texts.join("\n"), `message ${n}`);
  }
  if (content === undefined) throw new Skip(`message ${n} has no text`);
  throw new Skip(`message ${n} holds ${describe(content)} where text belongs`);
}

/** A conversation field: message objects, strings alternating user/assistant (LIMA), or Guanaco text. */
function conversationTurns(value: unknown, field: string): Turn[] {
  if (typeof value === "string") {
    const turns = parseGuanacoText(checkText(value, `the field "${field}"`));
    if (!turns) throw new Skip(`the field "${field}" is text, but not in "### Human: … ### Assistant: …" form`);
    return turns;
  }
  if (!Array.isArray(value)) throw new Skip(`the field "${field}" holds ${describe(value)} where a list of messages belongs`);
  if (value.length === 0) throw new Skip(`the field "${field}" is an empty list`);
  if (value.every((m) => typeof m === "string")) {
    return value.map((m: string, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: checkText(m, `message ${i + 1}`) }));
  }
  return value.map((m: unknown, i): Turn => {
    const n = i + 1;
    if (typeof m !== "object" || m === null || Array.isArray(m)) throw new Skip(`message ${n} is ${describe(m)}, not a message object`);
    const mm = m as Record<string, unknown>;
    const roleValue = mm.role ?? mm.from;
    if (typeof roleValue !== "string") throw new Skip(roleValue === undefined ? `message ${n} has no "role" or "from"` : `message ${n} has a role that is ${describe(roleValue)}`);
    const role = roles.get(roleValue.trim().toLowerCase());
    if (!role) throw new Skip(`message ${n} has an unknown role "${roleValue}"`);
    const content = Object.hasOwn(mm, "content") ? mm.content : Object.hasOwn(mm, "value") ? mm.value : mm.text;
    return { role, content: messageContent(content, n) };
  });
}

/**
 * What makes a conversation trainable: optional system turns first, then user and assistant taking turns,
 * starting with the user and ending with an answer, every turn holding text.
 */
export function checkTurns(turns: Turn[]): string | null {
  let i = 0;
  while (i < turns.length && turns[i]!.role === "system") i++;
  if (i > 1) return "it has two system turns in a row";
  if (i === turns.length) return "it has no user or assistant turn";
  for (const [k, turn] of turns.entries()) {
    const n = k + 1;
    if (turn.content.trim() === "") return `turn ${n} (${turn.role}) has no text`;
    if (k >= i && turn.role === "system") return `turn ${n} is a system turn after the conversation started`;
    if (k > i && turn.role === turns[k - 1]!.role) return `turns ${n - 1} and ${n} are both ${turn.role} turns`;
  }
  if (turns[i]!.role !== "user") return "it starts with an assistant turn, before any user turn";
  if (turns[turns.length - 1]!.role !== "assistant") return "it ends with a user turn that has no answer";
  return null;
}

/** The Alpaca fields of one record or one instance (self-instruct seed tasks keep input/output in `instances`). */
function alpacaTurns(record: Record<string, unknown>, instance: Record<string, unknown>, mapping: FieldMapping): Turn[] {
  const instruction = textField(record, mapping.instruction!, true)!;
  const input = mapping.input === undefined ? undefined : textField(instance, mapping.input, false);
  const output = textField(instance, mapping.output!, true)!;
  const user: Turn = input !== undefined && input.trim() !== "" ? { role: "user", content: instruction, input } : { role: "user", content: instruction };
  return [user, { role: "assistant", content: output }];
}

/**
 * One source record → the examples it holds (usually one), or a skip naming why. `mapping` must say where
 * the text is (instruction and output, or conversations); a bare list of messages is a conversation itself.
 */
export function recordToConversation(value: unknown, mapping: FieldMapping, place: RecordPlace): ImportRecord[] {
  const base = { file: place.file, line: place.line, ...(place.recordId !== undefined ? { recordId: place.recordId } : {}) };
  try {
    if (Array.isArray(value)) return [finish(conversationTurns(value, "messages"), undefined, undefined, base)];
    if (typeof value !== "object" || value === null) throw new Skip(`the record is ${describe(value)}, not an object`);
    const record = value as Record<string, unknown>;
    const recordId = labelField(record, mapping.id);
    const where = recordId !== undefined ? { ...base, recordId } : base;
    const category = labelField(record, mapping.category);
    const claimed = labelField(record, mapping.language);
    const system = mapping.system === undefined ? undefined : textField(record, mapping.system, false);
    const withSystem = (turns: Turn[]): Turn[] => (system !== undefined && system.trim() !== "" && turns[0]?.role !== "system" ? [{ role: "system", content: system }, ...turns] : turns);
    if (mapping.conversations !== undefined) {
      if (!Object.hasOwn(record, mapping.conversations)) throw new Skip(`the record has no field "${mapping.conversations}"`);
      return [finish(withSystem(conversationTurns(record[mapping.conversations], mapping.conversations)), category, claimed, where)];
    }
    if (mapping.instruction === undefined || mapping.output === undefined) throw new Skip("the mapping names neither an instruction and an output nor a conversation field");
    const instances = record.instances;
    if (!Object.hasOwn(record, mapping.output) && Array.isArray(instances) && instances.length > 0) {
      return instances.map((instance: unknown, k) => {
        const id = instances.length > 1 ? { ...where, recordId: `${recordId ?? `line ${place.line}`}/${k + 1}` } : where;
        if (typeof instance !== "object" || instance === null) return { kind: "skip", ...id, reason: `instance ${k + 1} is ${describe(instance)}, not an object` };
        try {
          return finish(withSystem(alpacaTurns(record, instance as Record<string, unknown>, mapping)), category, claimed, id);
        } catch (error) {
          if (error instanceof Skip) return { kind: "skip", ...id, reason: `instance ${k + 1}: ${error.message}` };
          throw error;
        }
      });
    }
    return [finish(withSystem(alpacaTurns(record, record, mapping)), category, claimed, where)];
  } catch (error) {
    if (error instanceof Skip) return [{ kind: "skip", ...base, reason: error.message }];
    throw error;
  }
}

function finish(turns: Turn[], category: string | undefined, claimed: string | undefined, where: RecordPlace): ImportRecord {
  const problem = checkTurns(turns);
  if (problem) throw new Skip(`the conversation cannot be used: ${problem}`);
  return {
    kind: "conversation",
    ...where,
    turns,
    ...(category !== undefined ? { category } : {}),
    ...(claimed !== undefined ? { claimedLanguage: claimed } : {}),
  };
}
