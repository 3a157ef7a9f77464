import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "../../../shared/datasetContract.js";
import type { Experiment } from "../../../shared/experimentContract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { EngineCall } from "../ExperimentQueue.js";
import { demoDataDir, shippedModelPath } from "./demoAssets.js";
import { demoExperimentName, demoExperimentSpec, demoHeldOutPerLanguage } from "./demoExperimentSpec.js";
import { writeDemoSplit } from "./writeDemoSplit.js";

export interface DemoDeps {
  call: EngineCall;
  /** The data folder: the demo writes its split and prompts under `demo/`. */
  home: string;
}

export const demoDatasetName = "Demo instructions (7 languages, held-out prompts removed)";

/** Imports the files once: a later demo reuses the dataset of the same name and the same file contents. */
async function importOnce(call: EngineCall, name: string, files: readonly string[]): Promise<Dataset> {
  const hashes = files.map((f) => createHash("sha256").update(readFileSync(f)).digest("hex"));
  const existing = (await call("data.list", {})).find((d) => d.name === name && d.files.length === files.length && d.files.every((f, i) => f.path === files[i] && f.sha256 === hashes[i]));
  return existing ?? call("data.import", { importId: `demo-${Date.now().toString(36)}`, files: [...files], name });
}

/**
 * The main job, the same for the CLI and the UI: registers the shipped micro-polyglot model in the
 * library, imports the shipped demo data without its held-out records, writes those as the prompts, and
 * creates the demo experiment (Mono vs Multi-3, one short LoRA run each, the base model evaluated once),
 * which the queue starts at once. The model and the data are reused on a later call; an experiment of
 * the demo still queued or running is returned rather than queued twice.
 */
export async function startDemoExperiment(deps: DemoDeps): Promise<Experiment> {
  const { call } = deps;
  const going = (await call("experiments.list", {})).find((e) => e.name === demoExperimentName && (e.status === "queued" || e.status === "running"));
  if (going) return going;
  const modelPath = shippedModelPath();
  const added = await call("models.add", { path: modelPath });
  const model = added.added[0] ?? added.updated[0];
  if (!model) {
    const failed = added.failed[0]?.error;
    throw new PolytuneError(failed?.code ?? "demo-model-unusable", failed?.message ?? "The demo's base model could not be added to the library.", { where: modelPath, hint: failed?.hint ?? "Reinstall Polytune." });
  }
  const split = writeDemoSplit(demoDataDir(), join(deps.home, "demo"), demoHeldOutPerLanguage);
  const dataset = await importOnce(call, demoDatasetName, split.tuningFiles);
  return call("experiments.create", { spec: demoExperimentSpec(model.id, { dataset: dataset.id, fingerprint: dataset.fingerprint }, split.promptsPath) });
}
