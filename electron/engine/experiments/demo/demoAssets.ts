// What the demo takes from the installation: the shipped demo data (assets/demo) and the shipped base
// model (assets/models/micro-polyglot.gguf), found from the sources and from the compiled tree alike.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import { unpackedPath } from "../../install/unpackedPath.js";

/** The languages of the shipped demo instructions (assets/demo/instructions.<lang>.jsonl). */
export const demoLanguages = ["en", "es", "de", "fr", "ru", "zh", "pt"] as const;

/** The project's assets folder: electron/engine/experiments/demo → 4 up; dist/electron/… → 5 up. */
function assetsDir(probe: string): string | null {
  for (const rel of ["../../../../assets/", "../../../../../assets/"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, probe))) return dir;
  }
  return null;
}

/** The shipped demo data (assets/demo). */
export function demoDataDir(): string {
  const dir = assetsDir(join("demo", "instructions.en.jsonl"));
  if (!dir) throw new PolytuneError("demo-data-missing", "The demo data set (assets/demo) is missing from this installation.", { where: "assets/demo", hint: "Reinstall Polytune." });
  return join(dir, "demo");
}

/**
 * The shipped micro-polyglot model, the demo's base model: pretrained by `polytune pretrain` on
 * Debian documentation in ten languages (assets/models/micro-polyglot.recipe.json). llama.cpp maps the
 * file, so a packaged app reads its unpacked copy.
 */
export function shippedModelPath(): string {
  const dir = assetsDir(join("models", "micro-polyglot.gguf"));
  if (!dir) {
    throw new PolytuneError("demo-model-missing", "The demo's base model, micro-polyglot (assets/models/micro-polyglot.gguf), is missing from this installation.", {
      where: "assets/models/micro-polyglot.gguf",
      hint: "Reinstall Polytune; in a source checkout, build it with `npm run build:demo-model`. To run the same experiment on another model, see assets/demo/experiment.example.json.",
    });
  }
  return unpackedPath(join(dir, "models", "micro-polyglot.gguf"));
}
