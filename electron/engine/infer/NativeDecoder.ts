// Types and loading of the native addon's batched decoder (native/src/batched_decoder.cpp, decision 0033):
// a greedy or sampling loop over llama.cpp's C API on a thread of its own, one llama_decode per step for
// every busy sequence. JS tokenizes and detokenizes; the addon only decodes token ids.
import { createRequire } from "node:module";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { nativeAddonPath } from "../install/nativeAddonPath.js";
import { llamaLogTail } from "../llamacpp/llamaRuntime.js";

export interface NativeDecodePrompt {
  /** BOS, the formatted prompt and the response prefix: what the sequence evaluates first. */
  tokens: Int32Array;
  /** The response prefix alone: stop strings are searched in the text that follows it. */
  prefix?: Int32Array;
  maxTokens: number;
  /** Decoding of this prompt ends once its text contains one of these (the caller cuts the text). */
  stop?: string[];
}

export interface NativeDecodeOptions {
  modelPath: string;
  /** Applied together, scale 1 each. */
  adapterPaths?: string[];
  prompts: NativeDecodePrompt[];
  parallel: number;
  /** Context per sequence. */
  contextSize: number;
  /** CPU threads; every hardware thread when absent. */
  threads?: number;
  /** llama.cpp's penalties sampler over the last repeatLastN tokens of prompt + output; off at 1. */
  repeatPenalty: number;
  repeatLastN: number;
  /** 0: greedy. Above 0: top-p, temperature, then a draw seeded per prompt with `seed`. */
  temperature?: number;
  topP?: number;
  seed?: number;
}

export interface NativeDecodeResult {
  /** Position of the prompt in NativeDecodeOptions.prompts. */
  index: number;
  /** Generated token ids, the end-of-generation token excluded. */
  tokens: Int32Array;
  stopReason: "eos" | "stop" | "maxTokens" | "cancelled";
  seconds: number;
}

export interface NativeDecodeJob {
  /** Ends the sequences in flight (yielded as "cancelled") and starts no more prompts. */
  cancel(): void;
  /** Settles when the decode thread is done: rejects with the native error (its `code` set). */
  done: Promise<void>;
}

export interface NativeDecoderAddon {
  startDecode(options: NativeDecodeOptions, onResult: (result: NativeDecodeResult) => void): NativeDecodeJob;
}

let addon: NativeDecoderAddon | null | undefined;

/** The addon's decoder, or null when the addon is not built (or was built before it had one). */
export function loadNativeDecoder(): NativeDecoderAddon | null {
  if (addon !== undefined) return addon;
  const path = nativeAddonPath();
  let loaded: Partial<NativeDecoderAddon> | null = null;
  try {
    loaded = path ? (createRequire(import.meta.url)(path) as Partial<NativeDecoderAddon>) : null;
  } catch {
    // An addon that does not load (built for another Node, libraries moved) leaves node-llama-cpp's path.
    loaded = null;
  }
  addon = loaded && typeof loaded.startDecode === "function" ? (loaded as NativeDecoderAddon) : null;
  return addon;
}

/**
 * Runs a native decode and yields each prompt's result as it finishes. Aborting the signal (or leaving
 * the loop early) cancels the job; a native failure becomes a PolytuneError naming the file at fault.
 */
export async function* decodeNatively(decoder: NativeDecoderAddon, options: NativeDecodeOptions, signal?: AbortSignal): AsyncGenerator<NativeDecodeResult> {
  const queue: NativeDecodeResult[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const job = decoder.startDecode(options, (r) => {
    queue.push(r);
    wake?.();
  });
  job.done.then(
    () => {
      finished = true;
      wake?.();
    },
    (error: unknown) => {
      failure = error;
      finished = true;
      wake?.();
    },
  );
  const onAbort = (): void => job.cancel();
  if (signal?.aborted) job.cancel();
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    while (queue.length > 0) yield queue.shift()!;
    if (failure !== null) throw fromNativeDecodeError(failure, options);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) {
      // The caller left early: stop the thread and wait for it, so the model is freed before we return.
      job.cancel();
      await job.done.catch(() => undefined);
    }
  }
}

function fromNativeDecodeError(error: unknown, options: NativeDecodeOptions): unknown {
  if (!(error instanceof Error)) return error;
  const native = error as Error & { code?: unknown; where?: unknown };
  const where = typeof native.where === "string" && native.where ? native.where : options.modelPath;
  const details = llamaLogTail(4).join(" ") || undefined;
  const message = `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  switch (native.code) {
    case "model-load-failed":
      return new PolytuneError("model-load-failed", message, { where, hint: "Check that the file is a complete GGUF of a supported architecture.", ...(details ? { details } : {}) });
    case "adapter-load-failed":
      return new PolytuneError("adapter-load-failed", message, { where, hint: "Use an adapter trained on this exact base model (same architecture and tensor shapes).", ...(details ? { details } : {}) });
    case "out-of-memory":
      return new PolytuneError("decode-out-of-memory", message, { where, hint: "Lower the parallel sequences or the context size, or decode a smaller model.", ...(details ? { details } : {}) });
    case "decode-failed":
    case "bad-input":
      return new PolytuneError(`decode-${native.code}`, message, { where, ...(details ? { details } : {}) });
    default:
      return error;
  }
}
