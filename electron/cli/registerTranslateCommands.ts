import { type Command, Option } from "commander";
import type { EventPayload } from "../shared/contract.js";
import { formatErrorLine, PolytuneError } from "../shared/PolytuneError.js";
import { formatDuration } from "../shared/formatQuantities.js";
import { translationFormats, translationTemplates, type TranslationJob } from "../shared/translateContract.js";
import type { PolytuneEngine } from "../engine/createEngine.js";
import { intOption, numberOption } from "./parseOptionNumber.js";

export interface TranslateCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

interface TranslateOptions {
  dataset?: string;
  mix?: string;
  model?: string;
  to?: string;
  from: string;
  limit?: number;
  template: (typeof translationTemplates)[number];
  format: (typeof translationFormats)[number];
  maxTokensFactor: number;
  context: number;
  cpu?: boolean;
  threads?: number;
  name?: string;
  resume?: string;
  list?: boolean;
  show?: string;
}

/** One line per job, for `--list`. */
export function jobLine(j: TranslationJob): string {
  const output = j.outputDataset ? `  → dataset ${j.outputDataset}` : "";
  return `${j.id}  ${j.status.padEnd(11)} ${j.done}/${j.total} done, ${j.kept} kept, ${j.flagged} flagged  ${j.source.kind} "${j.source.name}" ${j.from} → ${j.languages.join(",")}  ${j.model.name}${output}`;
}

/** What a finished (or stopped) job says on the terminal. */
export function jobReport(j: TranslationJob): string {
  const reasons = Object.entries(j.flagCounts).map(([code, n]) => `${code} ${n}`).join(", ");
  const lines = [`Translation job ${j.id} ${j.status}: ${j.done}/${j.total} items, ${j.kept} kept, ${j.flagged} flagged${reasons ? ` (${reasons})` : ""}, ${formatDuration(j.seconds)} decoding.`];
  for (const l of j.perLanguage) lines.push(`  ${l.language}: ${l.done}/${l.total} done, ${l.kept} kept, ${l.flagged} flagged`);
  if (j.outputDataset) lines.push(`Output dataset: ${j.outputDataset} "${j.outputName}" (machine-translated by ${j.model.name}; prompt ${j.prompt.template}@${j.prompt.hash}).`);
  else if (j.status === "completed") lines.push("No output dataset: every output was flagged.");
  if (j.status === "cancelled" || j.status === "interrupted" || j.status === "failed") lines.push(`Continue with \`polytune data translate --resume ${j.id}\`.`);
  return lines.join("\n");
}

function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.round((width * done) / total) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

/** Follows a job until it stops; Ctrl+C cancels it after the item in flight (resumable). */
async function follow(engine: PolytuneEngine, job: TranslationJob, json: boolean): Promise<TranslationJob> {
  const tty = process.stderr.isTTY;
  const off = engine.onEvent((name, payload) => {
    if (json || name !== "translate.progress") return;
    const p = payload as EventPayload<"translate.progress">;
    if (p.job !== job.id) return;
    const last = p.last ? `  ${p.last.language} #${p.last.ordinal} ${p.last.kept ? "kept" : "flagged"}` : "";
    const line = `${bar(p.done, p.total)} ${p.done}/${p.total}  flagged ${p.flagged}  ETA ${formatDuration(p.etaSeconds)}${last}`;
    process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
  });
  const onSigint = (): void => {
    if (!json) process.stderr.write("\nCancelling the translation (finished items are kept)…\n");
    void engine.call("translate.cancel", { job: job.id }).catch(() => undefined);
  };
  process.once("SIGINT", onSigint);
  try {
    return await engine.call("translate.wait", { job: job.id });
  } finally {
    process.off("SIGINT", onSigint);
    off();
    if (!json && tty) process.stderr.write("\n");
  }
}

function report(job: TranslationJob, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(job)}\n` : `${jobReport(job)}\n`);
  if (job.status === "failed") {
    const error = new PolytuneError(job.error?.code ?? "translation-failed", job.error?.message ?? "The translation job failed.", { where: job.error?.where ?? `job ${job.id}`, hint: job.error?.hint });
    process.stderr.write(`polytune: ${formatErrorLine(error.toShape())}\n`);
    process.exitCode = 1;
  }
}

export function registerTranslateCommands(program: Command, deps: TranslateCliDeps): void {
  // `data` belongs to the datasets commands; whichever registers first makes it.
  const data = program.commands.find((c) => c.name() === "data") ?? program.command("data").description("datasets: import instruction and parallel data, list, show, remove");
  data
    .command("translate")
    .description("translate a dataset (or the English part of a mix) with a local model, with the prompt of Kew et al. 2024 (Fig. 10); outputs whose role placeholders or language are wrong are flagged and left out")
    .option("--dataset <id>", "the dataset to translate")
    .option("--mix <id>", "a stored mix: translate its source-language examples")
    .option("--model <model>", "model id, name or path (a path not yet in the library is added)")
    .option("--to <codes>", "target languages, comma-separated (e.g. es,de)")
    .option("--from <code>", "the language of the examples to translate", "en")
    .option("--limit <n>", "translate only the first N source examples", intOption("--limit"))
    .addOption(new Option("--template <id>", "the prompt").choices(translationTemplates).default("kew2024-fig10"))
    .addOption(new Option("--format <f>", "chat template, plain completion, or whichever the model has").choices(translationFormats).default("auto"))
    .option("--max-tokens-factor <x>", "output tokens allowed per source token (plus 32)", numberOption("--max-tokens-factor"), 3)
    .option("--context <n>", "context size (at most the model's)", intOption("--context"), 4096)
    .option("--cpu", "decode on the CPU even if a GPU is available")
    .option("--threads <n>", "CPU threads for decoding (default: every core)", intOption("--threads"))
    .option("--name <name>", "name of the output dataset")
    .option("--resume <job>", "continue a cancelled, interrupted or failed job")
    .option("--list", "list the translation jobs")
    .option("--show <job>", "a job's counts and its flagged outputs")
    .action(async (o: TranslateOptions) => {
      const json = deps.json();
      await deps.withEngine(async (engine) => {
        if (o.list) {
          const jobs = await engine.call("translate.list", {});
          process.stdout.write(json ? `${JSON.stringify(jobs)}\n` : `${jobs.length ? jobs.map(jobLine).join("\n") : "No translation jobs yet."}\n`);
          return;
        }
        if (o.show) {
          const shown = await engine.call("translate.get", { job: o.show, status: "flagged", limit: 20 });
          if (json) process.stdout.write(`${JSON.stringify(shown)}\n`);
          else {
            process.stdout.write(`${jobReport(shown.job)}\n`);
            for (const item of shown.items) process.stdout.write(`  #${item.ordinal} ${item.language} (example ${item.sourceExample}): ${item.flags.map((f) => f.message).join(" ")}\n`);
            if (shown.itemsTotal > shown.items.length) process.stdout.write(`  … ${shown.itemsTotal - shown.items.length} more flagged.\n`);
          }
          return;
        }
        let job: TranslationJob;
        if (o.resume) {
          job = await engine.call("translate.resume", { job: o.resume });
          if (!json) process.stderr.write(`Resuming translation job ${job.id}: ${job.total - job.done} of ${job.total} items left.\n`);
        } else {
          if (!o.model) throw new PolytuneError("invalid-input", "Name the model that translates with --model.", { where: "--model" });
          if (!o.to) throw new PolytuneError("invalid-input", "Name the target languages with --to (e.g. --to es,de).", { where: "--to" });
          job = await engine.call("translate.start", {
            model: o.model,
            languages: o.to.split(",").map((l) => l.trim()).filter((l) => l !== ""),
            from: o.from,
            template: o.template,
            format: o.format,
            maxTokensFactor: o.maxTokensFactor,
            contextSize: o.context,
            gpu: o.cpu ? "cpu" : "auto",
            ...(o.dataset ? { dataset: o.dataset } : {}),
            ...(o.mix ? { mix: o.mix } : {}),
            ...(o.limit !== undefined ? { limit: o.limit } : {}),
            ...(o.threads !== undefined ? { threads: o.threads } : {}),
            ...(o.name ? { name: o.name } : {}),
          });
          if (!json) process.stderr.write(`Translation job ${job.id} started: ${job.total} items (${job.languages.join(", ")}) with ${job.model.name}, ${job.format} prompt.\n`);
        }
        report(await follow(engine, job, json), json);
      });
    });
}
