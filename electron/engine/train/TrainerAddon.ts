// Types and loading of the native trainer addon (native/src/addon.cpp): the one place the addon's
// surface is written down.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { nodeLlamaCppLlamaDir } from "../llamacpp/llamaCppSource.js";

export interface TrainerOpenOptions {
  modelPath: string;
  /** Folder of the prebuilt ggml backends (the @node-llama-cpp package of this platform). */
  backendsDir: string;
  targets: string[];
  rank: number;
  alpha: number;
  seed: number;
  threads?: number;
}

export interface TrainerInfo {
  architecture: string;
  layers: number;
  embeddingSize: number;
  heads: number;
  headsKv: number;
  vocabSize: number;
  trainableParameters: number;
  /** Bytes of the base weights held in F32. */
  baseBytes: number;
  step: number;
  rank: number;
  alpha: number;
}

export interface LossResult {
  /** Cross-entropy summed over the supervised tokens. */
  lossSum: number;
  tokens: number;
}

export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  gradClip?: number;
}

export interface NativeTrainer {
  info(): TrainerInfo;
  /** Forward + backward of one sequence; gradients are added to the trainer's accumulators. */
  accumulate(tokens: Int32Array, target: Uint8Array): Promise<LossResult>;
  evalLoss(tokens: Int32Array, target: Uint8Array): Promise<LossResult>;
  /** AdamW over the accumulated gradients (mean per supervised token); returns the new step. */
  update(options: AdamWOptions): number;
  /** Logits of every position, row-major [tokens][vocab]. */
  logits(tokens: Int32Array): Promise<Float32Array>;
  /** Gradients of the summed loss of one sequence, by LoRA tensor name, leaving the accumulators alone. */
  gradients(tokens: Int32Array, target: Uint8Array): Promise<LossResult & { grads: Record<string, Float32Array> }>;
  paramNames(): string[];
  getParam(name: string): Float32Array;
  setParam(name: string, values: Float32Array): void;
  saveAdapter(path: string): Promise<number>;
  saveCheckpoint(path: string): Promise<number>;
  loadCheckpoint(path: string): Promise<number>;
  dispose(): void;
}

export interface TrainerAddon {
  openTrainer(options: TrainerOpenOptions): Promise<NativeTrainer>;
}

let addon: TrainerAddon | undefined;

/** Loads native/build/Release/polytune_trainer.node, built by `npm run build:native`. */
export function loadTrainerAddon(): TrainerAddon {
  if (addon) return addon;
  const candidates = ["../../../native/build/Release/polytune_trainer.node", "../../../../native/build/Release/polytune_trainer.node"].map((rel) => new URL(rel, import.meta.url).pathname);
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    throw new PolytuneError("trainer-missing", "The native trainer is not built.", { hint: "Run `npm run build:native` (needs cmake and a C++ compiler).", where: candidates[0] });
  }
  addon = createRequire(import.meta.url)(path) as TrainerAddon;
  return addon;
}

/** The prebuilt ggml backends of this platform, the same node-llama-cpp uses for inference. */
export function trainerBackendsDir(): string {
  const platformPackage = ({ "linux-x64": "linux-x64", "linux-arm64": "linux-arm64", "darwin-arm64": "mac-arm64-metal", "darwin-x64": "mac-x64", "win32-x64": "win-x64" } as Record<string, string>)[`${process.platform}-${process.arch}`];
  const binsRoot = platformPackage ? join(dirname(dirname(nodeLlamaCppLlamaDir())), "@node-llama-cpp", platformPackage, "bins") : "";
  const dir = existsSync(binsRoot) ? readdirSync(binsRoot).find((d) => existsSync(join(binsRoot, d, "_nlcBuildMetadata.json"))) : undefined;
  if (!dir) throw new PolytuneError("trainer-backends-missing", `No prebuilt ggml backends for ${process.platform}-${process.arch}.`, { hint: "Reinstall with `npm ci`." });
  return join(binsRoot, dir);
}
