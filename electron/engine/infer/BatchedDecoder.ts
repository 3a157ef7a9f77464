import { existsSync } from "node:fs";
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { PromptFormat } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { getLlamaRuntime, llamaLogTail, type GpuChoice } from "../llamacpp/llamaRuntime.js";
import { scoreContinuations, type ContinuationItem, type ContinuationResult, type ContinuationScoreSettings } from "./ContinuationScorer.js";
import { promptTokensFor } from "./GreedyRunner.js";
import { decodeNatively, loadNativeDecoder, type NativeDecoderAddon } from "./NativeDecoder.js";
import { runOnSequences } from "./runOnSequences.js";

export type { ContinuationItem, ContinuationResult, ContinuationScoreSettings } from "./ContinuationScorer.js";

export interface BatchedPrompt {
  id: string;
  prompt: string;
  /** Forced start of the response: its tokens follow the formatted prompt; the returned text excludes it. */
  responsePrefix?: string;
  /** Overrides the settings' maxTokens for this prompt. */
  maxTokens?: number;
  /** Overrides the settings' stop strings for this prompt. */
  stop?: string[];
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
  /** 0 or absent: greedy. Above 0: nucleus sampling at this temperature. */
  temperature?: number;
  /** Nucleus mass when sampling (1 when absent: the whole distribution). */
  topP?: number;
  /** Sampling seed: a prompt decodes to the same text for the same seed, whatever the parallelism or order. */
  seed?: number;
  /**
   * Which loop decodes: "auto" (the default) the native addon's when it is built and the model runs on
   * the CPU, else node-llama-cpp's; "native" requires the addon's; "node-llama-cpp" never uses it.
   */
  decoder?: "auto" | "native" | "node-llama-cpp";
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
  /** Several adapters applied together, scale 1 each (after `adapterPath` when both are given). */
  adapterPaths?: string[];
}

/**
 * Greedy or sampled decoding of many prompts in parallel sequences of one llama.cpp context. Each sequence runs
 * its own `evaluate` loop; node-llama-cpp gathers the tokens every sequence queued in one event-loop
 * cycle into one `llama_decode`, so the per-token overhead (the JS round trip, the graph build) is paid
 * once per step for all sequences. Results are yielded as each prompt finishes, so a job can store
 * them at once and lose at most the prompts in flight when killed.
 */
export class BatchedDecoder {
  private constructor(
    readonly model: LlamaModel,
    private readonly ownsModel: boolean,
    private readonly adapterPaths: readonly string[],
    /** The model's file, for the native loop (which loads its own, memory-mapped, copy). */
    private readonly modelPath: string | null,
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
    return new BatchedDecoder(model, true, [...(options.adapterPath ? [options.adapterPath] : []), ...(options.adapterPaths ?? [])], options.modelPath);
  }

  /** Decodes with a model the caller already loaded and keeps owning. */
  static forModel(model: LlamaModel, adapterPaths?: string | string[]): BatchedDecoder {
    // node-llama-cpp keeps the resolved file path of a model without exposing it; without it the
    // native loop is not used for this decoder.
    const path = (model as unknown as { _modelPath?: unknown })._modelPath;
    const modelPath = typeof path === "string" && existsSync(path) ? path : null;
    return new BatchedDecoder(model, false, adapterPaths === undefined ? [] : typeof adapterPaths === "string" ? [adapterPaths] : [...adapterPaths], modelPath);
  }

  /**
   * Decodes every prompt; yields each result when its sequence finishes (not in input order). Aborting
   * the signal ends the sequences in flight with stopReason "cancelled" and starts no new ones.
   */
  async *decode(prompts: readonly BatchedPrompt[], settings: BatchedDecodeSettings, signal?: AbortSignal): AsyncGenerator<BatchedResult> {
    if (!Number.isInteger(settings.parallel) || settings.parallel < 1) {
      throw new PolytuneError("invalid-setting", `parallel must be a whole number of at least 1, not ${settings.parallel}.`, { where: "parallel" });
    }
    const wholeAtLeast1 = (value: number, where: string): void => {
      if (!Number.isInteger(value) || value < 1) throw new PolytuneError("invalid-setting", `maxTokens must be a whole number of at least 1, not ${value}.`, { where });
    };
    wholeAtLeast1(settings.maxTokens, "maxTokens");
    for (const p of prompts) if (p.maxTokens !== undefined) wholeAtLeast1(p.maxTokens, `${p.id}.maxTokens`);
    const temperature = settings.temperature ?? 0;
    if (!(temperature >= 0) || !Number.isFinite(temperature)) {
      throw new PolytuneError("invalid-setting", `temperature must be 0 or more, not ${settings.temperature}.`, { where: "temperature" });
    }
    if (settings.topP !== undefined && !(settings.topP > 0 && settings.topP <= 1)) {
      throw new PolytuneError("invalid-setting", `topP must be above 0 and at most 1, not ${settings.topP}.`, { where: "topP" });
    }
    if (settings.seed !== undefined && !(Number.isInteger(settings.seed) && settings.seed >= 0 && settings.seed < 2 ** 32)) {
      throw new PolytuneError("invalid-setting", `seed must be a whole number from 0 to 4294967295, not ${settings.seed}.`, { where: "seed", hint: "llama.cpp seeds its sampler with an unsigned 32-bit number." });
    }
    if (prompts.length === 0) return;
    const format = settings.format ?? "raw";
    const bos = this.model.tokens.shouldPrependBosToken ? this.model.tokens.bos : null;
    const encoded = prompts.map((p): EncodedPrompt => {
      const tokens = promptTokensFor(this.model, p.prompt, format);
      // The prefix continues the prompt's text: tokenised alone, without BOS and the tokenizer's leading space.
      const prefix = p.responsePrefix ? this.model.tokenize(p.responsePrefix, false, "trimLeadingSpace") : [];
      return {
        tokens: [...(bos === null ? [] : [bos]), ...tokens, ...prefix],
        prefix,
        maxTokens: p.maxTokens ?? settings.maxTokens,
        stop: (p.stop ?? settings.stop ?? []).filter((s) => s.length > 0),
      };
    });
    const longest = Math.max(...encoded.map((e) => e.tokens.length + e.maxTokens));
    const contextSize = settings.contextSize ?? Math.min(this.model.trainContextSize, longest + 1);
    encoded.forEach((e, i) => {
      if (e.tokens.length + 1 >= contextSize) {
        throw new PolytuneError("prompt-too-long", `Prompt "${prompts[i]!.id}" has ${e.tokens.length} tokens; each sequence's context holds ${contextSize}.`, {
          where: prompts[i]!.id,
          hint: "Shorten the prompt or raise the context size.",
        });
      }
    });
    const sampling: Sampling = temperature > 0 ? { temperature, topP: settings.topP ?? 1, seed: settings.seed ?? 0 } : null;
    const native = this.nativeDecoder(settings.decoder ?? "auto");
    if (native) {
      yield* this.decodeNatively(native, prompts, encoded, settings, contextSize, sampling, signal);
      return;
    }
    const context = await this.createContext(contextSize, Math.min(settings.parallel, prompts.length), settings.threads);
    try {
      yield* runOnSequences(
        context,
        settings.parallel,
        prompts.length,
        async (sequence, index) => ({ id: prompts[index]!.id, index, ...(await decodeOne(this.model, sequence, encoded[index]!, settings, sampling, signal)) }),
        signal,
      );
    } finally {
      await context.dispose();
    }
  }

  /**
   * The native loop (decision 0033) when it may decode: node-llama-cpp's batching pays two thread-pool
   * round trips per token, the native loop none. It runs on the CPU only, because the addon is linked to
   * the CPU package's libllama/ggml; a model node-llama-cpp put on a GPU, a machine without the built
   * addon, or a decoder made without the model's path decodes through node-llama-cpp, which computes the
   * same tokens (the native loop builds the same context and sampler chain).
   */
  private nativeDecoder(choice: "auto" | "native" | "node-llama-cpp"): NativeDecoderAddon | null {
    if (choice === "node-llama-cpp") return null;
    const addon = loadNativeDecoder();
    const usable = addon !== null && this.modelPath !== null && this.model.llama.gpu === false;
    if (choice === "native" && !usable) {
      throw new PolytuneError("native-decoder-unavailable", "The native decoder cannot decode this model.", {
        where: this.modelPath ?? "model",
        hint: addon === null ? "Run `npm run build:native` (needs cmake and a C++ compiler)." : "It decodes on the CPU only, a model opened with BatchedDecoder.open or loaded from a file.",
      });
    }
    return usable ? addon : null;
  }

  private async *decodeNatively(
    native: NativeDecoderAddon,
    prompts: readonly BatchedPrompt[],
    encoded: readonly EncodedPrompt[],
    settings: BatchedDecodeSettings,
    contextSize: number,
    sampling: Sampling,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<BatchedResult> {
    this.adapterPaths.forEach((path, i) => {
      if (!existsSync(path)) throw new PolytuneError("file-missing", `The adapter file ${path} does not exist.`, { where: path, details: `adapter ${i + 1} of ${this.adapterPaths.length}` });
    });
    const results = decodeNatively(
      native,
      {
        modelPath: this.modelPath!,
        adapterPaths: [...this.adapterPaths],
        prompts: encoded.map((e) => ({ tokens: Int32Array.from(e.tokens), prefix: Int32Array.from(e.prefix), maxTokens: e.maxTokens, stop: e.stop })),
        parallel: settings.parallel,
        contextSize,
        // node-llama-cpp's default for a context: its count of cores fit for math.
        threads: settings.threads ?? this.model.llama.cpuMathCores,
        repeatPenalty: settings.repeatPenalty ?? 1.1,
        repeatLastN: settings.repeatLastN ?? 64,
        ...(sampling ? { temperature: sampling.temperature, topP: sampling.topP, seed: sampling.seed } : {}),
      },
      signal,
    );
    for await (const r of results) {
      const { prefix, stop } = encoded[r.index]!;
      const tokens = [...r.tokens] as Token[];
      // Text as the node-llama-cpp path makes it: detokenized after the prefix, cut before the first stop.
      const full = this.model.detokenize(tokens, false, prefix.length > 0 ? prefix : undefined);
      const cut = r.stopReason === "stop" ? firstStop(full, stop) : -1;
      yield {
        id: prompts[r.index]!.id,
        index: r.index,
        text: cut >= 0 ? full.slice(0, cut) : full,
        tokens,
        promptTokens: encoded[r.index]!.tokens.length,
        stopReason: r.stopReason,
        seconds: r.seconds,
      };
    }
  }

  /**
   * Natural-log likelihood of each item's continuations after its context (raw text, BOS when the model
   * wants one), as lm-evaluation-harness's `loglikelihood`; items run in parallel sequences like
   * `decode` and are yielded as they finish. Items in flight when the signal aborts are not yielded.
   */
  scoreContinuations(items: readonly ContinuationItem[], settings: ContinuationScoreSettings, signal?: AbortSignal): AsyncGenerator<ContinuationResult> {
    return scoreContinuations(this.model, (size, sequences, threads) => this.createContext(size, sequences, threads, true), items, settings, signal);
  }

  /**
   * `precise`: an F32 KV cache and no flash attention, so a log-likelihood does not depend on how its
   * tokens were batched (with the F16 cache a 30-token context scored in one batch and one token per
   * decode differ by ~1e-4 nats; with F32 by ~1e-6).
   */
  private async createContext(contextSize: number, sequences: number, threads: number | undefined, precise = false): Promise<LlamaContext> {
    this.adapterPaths.forEach((path, i) => {
      if (!existsSync(path)) throw new PolytuneError("file-missing", `The adapter file ${path} does not exist.`, { where: path, details: `adapter ${i + 1} of ${this.adapterPaths.length}` });
    });
    const create = (adapters: readonly string[], size: number, count: number): Promise<LlamaContext> =>
      this.model.createContext({
        contextSize: size,
        sequences: count,
        // Room for one step of every sequence, and for prompts to be processed in large chunks.
        batchSize: Math.max(512, count),
        ...(threads ? { threads } : {}),
        ...(precise ? { flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" } : {}),
        ...(adapters.length > 0 ? { lora: { adapters: adapters.map((filePath) => ({ filePath, scale: 1 })) } } : {}),
      });
    try {
      return await create(this.adapterPaths, contextSize, sequences);
    } catch (error) {
      if (this.adapterPaths.length === 0) throw error;
      const reason = llamaLogTail(4).join(" ") || (error as Error).message;
      // llama.cpp does not say which adapter failed: try each alone in a small context to name it.
      let culprit = this.adapterPaths[0]!;
      if (this.adapterPaths.length > 1) {
        for (const path of this.adapterPaths) {
          const probe = await create([path], 16, 1).catch(() => null);
          if (!probe) {
            culprit = path;
            break;
          }
          await probe.dispose();
        }
      }
      throw new PolytuneError("adapter-load-failed", `The adapter ${culprit} could not be applied: ${reason}.`, {
        where: culprit,
        hint: "Use an adapter trained on this exact base model (same architecture and tensor shapes).",
      });
    }
  }

  async dispose(): Promise<void> {
    if (this.ownsModel) await this.model.dispose();
  }
}

interface EncodedPrompt {
  /** BOS, the formatted prompt and the response prefix: what the sequence evaluates first. */
  tokens: Token[];
  prefix: Token[];
  maxTokens: number;
  stop: string[];
}

type Sampling = { temperature: number; topP: number; seed: number } | null;

async function decodeOne(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  prompt: EncodedPrompt,
  settings: BatchedDecodeSettings,
  sampling: Sampling,
  signal: AbortSignal | undefined,
): Promise<Omit<BatchedResult, "id" | "index">> {
  const started = performance.now();
  // A fresh sequence per prompt: reusing a cached prefix would make a result depend on the prompt before.
  await sequence.clearHistory();
  const penalty = settings.repeatPenalty ?? 1.1;
  const lastN = settings.repeatLastN ?? 64;
  const { stop, maxTokens, prefix } = prompt;
  // Detokenising after the prefix keeps the space a continuing token starts with (" Paris", not "Paris").
  const detokenize = (tokens: Token[]): string => model.detokenize(tokens, false, prefix.length > 0 ? prefix : undefined);
  const generated: Token[] = [];
  const history: Token[] = [...prompt.tokens];
  let stopReason: BatchedResult["stopReason"] = "maxTokens";
  let text: string | null = null;
  const iterator = sequence.evaluate(prompt.tokens, {
    // Sampling: a fresh sampler per evaluate, seeded with the seed alone, so a prompt's random stream
    // does not depend on the prompts beside it. topK 0 keeps the whole vocabulary for top-p.
    ...(sampling ? { temperature: sampling.temperature, topP: sampling.topP, topK: 0, minP: 0, seed: sampling.seed } : { temperature: 0 }),
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
      // Text is only needed per token to find stop strings; otherwise once at the end.
      if (stop.length > 0) {
        const current = detokenize(generated);
        const cut = firstStop(current, stop);
        if (cut >= 0) {
          text = current.slice(0, cut);
          stopReason = "stop";
          break;
        }
      }
      if (generated.length >= maxTokens) break;
    }
  } finally {
    await iterator.return(undefined);
  }
  return { text: text ?? detokenize(generated), tokens: generated, promptTokens: prompt.tokens.length, stopReason, seconds: (performance.now() - started) / 1000 };
}

function firstStop(text: string, stops: string[]): number {
  let at = -1;
  for (const s of stops) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}
