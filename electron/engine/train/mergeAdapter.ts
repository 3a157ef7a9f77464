// Base model + LoRA adapter → one GGUF model, for tools that take no adapters. Runs the native trainer
// in this process (it holds the base in F32 on the chosen backend and computes W + scale·B·A there).
import { existsSync } from "node:fs";
import type { MergedType } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { readGgufHeader, kvNumber, kvString } from "../gguf/readGgufHeader.js";
import { fromNativeError, gpuBackendLibraries, loadTrainerAddon, trainerBackendsDir, type TrainerBackend } from "./TrainerAddon.js";

export interface MergeOptions {
  modelPath: string;
  adapterPath: string;
  out: string;
  type: MergedType;
  backend: TrainerBackend;
}

const targetOf: Record<string, string> = { attn_q: "q", attn_k: "k", attn_v: "v", attn_output: "o", ffn_gate: "gate", ffn_up: "up", ffn_down: "down" };

/** Targets, rank and alpha of a llama.cpp LoRA adapter, read from its header. */
export function describeAdapter(path: string): { targets: string[]; rank: number; alpha: number } {
  const header = readGgufHeader(path);
  if (kvString(header, "adapter.type") !== "lora") {
    throw new PolytuneError("not-an-adapter", "This file is not a LoRA adapter.", { where: path, hint: "Pick the adapter .gguf a training run wrote (its path is shown with the run)." });
  }
  const targets = new Set<string>();
  let rank = 0;
  for (const t of header.tensors) {
    const m = /^(?:blk\.\d+\.(\w+)|(output))\.weight\.lora_a$/.exec(t.name);
    if (!m) continue;
    const target = m[2] ?? targetOf[m[1]!];
    if (!target) throw new PolytuneError("adapter-target", `The adapter adapts '${t.name}', which Polytune cannot merge.`, { where: path });
    targets.add(target);
    rank = Number(t.dims[1] ?? 0);
  }
  if (targets.size === 0 || rank < 1) throw new PolytuneError("not-an-adapter", "The adapter has no LoRA tensors.", { where: path });
  // Without alpha llama.cpp applies scale 1, i.e. alpha = rank.
  return { targets: [...targets], rank, alpha: kvNumber(header, "adapter.lora.alpha") ?? rank };
}

export async function mergeAdapter(options: MergeOptions): Promise<{ out: string; backend: string; device: string }> {
  for (const [what, path] of [["model", options.modelPath], ["adapter", options.adapterPath]] as const) {
    if (!existsSync(path)) throw new PolytuneError("file-missing", `The ${what} file does not exist.`, { where: path });
  }
  const { targets, rank, alpha } = describeAdapter(options.adapterPath);
  try {
    const trainer = await loadTrainerAddon().openTrainer({
      modelPath: options.modelPath,
      backendsDir: trainerBackendsDir(),
      backend: options.backend,
      backendLibs: options.backend === "cpu" ? [] : gpuBackendLibraries(),
      targets,
      rank,
      alpha,
      seed: 1,
    });
    try {
      await trainer.loadAdapter(options.adapterPath);
      await trainer.exportMerged(options.out, options.type);
      const info = trainer.info();
      return { out: options.out, backend: info.backend, device: info.device };
    } finally {
      trainer.dispose();
    }
  } catch (error) {
    throw fromNativeError(error);
  }
}
