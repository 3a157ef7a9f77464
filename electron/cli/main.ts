import { Command, Option } from "commander";
import { intOption, numberOption } from "./parseOptionNumber.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { baseWeightModes, trainMethods, type TrainMethod, mergedTypes, promptFormats, trainBackends, type BaseWeights, type MergedType, type Model, type ModelDetail, tinyArchs, tinyVocabs, tinyWeightTypes, trainConfigDefaults, type PromptFormat, type TrainBackend } from "../shared/contract.js";
import { formatErrorLine, toErrorShape } from "../shared/PolytuneError.js";
import { appVersion, createEngine, type PolytuneEngine } from "../engine/createEngine.js";
import { startServer } from "../server/startServer.js";
import { formatBytes, formatCount } from "../shared/formatQuantities.js";
import { registerCompareCommand } from "./registerCompareCommand.js";
import { registerDataCommands } from "./registerDataCommands.js";
import { registerMixCommands } from "./registerMixCommands.js";
import { registerPretrainCommand } from "./registerPretrainCommand.js";
import { registerScoreCommand } from "./registerScoreCommand.js";
import { registerEvalCommand } from "./registerEvalCommand.js";
import { registerExperimentCommand } from "./registerExperimentCommand.js";
import { registerTrainCommands } from "./registerTrainCommands.js";
import { registerTranslateCommands } from "./registerTranslateCommands.js";
import { runDemo } from "./runDemo.js";

interface GlobalOptions {
  home?: string;
  json?: boolean;
}

const int = intOption;
const num = numberOption;

function out(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

function progressPrinter(engine: PolytuneEngine, json: boolean | undefined): () => void {
  if (json || !process.stderr.isTTY) return () => undefined;
  const off = engine.onEvent((name, payload) => {
    if (name !== "progress") return;
    const p = payload as { label: string; done: number; total: number | null };
    const pct = p.total ? ` ${Math.round((100 * p.done) / p.total)}%` : "";
    process.stderr.write(`\r${p.label}: ${p.done}${p.total ? `/${p.total}` : ""}${pct}   `);
  });
  return () => {
    off();
    process.stderr.write("\n");
  };
}

function modelLine(m: Model): string {
  const status = m.status === "ok" ? "" : `  [${m.status}${m.error ? `: ${m.error.message}` : ""}]`;
  return `${m.id}  ${m.name}  ${m.architecture ?? "?"}  ${formatCount(m.parameterCount)} params  ${m.fileType ?? "?"}  ctx ${m.contextLength ?? "?"}  ${formatBytes(m.fileSize)}${status}`;
}

function modelDetail(m: ModelDetail): string {
  const rows: Array<[string, string]> = [
    ["id", m.id],
    ["name", m.name],
    ["path", m.path],
    ["source", m.source],
    ["status", m.status],
    ["architecture", m.architecture ?? "?"],
    ["parameters", m.parameterCount === null ? "?" : `${formatCount(m.parameterCount)} (${m.parameterCount})`],
    ["file type", m.fileType ?? "?"],
    ["context length", String(m.contextLength ?? "?")],
    ["layers", String(m.layers ?? "?")],
    ["embedding size", String(m.embeddingSize ?? "?")],
    ["heads / kv heads", `${m.headCount ?? "?"} / ${m.headCountKv ?? "?"}`],
    ["vocabulary", `${m.vocabSize ?? "?"} tokens (${m.tokenizer ?? "?"})`],
    ["chat template", m.hasChatTemplate === null ? "?" : m.hasChatTemplate ? "yes" : "no"],
    ["file size", `${formatBytes(m.fileSize)} (${m.fileSize} bytes)`],
    ["GGUF version", String(m.ggufVersion ?? "?")],
    ["tensor types", Object.entries(m.tensorTypes).map(([t, n]) => `${t}×${n}`).join(", ") || "?"],
    ["fingerprint", m.fingerprint ?? "?"],
    ["sha256", m.sha256 ?? "(not computed; `polytune models hash`)"],
  ];
  if (m.error) rows.push(["error", formatErrorLine(m.error)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

async function withEngine<T>(opts: GlobalOptions, fn: (engine: PolytuneEngine) => Promise<T>): Promise<T> {
  const engine = await createEngine(opts.home ? { home: opts.home } : {});
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

export function buildProgram(): Command {
  const program = new Command()
    .name("polytune")
    .description("Offline multilingual instruction tuning: LoRA on local GGUF models, per-language evaluation.")
    .version(appVersion())
    .option("--home <dir>", "data folder (default: POLYTUNE_HOME or the OS's app-data folder)")
    .option("--json", "machine-readable output")
    .showHelpAfterError();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  program
    .command("demo")
    .description("run the main job, a complete small experiment on what Polytune ships: the micro-polyglot model, Mono vs Multi-3 (short LoRA runs), held-out prompts in 7 languages, base vs. each run per language, and the HTML report")
    .action(async () => {
      await withEngine(globals(), (engine) => runDemo(engine, { json: globals().json ?? false }));
    });

  program
    .command("serve")
    .description("serve the UI and the engine on 127.0.0.1 (for browsers, UI tests and SSH tunnels)")
    .option("--port <n>", "port (0 picks a free one)", int("--port"), 0)
    .action(async (o: { port: number }) => {
      const engine = await createEngine(globals().home ? { home: globals().home } : {});
      const rendererDir = fileURLToPath(new URL("../../renderer/", import.meta.url));
      if (!existsSync(join(rendererDir, "index.html"))) {
        await engine.close();
        throw new Error(`The UI is not built (${rendererDir}). Run \`npm run build\` first.`);
      }
      const server = await startServer({ engine, port: o.port, rendererDir });
      if (globals().json) out(true, { url: server.url, port: server.port, token: server.token, home: engine.home }, () => "");
      else process.stdout.write(`Polytune serving at ${server.url}\nData folder: ${engine.home}\nPress Ctrl+C to stop.\n`);
      const stop = async (): Promise<void> => {
        await server.close();
        await engine.close();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    });

  program
    .command("doctor")
    .description("show the backends this machine can use (CPU, CUDA, Vulkan, Metal) and why others cannot")
    .action(async () => {
      await withEngine(globals(), async (engine) => {
        const report = await engine.call("system.doctor", {});
        out(globals().json, report, () =>
          [
            `Polytune ${report.version} on ${report.platform}, Node ${report.node}, llama.cpp ${report.llamaCppRelease ?? "?"}`,
            `data folder: ${report.home}`,
            `database:    ${report.database}`,
            "backends:",
            ...report.backends.map((b) => `  ${b.available ? "✓" : "✗"} ${b.name.padEnd(6)} ${b.devices.length ? `${b.devices.join(", ")} — ` : ""}${b.reason}`),
            `LoRA trainer: ${report.trainer.available ? "✓" : "✗"} ${report.trainer.reason}`,
          ].join("\n"),
        );
      });
    });

  const models = program.command("models").description("the model library: GGUF files referenced where they are");
  models
    .command("add")
    .argument("<path>", "a .gguf file, or a folder to scan recursively")
    .description("add a model file or every model in a folder")
    .action(async (path: string) => {
      await withEngine(globals(), async (engine) => {
        const done = progressPrinter(engine, globals().json);
        const result = await engine.call("models.add", { path }).finally(done);
        out(globals().json, result, () =>
          [
            `Scanned ${result.scannedFiles} file(s): ${result.added.length} added, ${result.updated.length} updated, ${result.failed.length} failed.`,
            ...result.added.map((m) => `  + ${modelLine(m)}`),
            ...result.updated.map((m) => `  ~ ${modelLine(m)}`),
            ...result.failed.map((m) => `  ✗ ${m.error ? formatErrorLine(m.error) : m.path}`),
          ].join("\n"),
        );
        if (result.failed.length > 0 && result.added.length + result.updated.length === 0) process.exitCode = 1;
      });
    });
  models
    .command("list")
    .description("list the models in the library (rechecks that their files are still there)")
    .action(async () => {
      await withEngine(globals(), async (engine) => {
        const list = await engine.call("models.recheck", {});
        out(globals().json, list, () => (list.length ? list.map(modelLine).join("\n") : "No models yet. Add one with `polytune models add PATH` or `polytune models discover`."));
      });
    });
  models
    .command("show")
    .argument("<model>", "id, name or path")
    .description("everything read from a model file")
    .action(async (model: string) => {
      await withEngine(globals(), async (engine) => {
        const detail = await engine.call("models.get", { model });
        out(globals().json, detail, () => modelDetail(detail));
      });
    });
  models
    .command("rm")
    .argument("<model>", "id, name or path")
    .description("remove a model from the library (the file stays where it is)")
    .action(async (model: string) => {
      await withEngine(globals(), async (engine) => {
        const result = await engine.call("models.remove", { model });
        out(globals().json, result, () => (result.removed ? "Removed from the library; the file was not touched." : "Nothing removed."));
      });
    });
  models
    .command("discover")
    .description("add the models LM Studio, Ollama and the Hugging Face cache keep on this machine")
    .action(async () => {
      await withEngine(globals(), async (engine) => {
        const locations = await engine.call("models.discoveryLocations", {});
        const done = progressPrinter(engine, globals().json);
        const result = await engine.call("models.discover", {}).finally(done);
        out(globals().json, { locations, ...result }, () =>
          [
            ...locations.map((l) => `${l.exists ? "✓" : "·"} ${l.kind.padEnd(11)} ${l.path}${l.exists ? ` (${l.found} found)` : " (not present)"}`),
            `${result.added.length} added, ${result.updated.length} updated, ${result.failed.length} failed.`,
            ...result.failed.map((m) => `  ✗ ${m.error ? formatErrorLine(m.error) : m.path}`),
          ].join("\n"),
        );
      });
    });
  models
    .command("hash")
    .argument("<model>", "id, name or path")
    .description("compute the full SHA-256 of a model file")
    .action(async (model: string) => {
      await withEngine(globals(), async (engine) => {
        const done = progressPrinter(engine, globals().json);
        const m = await engine.call("models.hash", { model }).finally(done);
        out(globals().json, m, () => `${m.sha256}  ${m.path}`);
      });
    });
  models
    .command("estimate")
    .argument("<model>", "id, name or path")
    .description("estimated memory to run and to train a model (LoRA, or every weight with --method full)")
    .option("--context <n>", "inference context size", int("--context"), 4096)
    .option("--sequences <n>", "parallel sequences", int("--sequences"), 1)
    .option("--seq-len <n>", "training sequence length", int("--seq-len"), trainConfigDefaults.seqLen)
    .option("--batch <n>", "training batch (sequences)", int("--batch"), trainConfigDefaults.batchSize)
    .option("--rank <n>", "LoRA rank", int("--rank"), trainConfigDefaults.rank)
    .addOption(new Option("--base-weights <w>", "how training holds the base").choices(baseWeightModes).default(trainConfigDefaults.baseWeights))
    .addOption(new Option("--method <m>", "what training trains").choices(trainMethods).default(trainConfigDefaults.method))
    .action(async (model: string, o: { context: number; sequences: number; seqLen: number; batch: number; rank: number; baseWeights: BaseWeights; method: TrainMethod }) => {
      await withEngine(globals(), async (engine) => {
        const e = await engine.call("models.estimate", { model, contextSize: o.context, sequences: o.sequences, seqLen: o.seqLen, batch: o.batch, rank: o.rank, method: o.method, baseWeights: o.baseWeights });
        const t = e.training;
        out(globals().json, e, () =>
          [
            `Inference (context ${e.inference.contextSize} × ${e.inference.sequences}): ${formatBytes(e.inference.totalBytes)}`,
            `  weights ${formatBytes(e.inference.weightsBytes)}, KV cache ${formatBytes(e.inference.kvCacheBytes)}, compute ${formatBytes(e.inference.computeBytes)}`,
            ...(t.method === "full"
              ? [
                  `Full training (seq ${t.seqLen} × batch ${t.batch}, every weight in F32): ${formatBytes(t.totalBytes)}`,
                  `  weights ${formatBytes(t.baseBytes)}, gradients ${formatBytes(t.optimizerBytes / 3)}, Adam moments ${formatBytes((2 * t.optimizerBytes) / 3)}, activations ${formatBytes(t.activationBytes)}`,
                ]
              : [
                  `LoRA training (seq ${t.seqLen} × batch ${t.batch}, r ${t.rank}): ${formatBytes(t.totalBytes)}`,
                  `  base ${t.baseWeights === "f32" ? "F32" : "as stored"} ${formatBytes(t.baseBytes)}, LoRA ${formatBytes(t.loraBytes)}, optimizer ${formatBytes(t.optimizerBytes)}, activations ${formatBytes(t.activationBytes)}`,
                ]),
            ...e.notes.map((n) => `  · ${n}`),
          ].join("\n"),
        );
      });
    });
  models
    .command("try")
    .argument("<model>", "id, name or path (a path not yet in the library is added)")
    .description("greedy completion of a prompt, streamed")
    .requiredOption("--prompt <text>", "the prompt")
    .option("--max-tokens <n>", "tokens to generate", int("--max-tokens"), 64)
    .option("--repeat-penalty <x>", "repeat penalty (1 = off)", num("--repeat-penalty"), 1.1)
    .option("--cpu", "run on the CPU even if a GPU is available")
    .option("--adapter <file>", "apply a LoRA adapter (.gguf) on top of the model")
    .addOption(new Option("--format <f>", "wrap the prompt as in training").choices(["raw", ...promptFormats]).default("raw"))
    .action(async (model: string, o: { prompt: string; maxTokens: number; repeatPenalty: number; cpu?: boolean; adapter?: string; format: PromptFormat | "raw" }) => {
      await withEngine(globals(), async (engine) => {
        const requestId = `cli-${process.pid}`;
        const json = globals().json;
        const off = engine.onEvent((name, payload) => {
          if (!json && name === "try.token") process.stdout.write((payload as { text: string }).text);
        });
        const result = await engine.call("models.try", { model, prompt: o.prompt, maxTokens: o.maxTokens, repeatPenalty: o.repeatPenalty, gpu: o.cpu ? "cpu" : "auto", requestId, format: o.format, ...(o.adapter ? { adapter: o.adapter } : {}) }).finally(off);
        if (json) out(true, result, () => "");
        else process.stdout.write(`\n— ${result.tokens} tokens, ${result.tokensPerSecond.toFixed(1)} tokens/s on ${result.backend} (${result.stopReason})\n`);
      });
    });
  models
    .command("merge")
    .argument("<model>", "base model: id, name or path")
    .description("write base + LoRA adapter as one GGUF model (for tools that take no adapters)")
    .requiredOption("--adapter <file>", "the LoRA adapter (.gguf)")
    .requiredOption("--out <file>", "the merged model to write (.gguf)")
    .addOption(new Option("--type <t>", "tensor type of merged weights (source keeps the base's)").choices(mergedTypes).default(trainConfigDefaults.mergedType))
    .addOption(new Option("--backend <b>", "where to compute the merge").choices(trainBackends).default("auto"))
    .option("--add", "add the merged model to the library")
    .action(async (model: string, o: { adapter: string; out: string; type: MergedType; backend: TrainBackend; add?: boolean }) => {
      await withEngine(globals(), async (engine) => {
        const known = await engine.dispatch("models.get", { model }, "ipc");
        if (!globals().json) process.stderr.write(`Merging ${o.adapter} into ${known.ok ? known.value.path : model}…\n`);
        const result = await engine.call("models.merge", { model, adapter: o.adapter, out: o.out, type: o.type, backend: o.backend });
        const added = o.add ? (await engine.call("models.add", { path: o.out })).added[0] ?? null : null;
        out(globals().json, { ...result, modelId: added?.id ?? null }, () => `Wrote ${result.out} (merged on ${result.backend}, ${result.device})${added ? `; added to the library as ${added.id}` : ""}.`);
      });
    });
  models
    .command("make-tiny")
    .description("write a small random-weight GGUF model with a real tokenizer (for tests and demos)")
    .requiredOption("--out <file>", "output .gguf path")
    .addOption(new Option("--vocab <name>", "tokenizer").choices(tinyVocabs).default("llama-spm"))
    .addOption(new Option("--arch <name>", "architecture").choices(tinyArchs).default("llama"))
    .addOption(new Option("--type <t>", "weight type").choices(tinyWeightTypes).default("f32"))
    .option("--layers <n>", "transformer blocks", int("--layers"), 2)
    .option("--embd <n>", "embedding size", int("--embd"), 64)
    .option("--heads <n>", "attention heads", int("--heads"), 4)
    .option("--heads-kv <n>", "key/value heads (GQA)", int("--heads-kv"), 2)
    .option("--ff <n>", "feed-forward size (default 2×embd)", int("--ff"))
    .option("--head-dim <n>", "attention head size (default embd/heads; differs in Qwen3 0.6B, for one)", int("--head-dim"))
    .option("--biases", "biases on q, k, v, o and the feed-forward projections")
    .option("--seed <n>", "random seed", int("--seed"), 1)
    .action(async (o: { out: string; vocab: (typeof tinyVocabs)[number]; arch: (typeof tinyArchs)[number]; type: (typeof tinyWeightTypes)[number]; layers: number; embd: number; heads: number; headsKv: number; ff?: number; headDim?: number; biases?: boolean; seed: number }) => {
      const info = await withEngine(globals(), (engine) =>
        engine.call("models.makeTiny", {
          out: o.out, vocab: o.vocab, arch: o.arch, type: o.type, layers: o.layers, embd: o.embd, heads: o.heads, headsKv: o.headsKv, seed: o.seed,
          ...(o.ff ? { ff: o.ff } : {}), ...(o.headDim ? { headDim: o.headDim } : {}), ...(o.biases ? { biases: true } : {}),
        }),
      );
      out(globals().json, info, () => `Wrote ${info.path}: ${info.arch}, ${info.layers} layers, embedding ${info.embd}, ${info.heads}/${info.headsKv} heads of ${info.headDim}, ${info.vocabSize}-token ${info.vocab} vocabulary, ${formatCount(info.parameters)} parameters (${info.type}).`);
    });
  registerTrainCommands(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerPretrainCommand(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerDataCommands(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerTranslateCommands(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerMixCommands(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerScoreCommand(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerEvalCommand(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerExperimentCommand(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  registerCompareCommand(program, { withEngine: (fn) => withEngine(globals(), fn), json: () => globals().json ?? false });
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version" || code === "commander.help") return;
    if (typeof code === "string" && code.startsWith("commander.")) {
      process.exitCode = (error as { exitCode?: number }).exitCode ?? 1;
      return;
    }
    const shape = toErrorShape(error);
    if (program.opts<GlobalOptions>().json) process.stdout.write(`${JSON.stringify({ error: shape })}\n`);
    process.stderr.write(`polytune: ${formatErrorLine(shape)}\n`);
    process.exitCode = 1;
  }
}
