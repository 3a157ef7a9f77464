import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { defaultMinConfidence, type Dataset } from "../shared/datasetContract.js";
import type { Mix } from "../shared/mixContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatBytes, formatCount } from "../shared/formatQuantities.js";

export interface DemoOptions {
  steps: number;
  json: boolean;
}

/** The languages of the shipped demo instructions (assets/demo/instructions.<lang>.jsonl). */
export const demoLanguages = ["en", "es", "de", "fr", "ru", "zh", "pt"] as const;
/** Multi-3 of paper 003 in miniature: English, then Spanish and German added in that order. */
const addedLanguages = ["es", "de"];
const mixTotal = 24;
const perLanguage = 8;
/** Prompts scored per language. */
const scoredPerLanguage = 4;

/** The demo data the project ships (assets/demo), found from source or from dist/. */
export function demoAssetsDir(): string {
  for (const rel of ["../../assets/demo/", "../../../assets/demo/"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, "instructions.en.jsonl"))) return dir;
  }
  throw new PolytuneError("demo-data-missing", "The demo data set is missing from this installation.", { hint: "Reinstall Polytune." });
}

/** Imports the files once: a later demo reuses the dataset of the same name and the same file contents. */
async function importOnce(engine: PolytuneEngine, name: string, files: string[], say: (line: string) => void): Promise<Dataset> {
  const hashes = files.map((f) => createHash("sha256").update(readFileSync(f)).digest("hex"));
  const existing = (await engine.call("data.list", {})).find((d) => d.name === name && d.files.length === files.length && d.files.every((f, i) => f.path === files[i] && f.sha256 === hashes[i]));
  if (existing) return existing;
  const dataset = await engine.call("data.import", { importId: `demo-${Date.now().toString(36)}`, files, name });
  say(`     ${dataset.name}: ${formatCount(dataset.examples)} ${dataset.kind === "parallel" ? "pairs" : "examples"}, ${dataset.skipped} skipped, ${dataset.duplicates} duplicates`);
  return dataset;
}

function languageCounts(counts: Mix["counts"]): string {
  return counts.languages.map((l) => `${l.language} ${l.examples}`).join(" · ");
}

/**
 * The main job on the embedded default, a complete small experiment: make the tiny model (nothing is
 * downloaded), import the shipped seven-language demo data and its parallel text with language
 * labels, build paper 003's Mono → Multi-3 ladder and a CrossAlpaca mix (paper 004), train a LoRA
 * adapter on Multi-3 as a recorded run, then decode prompts of every language greedily with and without
 * the adapter and report, language by language (supervised or 0-shot), the answers in the prompt's
 * language and the exact answers.
 */
export async function runDemo(engine: PolytuneEngine, options: DemoOptions): Promise<void> {
  const say = (line: string): void => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  const info = await engine.call("app.info", {});
  const path = join(info.modelsDir, "demo-tiny-llama.gguf");
  if (!existsSync(path)) {
    say("1/7  Writing the demo model (random weights, real 32k Llama tokenizer)…");
    await engine.call("models.makeTiny", { out: path, vocab: "llama-spm", layers: 2, embd: 64, heads: 4, headsKv: 2, seed: 42, name: "Polytune demo (tiny llama)" });
  } else {
    say("1/7  Demo model already written.");
  }
  say("2/7  Adding it to the model library…");
  const added = await engine.call("models.add", { path });
  const model = added.added[0] ?? added.updated[0];
  if (!model) throw new Error(added.failed[0]?.error?.message ?? "The demo model could not be added.");
  say(`     ${model.name}: ${model.architecture}, ${formatCount(model.parameterCount)} parameters, ${model.layers} layers, vocabulary ${model.vocabSize}, ${formatBytes(model.fileSize)}`);

  say("3/7  Importing the shipped demo data, every example labelled with its language…");
  const assets = demoAssetsDir();
  const instructions = await importOnce(
    engine,
    "Demo instructions (7 languages)",
    demoLanguages.map((l) => join(assets, `instructions.${l}.jsonl`)),
    say,
  );
  const parallel = await importOnce(engine, "Demo parallel text en-de", [join(assets, "parallel", "demo.en-de.en"), join(assets, "parallel", "demo.en-de.de")], say);
  say(`     languages identified: ${instructions.languages.map((l) => `${l.language} ${l.examples}`).join(" · ")} (${instructions.lowConfidence} below confidence ${defaultMinConfidence})`);

  say("4/7  Building the mixes: Mono → Multi-3 (paper 003) and CrossAlpaca (paper 004)…");
  const source = { dataset: instructions.id, fingerprint: instructions.fingerprint };
  const ladder = await engine.call("mixes.series", { kind: "multi-ladder", sources: [source], total: mixTotal, perLanguage, languages: addedLanguages, prefix: "Demo", seed: 1, save: true });
  for (const mix of ladder.mixes) say(`     ${mix.name.padEnd(14)} ${languageCounts(mix.counts)}`);
  const cross = await engine.call("mixes.save", {
    recipe: {
      version: 1,
      name: "Demo CrossAlpaca en-de",
      sources: [source, { dataset: parallel.id, fingerprint: parallel.fingerprint }],
      filters: { languages: ["en", "de"] },
      seed: 1,
      strategy: { kind: "crossalpaca", instructions: mixTotal, perDirection: 8, languages: ["de"] },
    },
  });
  say(`     ${cross.name.padEnd(14)} ${languageCounts(cross.counts)} (${(cross.counts.directions ?? []).map((d) => `${d.direction} ${d.examples}`).join(", ")})`);
  const multi3 = ladder.mixes.at(-1);
  if (!multi3) throw new Error("The ladder built no mixes.");

  const config = { model: model.id, mix: multi3.id, format: "alpaca" as const, steps: options.steps, rank: 16, alpha: 32, lr: 1e-2, schedule: "constant" as const, batchSize: 16, seqLen: 256, checkpointEvery: 50, seed: 1, name: `demo: ${multi3.name}, r 16` };
  say("5/7  Estimating memory…");
  const estimate = await engine.call("models.estimate", { model: model.id, contextSize: 512, seqLen: config.seqLen, batch: config.batchSize, rank: config.rank });
  say(`     run: ${formatBytes(estimate.inference.totalBytes)} · LoRA-train (r ${config.rank}, ${config.batchSize}×${config.seqLen} tokens): ${formatBytes(estimate.training.totalBytes)}`);

  say(`6/7  Training a LoRA adapter on ${multi3.name} (${options.steps} steps)…`);
  const started = await engine.call("runs.start", config);
  const off = engine.onEvent((name, payload) => {
    if (options.json || name !== "runs.step") return;
    const p = payload as { run: string; metric: { step: number; loss: number; tokensPerSecond: number }; totalSteps: number };
    if (p.run !== started.id || (p.metric.step % 10 !== 0 && p.metric.step !== p.totalSteps)) return;
    say(`     step ${String(p.metric.step).padStart(3)}/${p.totalSteps}  loss ${p.metric.loss.toFixed(3)}  ${p.metric.tokensPerSecond.toFixed(0)} tok/s`);
  });
  const run = await engine.call("runs.wait", { run: started.id }).finally(off);
  if (run.status !== "completed" || !run.adapterPath) {
    throw new PolytuneError(run.error?.code ?? "demo-run-failed", run.error?.message ?? `The demo run ended ${run.status}.`, { where: run.error?.where ?? `run ${run.id}`, hint: run.error?.hint });
  }
  say(`     adapter: ${run.adapterPath}`);
  if (typeof run.summary?.device === "string") say(`     trained on ${String(run.summary.backend)} (${run.summary.device})`);

  // The prompts: for each language the run trained on, the first of its training examples (does the
  // adapter give back what it learned?); for the others, that language's first examples (0-shot).
  const trained = new Map((run.mix?.counts.languages ?? []).map((l) => [l.language, l.examples]));
  const built = await engine.call("mixes.build", { mix: multi3.id });
  const trainedRows = readFileSync(built.path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { instruction: string; input: string; output: string; lang: string });
  const prompts: Array<{ instruction: string; input: string; output: string; lang: string }> = [];
  for (const language of demoLanguages) {
    if (trained.has(language)) {
      prompts.push(...trainedRows.filter((r) => r.lang === language).slice(0, scoredPerLanguage));
      continue;
    }
    const shown = await engine.call("data.show", { dataset: instructions.id, language, limit: scoredPerLanguage });
    for (const row of shown.rows) {
      if (row.kind !== "example") continue;
      const user = row.turns.find((t) => t.role === "user");
      const answer = row.turns.findLast((t) => t.role === "assistant");
      if (user && answer) prompts.push({ instruction: user.content, input: user.input ?? "", output: answer.content, lang: language });
    }
  }
  const demoDir = join(info.home, "demo");
  mkdirSync(demoDir, { recursive: true });
  const promptsPath = join(demoDir, `prompts-${run.id}.jsonl`);
  writeFileSync(promptsPath, prompts.map((p) => JSON.stringify(p)).join("\n") + "\n");

  say(`7/7  Greedy decoding of ${prompts.length} prompts in ${demoLanguages.length} languages, base model vs. tuned…`);
  const scores = await engine.call("eval.languages", { model: model.id, data: promptsPath, adapter: run.adapterPath, format: "alpaca", maxTokens: 48, gpu: "auto" });
  say("     language  trained on   answers in the prompt's language: base → tuned   exact answers: base → tuned");
  for (const l of scores.languages) {
    const seen = trained.has(l.language) ? `${String(trained.get(l.language)).padStart(3)} ex.` : " 0-shot";
    say(`     ${l.language.padEnd(8)}  ${seen.padEnd(11)}  ${l.base.languageCorrect}/${l.examples} → ${l.tuned?.languageCorrect ?? 0}/${l.examples}${" ".repeat(36)}${l.base.exact}/${l.examples} → ${l.tuned?.exact ?? 0}/${l.examples}`);
  }
  say(`Done. Run ${run.id}, its mix and loss curve are in ${engine.databasePath} (see \`polytune runs show ${run.id}\`, \`polytune mix list\`, or the Data and Runs areas of \`polytune serve\`).`);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        model,
        datasets: [instructions, parallel],
        mixes: [...ladder.mixes, cross],
        estimate,
        run,
        prompts: promptsPath,
        perLanguage: Object.fromEntries(
          scores.languages.map((l) => [
            l.language,
            { n: l.examples, trained: trained.get(l.language) ?? 0, base: l.base, tuned: l.tuned },
          ]),
        ),
      })}\n`,
    );
  }
}
