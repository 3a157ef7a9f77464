import { type Command, Option } from "commander";
import { intOption, numberOption } from "./parseOptionNumber.js";
import { readFileSync } from "node:fs";
import { allLoraTargets, trainBackends, TrainConfigSchema, type Run, type TrainConfigInput } from "../shared/contract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import type { PolytuneEngine } from "../engine/createEngine.js";

export interface TrainCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

const int = intOption;
const num = numberOption;

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

/** Follows a run on the terminal until it ends; Ctrl+C pauses it (checkpointed) instead of losing it. */
async function follow(engine: PolytuneEngine, run: Run, json: boolean): Promise<Run> {
  const off = engine.onEvent((name, payload) => {
    if (json || name !== "runs.step") return;
    const p = payload as { run: string; metric: { step: number; loss: number; lr: number; tokensPerSecond: number; valLoss: number | null }; totalSteps: number; etaSeconds: number | null };
    if (p.run !== run.id) return;
    const m = p.metric;
    const width = 24;
    const filled = Math.round((width * m.step) / Math.max(1, p.totalSteps));
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] step ${m.step}/${p.totalSteps}  loss ${m.loss.toFixed(4)}${m.valLoss !== null ? `  val ${m.valLoss.toFixed(4)}` : ""}  lr ${m.lr.toExponential(2)}  ${m.tokensPerSecond.toFixed(0)} tok/s  ETA ${duration(p.etaSeconds)}`;
    process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
  });
  const onSigint = (): void => {
    process.stderr.write("\nPausing at the next step (checkpoint)…\n");
    try {
      engine.jobs.stop(run.id, "pause");
    } catch {
      /* already ended */
    }
  };
  process.once("SIGINT", onSigint);
  try {
    return await engine.jobs.waitFor(run.id);
  } finally {
    process.off("SIGINT", onSigint);
    off();
    if (!json && process.stderr.isTTY) process.stderr.write("\n");
  }
}

function report(run: Run, json: boolean): void {
  const metrics = run.summary ?? {};
  if (json) {
    process.stdout.write(`${JSON.stringify({ run: run.id, status: run.status, steps: run.step, adapterPath: run.adapterPath, summary: metrics, error: run.error })}\n`);
  } else if (run.status === "completed") {
    const note = typeof metrics.backendNote === "string" ? `: ${metrics.backendNote}` : "";
    const where = typeof metrics.device === "string" ? ` on ${String(metrics.backend)} (${metrics.device}${note})` : "";
    const merged = typeof metrics.mergedModel === "string" ? ` Merged model: ${metrics.mergedModel}` : "";
    process.stdout.write(`Run ${run.id} completed: ${run.step} steps${where}. Adapter: ${run.adapterPath}${merged}\n`);
  } else if (run.status === "paused") {
    process.stdout.write(`Run ${run.id} paused at step ${run.step}. Continue with \`polytune runs resume ${run.id}\`.\n`);
  }
  if (run.status === "failed") {
    throw new PolytuneError(run.error?.code ?? "run-failed", run.error?.message ?? "The run failed.", { where: run.error?.where ?? `run ${run.id}`, hint: run.error?.hint });
  }
}

export function registerTrainCommands(program: Command, deps: TrainCliDeps): void {
  program
    .command("train")
    .argument("[run.json]", "a run file with the same fields as the flags (flags override it)")
    .description("train a LoRA adapter on a GGUF model (defaults: Kew et al. 2024, r 64, α 16, LR 1e-5)")
    .option("--model <model>", "base model: id, name or path")
    .option("--data <file>", "training data, JSONL (Alpaca, prompt/response, chat messages, or Guanaco text)")
    .addOption(new Option("--format <f>", "prompt format").choices(["alpaca", "guanaco", "chat"]))
    .option("--steps <n>", "optimizer steps", int("--steps"))
    .option("--epochs <n>", "epochs (when --steps is not given)", num("--epochs"))
    .option("--lr <x>", "peak learning rate", num("--lr"))
    .addOption(new Option("--schedule <s>", "learning-rate schedule").choices(["constant", "linear", "cosine", "inverse-sqrt"]))
    .option("--warmup <n>", "warm-up steps", int("--warmup"))
    .option("--rank <n>", "LoRA rank r", int("--rank"))
    .option("--alpha <x>", "LoRA alpha (scale α/r)", num("--alpha"))
    .option("--rslora", "rank-stabilised LoRA: scale α/√r instead of α/r")
    .option("--dropout <p>", "LoRA dropout: zero each adapter input with probability p in training (default 0)", num("--dropout"))
    .addOption(new Option("--base-weights <w>", "as-stored (default): keep F16/quantized matrices, as llama.cpp runs them; f32: dequantize the base on load").choices(["f32", "as-stored"]))
    .option("--targets <list>", `comma-separated projections (${allLoraTargets.join(",")}; default all but output)`)
    .addOption(new Option("--backend <b>", "where to compute (auto: the first GPU found, else the CPU)").choices([...trainBackends]))
    .option("--device <n>", "device index within the backend", int("--device"))
    .option("--merged-out <file>", "also write base + adapter as one GGUF model here")
    .addOption(new Option("--merged-type <t>", "tensor type of merged weights (source keeps the base's)").choices(["source", "f16", "f32"]))
    .option("--seq-len <n>", "maximum sequence length (longer examples are an error)", int("--seq-len"))
    .option("--batch <n>", "sequences per micro-batch", int("--batch"))
    .option("--grad-accum <n>", "micro-batches per optimizer step", int("--grad-accum"))
    .option("--token-budget <n>", "fill micro-batches up to this many tokens instead of --batch sequences", int("--token-budget"))
    .option("--val-data <file>", "held-out validation data (JSONL)")
    .option("--val-fraction <x>", "hold out this share of the training data for validation", num("--val-fraction"))
    .option("--eval-every <n>", "validation loss every N steps", int("--eval-every"))
    .option("--checkpoint-every <n>", "checkpoint every N steps", int("--checkpoint-every"))
    .option("--weight-decay <x>", "AdamW weight decay", num("--weight-decay"))
    .option("--grad-clip <x>", "clip the gradient's global norm (0: off)", num("--grad-clip"))
    .option("--threads <n>", "CPU threads", int("--threads"))
    .option("--name <text>", "a name for the run")
    .option("--seed <n>", "seed for LoRA init and data order", int("--seed"))
    .option("--no-mask-prompt", "compute the loss on the whole sequence, not only the answers")
    .option("--out <file>", "adapter output path (.gguf)")
    .action(async (file: string | undefined, o: Record<string, unknown>) => {
      let base: Record<string, unknown> = {};
      if (file) {
        try {
          base = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
        } catch (error) {
          throw new PolytuneError("run-file", `The run file cannot be read: ${(error as Error).message}.`, { where: file });
        }
      }
      const flags: Record<string, unknown> = {
        model: o.model, data: o.data, format: o.format, steps: o.steps, epochs: o.epochs, lr: o.lr, schedule: o.schedule,
        warmupSteps: o.warmup, rank: o.rank, alpha: o.alpha, seqLen: o.seqLen, batchSize: o.batch, gradAccum: o.gradAccum,
        seed: o.seed, out: o.out, tokenBudget: o.tokenBudget, validationData: o.valData, validationFraction: o.valFraction,
        evalEvery: o.evalEvery, checkpointEvery: o.checkpointEvery, weightDecay: o.weightDecay, gradClip: o.gradClip, threads: o.threads, name: o.name, targets: typeof o.targets === "string" ? o.targets.split(",").map((t) => t.trim()) : undefined,
        maskPrompt: o.maskPrompt === false ? false : undefined,
        rslora: o.rslora === true ? true : undefined, dropout: o.dropout, baseWeights: o.baseWeights, backend: o.backend, device: o.device, mergedOut: o.mergedOut, mergedType: o.mergedType,
      };
      const merged = { ...base, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) } as TrainConfigInput;
      const parsed = TrainConfigSchema.safeParse(merged);
      if (!parsed.success) {
        throw new PolytuneError("invalid-run", parsed.error.issues.map((i) => `${i.path.join(".") || "run"}: ${i.message}`).join("; "), { hint: "See `polytune train --help`." });
      }
      await deps.withEngine(async (engine) => {
        const run = await engine.call("runs.start", parsed.data);
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
        else process.stdout.write(list.length ? `${list.map((r) => `${r.id}  ${r.status.padEnd(11)} ${r.step}/${r.totalSteps}  ${r.name}${r.adapterPath ? `  → ${r.adapterPath}` : ""}`).join("\n")}\n` : "No runs yet. Start one with `polytune train`.\n");
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
          process.stdout.write(`${run.id}  ${run.name}\nstatus ${run.status}, step ${run.step}/${run.totalSteps}${run.adapterPath ? `, adapter ${run.adapterPath}` : ""}\n`);
          if (run.error) process.stdout.write(`error: ${run.error.message}${run.error.hint ? ` ${run.error.hint}` : ""}\n`);
          for (const m of run.metrics) process.stdout.write(`  step ${String(m.step).padStart(5)}  loss ${m.loss.toFixed(4)}${m.valLoss !== null ? `  val ${m.valLoss.toFixed(4)}` : ""}  lr ${m.lr.toExponential(2)}\n`);
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
