// The llama.cpp release that node-llama-cpp ships, as a source checkout made offline from its git
// bundle. The trainer compiles against its headers and the tiny-model generator takes vocabularies
// from its models/ folder, so both stay on the exact ggml the inference side uses.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PolytuneError } from "../../shared/PolytuneError.js";

const run = promisify(execFile);

export interface LlamaCppSource {
  tag: string;
  bundlePath: string;
  /** Folder of the checked-out source tree. */
  dir: string;
}

/** Where node-llama-cpp's `llama/` folder lives. */
export function nodeLlamaCppLlamaDir(): string {
  // The package's exports hide package.json, so walk up from its entry point.
  let dir = dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
  while (!existsSync(join(dir, "llama", "llama.cpp.info.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new PolytuneError("llama-source-missing", "node-llama-cpp is not installed.", { hint: "Run `npm ci`." });
    dir = parent;
  }
  return join(dir, "llama");
}

export function llamaCppTag(): string {
  const info = JSON.parse(readFileSync(join(nodeLlamaCppLlamaDir(), "llama.cpp.info.json"), "utf8")) as { tag?: string };
  return info.tag ?? "unknown";
}

/** Default cache folder for the checkout: inside node_modules so it goes with the install. */
export function defaultSourceCacheDir(): string {
  return join(dirname(nodeLlamaCppLlamaDir()), "..", ".cache", "polytune");
}

/** Clones the bundle once (atomically: into a temp folder, then renamed) and returns the checkout. */
export async function ensureLlamaCppSource(cacheDir = defaultSourceCacheDir()): Promise<LlamaCppSource> {
  const tag = llamaCppTag();
  const bundlePath = join(nodeLlamaCppLlamaDir(), "gitRelease.bundle");
  const dir = join(cacheDir, `llama.cpp-${tag}`);
  if (existsSync(join(dir, "ggml", "include", "ggml.h"))) return { tag, bundlePath, dir };
  if (!existsSync(bundlePath)) {
    throw new PolytuneError("llama-source-missing", "node-llama-cpp's llama.cpp source bundle is missing.", {
      where: bundlePath,
      hint: "Reinstall dependencies with `npm ci`.",
    });
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await run("git", ["clone", "--quiet", "-c", "advice.detachedHead=false", "--no-hardlinks", bundlePath, tmp], { maxBuffer: 16 << 20 });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new PolytuneError("llama-source-clone", "Could not check out the llama.cpp source from node-llama-cpp's bundle.", {
      where: bundlePath,
      hint: "Polytune needs `git` on the PATH for this step.",
      details: message,
    });
  }
  if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
  else renameSync(tmp, dir);
  return { tag, bundlePath, dir };
}

/** Vocabulary-only GGUF files of that release (tokenizer tests), by short name. */
export const vocabFiles = {
  "llama-spm": "models/ggml-vocab-llama-spm.gguf",
  qwen2: "models/ggml-vocab-qwen2.gguf",
} as const;
export type VocabName = keyof typeof vocabFiles;

export async function vocabPath(name: VocabName, cacheDir?: string): Promise<string> {
  const source = await ensureLlamaCppSource(cacheDir);
  const path = join(source.dir, vocabFiles[name]);
  if (!existsSync(path)) {
    throw new PolytuneError("vocab-missing", `The ${name} vocabulary is not in llama.cpp ${source.tag}.`, { where: path });
  }
  return path;
}
