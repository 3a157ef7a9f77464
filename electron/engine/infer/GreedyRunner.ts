import { LlamaCompletion, type LlamaModel, type Token } from "node-llama-cpp";
import type { PromptFormat, TryResult } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { encodeChatPrompt, promptText } from "./promptFormats.js";
import { encodeCompletionPrompt } from "./encodeCompletionPrompt.js";
import { getLlamaRuntime, llamaLogTail, type GpuChoice } from "../llamacpp/llamaRuntime.js";

export interface GreedyRequest {
  requestId: string;
  modelPath: string;
  prompt: string;
  maxTokens: number;
  repeatPenalty: number;
  gpu: GpuChoice;
  contextSize?: number;
  adapterPath?: string;
  format?: PromptFormat | "raw";
  onText?: (text: string, tokens: number, tokensPerSecond: number) => void;
}

/**
 * Greedy completions for the "try it" panel and the CLI. Keeps the last model loaded (loading is the
 * slow part) and lets a running request be cancelled by id.
 */
export class GreedyRunner {
  private loaded: { key: string; model: Promise<LlamaModel> } | null = null;
  private readonly running = new Map<string, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();

  // Adapters stay in memory until their model is disposed, so a different adapter means a fresh load.
  private async model(path: string, gpu: GpuChoice, adapter?: string): Promise<LlamaModel> {
    const key = `${gpu}:${path}:${adapter ?? ""}`;
    if (this.loaded?.key !== key) {
      const previous = this.loaded;
      const model = (async () => {
        if (previous) await (await previous.model.catch(() => null))?.dispose();
        const llama = await getLlamaRuntime(gpu);
        try {
          return await llama.loadModel({ modelPath: path });
        } catch (error) {
          const reason = llamaLogTail(5).join(" ");
          throw new PolytuneError("model-load-failed", `llama.cpp could not load the model: ${error instanceof Error ? error.message : String(error)}.`, {
            where: path,
            hint: "Check that the file is a complete GGUF of a supported architecture.",
            details: reason,
          });
        }
      })();
      this.loaded = { key, model };
      model.catch(() => {
        if (this.loaded?.key === key) this.loaded = null;
      });
    }
    return this.loaded.model;
  }

  cancel(requestId: string): boolean {
    const controller = this.running.get(requestId);
    controller?.abort();
    return controller !== undefined;
  }

  /** Runs requests one after another: two decodes on two cores only slow each other down. */
  complete(request: GreedyRequest): Promise<TryResult> {
    const controller = new AbortController();
    this.running.set(request.requestId, controller);
    const job = this.queue.then(() => this.run(request, controller.signal));
    this.queue = job.catch(() => undefined);
    return job.finally(() => this.running.delete(request.requestId));
  }

  private async run(request: GreedyRequest, signal: AbortSignal): Promise<TryResult> {
    const model = await this.model(request.modelPath, request.gpu, request.adapterPath);
    const promptTokens = promptTokensFor(model, request.prompt, request.format ?? "raw");
    const contextSize = request.contextSize ?? Math.min(model.trainContextSize, Math.max(256, promptTokens.length + request.maxTokens + 16));
    if (promptTokens.length + 1 >= contextSize) {
      throw new PolytuneError("prompt-too-long", `The prompt has ${promptTokens.length} tokens; the context holds ${contextSize}.`, { hint: "Shorten the prompt or raise the context size." });
    }
    let context;
    try {
      context = await model.createContext({ contextSize, sequences: 1, ...(request.adapterPath ? { lora: { adapters: [{ filePath: request.adapterPath }] } } : {}) });
    } catch (error) {
      if (!request.adapterPath) throw error;
      // node-llama-cpp only says the adapter failed; llama.cpp's log says why.
      throw new PolytuneError("adapter-load-failed", `The adapter could not be applied: ${llamaLogTail(4).join(" ") || (error as Error).message}.`, {
        where: request.adapterPath,
        hint: "Use an adapter trained on this exact base model (same architecture and tensor shapes).",
      });
    }
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      const started = performance.now();
      let firstTokenAt = 0;
      let tokens = 0;
      const rate = (): number => {
        const seconds = (performance.now() - (firstTokenAt || started)) / 1000;
        return tokens > 1 && seconds > 0 ? (tokens - 1) / seconds : 0;
      };
      const response = await completion.generateCompletionWithMeta(promptTokens, {
        maxTokens: request.maxTokens,
        temperature: 0,
        repeatPenalty: request.repeatPenalty > 1 ? { penalty: request.repeatPenalty } : false,
        signal,
        stopOnAbortSignal: true,
        onToken(chunk) {
          if (tokens === 0) firstTokenAt = performance.now();
          tokens += chunk.length;
        },
        onTextChunk(chunk) {
          request.onText?.(chunk, tokens, rate());
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const reason = response.metadata.stopReason;
      return {
        requestId: request.requestId,
        text: response.response,
        tokens,
        promptTokens: promptTokens.length,
        tokensPerSecond: rate(),
        seconds,
        // A GPU build with no usable device still computes on the CPU.
        backend: model.llama.gpu === false || !model.llama.supportsGpuOffloading ? "cpu" : model.llama.gpu,
        stopReason: reason === "maxTokens" ? "maxTokens" : reason === "abort" ? "cancelled" : "eos",
      };
    } finally {
      await context.dispose();
    }
  }

  async dispose(): Promise<void> {
    for (const c of this.running.values()) c.abort();
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded) await (await loaded.model.catch(() => null))?.dispose();
  }
}

/** The prompt tokens for a format, exactly as training built them (LlamaCompletion adds BOS itself). */
export function promptTokensFor(model: LlamaModel, prompt: string, format: PromptFormat | "raw"): Token[] {
  if (format === "chat") {
    const tokens = encodeChatPrompt(model, [{ role: "user", content: prompt }]);
    return tokens[0] === model.tokens.bos ? tokens.slice(1) : tokens;
  }
  const text = format === "raw" ? prompt : promptText(format, { role: "user", content: prompt }, true);
  return encodeCompletionPrompt(model, text);
}
