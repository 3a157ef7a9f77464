import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { PromptFormat } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { getLlamaRuntime, llamaLogTail, type GpuChoice } from "../llamacpp/llamaRuntime.js";
import { promptTokensFor } from "./GreedyRunner.js";

export interface BatchedPrompt {
  id: string;
  prompt: string;
}

export interface BatchedDecodeSettings {
  /** Sequences decoded at once in one context (llama.cpp batches their next tokens into one decode). */
  parallel: number;
  maxTokens: number;
  /** Paper 002's 1.1; 1 turns the penalty off. Explicit on purpose: node-llama-cpp's chat default differs. */
  repeatPenalty?: number;
  /** Window the penalty looks back over, prompt included, as llama.cpp's `penalty_last_n` (64). */
  repeatLastN?: number;
  /** Decoding stops when the text contains one of these; the text is cut before it. */
  stop?: string[];
  format?: PromptFormat | "raw";
  /** Context per sequence; defaults to the longest prompt plus maxTokens. */
  contextSize?: number;
  /** CPU threads for the context; node-llama-cpp's default otherwise. */
  threads?: number;
}

export interface BatchedResult {
  id: string;
  /** Position of the prompt in the input, so a caller can restore the order. */
  index: number;
  text: string;
  tokens: Token[];
  promptTokens: number;
  stopReason: "eos" | "stop" | "maxTokens" | "cancelled";
  seconds: number;
}

export interface BatchedDecoderOpenOptions {
  modelPath: string;
  gpu: GpuChoice;
  adapterPath?: string;
}

/**
 * Greedy decoding of many prompts in parallel sequences of one llama.cpp context. Each sequence runs
 * its own `evaluate` loop; node-llama-cpp gathers the tokens every sequence queued in one event-loop
 * cycle into one `llama_decode`, so the per-token overhead (the JS round trip, the graph build) is paid
 * once per step for all sequences. Results are yielded as each prompt finishes, so a job can store
 * them at once and lose at most the prompts in flight when killed.
 */
export class BatchedDecoder {
  private constructor(
    readonly model: LlamaModel,
    private readonly ownsModel: boolean,
    private readonly adapterPath: string | undefined,
  ) {}

  /** Loads the model (the adapter is applied per context, as node-llama-cpp caches it by path). */
  static async open(options: BatchedDecoderOpenOptions): Promise<BatchedDecoder> {
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
    return new BatchedDecoder(model, true, options.adapterPath);
  }

  /** Decodes with a model the caller already loaded and keeps owning. */
  static forModel(model: LlamaModel, adapterPath?: string): BatchedDecoder {
    return new BatchedDecoder(model, false, adapterPath);
  }

  /**
   * Decodes every prompt; yields each result when its sequence finishes (not in input order). Aborting
   * the signal ends the sequences in flight with stopReason "cancelled" and starts no new ones.
   */
  async *decode(prompts: readonly BatchedPrompt[], settings: BatchedDecodeSettings, signal?: AbortSignal): AsyncGenerator<BatchedResult> {
    if (!Number.isInteger(settings.parallel) || settings.parallel < 1) {
      throw new PolytuneError("invalid-setting", `parallel must be a whole number of at least 1, not ${settings.parallel}.`, { where: "parallel" });
    }
    if (!Number.isInteger(settings.maxTokens) || settings.maxTokens < 1) {
      throw new PolytuneError("invalid-setting", `maxTokens must be a whole number of at least 1, not ${settings.maxTokens}.`, { where: "maxTokens" });
    }
    if (prompts.length === 0) return;
    const format = settings.format ?? "raw";
    const bos = this.model.tokens.shouldPrependBosToken ? this.model.tokens.bos : null;
    const encoded = prompts.map((p) => {
      const tokens = promptTokensFor(this.model, p.prompt, format);
      return bos === null ? tokens : [bos, ...tokens];
    });
    const longest = Math.max(...encoded.map((t) => t.length));
    const contextSize = settings.contextSize ?? Math.min(this.model.trainContextSize, longest + settings.maxTokens + 1);
    encoded.forEach((tokens, i) => {
      if (tokens.length + 1 >= contextSize) {
        throw new PolytuneError("prompt-too-long", `Prompt "${prompts[i]!.id}" has ${tokens.length} tokens; each sequence's context holds ${contextSize}.`, {
          where: prompts[i]!.id,
          hint: "Shorten the prompt or raise the context size.",
        });
      }
    });
    const parallel = Math.min(settings.parallel, prompts.length);
    const context = await this.createContext(contextSize, parallel, settings.threads);
    try {
      // Each worker owns one sequence and takes the next prompt when its last one is done.
      let next = 0;
      const finished: BatchedResult[] = [];
      let wake: (() => void) | null = null;
      let failure: unknown = null;
      const notify = (): void => {
        const w = wake;
        wake = null;
        w?.();
      };
      const worker = async (sequence: LlamaContextSequence): Promise<void> => {
        while (failure === null && next < prompts.length) {
          const index = next++;
          const result = await decodeOne(this.model, sequence, encoded[index]!, settings, signal);
          finished.push({ id: prompts[index]!.id, index, ...result });
          notify();
          if (signal?.aborted) return;
        }
      };
      const workers = Array.from({ length: parallel }, () =>
        worker(context.getSequence()).catch((error: unknown) => {
          failure ??= error;
        }),
      );
      let running = workers.length;
      for (const w of workers) void w.finally(() => { running--; notify(); });
      while (running > 0 || finished.length > 0) {
        if (finished.length > 0) {
          yield finished.shift()!;
          continue;
        }
        if (failure !== null) break;
        await new Promise<void>((resolve) => { wake = resolve; });
      }
      await Promise.all(workers);
      if (failure !== null) throw failure;
    } finally {
      await context.dispose();
    }
  }

  private async createContext(contextSize: number, sequences: number, threads: number | undefined): Promise<LlamaContext> {
    try {
      return await this.model.createContext({
        contextSize,
        sequences,
        // Room for one step of every sequence, and for prompts to be processed in large chunks.
        batchSize: Math.max(512, sequences),
        ...(threads ? { threads } : {}),
        ...(this.adapterPath ? { lora: { adapters: [{ filePath: this.adapterPath }] } } : {}),
      });
    } catch (error) {
      if (!this.adapterPath) throw error;
      throw new PolytuneError("adapter-load-failed", `The adapter could not be applied: ${llamaLogTail(4).join(" ") || (error as Error).message}.`, {
        where: this.adapterPath,
        hint: "Use an adapter trained on this exact base model (same architecture and tensor shapes).",
      });
    }
  }

  async dispose(): Promise<void> {
    if (this.ownsModel) await this.model.dispose();
  }
}

async function decodeOne(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  prompt: Token[],
  settings: BatchedDecodeSettings,
  signal: AbortSignal | undefined,
): Promise<Omit<BatchedResult, "id" | "index">> {
  const started = performance.now();
  // A fresh sequence per prompt: reusing a cached prefix would make a result depend on the prompt before.
  await sequence.clearHistory();
  const penalty = settings.repeatPenalty ?? 1.1;
  const lastN = settings.repeatLastN ?? 64;
  const stop = (settings.stop ?? []).filter((s) => s.length > 0);
  const generated: Token[] = [];
  const history: Token[] = [...prompt];
  let stopReason: BatchedResult["stopReason"] = "maxTokens";
  let text = "";
  const iterator = sequence.evaluate(prompt, {
    temperature: 0,
    // llama.cpp's penalties sampler over the last lastN tokens of prompt + output, every token counted
    // (newlines too), as llama.cpp's own tools and HF's repetition_penalty do. node-llama-cpp's
    // LlamaCompletion instead looks at the output only and spares newlines.
    repeatPenalty: penalty > 1 && lastN > 0 ? { punishTokens: () => history.slice(-lastN), maxPunishTokens: lastN, penalty } : undefined,
    yieldEogToken: true,
  });
  try {
    for await (const token of iterator) {
      if (signal?.aborted) {
        stopReason = "cancelled";
        break;
      }
      if (model.isEogToken(token)) {
        stopReason = "eos";
        break;
      }
      generated.push(token);
      history.push(token);
      text = model.detokenize(generated);
      const cut = firstStop(text, stop);
      if (cut >= 0) {
        text = text.slice(0, cut);
        stopReason = "stop";
        break;
      }
      if (generated.length >= settings.maxTokens) break;
    }
  } finally {
    await iterator.return(undefined);
  }
  return { text, tokens: generated, promptTokens: prompt.length, stopReason, seconds: (performance.now() - started) / 1000 };
}

function firstStop(text: string, stops: string[]): number {
  let at = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}
