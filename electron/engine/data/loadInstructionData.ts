import { readFileSync, statSync } from "node:fs";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { Conversation, Turn } from "./Conversation.js";
import { firstInvalidByte } from "./decodeText.js";

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

// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const loneSurrogate = /[\ud800-\udfff]/u;

const saveAsUtf8 = "Save the file as UTF-8 (in most editors: Save As → Encoding: UTF-8) and try again.";

/**
 * The file's lines as text, refusing anything that is not UTF-8: decoding leniently would put U+FFFD
 * into the training text without anyone noticing.
 */
function decodeUtf8Lines(file: string, bytes: Buffer): string[] {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (utf16) {
    throw new PolytuneError("data-encoding", "The training data file is UTF-16 text (it starts with a UTF-16 byte order mark); JSONL must be UTF-8.", { where: `${file}:1`, hint: saveAsUtf8 });
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const lines: string[] = [];
  let at = start;
  while (at <= bytes.length) {
    let end = bytes.indexOf(0x0a, at);
    if (end < 0) end = bytes.length;
    const lineBytes = bytes.subarray(at, end);
    const lineNo = lines.length + 1;
    const nul = lineBytes.indexOf(0);
    if (nul >= 0) {
      throw new PolytuneError("data-encoding", `Line ${lineNo} contains NUL bytes: the file looks like UTF-16 or binary, not UTF-8 text.`, { where: `${file}:${lineNo}`, hint: saveAsUtf8 });
    }
    try {
      lines.push(decoder.decode(lineBytes).replace(/\r$/, ""));
    } catch {
      const column = firstInvalidByte(lineBytes);
      throw new PolytuneError("data-encoding", `Line ${lineNo} is not valid UTF-8 (byte ${column + 1} of the line, 0x${lineBytes[column]!.toString(16).padStart(2, "0")}); the file may be in another encoding such as Windows-1252 or Latin-1.`, {
        where: `${file}:${lineNo}`,
        hint: saveAsUtf8,
      });
    }
    at = end + 1;
  }
  return lines;
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
  let bytes: Buffer;
  try {
    if (!statSync(file).isFile()) throw new Error("not a file");
    bytes = readFileSync(file);
  } catch (error) {
    throw new PolytuneError("data-unreadable", "The training data file cannot be read.", { where: file, hint: "Check the path.", details: String(error) });
  }
  const examples: Conversation[] = [];
  const lines = decodeUtf8Lines(file, bytes);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const where = `${file}:${i + 1}`;
    let record: unknown;
    let illFormed: string | null = null;
    try {
      // JSON escapes can spell half a surrogate pair ("\ud800"); such text is not Unicode and would train as U+FFFD.
      record = JSON.parse(line, (key, value: unknown) => {
        if (illFormed === null && typeof value === "string" && loneSurrogate.test(value)) illFormed = key;
        return value;
      });
    } catch (error) {
      throw new PolytuneError("data-malformed", `Line ${i + 1} is not valid JSON (${(error as Error).message}).`, { where, hint: "Each line must be one JSON object (JSONL)." });
    }
    if (illFormed !== null) {
      const field = /^\d+$/.test(illFormed) ? "a list item" : `the field "${illFormed}"`;
      throw new PolytuneError("data-encoding", `Line ${i + 1}: ${field} holds a lone surrogate escape (such as \\ud800), which is not valid Unicode text.`, {
        where,
        hint: "Fix the escape: a character outside the Basic Multilingual Plane is written as a pair (\\ud83d\\ude00), or as the character itself.",
      });
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new PolytuneError("data-malformed", `Line ${i + 1} is not a JSON object.`, { where, hint: "Each line must be one JSON object (JSONL)." });
    }
    const turns = recordToTurns(record as Record<string, unknown>);
    if (typeof turns === "string") throw new PolytuneError("data-malformed", `Line ${i + 1}: ${turns}.`, { where });
    const last = turns[turns.length - 1];
    if (!last || last.role !== "assistant") throw new PolytuneError("data-malformed", `Line ${i + 1} does not end with an assistant answer.`, { where });
    if (last.content.trim() === "") throw new PolytuneError("data-malformed", `Line ${i + 1} has an empty answer.`, { where });
    const r = record as Record<string, unknown>;
    const example: Conversation = { turns, source: { file, line: i + 1 } };
    const lang = str(r.lang) ?? str(r.language);
    if (lang) example.lang = lang;
    const provenance = str(r.provenance);
    if (provenance) example.provenance = provenance;
    examples.push(example);
  }
  if (examples.length === 0) {
    throw new PolytuneError("data-empty", "The training data file has no examples.", { where: file, hint: "Add one JSON object per line, e.g. {\"instruction\": …, \"output\": …}." });
  }
  return { examples, file };
}
