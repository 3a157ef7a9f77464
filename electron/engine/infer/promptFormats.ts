// The prompt formats a conversation is put in, shared by inference and training so that a model is
// prompted exactly as it was trained.
import { resolveChatWrapper, type ChatHistoryItem, type LlamaModel, type Token } from "node-llama-cpp";
import type { Turn } from "../data/Conversation.js";

export type { PromptFormat } from "../../shared/contract.js";

// The alpaca-lora template (Ranaldi et al. 2023 trained with alpaca-lora's hyperparameters).
const alpacaWithInput =
  "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n";
const alpacaNoInput = "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n";

/** A user turn's text with its optional input appended. */
export function userText(turn: Turn): string {
  return turn.input ? `${turn.content}\n\n${turn.input}` : turn.content;
}

/** The text a model is prompted with for one user turn in the Alpaca or Guanaco format. */
export function promptText(format: "alpaca" | "guanaco", user: Turn, first: boolean): string {
  if (format === "alpaca") {
    const template = user.input ? alpacaWithInput : alpacaNoInput;
    // One pass with a function: the user's text is never read as a pattern ("$&") or as a placeholder.
    const fill: Record<string, string> = { instruction: user.content, input: user.input ?? "" };
    return template.replace(/\{(instruction|input)\}/g, (_, key: string) => fill[key] ?? "");
  }
  // Guanaco (Kew et al. 2024): "### Human: … ### Assistant: …", turns separated by a space.
  return `${first ? "" : " "}### Human: ${userText(user)} ### Assistant:`;
}

/** A conversation as node-llama-cpp chat history. */
export function chatHistory(turns: Turn[]): ChatHistoryItem[] {
  return turns.map((t): ChatHistoryItem => {
    if (t.role === "system") return { type: "system", text: t.content };
    if (t.role === "user") return { type: "user", text: userText(t) };
    return { type: "model", response: [t.content] };
  });
}

/** The model's own chat template (through node-llama-cpp's chat wrappers) as tokens. */
export function encodeChatPrompt(model: LlamaModel, turns: Turn[]): Token[] {
  const wrapper = resolveChatWrapper(model);
  const history = [...chatHistory(turns), { type: "model" as const, response: [] }];
  return wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
}
