import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, sep } from "node:path";

export type DiscoveryKind = "lmstudio" | "ollama" | "huggingface";

export interface DiscoveredModel {
  kind: DiscoveryKind;
  path: string;
  /** The name the other tool shows (Ollama's `name:tag`, the Hub's `org/repo`), when there is one. */
  name: string | null;
}

export interface DiscoveryLocation {
  kind: DiscoveryKind;
  path: string;
  exists: boolean;
}

export interface DiscoveryEnv {
  home: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}

export const defaultDiscoveryEnv = (): DiscoveryEnv => ({ home: homedir(), env: process.env, platform: process.platform });

/** Where LM Studio, Ollama and the Hugging Face hub cache keep models on this machine. */
export function discoveryLocations(d: DiscoveryEnv = defaultDiscoveryEnv()): DiscoveryLocation[] {
  const candidates: Array<[DiscoveryKind, string]> = [
    ["lmstudio", join(d.home, ".lmstudio", "models")],
    ["lmstudio", join(d.home, ".cache", "lm-studio", "models")],
  ];
  if (d.env.OLLAMA_MODELS) candidates.push(["ollama", d.env.OLLAMA_MODELS]);
  candidates.push(["ollama", join(d.home, ".ollama", "models")]);
  if (d.platform === "linux") candidates.push(["ollama", "/usr/share/ollama/.ollama/models"]);
  const hfHome = d.env.HF_HOME ?? join(d.env.XDG_CACHE_HOME ?? join(d.home, ".cache"), "huggingface");
  candidates.push(["huggingface", d.env.HF_HUB_CACHE ?? d.env.HUGGINGFACE_HUB_CACHE ?? join(hfHome, "hub")]);
  const seen = new Set<string>();
  return candidates
    .filter(([, p]) => (seen.has(p) ? false : (seen.add(p), true)))
    .map(([kind, path]) => ({ kind, path, exists: isDir(path) }));
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every *.gguf below a folder (following the Hub's symlinks), skipping unreadable folders. */
export function findGgufFiles(root: string, limit = 10_000): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    if (depth > 12 || out.length >= limit) return;
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if ((e.isFile() || e.isSymbolicLink()) && e.name.toLowerCase().endsWith(".gguf")) {
        try {
          if (statSync(p).isFile()) out.push(p);
        } catch (error) {
          // A link loop is listed (the library says what is wrong); a dangling link is skipped.
          if ((error as NodeJS.ErrnoException).code === "ELOOP") out.push(p);
        }
      }
    }
  };
  walk(root, 0);
  return out.sort();
}

/** Ollama stores weights as content-addressed blobs; its manifests give them names. */
export function findOllamaModels(modelsDir: string): DiscoveredModel[] {
  const manifests = join(modelsDir, "manifests");
  const out: DiscoveredModel[] = [];
  if (!isDir(manifests)) return out;
  const walk = (dir: string): void => {
    for (const e of safeReaddir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          const manifest = JSON.parse(readFileSync(p, "utf8")) as { layers?: Array<{ mediaType?: string; digest?: string }> };
          const layer = manifest.layers?.find((l) => l.mediaType === "application/vnd.ollama.image.model");
          if (!layer?.digest) continue;
          const blob = join(modelsDir, "blobs", layer.digest.replace(":", "-"));
          if (!existsSync(blob)) continue;
          // manifests/<registry>/<namespace>/<model>/<tag>; the default namespace "library" is not shown by Ollama.
          const parts = relative(manifests, p).split(sep);
          const tag = parts.pop() ?? "latest";
          const model = parts.pop() ?? "model";
          const namespace = parts.pop();
          const name = `${namespace && namespace !== "library" ? `${namespace}/` : ""}${model}:${tag}`;
          out.push({ kind: "ollama", path: blob, name });
        } catch {
          /* not a manifest */
        }
      }
    }
  };
  walk(manifests);
  return out;
}

/** The Hub cache keeps `models--org--repo/snapshots/<rev>/<file>.gguf`. */
export function findHuggingFaceModels(hubDir: string): DiscoveredModel[] {
  const out: DiscoveredModel[] = [];
  for (const e of safeReaddir(hubDir)) {
    if (!e.isDirectory() || !e.name.startsWith("models--")) continue;
    const repo = e.name.slice("models--".length).replace("--", "/");
    for (const file of findGgufFiles(join(hubDir, e.name, "snapshots"))) {
      out.push({ kind: "huggingface", path: file, name: `${repo}/${file.split(sep).pop() ?? ""}` });
    }
  }
  return out;
}

function safeReaddir(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Every model the known tools keep, with their names. */
export function discoverModels(d: DiscoveryEnv = defaultDiscoveryEnv()): { locations: Array<DiscoveryLocation & { found: number }>; models: DiscoveredModel[] } {
  const models: DiscoveredModel[] = [];
  const locations = discoveryLocations(d).map((loc) => {
    let found: DiscoveredModel[] = [];
    if (loc.exists) {
      if (loc.kind === "ollama") found = findOllamaModels(loc.path);
      else if (loc.kind === "huggingface") found = findHuggingFaceModels(loc.path);
      else found = findGgufFiles(loc.path).map((path) => ({ kind: "lmstudio" as const, path, name: null }));
    }
    models.push(...found);
    return { ...loc, found: found.length };
  });
  return { locations, models };
}
