// `polytune pretrain`: a model from scratch: the initial model (scaled init, vocabulary trimmed on the
// text), then a full-parameter run on the raw text that writes the trained model to --out.
import { type Command, Option } from "commander";
import { rmSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { tinyArchs, tinyVocabs, TrainConfigSchema, type Run, type TrainConfig, type TrainSettingName } from "../shared/contract.js";
import { formatCount } from "../shared/formatQuantities.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { tinyShapeProblem, type TinyShapeField } from "../shared/tinyShapeProblem.js";
import { formatSettingValue, trainSettings } from "../shared/trainSettings.js";
import { intOption } from "./parseOptionNumber.js";
import { follow, report, type TrainCliDeps } from "./registerTrainCommands.js";
import { optionFor } from "./trainSettingOptions.js";

/** The run settings `pretrain` offers, with the defaults that differ for a model trained from scratch. */
const runOptions: ReadonlyArray<{ name: TrainSettingName; default?: unknown }> = [
  { name: "lr", default: 1e-3 },
  { name: "schedule", default: "cosine" },
  { name: "warmupSteps" },
  { name: "batchSize" },
  { name: "seqLen" },
  { name: "gradAccum" },
  { name: "seed" },
  { name: "threads" },
  { name: "backend" },
  { name: "validationFraction" },
  { name: "quantize" },
  { name: "name" },
];

interface PretrainOptions {
  arch: (typeof tinyArchs)[number];
  layers: number;
  embd: number;
  heads: number;
  headsKv?: number;
  ff?: number;
  vocab: (typeof tinyVocabs)[number];
  vocabSize?: number;
  ctx: number;
  data: string[];
  tokens: number;
  out: string;
}

const collectFiles = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(",").map((f) => f.trim()).filter((f) => f !== "")];

function refuse(message: string, where: string, hint: string): never {
  throw new PolytuneError("invalid-pretrain", message, { where, hint });
}

const kindAt = (path: string): "file" | "folder" | null => {
  try {
    const info = statSync(path);
    return info.isFile() ? "file" : info.isDirectory() ? "folder" : null;
  } catch {
    return null;
  }
};
const isFileAt = (path: string): boolean => kindAt(path) === "file";
const isFolder = (path: string): boolean => kindAt(path) === "folder";

/** `pretrain`'s flag for a field of the model's shape: headsKv → --heads-kv. */
const flagOf = (field: TinyShapeField): string => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Everything `pretrain` can check before it opens the engine: shapes, sizes, the files' names. */
function checkRequest(o: PretrainOptions, seqLen: number): void {
  const shape = tinyShapeProblem({ layers: o.layers, embd: o.embd, heads: o.heads, headsKv: o.headsKv ?? o.heads, ff: o.ff, vocab: o.vocab, vocabSize: o.vocabSize }, flagOf);
  if (shape) refuse(shape.message, flagOf(shape.field), shape.hint);
  if (seqLen > o.ctx) refuse(`--seq-len ${seqLen} is longer than the model's context (--ctx ${o.ctx}).`, "--seq-len", "Give a --seq-len up to --ctx, or a larger --ctx.");
  if (o.tokens < seqLen) refuse(`--tokens ${o.tokens} is less than one window of ${seqLen} tokens.`, "--tokens", "Train on at least --seq-len tokens.");
  for (const file of o.data) {
    const ext = extname(file).toLowerCase();
    if (ext !== ".txt" && ext !== ".jsonl") refuse(`${basename(file)} is neither a .txt nor a .jsonl file.`, file, 'Give plain text as .txt (one document per file) or .jsonl (one {"text": "…"} per line).');
    if (!isFileAt(file)) refuse(`${basename(file)} does not exist or is not a file.`, file, "Check the path of --data.");
  }
  if (extname(o.out).toLowerCase() !== ".gguf") refuse("--out must name a .gguf file.", o.out, "Name the model to write, e.g. --out model.gguf.");
  // Found out only at the end of the run otherwise, after all the training.
  if (!isFolder(dirname(resolve(o.out)))) refuse(`The folder of --out (${dirname(resolve(o.out))}) does not exist.`, o.out, "Create the folder first, or write the model elsewhere.");
}

/** The run's settings but its model (written later), checked by the contract before anything is written. */
function runSettings(command: Command, options: ReadonlyMap<TrainSettingName, Option>, o: PretrainOptions, seqLen: number): Omit<TrainConfig, "model"> {
  const settings: Record<string, unknown> = { method: "full", text: o.data.map((f) => resolve(f)), out: resolve(o.out), seqLen };
  for (const [name, option] of options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    if (value !== undefined && name !== "seqLen") settings[name] = value;
  }
  const tokensPerStep = Number(settings.batchSize ?? 1) * seqLen * Number(settings.gradAccum ?? 1);
  settings.steps = Math.ceil(o.tokens / tokensPerStep);
  const parsed = TrainConfigSchema.omit({ model: true }).safeParse(settings);
  if (!parsed.success) throw new PolytuneError("invalid-pretrain", parsed.error.issues.map((i) => `${i.path.join(".") || "run"}: ${i.message}`).join("; "), { hint: "See `polytune pretrain --help`." });
  return parsed.data;
}

export function registerPretrainCommand(program: Command, deps: TrainCliDeps): void {
  const command = program
    .command("pretrain")
    .description("train a new model from scratch on raw text: a scaled-initialised model (vocabulary optionally trimmed on the text), then every weight trained; writes the model to --out")
    .addOption(new Option("--arch <name>", "architecture").choices(tinyArchs).default("llama"))
    .requiredOption("--layers <n>", "transformer blocks", intOption("--layers"))
    .requiredOption("--embd <n>", "embedding size", intOption("--embd"))
    .requiredOption("--heads <n>", "attention heads", intOption("--heads"))
    .option("--heads-kv <n>", "key/value heads (GQA; default: --heads)", intOption("--heads-kv"))
    .option("--ff <n>", "feed-forward size (default 2×embd)", intOption("--ff"))
    .addOption(new Option("--vocab <name>", "tokenizer").choices(tinyVocabs).default("llama-spm"))
    .option("--vocab-size <n>", "trim the llama-spm vocabulary to this many tokens, the pieces most frequent in --data", intOption("--vocab-size"))
    .option("--ctx <n>", "the model's context length", intOption("--ctx"), 512)
    .requiredOption("--data <files>", "training text: .txt (one document) or .jsonl (one {\"text\"} per line); repeat the flag or separate by commas", collectFiles)
    .requiredOption("--tokens <n>", "tokens to train on (steps = tokens / (batch × seq-len × grad-accum), rounded up)", intOption("--tokens"))
    .requiredOption("--out <file>", "the trained model to write (.gguf)");
  const options = new Map<TrainSettingName, Option>();
  for (const { name, default: value } of runOptions) {
    const option = optionFor(trainSettings.find((s) => s.name === name)!);
    if (name === "seqLen") {
      option.default(undefined);
      option.description += " (default: --ctx)";
    } else if (value !== undefined) option.default(value, formatSettingValue(value));
    command.addOption(option);
    options.set(name, option);
  }
  command.action(async (o: PretrainOptions & { seqLen?: number }) => {
    const seqLen = o.seqLen ?? o.ctx;
    checkRequest(o, seqLen);
    const settings = runSettings(command, options, o, seqLen);
    const name = basename(o.out, extname(o.out));
    await deps.withEngine(async (engine) => {
      const json = deps.json();
      // Every document is read before anything is written: a bad line is refused here, not by the run.
      const text = await engine.call("data.checkText", { files: settings.text ?? [] });
      // Each token holds at least one byte, besides BOS, EOS and a leading space piece per document.
      const mostTokens = text.bytes + 3 * text.documents;
      if (mostTokens < seqLen) {
        refuse(`The text is too short for one window of ${seqLen} tokens: ${text.documents} document${text.documents === 1 ? "" : "s"} of ${formatCount(text.bytes)} bytes in all make at most ${mostTokens} tokens.`, "--data", "Give more text, or a shorter --seq-len (or --ctx).");
      }
      // The initial model lives in the data folder with the generated models: the run refers to it by
      // path, so it must outlast the command for `runs resume`, and --out's folder gets only the result.
      const { modelsDir } = await engine.call("app.info", {});
      const initPath = join(modelsDir, `${name}-${Date.now().toString(36)}.init.gguf`);
      const config: TrainConfig = { ...settings, model: initPath };
      if (!json) process.stderr.write(`Writing the initial model (${o.arch}, ${o.layers} layers, embedding ${o.embd}${o.vocabSize ? `, vocabulary trimmed to ${o.vocabSize} on the text` : ""})…\n`);
      const info = await engine.call("models.makeTiny", {
        out: initPath,
        arch: o.arch,
        vocab: o.vocab,
        layers: o.layers,
        embd: o.embd,
        heads: o.heads,
        headsKv: o.headsKv ?? o.heads,
        ...(o.ff !== undefined ? { ff: o.ff } : {}),
        contextLength: o.ctx,
        init: "scaled",
        ...(o.vocabSize !== undefined ? { vocabSize: o.vocabSize, vocabFrom: config.text } : {}),
        seed: config.seed,
        // The trained model copies this header, so it carries the model's name; the library tells the initial one apart.
        name,
      });
      if (!json) {
        const tokensPerStep = config.batchSize * seqLen * config.gradAccum;
        process.stderr.write(`Initial model ${info.path}: ${formatCount(info.parameters)} parameters, ${info.vocabSize}-token vocabulary.\n`);
        process.stderr.write(`Training every weight for ${config.steps} steps of ${formatCount(tokensPerStep)} tokens (${config.batchSize} × ${seqLen} × ${config.gradAccum}) into ${dirname(resolve(o.out))}.\n`);
      }
      let run: Run;
      let initId: string | undefined;
      try {
        const added = await engine.call("models.add", { path: initPath, name: `${name} (initial weights)` });
        initId = (added.added[0] ?? added.updated[0] ?? added.failed[0])?.id;
        run = await engine.call("runs.start", config);
      } catch (error) {
        // A run that never started leaves nothing behind: its initial model leaves the library and the disk.
        if (initId !== undefined) await engine.call("models.remove", { model: initId });
        rmSync(initPath, { force: true });
        throw error;
      }
      if (!json) process.stderr.write(`Run ${run.id} started (${run.name}).\n`);
      report(await follow(engine, run, json), json);
    });
  });
}
