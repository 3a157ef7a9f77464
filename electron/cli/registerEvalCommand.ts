// `polytune eval`: decodes every prompt of the suites with the model (and its adapters, and the base
// model alone with --baseline), scores them, and prints the tables `polytune score` prints. A resumable
// job like `data translate`: --resume, --list, --show, --cancel, --remove; Ctrl+C cancels cleanly.
import { type Command, Option } from "commander";
import type { PolytuneEngine } from "../engine/createEngine.js";
import type { EventPayload } from "../shared/contract.js";
import { EvalDecodingSchema, evalSuites, JudgeSchema, type EvalItem, type EvalJob } from "../shared/evalContract.js";
import { formatErrorLine, PolytuneError } from "../shared/PolytuneError.js";
import { evalStartRequest, type EvalCliOptions, type SuiteGroup } from "./evalStartRequest.js";
import { counted, evalJobLine, evalProgressLine, formatEvalItems, formatEvalTables, resumeHint } from "./formatEvalTables.js";
import { intOption, numberOption } from "./parseOptionNumber.js";

export interface EvalCliDeps {
  withEngine<T>(fn: (engine: PolytuneEngine) => Promise<T>): Promise<T>;
  json(): boolean;
}

interface EvalCommandOptions extends EvalCliOptions {
  resume?: string;
  list?: boolean;
  show?: string;
  cancel?: string;
  remove?: string;
  items?: boolean;
  changed?: boolean;
  language?: string;
}

/** Follows a job until it stops, progress on stderr; Ctrl+C cancels it (outputs made so far are kept). */
async function follow(engine: PolytuneEngine, job: EvalJob, json: boolean): Promise<EvalJob> {
  const tty = process.stderr.isTTY;
  let last = "";
  const off = engine.onEvent((name, payload) => {
    if (json || name !== "eval.progress") return;
    const p = payload as EventPayload<"eval.progress">;
    if (p.job !== job.id) return;
    const line = evalProgressLine(p);
    if (line === last) return;
    last = line;
    process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
  });
  const onSigint = (): void => {
    if (!json) process.stderr.write("\nCancelling the evaluation after the outputs in flight (outputs made so far are kept)…\n");
    void engine.call("eval.cancel", { job: job.id }).catch(() => undefined);
  };
  process.once("SIGINT", onSigint);
  try {
    return await engine.call("eval.wait", { job: job.id });
  } finally {
    process.off("SIGINT", onSigint);
    off();
    if (!json && tty) process.stderr.write("\n");
  }
}

function report(job: EvalJob, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(job)}\n` : `${formatEvalTables(job)}\n`);
  if (job.status === "failed") {
    const error = new PolytuneError(job.error?.code ?? "eval-failed", job.error?.message ?? "The evaluation failed.", { where: job.error?.where ?? `evaluation ${job.id}`, hint: job.error?.hint ?? resumeHint(job.id) });
    process.stderr.write(`polytune: ${formatErrorLine(error.toShape())}\n`);
    process.exitCode = 1;
  }
}

/** Every item of a job matching the filters, page by page. */
async function allItems(engine: PolytuneEngine, query: { job: string; language?: string; changed: boolean }): Promise<{ items: EvalItem[]; total: number }> {
  const items: EvalItem[] = [];
  for (;;) {
    const page = await engine.call("eval.items", { ...query, offset: items.length, limit: 500 });
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return { items, total: page.total };
  }
}

const startOptions = ["model", "adapter", "run", "baseline", "crossLingual", "languages", "limit", "judge", "judgements", "dictionaries", "sampling", "temperature", "topP", "seeds", "repeatPenalty", "maxTokens", "parallel", "stop", "format", "cpu", "threads", "name"] as const;
const kebab = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** --list, --show, --cancel, --remove and --resume each stand alone; --items, --changed, --language go with --show. */
function checkActions(o: EvalCommandOptions, groups: readonly SuiteGroup[]): void {
  const actions = (["resume", "list", "show", "cancel", "remove"] as const).filter((k) => o[k] !== undefined);
  if (actions.length > 1) throw new PolytuneError("cli-option", `${kebab(actions[0]!)} and ${kebab(actions[1]!)} cannot be combined.`, { where: kebab(actions[1]!) });
  const showOnly = (["items", "changed", "language"] as const).find((k) => o[k] !== undefined);
  if (showOnly !== undefined && o.show === undefined) throw new PolytuneError("cli-option", `${kebab(showOnly)} only applies with --show JOB.`, { where: kebab(showOnly) });
  if (actions.length === 0) return;
  const extra = startOptions.find((k) => o[k] !== undefined) ?? (groups.length > 0 ? "suite" : undefined);
  if (extra !== undefined) {
    const what = actions[0] === "resume" ? "--resume continues a job with the settings it was started with" : `${kebab(actions[0]!)} takes no evaluation settings`;
    throw new PolytuneError("cli-option", `${what}; leave out ${kebab(extra)}.`, { where: kebab(extra) });
  }
}

export function registerEvalCommand(program: Command, deps: EvalCliDeps): void {
  // The decoding defaults are the contract's (shown in --help, never sent: the engine applies them).
  const d = EvalDecodingSchema.parse({});
  const judgeDefaults = JudgeSchema.parse({ model: "-" });
  // `--suite X --data …` groups keep the order typed: commander hands each value over as it reads it.
  const groups: SuiteGroup[] = [];
  let strayData: string | undefined;
  program
    .command("eval")
    .description("evaluate a model (with adapters, against the base model alone) on suites of prompts: decode every prompt in every language, score as the papers do, per-language means with 95% intervals; resumable")
    .option("--model <model>", "model file, or a library id or name")
    .option("--adapter <files...>", "LoRA adapters (GGUF) applied together")
    .option("--run <id>", "a stored training run: its model, adapter, prompt format and mix (instead of --model/--adapter)")
    .option("--baseline", "also decode the base model alone on the same items; prints tuned − base with p-values")
    .option("--suite <suite>", `a suite, followed by its --data files; repeat the pair for more suites (${evalSuites.join(", ")})`, (value: string) => {
      groups.push({ suite: value, data: [] });
      return value;
    })
    .option("--data <files...>", "the files of the --suite before it (open: Chirkova/AlpacaEval JSONL; qa: SQuAD JSON or MLQA folder; …)", (value: string, previous: string[] | undefined) => {
      const group = groups.at(-1);
      if (group) group.data.push(value);
      else strayData ??= value;
      return [...(previous ?? []), value];
    })
    .option("--cross-lingual", "English instruction with target-language input (en:xx) where a suite has both")
    .option("--languages <codes>", "only these languages, comma-separated (e.g. en,fr)")
    .option("--limit <n>", "at most N items per suite and language", intOption("--limit"))
    .option("--judge <model>", "a local GGUF judge model (file, or library id or name)")
    .option("--judgements <names>", `what the judge scores, comma-separated (default: ${judgeDefaults.judgements.join(",")})`)
    .option("--dictionaries <dir>", "folder of extra Hunspell dictionaries (LANG.aff + LANG.dic)")
    .option("--sampling", `nucleus sampling over seeds, averaged (default: ${d.mode})`)
    .option("--temperature <t>", `sampling temperature (default ${d.temperature})`, numberOption("--temperature"))
    .option("--top-p <p>", `sampling nucleus (default ${d.topP})`, numberOption("--top-p"))
    .option("--seeds <n>", `sampling: outputs per prompt (default ${d.seeds})`, intOption("--seeds"))
    .option("--repeat-penalty <r>", `repetition penalty, 1 = off (default ${d.repeatPenalty})`, numberOption("--repeat-penalty"))
    .option("--max-tokens <n>", `new tokens per output (default ${d.maxTokens})`, intOption("--max-tokens"))
    .option("--parallel <n>", `sequences decoded at once (default ${d.parallel})`, intOption("--parallel"))
    .option("--stop <strings...>", "stop strings")
    .addOption(new Option("--format <f>", "prompt format (default: a run's own; else the model's chat template if it has one, else raw)").choices(["auto", "raw", "alpaca", "guanaco", "chat"]))
    .option("--cpu", "decode on the CPU even if a GPU is available")
    .option("--threads <n>", "CPU threads (default: every core)", intOption("--threads"))
    .option("--name <name>", "the job's name")
    .option("--resume <job>", "continue a cancelled, interrupted or failed evaluation")
    .option("--list", "list the evaluations")
    .option("--show <job>", "an evaluation's tables")
    .option("--items", "with --show: every output with its prompt, response and scores")
    .option("--changed", "with --show --items: only items whose score differs between tuned and base")
    .option("--language <code>", "with --show --items: only this language")
    .option("--cancel <job>", "cancel a running evaluation (it stays resumable)")
    .option("--remove <job>", "delete an evaluation and its outputs")
    .action(async (o: EvalCommandOptions) => {
      const json = deps.json();
      if (strayData !== undefined) throw new PolytuneError("cli-option", `--data ${strayData} comes before any --suite; name the suite first: --suite SUITE --data FILE….`, { where: "--data" });
      checkActions(o, groups);
      // Checked before the engine opens: bad flags create nothing.
      const managing = o.resume !== undefined || o.list === true || o.show !== undefined || o.cancel !== undefined || o.remove !== undefined;
      const request = managing ? undefined : evalStartRequest(o, groups);
      await deps.withEngine(async (engine) => {
        const write = (value: unknown, text: () => string): void => void process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
        if (o.list) {
          const jobs = await engine.call("eval.list", {});
          write(jobs, () => (jobs.length ? jobs.map(evalJobLine).join("\n") : "No evaluations yet."));
          return;
        }
        if (o.show !== undefined) {
          const job = await engine.call("eval.get", { job: o.show });
          if (!o.items) return write(job, () => formatEvalTables(job));
          const page = await allItems(engine, { job: job.id, changed: o.changed ?? false, ...(o.language !== undefined ? { language: o.language } : {}) });
          return write({ job, ...page }, () => `${formatEvalTables(job)}\n\n${formatEvalItems(page.items, page.total)}`);
        }
        if (o.cancel !== undefined) {
          const job = await engine.call("eval.cancel", { job: o.cancel });
          return write(job, () => `Evaluation ${job.id} ${job.status}: ${job.done}/${job.total} outputs kept. ${resumeHint(job.id)}`);
        }
        if (o.remove !== undefined) {
          const removed = await engine.call("eval.remove", { job: o.remove });
          return write(removed, () => `Removed evaluation ${removed.removed} and its outputs.`);
        }
        let job: EvalJob;
        if (o.resume !== undefined) {
          job = await engine.call("eval.resume", { job: o.resume });
          if (!json) process.stderr.write(`Resuming evaluation ${job.id}: ${job.total - job.done} of ${job.total} outputs left.\n`);
        } else {
          job = await engine.call("eval.start", request);
          if (!json) process.stderr.write(`Evaluation ${job.id} started: ${counted(job.total, "output")} (${job.suites.map((s) => `${s.suite} ${counted(s.items, "item")}`).join(", ")}; ${job.languages.map((l) => l.language).join(", ")}) with ${job.model.name}, ${job.format} prompt.\n`);
        }
        report(await follow(engine, job, json), json);
      });
    });
}
