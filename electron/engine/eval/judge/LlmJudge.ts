// A local GGUF model as judge (issue 12, suites 1 and 2), decoding through node-llama-cpp. The criteria,
// helpfulness and modifier-fulfilment answers are forced to JSON by a JSON-schema grammar; relevance is
// free text whose last 0 or 1 counts. An answer that cannot be read is asked once more, then recorded as
// missing. One model load serves every judgement.
import { LlamaCompletion, type LlamaContext, type LlamaGrammar, type LlamaModel, type Token } from "node-llama-cpp";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { encodeCompletionPrompt } from "../../infer/encodeCompletionPrompt.js";
import { encodeChatPrompt } from "../../infer/promptFormats.js";
import { getLlamaRuntime, llamaLogTail, type GpuChoice } from "../../llamacpp/llamaRuntime.js";
import { fastFingerprint } from "../../models/fingerprintFile.js";
import { criteriaSchema, helpfulnessSchema, judgePrompt, judgePromptHash, modifierPrompt, modifierPromptHash, modifierSchema, type CriterionKey, type Judgement } from "./judgePrompts.js";
import { parseCriteria, parseHelpfulness, parseModifierVerdict, parseRelevance } from "./parseJudgeOutput.js";

export interface LlmJudgeOptions {
  modelPath: string;
  gpu?: GpuChoice;
  /** Upper bound; the model's training context wins when smaller. */
  contextSize?: number;
  /** Tokens the judge may write per answer. */
  maxTokens?: number;
  threads?: number;
}

/** One decoding of one judgement, kept so a reader can see why a score is what it is (or missing). */
export interface JudgeAttempt {
  text: string;
  stopReason: "eos" | "maxTokens" | "too-long";
  parsed: boolean;
}

/** A judgement's value (null = missing: unreadable twice, or a prompt longer than the context) and its provenance. */
export interface JudgeVerdict<T> {
  value: T | null;
  attempts: JudgeAttempt[];
  /** fastFingerprint of the judge's GGUF file. */
  model: string;
  /** Hash of the prompt template. */
  prompt: string;
}

/**
 * Records one of the judge's answers in its verdict and reads it: the value is set when `parse` reads
 * the text (true: no retry needed). The one place a judge's raw text becomes a value.
 */
export function readAttempt<T>(verdict: JudgeVerdict<T>, text: string, stopReason: JudgeAttempt["stopReason"], parse: (text: string) => T | null): boolean {
  const value = parse(text);
  verdict.attempts.push({ text, stopReason, parsed: value !== null });
  if (value === null) return false;
  verdict.value = value;
  return true;
}

// The second attempt samples: greedy decoding would only repeat the first answer word for word.
const retrySampling = { temperature: 0.7, topP: 0.9, seed: 1 } as const;

export class LlmJudge {
  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly completion: LlamaCompletion,
    private readonly grammars: { criteria: LlamaGrammar; helpfulness: LlamaGrammar; modifier: LlamaGrammar },
    private readonly format: "chat" | "completion",
    private readonly maxTokens: number,
    /** The judge's file fingerprint, stored with every score. */
    readonly fingerprint: string,
  ) {}

  static async open(options: LlmJudgeOptions): Promise<LlmJudge> {
    let fingerprint: string;
    try {
      fingerprint = fastFingerprint(options.modelPath);
    } catch (error) {
      throw new PolytuneError("not-found", "The judge model file cannot be read.", { where: options.modelPath, details: (error as Error).message, hint: "Give the path of a local GGUF file.", cause: error });
    }
    const llama = await getLlamaRuntime(options.gpu ?? "auto");
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath });
    } catch (error) {
      throw new PolytuneError("model-load-failed", `llama.cpp could not load the judge model: ${error instanceof Error ? error.message : String(error)}.`, {
        where: options.modelPath,
        hint: "Check that the file is a complete GGUF of a supported architecture.",
        details: llamaLogTail(5).join(" "),
      });
    }
    try {
      const contextSize = Math.min(options.contextSize ?? 4096, model.trainContextSize);
      const context = await model.createContext({ contextSize, sequences: 1, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
      const grammars = {
        criteria: await llama.createGrammarForJsonSchema(criteriaSchema),
        helpfulness: await llama.createGrammarForJsonSchema(helpfulnessSchema),
        modifier: await llama.createGrammarForJsonSchema(modifierSchema),
      };
      const format = typeof model.fileInfo.metadata.tokenizer?.chat_template === "string" ? "chat" : "completion";
      return new LlmJudge(model, context, new LlamaCompletion({ contextSequence: context.getSequence() }), grammars, format, options.maxTokens ?? 256, fingerprint);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  private tokens(prompt: string): Token[] {
    if (this.format === "chat") {
      const tokens = encodeChatPrompt(this.model, [{ role: "user", content: prompt }]);
      // LlamaCompletion prepends BOS itself.
      return tokens[0] === this.model.tokens.bos ? tokens.slice(1) : tokens;
    }
    return encodeCompletionPrompt(this.model, prompt);
  }

  /** Asks once greedily and, when the answer cannot be read, once more with sampling. */
  private async ask<T>(prompt: string, promptHash: string, grammar: LlamaGrammar | undefined, parse: (text: string) => T | null): Promise<JudgeVerdict<T>> {
    const verdict: JudgeVerdict<T> = { value: null, attempts: [], model: this.fingerprint, prompt: promptHash };
    const tokens = this.tokens(prompt);
    const room = this.context.contextSize - tokens.length - 1;
    // A prompt that leaves the judge no room to answer is not cut: the item is missing, and says why.
    if (room < 16) {
      verdict.attempts.push({ text: "", stopReason: "too-long", parsed: false });
      return verdict;
    }
    for (const sampling of [{ temperature: 0 }, retrySampling]) {
      const result = await this.completion.generateCompletionWithMeta(tokens, {
        maxTokens: Math.min(this.maxTokens, room),
        ...sampling,
        repeatPenalty: false,
        disableContextShift: true,
        ...(grammar ? { grammar } : {}),
      });
      if (readAttempt(verdict, result.response, result.metadata.stopReason === "maxTokens" ? "maxTokens" : "eos", parse)) break;
    }
    return verdict;
  }

  private judge<T>(judgement: Judgement, task: string, response: string, parse: (text: string) => T | null): Promise<JudgeVerdict<T>> {
    return this.ask(judgePrompt(judgement, task, response), judgePromptHash(judgement), judgement === "relevance" ? undefined : this.grammars[judgement], parse);
  }

  relevance(task: string, response: string): Promise<JudgeVerdict<0 | 1>> {
    return this.judge("relevance", task, response, parseRelevance);
  }

  criteria(task: string, response: string): Promise<JudgeVerdict<Record<CriterionKey, 1 | 2 | 3>>> {
    return this.judge("criteria", task, response, parseCriteria);
  }

  helpfulness(task: string, response: string): Promise<JudgeVerdict<{ score: number; explanation: string | null }>> {
    return this.judge("helpfulness", task, response, parseHelpfulness);
  }

  /** Whether `response` fulfils the condition `modifier` added to `task` (paper 002 §5.2), for modifiers no rule can check. */
  fulfilment(task: string, modifier: string, response: string): Promise<JudgeVerdict<{ fulfilled: 0 | 1; explanation: string | null }>> {
    return this.ask(modifierPrompt(task, modifier, response), modifierPromptHash(), this.grammars.modifier, parseModifierVerdict);
  }

  async dispose(): Promise<void> {
    this.completion.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }
}
