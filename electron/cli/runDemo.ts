import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PolytuneEngine } from "../engine/createEngine.js";
import type { EventPayload } from "../shared/contract.js";
import { defaultMinConfidence, type Dataset } from "../shared/datasetContract.js";
import type { EvalJob, EvalResult } from "../shared/evalContract.js";
import type { Mix } from "../shared/mixContract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatBytes, formatCount } from "../shared/formatQuantities.js";
import { evalProgressLine, resumeHint } from "./formatEvalTables.js";

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
/** Prompts evaluated per language. */
const scoredPerLanguage = 6;

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

/** One line of the prompts file: the open suite's JSONL (its loader reads "id", "language", "prompt"). */
interface DemoPrompt {
  id: string;
  language: string;
  prompt: string;
  output: string;
}

type Aggregate = EvalResult["aggregates"][number];

/** One language of the demo's evaluation: its tuning mark, both systems' means and the paired test. */
interface DemoLanguageRow {
  language: string;
  tuning: EvalJob["languages"][number]["tuning"];
  examples: number | null;
  base: Aggregate | undefined;
  tuned: Aggregate | undefined;
  /** McNemar's exact p for a 0/1 metric, else the paired bootstrap's; null when not compared. */
  p: number | null;
  linesBase: Aggregate | undefined;
  linesTuned: Aggregate | undefined;
}

const significance = 0.05;
const percent = (v: number): string => v.toFixed(0);
const meanWithCi = (a: Aggregate | undefined): string => (a ? `${percent(a.mean)} [${a.ci95 ? `${percent(a.ci95[0])}, ${percent(a.ci95[1])}` : "—"}]` : "—");
const pText = (p: number | null): string => (p === null ? "—" : p < 0.001 ? p.toExponential(1) : p.toFixed(3));
const listed = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)!}`);

function demoLanguageRows(job: EvalJob): DemoLanguageRow[] {
  const tuned = job.results.find((r) => r.suite === "open" && r.system === "tuned");
  const base = job.results.find((r) => r.suite === "open" && r.system === "base");
  const find = (r: EvalResult | undefined, language: string, metric: string): Aggregate | undefined => r?.aggregates.find((a) => a.language === language && a.metric === metric);
  return job.languages.map((l) => {
    const c = tuned?.comparisons.find((x) => x.language === l.language && x.metric === "language_correctness");
    return {
      language: l.language,
      tuning: l.tuning,
      examples: l.examples,
      base: find(base, l.language, "language_correctness"),
      tuned: find(tuned, l.language, "language_correctness"),
      p: c ? (c.mcnemar?.p ?? c.p) : null,
      linesBase: find(base, l.language, "line_pass_rate"),
      linesTuned: find(tuned, l.language, "line_pass_rate"),
    };
  });
}

/** Mean over the languages' items (each language's mean weighted by its n); null when none was scored. */
function pooled(rows: readonly DemoLanguageRow[], side: "base" | "tuned"): string {
  const scored = rows.map((r) => r[side]).filter((a): a is Aggregate => a !== undefined);
  const n = scored.reduce((k, a) => k + a.n, 0);
  return n === 0 ? "—" : `${percent(scored.reduce((s, a) => s + a.mean * a.n, 0) / n)}%`;
}

/** What the numbers say, in words, computed from them: who answers in the prompt's language more often after tuning, and whether it is more than chance. */
function demoFindings(rows: readonly DemoLanguageRow[]): string[] {
  const compared = rows.filter((r) => r.base && r.tuned);
  const up = (r: DemoLanguageRow): boolean => r.tuned!.mean > r.base!.mean;
  const down = (r: DemoLanguageRow): boolean => r.tuned!.mean < r.base!.mean;
  const sig = (r: DemoLanguageRow): boolean => r.p !== null && r.p < significance;
  const names = (rs: readonly DemoLanguageRow[]): string => listed(rs.map((r) => r.language));
  const out: string[] = [];
  const supervised = compared.filter((r) => r.tuning === "supervised");
  if (supervised.length > 0) {
    const more = supervised.filter(up);
    const fewer = supervised.filter(down);
    const pool = `pooled ${pooled(supervised, "base")} → ${pooled(supervised, "tuned")}`;
    if (more.length === 0) out.push(`In the languages it was tuned on (${names(supervised)}), the tuned model does not answer in the prompt's language more often than the base model (${pool}).`);
    else {
      const significant = more.filter(sig);
      const where = more.length === supervised.length ? `every language it was tuned on (${names(more)})` : `${names(more)} of the languages it was tuned on (${names(supervised)})`;
      const tested = significant.length > 0 ? `p < ${significance} in ${names(significant)}` : `no single language's change is significant at p < ${significance} with ${supervised[0]!.tuned!.n} prompts each`;
      out.push(`Tuning made the model answer in the prompt's language more often in ${where}: ${pool}; ${tested}.`);
    }
    if (fewer.length > 0) out.push(`It answers in the prompt's language less often than before in ${names(fewer)}.`);
  }
  const zeroShot = compared.filter((r) => r.tuning === "zero-shot");
  if (zeroShot.length > 0) {
    const follows = zeroShot.filter((r) => up(r) && sig(r));
    const weakly = zeroShot.filter((r) => up(r) && !sig(r));
    const not = zeroShot.filter((r) => !up(r));
    const fewer = not.filter(down);
    const parts = [
      ...(follows.length > 0 ? [`it follows in ${names(follows)} (more answers in the prompt's language, p < ${significance})`] : []),
      ...(weakly.length > 0 ? [`${names(weakly)} get${weakly.length === 1 ? "s" : ""} more answers in the prompt's language, but not significantly`] : []),
      ...(not.length > 0 ? [`${names(not)} do${not.length === 1 ? "es" : ""} not follow${fewer.length > 0 ? ` (${names(fewer)} even less often than the base model${fewer.some(sig) ? `, p < ${significance} in ${names(fewer.filter(sig))}` : ""})` : ""}`] : []),
    ];
    out.push(`In the zero-shot languages, absent from tuning (${names(zeroShot)}; pooled ${pooled(zeroShot, "base")} → ${pooled(zeroShot, "tuned")}): ${parts.join("; ")}.`);
  }
  const missing = rows.filter((r) => !r.base || !r.tuned);
  if (missing.length > 0) out.push(`No answer was scored in ${names(missing)} (see the items).`);
  return out;
}

/** Step 7's report: one line per language (tuning mark, language correctness base → tuned with 95% CIs and p, line-level pass rate), then what it shows. */
function formatDemoEvaluation(job: EvalJob): string[] {
  const rows = demoLanguageRows(job);
  const mark = (r: DemoLanguageRow): string => (r.tuning === "supervised" ? `supervised, ${r.examples ?? "?"} ex.` : r.tuning);
  const markWidth = Math.max(6, ...rows.map((r) => mark(r).length));
  const cellWidth = Math.max(4, ...rows.flatMap((r) => [meanWithCi(r.base).length, meanWithCi(r.tuned).length]));
  const lines = (r: DemoLanguageRow): string => `${r.linesBase ? percent(r.linesBase.mean) : "—"} → ${r.linesTuned ? percent(r.linesTuned.mean) : "—"}`;
  const out = [
    "     Answers in the prompt's language (language correctness, % with 95% CI), base model alone → tuned; p: paired test (McNemar);",
    "     lines: line-level language-confusion pass rate (%), base → tuned.",
    `     language  ${"tuning".padEnd(markWidth)}   n  ${"base".padStart(cellWidth)}    ${"tuned".padEnd(cellWidth)}  ${"p".padStart(6)}  lines`,
  ];
  for (const r of rows) {
    out.push(`     ${r.language.padEnd(8)}  ${mark(r).padEnd(markWidth)}  ${String(r.tuned?.n ?? r.base?.n ?? 0).padStart(2)}  ${meanWithCi(r.base).padStart(cellWidth)} → ${meanWithCi(r.tuned).padEnd(cellWidth)}  ${pText(r.p).padStart(6)}  ${lines(r)}`);
  }
  out.push(...demoFindings(rows).map((l) => `     ${l}`));
  out.push("     The demo model has random weights: its text is not meaningful, and it can only give back what it was tuned on (the supervised prompts are its own training examples), so these numbers show the machinery working, not a model learning languages. Judge-based metrics need a real judge model (`--judge`).");
  return out;
}

/**
 * The main job on the embedded default, a complete small experiment: make the tiny model (nothing is
 * downloaded), import the shipped seven-language demo data and its parallel text with language
 * labels, build paper 003's Mono → Multi-3 ladder and a CrossAlpaca mix (paper 004), train a LoRA
 * adapter on Multi-3 as a recorded run, then evaluate it as an evaluation job: prompts of every language
 * decoded greedily with and without the adapter, and, language by language (supervised or zero-shot),
 * the answers in the prompt's language with their 95% intervals and the paired test.
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
  const prompts: DemoPrompt[] = [];
  for (const language of demoLanguages) {
    let rows: Array<{ instruction: string; input: string; output: string }>;
    if (trained.has(language)) rows = trainedRows.filter((r) => r.lang === language).slice(0, scoredPerLanguage);
    else {
      const shown = await engine.call("data.show", { dataset: instructions.id, language, limit: scoredPerLanguage });
      rows = shown.rows.flatMap((row) => {
        if (row.kind !== "example") return [];
        const user = row.turns.find((t) => t.role === "user");
        const answer = row.turns.findLast((t) => t.role === "assistant");
        return user && answer ? [{ instruction: user.content, input: user.input ?? "", output: answer.content }] : [];
      });
    }
    // The open suite's own JSONL; "output" (the example's answer) is kept for the reader, the suite ignores it.
    rows.forEach((r, i) => prompts.push({ id: String(i + 1), language, prompt: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction, output: r.output }));
  }
  const demoDir = join(info.home, "demo");
  mkdirSync(demoDir, { recursive: true });
  const promptsPath = join(demoDir, `prompts-${run.id}.jsonl`);
  writeFileSync(promptsPath, prompts.map((p) => JSON.stringify(p)).join("\n") + "\n");

  say(`7/7  Evaluating: greedy decoding of ${prompts.length} prompts in ${demoLanguages.length} languages, base model alone and tuned, scored with the open suite's surface metrics…`);
  // One thread: a 4M-parameter model has nothing to share out, and llama.cpp's threads waiting on each
  // other every token made decoding 50× slower on a busy 2-core machine (7 against 690 tokens/s).
  const startedEval = await engine.call("eval.start", { run: run.id, baseline: true, suites: [{ suite: "open", data: [promptsPath] }], decoding: { maxTokens: 48 }, threads: 1, name: `demo: ${run.name}` });
  let quarters = 0;
  const offEval = engine.onEvent((name, payload) => {
    if (options.json || name !== "eval.progress") return;
    const p = payload as EventPayload<"eval.progress">;
    // One line per quarter of the outputs decoded.
    if (p.job !== startedEval.id || p.phase !== "decoding" || p.total === 0 || Math.floor((4 * p.done) / p.total) <= quarters) return;
    quarters = Math.floor((4 * p.done) / p.total);
    say(`     ${evalProgressLine(p)}`);
  });
  const job = await engine.call("eval.wait", { job: startedEval.id }).finally(offEval);
  if (job.status !== "completed") {
    throw new PolytuneError(job.error?.code ?? "demo-eval-failed", job.error?.message ?? `The demo evaluation ended ${job.status}.`, { where: job.error?.where ?? `evaluation ${job.id}`, hint: job.error?.hint ?? resumeHint(job.id) });
  }
  for (const line of formatDemoEvaluation(job)) say(line);
  say(`     Evaluation ${job.id}: every prompt with both answers and their scores in \`polytune eval --show ${job.id} --items\`, or in the Evaluate area of \`polytune serve\`.`);
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
        evaluation: job,
      })}\n`,
    );
  }
}
