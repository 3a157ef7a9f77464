import { accessSync, constants, statSync } from "node:fs";
import { trainConfigDefaults, type TrainConfig } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";

/**
 * What runs.start refuses before anything is created: no training source or more than one (a mix's
 * stored run names both `mix` and the file written for it; the engine checks that pair), text files
 * that are not there, and settings a full-parameter run cannot honour.
 */
export function checkRunConfig(config: TrainConfig): void {
  const given = (["data", "mix", "text"] as const).filter((k) => config[k] !== undefined);
  if (given.length === 0) {
    throw new PolytuneError("run-no-data", "A run needs training data: a data file (`data`), a saved mix (`mix`) or raw text files (`text`).", { where: "data, mix, text", hint: "Give one of them: `--data FILE`, `--mix ID` or `--text FILE,…`." });
  }
  if (config.text !== undefined && given.length > 1) {
    const others = given.filter((k) => k !== "text");
    throw new PolytuneError("run-data-and-text", `A run trains on exactly one of data, mix and text; ${given.join(" and ")} were given.`, { where: given.join(", "), hint: `Leave out ${others.join(" and ")} (or text).` });
  }
  config.text?.forEach((file) => {
    try {
      if (!statSync(file).isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      accessSync(file, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a folder, not a file" : `cannot be read (${code ?? String(error)})`;
      throw new PolytuneError("file-missing", `The text file ${why}.`, { where: file, hint: "Give .txt files (one document each) or .jsonl files with one {\"text\": …} per line." });
    }
  });
  if (config.method === "full" && config.mergedOut !== undefined) {
    throw new PolytuneError("run-full-merged-out", "A full-parameter run writes a complete model itself, so there is no adapter to merge (`mergedOut`).", { where: "mergedOut", hint: "Leave out mergedOut; name the model file with `out` (default: model.gguf in the run's folder) and its weight type with `mergedType`." });
  }
  if (config.method === "lora" && config.quantize !== undefined && config.mergedOut === undefined) {
    throw new PolytuneError("run-quantize-without-model", "A LoRA run writes an adapter; `quantize` applies to a written model.", { where: "quantize", hint: "Add `mergedOut FILE` to also write base + adapter as a model (quantized beside it), or train with `method: full`." });
  }
}

/** The settings a full-parameter run has no use for: it trains every weight, without adapters. */
const loraOnlySettings = ["targets", "rank", "alpha", "rslora", "dropout"] as const;

/**
 * What a full-parameter run does instead of what its settings would suggest (said by the CLI before it
 * starts and kept in its summary): every weight in F32, and any LoRA setting changed from its default
 * named as not used, never dropped silently. The defaults themselves are not named: nobody chose them.
 */
export function fullRunNotes(config: TrainConfig): string | null {
  if (config.method !== "full") return null;
  const changed = loraOnlySettings.filter((k) => String(config[k]) !== String(trainConfigDefaults[k]));
  const unused = changed.length > 0 ? ` ${changed.join(", ")} ${changed.length === 1 ? "does" : "do"} not apply.` : "";
  return `Full-parameter training: every weight is trained in F32, the base included.${unused}`;
}
