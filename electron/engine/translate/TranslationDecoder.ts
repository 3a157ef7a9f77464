import { LlamaCompletion, type LlamaContext, type LlamaModel, type Token } from "node-llama-cpp";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { encodeCompletionPrompt } from "../infer/encodeCompletionPrompt.js";
import { encodeChatPrompt } from "../infer/promptFormats.js";
import { getLlamaRuntime, llamaLogTail, type GpuChoice } from "../llamacpp/llamaRuntime.js";

export interface DecoderOptions {
  modelPath: string;
  gpu: GpuChoice;
  contextSize: number;
  /** "auto": the model's own chat template when its file has one, else plain completion text. */
  format: "auto" | "chat" | "completion";
  threads?: number;
}

export interface DecodedText {
  text: string;
  tokens: number;
  promptTokens: number;
  stopReason: "eos" | "maxTokens" | "cancelled" | "too-long";
  seconds: number;
}

/**
 * Greedy decoding for a translation job: the model and one context stay loaded for the whole job, and
 * consecutive items share the prompt's instruction prefix in the KV cache (LlamaCompletion keeps the
 * common prefix of the sequence), so a long job does not reload or re-read the template per item.
 * Built from the inference layer's prompt encoders, so a prompt reads as in `models try`.
 */
export class TranslationDecoder {
  private constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly completion: LlamaCompletion,
    readonly format: "chat" | "completion",
  ) {}

  static async open(options: DecoderOptions): Promise<TranslationDecoder> {
    const llama = await getLlamaRuntime(options.gpu);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath });
    } catch (error) {
      throw new PolytuneError("model-load-failed", `llama.cpp could not load the model: ${error instanceof Error ? error.message : String(error)}.`, {
        where: options.modelPath,
        hint: "Check that the file is a complete GGUF of a supported architecture.",
        details: llamaLogTail(5).join(" "),
      });
    }
    try {
      const contextSize = Math.min(options.contextSize, model.trainContextSize);
      const context = await model.createContext({ contextSize, sequences: 1, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
      const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === "string";
      const format = options.format === "auto" ? (hasTemplate ? "chat" : "completion") : options.format;
      return new TranslationDecoder(model, context, new LlamaCompletion({ contextSequence: context.getSequence() }), format);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  countTokens(text: string): number {
    return this.model.tokenize(text, false).length;
  }

  /** The prompt as tokens: the model's chat template (system + user), or the two as plain text. */
  private promptTokens(system: string, user: string): Token[] {
    if (this.format === "chat") {
      const tokens = encodeChatPrompt(this.model, [
        { role: "system", content: system },
        { role: "user", content: user },
      ]);
      // LlamaCompletion prepends BOS itself.
      return tokens[0] === this.model.tokens.bos ? tokens.slice(1) : tokens;
    }
    return encodeCompletionPrompt(this.model, `${system}\n\n${user}`);
  }

  /**
   * One greedy completion. `maxTokens` bounds the output; a prompt that leaves no room for an output of
   * `minOutputTokens` in the context is not decoded at all ("too-long"), never cut from the left.
   */
  async decode(prompt: { system: string; user: string }, maxTokens: number, minOutputTokens: number, signal?: AbortSignal): Promise<DecodedText> {
    const started = performance.now();
    const tokens = this.promptTokens(prompt.system, prompt.user);
    const room = this.context.contextSize - tokens.length - 1;
    if (room < minOutputTokens) return { text: "", tokens: 0, promptTokens: tokens.length, stopReason: "too-long", seconds: 0 };
    const limit = Math.min(maxTokens, room);
    let generated = 0;
    const response = await this.completion.generateCompletionWithMeta(tokens, {
      maxTokens: limit,
      temperature: 0,
      repeatPenalty: false,
      disableContextShift: true,
      ...(signal ? { signal, stopOnAbortSignal: true } : {}),
      onToken(chunk) {
        generated += chunk.length;
      },
    });
    const reason = response.metadata.stopReason;
    return {
      text: response.response,
      tokens: generated,
      promptTokens: tokens.length,
      stopReason: reason === "maxTokens" ? "maxTokens" : reason === "abort" ? "cancelled" : "eos",
      seconds: (performance.now() - started) / 1000,
    };
  }

  async dispose(): Promise<void> {
    this.completion.dispose();
    await this.context.dispose();
    await this.model.dispose();
  }
}
