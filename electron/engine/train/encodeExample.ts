import { resolveChatWrapper, type LlamaModel, type Token } from "node-llama-cpp";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { Conversation, Turn } from "../data/Conversation.js";
import { encodeCompletionPrompt } from "../infer/encodeCompletionPrompt.js";
import { chatHistory, encodeChatPrompt, promptText, userText, type PromptFormat } from "../infer/promptFormats.js";

/** A tokenised example: `target[i] = 1` when token i is a label the loss is computed on. */
export interface EncodedExample {
  tokens: Token[];
  target: Uint8Array;
  /** Tokens before the first supervised one. */
  promptLength: number;
}

/** Text segments of a conversation for the plain-text formats; `train` marks the answers. */
function textSegments(format: "alpaca" | "guanaco", turns: Turn[]): Array<{ text: string; train: boolean }> {
  const segments: Array<{ text: string; train: boolean }> = [];
  const system = turns.filter((t) => t.role === "system").map((t) => t.content).join("\n");
  const dialogue = turns.filter((t) => t.role !== "system");
  if (format === "alpaca") {
    // Alpaca is single-turn: earlier turns become context inside the instruction.
    const last = dialogue.length - 1;
    const user = dialogue[last - 1];
    const answer = dialogue[last];
    if (!user || user.role !== "user" || !answer) throw new Error("an Alpaca example needs a user turn followed by an answer");
    const history = dialogue.slice(0, last - 1).map((t) => `${t.role === "user" ? "User" : "Assistant"}: ${userText(t)}`).join("\n");
    const instruction = [system, history, user.content].filter(Boolean).join("\n\n");
    segments.push({ text: promptText("alpaca", { ...user, content: instruction }, true), train: false });
    segments.push({ text: answer.content, train: true });
    return segments;
  }
  let first = true;
  if (system) {
    segments.push({ text: system, train: false });
    first = false;
  }
  for (const turn of dialogue) {
    if (turn.role === "user") {
      segments.push({ text: promptText("guanaco", turn, first), train: false });
      first = false;
    } else {
      segments.push({ text: ` ${turn.content}`, train: true });
    }
  }
  return segments;
}

function bosOf(model: LlamaModel): Token[] {
  return model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? [model.tokens.bos] : [];
}

function encodeChat(model: LlamaModel, turns: Turn[]): EncodedExample {
  const wrapper = resolveChatWrapper(model);
  const full = wrapper.generateContextState({ chatHistory: chatHistory(turns) }).contextText.tokenize(model.tokenizer);
  const target = new Uint8Array(full.length);
  let promptLength = full.length;
  turns.forEach((turn, i) => {
    if (turn.role !== "assistant") return;
    // The answer's tokens are where the conversation up to this turn diverges from its generation prompt.
    const before = encodeChatPrompt(model, turns.slice(0, i));
    const upTo = wrapper.generateContextState({ chatHistory: chatHistory(turns.slice(0, i + 1)) }).contextText.tokenize(model.tokenizer);
    let start = 0;
    while (start < before.length && before[start] === upTo[start]) start++;
    for (let k = start; k < upTo.length && k < full.length; k++) if (full[k] === upTo[k]) target[k] = 1;
    promptLength = Math.min(promptLength, start);
  });
  return { tokens: full, target, promptLength };
}

export interface EncodeOptions {
  format: PromptFormat;
  /** Loss on the answers only (the papers' setting); false trains on every token. */
  maskPrompt: boolean;
  maxLength: number;
}

const longestTokenBytes = new WeakMap<LlamaModel, number | null>();

/** The most UTF-8 bytes one vocabulary entry spells (null when the file lists no tokens). */
function maxTokenBytes(model: LlamaModel): number | null {
  let max = longestTokenBytes.get(model);
  if (max !== undefined) return max;
  const tokens = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
  max = null;
  if (Array.isArray(tokens) && tokens.length > 0) {
    max = 1;
    for (const t of tokens) if (typeof t === "string") max = Math.max(max, Buffer.byteLength(t, "utf8"));
  }
  longestTokenBytes.set(model, max);
  return max;
}

/**
 * The fewest tokens the example's text can take: no token spells more bytes than the vocabulary's
 * longest entry. Lets a far-too-long example be refused before tokenising megabytes.
 */
function minimumTokens(model: LlamaModel, example: Conversation): number {
  const longest = maxTokenBytes(model);
  if (longest === null) return 0;
  const bytes = example.turns.reduce((n, t) => n + Buffer.byteLength(t.content, "utf8") + (t.input ? Buffer.byteLength(t.input, "utf8") : 0), 0);
  return Math.ceil(bytes / longest);
}

function tooLong(example: Conversation, length: string, maxLength: number): PolytuneError {
  return new PolytuneError("sequence-too-long", `Line ${example.source.line} is ${length} tokens long; the maximum sequence length is ${maxLength}.`, {
    where: `${example.source.file}:${example.source.line}`,
    hint: "Raise the maximum sequence length, or shorten or drop this example.",
  });
}

/** Tokenises one conversation for training. A too-long example is an error naming its line, never cut silently. */
export function encodeExample(model: LlamaModel, example: Conversation, options: EncodeOptions): EncodedExample {
  const atLeast = minimumTokens(model, example);
  if (atLeast > options.maxLength) throw tooLong(example, `at least ${atLeast}`, options.maxLength);
  let encoded: EncodedExample;
  try {
    if (options.format === "chat") {
      encoded = encodeChat(model, example.turns);
    } else {
      const tokens: Token[] = [...bosOf(model)];
      const flags: number[] = tokens.map(() => 0);
      for (const segment of textSegments(options.format, example.turns)) {
        // One push per token: spreading a piece of millions of tokens into push() overflows the stack.
        for (const token of encodeCompletionPrompt(model, segment.text)) {
          tokens.push(token);
          flags.push(segment.train ? 1 : 0);
        }
      }
      const eos = model.tokens.eos;
      if (eos !== null) {
        tokens.push(eos);
        flags.push(1);
      }
      const target = Uint8Array.from(flags);
      encoded = { tokens, target, promptLength: Math.max(0, target.indexOf(1)) };
    }
  } catch (error) {
    throw new PolytuneError("data-format", `Line ${example.source.line} cannot be put in the ${options.format} format: ${(error as Error).message}.`, { where: `${example.source.file}:${example.source.line}` });
  }
  if (!options.maskPrompt) encoded.target.fill(1, 1);
  if (encoded.tokens.length > options.maxLength) throw tooLong(example, String(encoded.tokens.length), options.maxLength);
  if (!encoded.target.some((v) => v === 1)) {
    throw new PolytuneError("data-format", `Line ${example.source.line} has no answer tokens to learn from.`, { where: `${example.source.file}:${example.source.line}` });
  }
  return encoded;
}

