import type { Command } from "commander";
import { trainConfigDefaults, type EventPayload, type Run, type TrainConfig } from "../shared/contract.js";
import { formatErrorLine, PolytuneError } from "../shared/PolytuneError.js";
import { formatBytes, formatDuration } from "../shared/formatQuantities.js";
import { fullRunNotes, type PolytuneEngine } from "../engine/createEngine.js";
import { formatSettingValue } from "../shared/trainSettings.js";
import { resolveMixArgument } from "./registerMixCommands.js";
import { addTrainSettingOptions, trainConfigFromCommand } from "./trainSettingOptions.js";

export interface TrainCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

/** Follows a run on the terminal until it ends; Ctrl+C pauses it (checkpointed) instead of losing it. */
export async function follow(engine: PolytuneEngine, run: Run, json: boolean): Promise<Run> {
  const off = engine.onEvent((name, payload) => {
    if (json || name !== "runs.step") return;
    const p = payload as EventPayload<"runs.step">;
    if (p.run !== run.id) return;
    const m = p.metric;
    const width = 24;
    const filled = Math.round((width * m.step) / Math.max(1, p.totalSteps));
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] step ${m.step}/${p.totalSteps}  loss ${m.loss.toFixed(4)}${m.valLoss !== null ? `  val ${m.valLoss.toFixed(4)}` : ""}  lr ${m.scheduledLr.toExponential(2)}  ${m.tokensPerSecond.toFixed(0)} tok/s  ETA ${formatDuration(p.etaSeconds)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
  });
  const onSigint = (): void => {
    process.stderr.write("\nPausing at the next step (checkpoint)…\n");
    engine.call("runs.pause", { run: run.id }).catch(() => {
      /* already ended */
    });
  };
  process.once("SIGINT", onSigint);
  try {
    return await engine.call("runs.wait", { run: run.id });
  } finally {
    process.off("SIGINT", onSigint);
    off();
    if (!json && process.stderr.isTTY) process.stderr.write("\n");
  }
}

/** What a run will hold in memory, part by part, before it starts; nothing when the model is not in the library yet. */
async function estimateLine(engine: PolytuneEngine, config: TrainConfig): Promise<string | null> {
  try {
    const { training: t } = await engine.call("models.estimate", { model: config.model, seqLen: config.seqLen, batch: config.batchSize, rank: config.rank, method: config.method, baseWeights: config.baseWeights, dropout: config.dropout });
    const parts =
      t.method === "full"
        ? `weights ${formatBytes(t.baseBytes)} + gradients ${formatBytes(t.optimizerBytes / 3)} + Adam moments ${formatBytes((2 * t.optimizerBytes) / 3)} + activations ${formatBytes(t.activationBytes)}, all F32`
        : `base ${formatBytes(t.baseBytes)} + LoRA ${formatBytes(t.loraBytes)} + optimizer ${formatBytes(t.optimizerBytes)} + activations ${formatBytes(t.activationBytes)}`;
    return `Memory to train (${t.method}, estimate): about ${formatBytes(t.totalBytes)}: ${parts}.`;
  } catch {
    return null;
  }
}

/** The end of a followed run: its result line (or JSON), a failure thrown as its error. */
export function report(run: Run, json: boolean): void {
  const metrics = run.summary ?? {};
  if (json) {
    process.stdout.write(`${JSON.stringify({ run: run.id, status: run.status, steps: run.step, method: run.config.method, adapterPath: run.adapterPath, modelPath: run.modelPath, summary: metrics, error: run.error })}\n`);
  } else if (run.status === "completed") {
    const note = typeof metrics.backendNote === "string" ? `: ${metrics.backendNote}` : "";
    const where = typeof metrics.device === "string" ? ` on ${String(metrics.backend)} (${metrics.device}${note})` : "";
    const merged = typeof metrics.mergedModel === "string" ? ` Merged model: ${metrics.mergedModel}` : "";
    const quantized = typeof metrics.quantizedModel === "string" ? ` Quantized: ${metrics.quantizedModel}` : "";
    const result = run.modelPath !== null ? `Model: ${run.modelPath}` : `Adapter: ${run.adapterPath}${merged}`;
    process.stdout.write(`Run ${run.id} completed: ${run.step} steps (${run.config.method})${where}. ${result}${quantized}\n`);
  } else if (run.status === "paused") {
    process.stdout.write(`Run ${run.id} paused at step ${run.step}. Continue with \`polytune runs resume ${run.id}\`.\n`);
  }
  if (run.status === "failed") {
    const error = new PolytuneError(run.error?.code ?? "run-failed", run.error?.message ?? "The run failed.", { where: run.error?.where ?? `run ${run.id}`, hint: run.error?.hint });
    if (!json) throw error;
    // One JSON document on stdout, always: the run above already carries its error; people read stderr.
    process.stderr.write(`polytune: ${formatErrorLine(error.toShape())}\n`);
    process.exitCode = 1;
  }
}

export function registerTrainCommands(program: Command, deps: TrainCliDeps): void {
  const d = trainConfigDefaults;
  const train = program
    .command("train")
    .argument("[run.json]", "a run file with the same fields as TrainConfig (flags override it)")
    .description(`train a LoRA adapter on a GGUF model (defaults: Kew et al. 2024, r ${d.rank}, α ${d.alpha}, LR ${formatSettingValue(d.lr)}), or every weight with --method full`);
  addTrainSettingOptions(train).action(async (file: string | undefined, _options: unknown, command: Command) => {
    const config = trainConfigFromCommand(command, file);
    await deps.withEngine(async (engine) => {
      // `--mix recipe.json` saves the recipe as a mix first; the run then trains on that mix.
      if (config.mix !== undefined) config.mix = await resolveMixArgument(engine, config.mix);
      if (!deps.json()) {
        const notes = [fullRunNotes(config), await estimateLine(engine, config)].filter((n): n is string => n !== null);
        if (notes.length > 0) process.stderr.write(`${notes.join("\n")}\n`);
      }
      const run = await engine.call("runs.start", config);
      if (!deps.json()) process.stderr.write(`Run ${run.id} started (${run.name}).\n`);
      report(await follow(engine, run, deps.json()), deps.json());
    });
  });

  const runs = program.command("runs").description("training runs: list, show, resume, cancel");
  runs
    .command("list")
    .description("every run with its status")
    .action(async () => {
      await deps.withEngine(async (engine) => {
        const list = await engine.call("runs.list", {});
        if (deps.json()) process.stdout.write(`${JSON.stringify(list)}\n`);
        else process.stdout.write(list.length ? `${list.map((r) => `${r.id}  ${r.status.padEnd(11)} ${r.step}/${r.totalSteps}  ${r.config.method.padEnd(4)}  ${r.name}${r.modelPath ? `  → ${r.modelPath}` : r.adapterPath ? `  → ${r.adapterPath}` : ""}`).join("\n")}\n` : "No runs yet. Start one with `polytune train`.\n");
      });
    });
  runs
    .command("show")
    .argument("<run>", "run id")
    .description("a run's settings, status and loss curve")
    .action(async (id: string) => {
      await deps.withEngine(async (engine) => {
        const run = await engine.call("runs.get", { run: id });
        if (deps.json()) process.stdout.write(`${JSON.stringify(run)}\n`);
        else {
          process.stdout.write(`${run.id}  ${run.name}\nmethod ${run.config.method}, status ${run.status}, step ${run.step}/${run.totalSteps}${run.modelPath ? `, model ${run.modelPath}` : ""}${run.adapterPath ? `, adapter ${run.adapterPath}` : ""}\n`);
          if (typeof run.summary?.methodNote === "string") process.stdout.write(`note: ${run.summary.methodNote}\n`);
          if (run.error) process.stdout.write(`error: ${run.error.message}${run.error.hint ? ` ${run.error.hint}` : ""}\n`);
          for (const m of run.metrics) process.stdout.write(`  step ${String(m.step).padStart(5)}  loss ${m.loss.toFixed(4)}${m.valLoss !== null ? `  val ${m.valLoss.toFixed(4)}` : ""}  lr ${m.scheduledLr.toExponential(2)}\n`);
        }
      });
    });
  runs
    .command("resume")
    .argument("<run>", "run id")
    .description("continue a paused, interrupted or failed run from its last checkpoint")
    .action(async (id: string) => {
      await deps.withEngine(async (engine) => {
        const run = await engine.call("runs.resume", { run: id });
        report(await follow(engine, run, deps.json()), deps.json());
      });
    });
  runs
    .command("cancel")
    .argument("<run>", "run id")
    .description("cancel a run that is not going (paused or interrupted)")
    .action(async (id: string) => {
      await deps.withEngine(async (engine) => {
        const run = await engine.call("runs.cancel", { run: id });
        if (deps.json()) process.stdout.write(`${JSON.stringify(run)}\n`);
        else process.stdout.write(`Run ${run.id} is ${run.status}.\n`);
      });
    });
}
