// Types and loading of the native trainer addon (native/src/addon.cpp): the one place the addon's
// surface is written down.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { LoraTarget, MergedType, QuantizeType, TrainBackend, TrainMethod } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { nativeAddonCandidates, nativeAddonPath } from "../install/nativeAddonPath.js";
import { unpackedPath } from "../install/unpackedPath.js";
import { nodeLlamaCppLlamaDir } from "../llamacpp/llamaCppSource.js";

/** The addon takes the run settings' own values; their lists are written in the contract. */
export type TrainerBackend = TrainBackend;

export interface TrainerOpenOptions {
  modelPath: string;
  /** Folder of the prebuilt CPU ggml backends (the @node-llama-cpp package of this platform). */
  backendsDir: string;
  /** Where to compute; "auto" takes the first GPU found (CUDA, Metal, Vulkan), else the CPU. */
  backend?: TrainerBackend;
  /** Candidate GPU backend libraries, tried in order (see gpuBackendLibraries). */
  backendLibs?: string[];
  /** Index among the chosen backend's devices. */
  device?: number;
  /**
   * lora (default): adapters on a frozen base. full: every weight of the base (F32) is trained; `targets`
   * may be empty, `rank`/`alpha`/`rslora`/`dropout` are ignored, `keepBaseType` is refused, `seed` is optional.
   */
  method?: TrainMethod;
  /** Projections (LoraTarget's names); plain strings, as an adapter file read back names them, checked natively. */
  targets: readonly (LoraTarget | (string & {}))[];
  rank: number;
  alpha: number;
  /** Scale alpha/sqrt(rank) instead of alpha/rank (Kalajdzievski 2023). */
  rslora?: boolean;
  /** Hold F16/quantized matrices as the file stores them (plus a transposed copy for the backward) instead of in F32. */
  keepBaseType?: boolean;
  /** LoRA dropout: the probability of zeroing each input of an adapter in training (0 ≤ p < 1). */
  dropout?: number;
  seed: number;
  threads?: number;
}

export interface TrainerInfo {
  architecture: string;
  layers: number;
  embeddingSize: number;
  feedForwardSize: number;
  heads: number;
  headsKv: number;
  vocabSize: number;
  /** The output head is the token embedding (no output.weight). */
  tiedOutput: boolean;
  method: TrainMethod;
  /** What is trained: the LoRA tensors, or every weight of the model. */
  trainableParameters: number;
  /** Bytes of the base weights as held (F32, or as stored plus a transposed copy). */
  baseBytes: number;
  step: number;
  rank: number;
  alpha: number;
  rslora: boolean;
  keepBaseType: boolean;
  dropout: number;
  /** ggml's backend name, e.g. CPU, CUDA0, Vulkan0. */
  backend: string;
  /** The device, e.g. "NVIDIA H100 80GB HBM3" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  device: string;
  /** Why `auto` trains on the CPU although a GPU was found (its backend lacks an operation training needs). */
  backendNote: string | null;
}

/** Bytes the trainer holds on its device, and what the device reports free (null where it cannot tell). */
export interface TrainerMemory {
  /** The base weights (in full training: the trained F32 weights). */
  weights: number;
  /** LoRA tensors and dropout tables; 0 in full training. */
  lora: number;
  /** Gradient accumulators and both Adam moments of what is trained, plus the optimizer's inputs. */
  optimizer: number;
  /** The largest compute buffer so far (activations and their gradients). */
  compute: number;
  deviceFree: number | null;
  deviceTotal: number | null;
}

export interface LossResult {
  /** Cross-entropy summed over the supervised tokens. */
  lossSum: number;
  tokens: number;
}

export interface AdamWOptions {
  /** The scheduled rate of this update (the run's peak `lr` as its schedule scales it at this step). */
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  gradClip?: number;
}

/**
 * Every call that takes (tokens, target) takes either one sequence, or several concatenated with their
 * `lengths`: a micro-batch computed as one graph.
 */
export interface NativeTrainer {
  info(): TrainerInfo;
  memory(): TrainerMemory;
  /** Forward + backward; gradients are added to the trainer's accumulators (on its device). With dropout, the masks are those of (step, micro-batch since the last update), so a resumed run draws the same. */
  accumulate(tokens: Int32Array, target: Uint8Array, lengths?: Int32Array): Promise<LossResult>;
  /** Loss without training; `dropoutKey` applies that key's dropout masks (the same key, the same masks). */
  evalLoss(tokens: Int32Array, target: Uint8Array, lengths?: Int32Array, dropoutKey?: number): Promise<LossResult>;
  /** AdamW over the accumulated gradients (mean per supervised token); returns the new step. */
  update(options: AdamWOptions): number;
  /** Logits of every position, row-major [tokens][vocab]. */
  logits(tokens: Int32Array): Promise<Float32Array>;
  /** Gradients of the summed loss, by parameter name (LoRA tensor, or GGUF weight name in full training); needs empty accumulators and leaves them so. */
  gradients(tokens: Int32Array, target: Uint8Array, lengths?: Int32Array, dropoutKey?: number): Promise<LossResult & { grads: Record<string, Float32Array> }>;
  /** FLOP/s of an F32 matrix product [nIn × nOut] · [nIn × tokens] on this trainer's device. */
  matmulRate(nIn: number, nOut: number, tokens: number, iterations: number): Promise<number>;
  /** LoRA tensor names (`blk.0.attn_q.weight.lora_a`, …), or in full training the GGUF weight names (`token_embd.weight`, …). */
  paramNames(): string[];
  getParam(name: string): Float32Array;
  setParam(name: string, values: Float32Array): void;
  /** LoRA only (full training rejects with code bad-input). */
  saveAdapter(path: string): Promise<number>;
  /** Every trained tensor, both Adam moments and the step; resuming from it continues bit-exactly. */
  saveCheckpoint(path: string): Promise<number>;
  loadCheckpoint(path: string): Promise<number>;
  /** Sets the LoRA tensors from an adapter file made for these targets and this rank. LoRA only. */
  loadAdapter(path: string): Promise<number>;
  /**
   * Base + adapter as one GGUF model (full training: the trained weights), all source metadata kept;
   * "source" keeps each tensor's type where ggml can write it, "f16" leaves 1-D tensors F32.
   */
  exportMerged(path: string, type?: MergedType): Promise<number>;
  dispose(): void;
}

export interface TrainerAddon {
  openTrainer(options: TrainerOpenOptions): Promise<NativeTrainer>;
  /**
   * A GGUF model quantized by llama.cpp's own quantizer (libllama's llama_model_quantize), written to
   * `outPath` through a temporary file. Rejects with code bad-input (type), io (missing input, failed
   * write) or bad-model (not a GGUF file). `threads` 0 or absent: all cores.
   */
  quantizeModel(inPath: string, outPath: string, type: QuantizeType, threads?: number): Promise<void>;
}

let addon: TrainerAddon | undefined;

/** Loads native/build/Release/polytune_trainer.node, built by `npm run build:native`. */
export function loadTrainerAddon(): TrainerAddon {
  if (addon) return addon;
  const path = nativeAddonPath();
  if (!path) {
    throw new PolytuneError("trainer-missing", "The native trainer is not built.", { hint: "Run `npm run build:native` (needs cmake and a C++ compiler).", where: nativeAddonCandidates()[0] });
  }
  addon = createRequire(import.meta.url)(path) as TrainerAddon;
  return addon;
}

const platformPackages: Record<string, string> = { "linux-x64": "linux-x64", "linux-arm64": "linux-arm64", "darwin-arm64": "mac-arm64-metal", "darwin-x64": "mac-x64", "win32-x64": "win-x64" };

/**
 * GPU backend libraries of node-llama-cpp's prebuilt packages for this platform (CUDA first, its
 * fallback build for older runtimes next, then Vulkan): the same ggml builds inference uses.
 */
export function gpuBackendLibraries(): string[] {
  const platformPackage = platformPackages[`${process.platform}-${process.arch}`];
  if (!platformPackage) return [];
  const scope = unpackedPath(join(dirname(dirname(nodeLlamaCppLlamaDir())), "@node-llama-cpp"));
  if (!existsSync(scope)) return [];
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth > 0) visit(path, depth - 1);
      else if (/ggml-(cuda|vulkan|metal)\.(so|dll|dylib)$/.test(entry.name)) found.push(path);
    }
  };
  for (const pkg of readdirSync(scope).filter((p) => p.startsWith(`${platformPackage}-`))) {
    const bins = join(scope, pkg, "bins");
    if (existsSync(bins)) visit(bins, 2);
  }
  const rank = (p: string): number => (p.includes("ggml-cuda") ? (p.includes("fallback") ? 1 : 0) : p.includes("ggml-metal") ? 2 : 3);
  return found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The prebuilt ggml backends of this platform, the same node-llama-cpp uses for inference. */
export function trainerBackendsDir(): string {
  const platformPackage = platformPackages[`${process.platform}-${process.arch}`];
  const binsRoot = platformPackage ? unpackedPath(join(dirname(dirname(nodeLlamaCppLlamaDir())), "@node-llama-cpp", platformPackage, "bins")) : "";
  const dir = existsSync(binsRoot) ? readdirSync(binsRoot).find((d) => existsSync(join(binsRoot, d, "_nlcBuildMetadata.json"))) : undefined;
  if (!dir) throw new PolytuneError("trainer-backends-missing", `No prebuilt ggml backends for ${process.platform}-${process.arch}.`, { hint: "Reinstall with `npm ci`." });
  return join(binsRoot, dir);
}

const nativeHints: Record<string, string> = {
  "out-of-memory": "Lower the batch size, token budget or sequence length, keep the base as stored (`--base-weights as-stored`, the default) or train a smaller or more quantized model; the run resumes from its last checkpoint.",
  "backend-unavailable": "Pick another backend (`polytune doctor` lists what this machine can use); `cpu` always works.",
  "unsupported-op": "Train on another backend (`cpu` always works; `auto` falls back to it when a GPU cannot train).",
  "backend-failed": "The device failed while computing; resume the run, or train on another backend.",
  "non-finite": "Lower the learning rate (or raise warm-up), then resume from the last checkpoint.",
  "bad-model": "Check the model file (`polytune models show`); training supports llama, mistral, qwen2 and qwen3.",
  "bad-adapter": "Use an adapter trained for this base model (same architecture and layer sizes).",
  "bad-checkpoint": "The checkpoint does not belong to this configuration; start a new run instead of resuming.",
  io: "Check free disk space and permissions of the data folder.",
};

/** A native trainer error (which carries `code`) as a PolytuneError with a hint; others unchanged. */
export function fromNativeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code !== "string" || !(code in nativeHints || code === "bad-input")) return error;
  return new PolytuneError(`trainer-${code}`, error.message.charAt(0).toUpperCase() + error.message.slice(1) + ".", nativeHints[code] ? { hint: nativeHints[code] } : {});
}
