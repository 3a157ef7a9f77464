// `polytune experiment run|resume|list|show|report`: an experiment file (the form's JSON, comments
// allowed) expanded into runs that train and are evaluated one at a time, followed with one line per
// item; Ctrl+C leaves the experiment interrupted, to be continued with `experiment resume`.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import type { PolytuneEngine } from "../engine/createEngine.js";
import type { CompareRunsResult } from "../shared/compareContract.js";
import type { EventPayload } from "../shared/contract.js";
import type { Experiment, ExperimentSpec } from "../shared/experimentContract.js";
import { parseExperimentFile } from "../shared/parseExperimentFile.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { formatDuration } from "../shared/formatQuantities.js";
import { formatLearningRate } from "../shared/trainSettings.js";
import { formatLanguageTable } from "./registerCompareCommand.js";

export interface ExperimentCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

/**
 * Reads and checks an experiment file before anything opens: JSON with comments, checked with the
 * contract's schema; an error names the file, the line and the field. Paths in the file (the model, the
 * suites' data, a judge) are taken relative to the file's folder, so a file can travel with its data.
 */
export function readExperimentFile(file: string): ExperimentSpec {
  const path = resolve(file);
  if (!existsSync(path)) throw new PolytuneError("file-missing", `The experiment file ${path} does not exist.`, { where: path, hint: "Give the path of an experiment .json file." });
  const read = parseExperimentFile(readFileSync(path, "utf8"));
  if (!read.spec) {
    const problem = read.problems[0]!;
    if (!problem.issue) throw new PolytuneError("experiment-file-json", `The experiment file is not valid JSON: ${problem.message}.`, { where: `${path}:${problem.line}`, hint: "Fix the JSON (comments and trailing commas are allowed)." });
    const field = problem.field || "(the whole file)";
    throw new PolytuneError("experiment-file-invalid", `${field}: ${problem.message}.`, {
      where: `${path}:${problem.line}, ${field}`,
      hint: "See the experiment file format in the README (`polytune experiment run --help`).",
    });
  }
  const here = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(path), p));
  const spec = read.spec;
  const model = existsSync(here(spec.model)) ? here(spec.model) : spec.model;
  return {
    ...spec,
    model,
    eval: {
      ...spec.eval,
      suites: spec.eval.suites.map((s) => ({ ...s, data: s.data.map(here) })),
      ...(spec.eval.judge ? { judge: { ...spec.eval.judge, model: existsSync(here(spec.eval.judge.model)) ? here(spec.eval.judge.model) : spec.eval.judge.model } } : {}),
    },
  };
}

const resumeHint = (id: string): string => `Continue with \`polytune experiment resume ${id}\`.`;

function itemLine(i: Experiment["items"][number]): string {
  const unit = i.state === "training" ? " steps" : i.state === "evaluating" ? " outputs" : "";
  const progress = i.total > 0 && i.state !== "queued" ? `  ${i.done}/${i.total}${unit}` : "";
  const eta = i.etaSeconds !== null && (i.state === "training" || i.state === "evaluating") ? `  ETA ${formatDuration(i.etaSeconds)}` : "";
  const chosen = i.chosen ? "  ← chosen" : "";
  const error = i.error ? `  ${i.error.code}: ${i.error.message}` : "";
  return `${String(i.position + 1).padStart(3)}  ${i.label}  [${i.state}]${progress}${eta}${i.run ? `  run ${i.run}` : ""}${i.evalJob ? `  eval ${i.evalJob}` : ""}${chosen}${error}`;
}

function experimentLine(e: Experiment): string {
  const done = e.items.filter((i) => i.state === "done").length;
  return `${e.id}  ${e.name}  [${e.status}]  ${done}/${e.items.length} items done  ${e.createdAt.slice(0, 16).replace("T", " ")}`;
}

/** The per-language table of the chosen runs for each of the rule's metrics, then the runs left out. */
function comparisonTable(e: Experiment, c: CompareRunsResult): string {
  const lines: string[] = [];
  const criteria = e.spec.lrChoice?.criteria ?? [{ suite: "open" as const, metric: "language_correctness" }];
  for (const { suite, metric } of criteria) {
    if (c.cells.some((x) => x.suite === suite && x.metric === metric && x.system === "tuned")) lines.push(...formatLanguageTable(c, suite, metric), "");
  }
  for (const m of c.missing) lines.push(`not compared: run ${m.run}: ${m.reason}`);
  return lines.join("\n").trimEnd();
}

async function formatExperiment(engine: PolytuneEngine, e: Experiment): Promise<string> {
  const parts = [`Experiment ${e.id}: ${e.name}  [${e.status}]`, `model ${e.spec.model}${e.baselineJob ? `; base model evaluated in ${e.baselineJob}` : ""}`];
  if (e.error) parts.push(`note: ${e.error.message}`);
  parts.push("", "items:", ...e.items.map(itemLine));
  if (e.decisions.length) {
    parts.push("", "learning-rate choice:");
    for (const d of e.decisions) parts.push(`  ${d.configuration}: ${d.chosenLr !== null ? `lr ${formatLearningRate(d.chosenLr)}` : "none"} — ${d.reason}`);
  }
  const chosen = e.items.filter((i) => i.state === "done" && i.run && (i.chosen ?? true)).map((i) => i.run!);
  if (chosen.length > 0) {
    const comparison = await engine.call("compare.runs", { runs: chosen });
    const table = comparisonTable(e, comparison);
    if (table) parts.push("", "per language (the chosen run of each configuration):", table);
  }
  return parts.join("\n");
}

/** Follows an experiment until it stops, one line per item state and progress on stderr; Ctrl+C leaves it interrupted. */
async function follow(engine: PolytuneEngine, experiment: Experiment, json: boolean): Promise<{ experiment: Experiment; interrupted: boolean }> {
  const tty = process.stderr.isTTY;
  const labels = new Map(experiment.items.map((i) => [i.id, i.label]));
  const states = new Map(experiment.items.map((i) => [i.id, i.state as string]));
  let last = "";
  const off = engine.onEvent((name, payload) => {
    if (json) return;
    if (name === "experiments.progress") {
      const p = payload as EventPayload<"experiments.progress">;
      if (p.experiment !== experiment.id) return;
      const line = `${labels.get(p.item) ?? p.item}  [${p.state}]  ${p.done}/${p.total} ${p.state === "training" ? "steps" : "outputs"}${p.etaSeconds !== null ? `  ETA ${formatDuration(p.etaSeconds)}` : ""}`;
      if (line === last) return;
      last = line;
      if (tty) process.stderr.write(`\r${line}   `);
    } else if (name === "experiments.changed") {
      const p = payload as EventPayload<"experiments.changed">;
      if (p.experiment !== experiment.id) return;
      void engine.call("experiments.get", { experiment: experiment.id }).then((e) => {
        for (const i of e.items) {
          if (states.get(i.id) === i.state) continue;
          states.set(i.id, i.state);
          process.stderr.write(`${tty ? "\r" : ""}${itemLine(i)}\n`);
        }
      }, () => undefined);
    }
  });
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<"interrupted">((done) => (interrupt = () => done("interrupted")));
  const onSigint = (): void => interrupt();
  process.once("SIGINT", onSigint);
  try {
    const result = await Promise.race([engine.call("experiments.wait", { experiment: experiment.id }), interrupted]);
    if (result === "interrupted") {
      if (!json) process.stderr.write(`\nStopping: the run in training pauses at its checkpoint, the evaluation keeps its outputs. ${resumeHint(experiment.id)}\n`);
      return { experiment: await engine.call("experiments.get", { experiment: experiment.id }), interrupted: true };
    }
    return { experiment: result, interrupted: false };
  } finally {
    process.off("SIGINT", onSigint);
    off();
  }
}

async function finish(engine: PolytuneEngine, e: Experiment, interrupted: boolean, json: boolean): Promise<void> {
  if (json) process.stdout.write(`${JSON.stringify(e)}\n`);
  else if (!interrupted) process.stdout.write(`${await formatExperiment(engine, e)}\n`);
  if (e.status === "failed") process.exitCode = 1;
}

export function registerExperimentCommand(program: Command, deps: ExperimentCliDeps): void {
  const experiment = program.command("experiment").description("experiments: a base model × mixes × a training grid × evaluation suites, run as a queue (train, then evaluate), the learning rate chosen by surface metrics");
  experiment
    .command("run <file>")
    .description("run an experiment file (JSON, comments allowed): prints the plan, then one line per item; Ctrl+C leaves it interrupted, resumable")
    .option("--dry-run", "print the plan (items, mixes to build) and create nothing")
    .action(async (file: string, o: { dryRun?: boolean }) => {
      const json = deps.json();
      // Checked before the engine opens: a bad file creates nothing.
      const spec = readExperimentFile(file);
      await deps.withEngine(async (engine) => {
        const plan = await engine.call("experiments.plan", { spec });
        if (o.dryRun) {
          if (json) return void process.stdout.write(`${JSON.stringify(plan)}\n`);
          const lines = [`${spec.name}: ${plan.items.length} items (train, then evaluate), one at a time:`, ...plan.items.map((i, k) => `${String(k + 1).padStart(3)}  ${i.label}`)];
          if (plan.mixesToBuild.length) lines.push(`mixes to build and save: ${plan.mixesToBuild.join(", ")}`);
          for (const w of plan.warnings) lines.push(`note: ${w}`);
          return void process.stdout.write(`${lines.join("\n")}\n`);
        }
        const created = await engine.call("experiments.create", { spec });
        if (!json) process.stderr.write(`Experiment ${created.id} (${created.name}): ${created.items.length} items queued${created.spec.eval.baseline ? ", the base model evaluated first" : ""}.\n${plan.warnings.map((w) => `note: ${w}\n`).join("")}`);
        const { experiment: e, interrupted } = await follow(engine, created, json);
        await finish(engine, e, interrupted, json);
      });
    });
  experiment
    .command("resume <id>")
    .description("continue an interrupted experiment: runs resume from their checkpoints, evaluations from their stored outputs; finished items are kept")
    .action(async (id: string) => {
      const json = deps.json();
      await deps.withEngine(async (engine) => {
        const resumed = await engine.call("experiments.resume", { experiment: id });
        if (!json) process.stderr.write(`Resuming experiment ${resumed.id}: ${resumed.items.filter((i) => ["queued", "training", "evaluating"].includes(i.state)).length} of ${resumed.items.length} items left.\n`);
        const { experiment: e, interrupted } = await follow(engine, resumed, json);
        await finish(engine, e, interrupted, json);
      });
    });
  experiment
    .command("list")
    .description("the experiments, newest first")
    .action(async () => {
      const json = deps.json();
      await deps.withEngine(async (engine) => {
        const list = await engine.call("experiments.list", {});
        process.stdout.write(json ? `${JSON.stringify(list)}\n` : `${list.length ? list.map(experimentLine).join("\n") : "No experiments yet."}\n`);
      });
    });
  experiment
    .command("show <id>")
    .description("an experiment's items, learning-rate decisions with their reasons, and the per-language comparison of its chosen runs")
    .action(async (id: string) => {
      const json = deps.json();
      await deps.withEngine(async (engine) => {
        const e = await engine.call("experiments.get", { experiment: id });
        process.stdout.write(json ? `${JSON.stringify(e)}\n` : `${await formatExperiment(engine, e)}\n`);
      });
    });
  experiment
    .command("report <id>")
    .description("write the experiment's self-contained HTML report (figures, tables, configurations, data recipes, fingerprints, versions)")
    .option("--out <file>", "where to write it (default: the data folder's reports/)")
    .action(async (id: string, o: { out?: string }) => {
      const json = deps.json();
      await deps.withEngine(async (engine) => {
        const written = await engine.call("experiments.report", { experiment: id, ...(o.out !== undefined ? { out: o.out } : {}) });
        process.stdout.write(json ? `${JSON.stringify(written)}\n` : `Wrote ${written.path} (${written.bytes} bytes).\n`);
      });
    });
}
