import { Command } from "commander";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { registerTrainCommands } from "../../../electron/cli/registerTrainCommands.js";
import { addTrainSettingOptions, trainConfigFromCommand } from "../../../electron/cli/trainSettingOptions.js";
import { TrainConfigSchema, trainConfigDefaults, trainSettingNames } from "../../../electron/shared/contract.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { trainSettings, type TrainSetting } from "../../../electron/shared/trainSettings.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

/** The `train` command exactly as `polytune` registers it (its action is never run here). */
function registeredTrainCommand(): Command {
  const program = new Command("polytune");
  registerTrainCommands(program, {
    withEngine: () => Promise.reject(new Error("the engine is not used by these tests")),
    json: () => false,
  });
  const train = program.commands.find((c) => c.name() === "train");
  if (!train) throw new Error("no train command");
  return train;
}

/** Parses `args` with the train command's options, as the CLI would, and returns the run's settings. */
function parse(args: string[], file?: string): ReturnType<typeof trainConfigFromCommand> {
  const command = addTrainSettingOptions(new Command("train").exitOverride().configureOutput({ writeErr: () => {} }));
  command.parse(args, { from: "user" });
  return trainConfigFromCommand(command, file);
}

/** A valid value for a setting that is not its default, as typed on the command line and as parsed. */
function sample(s: TrainSetting): { typed: string[]; value: unknown } {
  switch (s.kind) {
    case "boolean":
      return { typed: [], value: s.default !== true };
    case "choice": {
      const value = s.choices!.find((c) => c !== s.default)!;
      return { typed: [value], value };
    }
    case "list": {
      // A list of choices takes two of them; a free list (files) two values of its own.
      const value = s.choices ? s.choices.slice(0, 2) : [`${s.name}-a.txt`, `${s.name}-b.jsonl`];
      return { typed: [value.join(",")], value };
    }
    case "integer":
    case "number": {
      const low = s.min ? s.min.value + 1 : 2;
      const value = s.max && low >= s.max.value ? (s.kind === "integer" ? s.max.value - (s.max.exclusive ? 1 : 0) : (s.max.value + (s.min?.value ?? 0)) / 2) : low;
      return { typed: [String(value)], value };
    }
    case "text":
      return { typed: [`${s.name}-value`], value: `${s.name}-value` };
  }
}

describe("train command flags derived from the contract", () => {
  it("give every run setting a flag, and no flag without a setting", () => {
    const train = registeredTrainCommand();
    const longs = train.options.map((o) => o.long).filter((l) => l !== "--help");
    expect(trainSettings.map((s) => s.name)).toEqual(trainSettingNames);
    expect(trainSettingNames).toEqual(Object.keys(TrainConfigSchema.shape));
    for (const s of trainSettings) expect(longs, `run setting "${s.name}" has no flag`).toContain(s.kind === "boolean" && s.default === true ? `--no-${s.flag}` : `--${s.flag}`);
    expect(longs).toHaveLength(trainSettingNames.length);
  });

  it("keep the flags users already type, among them the ones that are not the field's kebab-case", () => {
    const longs = registeredTrainCommand().options.map((o) => o.long);
    const existing = ["--model", "--data", "--format", "--steps", "--epochs", "--lr", "--schedule", "--warmup", "--rank", "--alpha", "--rslora", "--dropout", "--base-weights", "--targets", "--backend", "--device", "--merged-out", "--merged-type", "--seq-len", "--batch", "--grad-accum", "--token-budget", "--val-data", "--val-fraction", "--eval-every", "--checkpoint-every", "--weight-decay", "--grad-clip", "--threads", "--name", "--seed", "--no-mask-prompt", "--out"];
    for (const flag of existing) expect(longs).toContain(flag);
    // The AdamW moments had no flag before.
    for (const flag of ["--beta1", "--beta2", "--eps"]) expect(longs).toContain(flag);
  });

  it("set each setting from its flag, every one of them, leaving the others at the schema's defaults", () => {
    for (const s of trainSettings) {
      if (s.name === "model" || s.name === "data") continue;
      const { typed, value } = sample(s);
      const flag = s.kind === "boolean" && s.default === true ? `--no-${s.flag}` : `--${s.flag}`;
      const config = parse(["--model", "m", "--data", "d.jsonl", flag, ...typed]);
      expect(config[s.name], `${flag} ${typed.join(" ")}`).toEqual(value);
      const expected = TrainConfigSchema.parse({ model: "m", data: "d.jsonl", [s.name]: value });
      expect(config).toEqual(expected);
    }
    expect(parse(["--model", "m", "--data", "d.jsonl"])).toEqual({ model: "m", data: "d.jsonl", ...trainConfigDefaults });
  });

  it("read the AdamW moments and epsilon, which had no flag", () => {
    const config = parse(["--model", "m", "--data", "d.jsonl", "--beta1", "0.8", "--beta2", "0.99", "--eps", "1e-6"]);
    expect(config).toMatchObject({ beta1: 0.8, beta2: 0.99, eps: 1e-6 });
  });

  it("show the contract's defaults, choices and ranges in help", () => {
    // Help is wrapped to the terminal; compare it as one line.
    const help = registeredTrainCommand().helpInformation().replace(/\s+/g, " ");
    expect(help).toMatch(new RegExp(`r ${trainConfigDefaults.rank}, α ${trainConfigDefaults.alpha}, LR 1e-5\\)`));
    expect(trainConfigDefaults.lr).toBe(1e-5);
    expect(help).toMatch(/--lr <x> peak learning rate \(the schedule scales it per step\) \(above 0, at most 1\) \(default: 1e-5\)/);
    expect(help).toMatch(/--schedule <name> learning-rate schedule \(choices: "constant", "linear", "cosine", "inverse-sqrt", default: constant\)/);
    expect(help).toMatch(/--no-mask-prompt compute the loss on the whole sequence/);
    expect(help).toMatch(/--dropout <p> LoRA dropout: [^(]*\(at least 0, below 1\) \(default: 0\)/);
  });

  it("let flags override a run file, and name the file when a setting in it is wrong", () => {
    const file = join(tmp.dir, "run.json");
    writeFileSync(file, JSON.stringify({ model: "m", data: "d.jsonl", lr: 1e-3, rank: 8, schedule: "cosine" }));
    expect(parse(["--rank", "16"], file)).toMatchObject({ lr: 1e-3, rank: 16, schedule: "cosine" });

    writeFileSync(file, JSON.stringify({ model: "m", data: "d.jsonl", warmup: 10 }));
    const unknown = (() => {
      try {
        parse([], file);
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(PolytuneError);
    expect(unknown).toMatchObject({ code: "invalid-run", where: file, message: expect.stringMatching(/Unrecognized key: "warmup" \("warmup" is written "warmupSteps" in a run file\)/) });

    writeFileSync(file, "[1, 2]");
    expect(() => parse([], file)).toThrow(/one JSON object of run settings/);
  });

  it("refuse a wrong value in plain words naming the flag", () => {
    expect(() => parse(["--targets", "q,attn"])).toThrow(/--targets: "attn" is not one of q, k, v, o, gate, up, down, output/);
    expect(() => parse(["--batch", "2.5"])).toThrow(/--batch must be an integer/);
    expect(() => parse(["--schedule", "step"])).toThrow(/Allowed choices are constant, linear, cosine, inverse-sqrt/);
    expect(() => parse(["--model", "m", "--data", "d.jsonl", "--batch", "0"])).toThrow(/batchSize: Too small.*\(--batch\)/);
  });
});
