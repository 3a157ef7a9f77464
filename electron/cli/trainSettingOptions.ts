import { type Command, InvalidArgumentError, Option } from "commander";
import { readFileSync } from "node:fs";
import { TrainConfigSchema, type TrainConfig } from "../shared/contract.js";
import { PolytuneError } from "../shared/PolytuneError.js";
import { describeRange, formatSettingValue, trainSettings, type TrainSetting } from "../shared/trainSettings.js";
import { intOption, numberOption } from "./parseOptionNumber.js";

const listOption = (flag: string, choices: readonly string[] | undefined) => (value: string): string[] => {
  const items = value.split(",").map((t) => t.trim()).filter((t) => t !== "");
  const unknown = choices ? items.filter((t) => !choices.includes(t)) : [];
  if (unknown.length > 0) throw new InvalidArgumentError(`${flag}: ${unknown.map((t) => `"${t}"`).join(", ")} is not one of ${choices?.join(", ")}.`);
  return items;
};

/** The setting's flag as typed: `--no-…` for a switch that is on by default. */
function flagOf(s: TrainSetting): string {
  return s.kind === "boolean" && s.default === true ? `--no-${s.flag}` : `--${s.flag}`;
}

/** The `train` flag of one run setting: its help, choices, parser and default, all from the contract. */
export function optionFor(s: TrainSetting): Option {
  const flag = flagOf(s);
  const range = describeRange(s);
  const help = s.kind === "boolean" && s.default === true ? (s.offHelp ?? `turn off: ${s.help}`) : `${s.help}${range ? ` (${range})` : ""}${s.kind === "list" && s.choices ? ` (of: ${s.choices.join(",")})` : ""}`;
  const option = new Option(s.kind === "boolean" ? flag : `${flag} <${s.value}>`, help);
  if (s.kind === "choice" && s.choices) option.choices(s.choices);
  if (s.kind === "integer") option.argParser(intOption(flag));
  if (s.kind === "number") option.argParser(numberOption(flag));
  if (s.kind === "list") option.argParser(listOption(flag, s.choices));
  // Shown in help only: values not typed on the command line are left to the run file and the schema.
  if (s.default !== undefined && s.kind !== "boolean") option.default(s.default, formatSettingValue(s.default));
  return option;
}

/** Adds one option per run setting to `command` (the `train` command): every field of TrainConfigSchema has its flag. */
export function addTrainSettingOptions(command: Command): Command {
  for (const s of trainSettings) command.addOption(optionFor(s));
  return command;
}

/** The setting each of `command`'s options sets, by the option's attribute name. */
function settingsByAttribute(command: Command): Map<string, TrainSetting> {
  const byFlag = new Map(trainSettings.map((s) => [flagOf(s), s]));
  const map = new Map<string, TrainSetting>();
  for (const option of command.options) {
    const s = option.long ? byFlag.get(option.long) : undefined;
    if (s) map.set(option.attributeName(), s);
  }
  return map;
}

function readRunFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PolytuneError("run-file", `The run file cannot be read: ${(error as Error).message}.`, { where: file });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new PolytuneError("run-file", "The run file must hold one JSON object of run settings.", { where: file, hint: "See `polytune train --help` for the settings." });
  }
  return parsed as Record<string, unknown>;
}

/**
 * The run's settings from a parsed `train` command: the run file if any, overridden by the flags typed
 * on the command line, checked against the schema (one line naming each wrong field).
 */
export function trainConfigFromCommand(command: Command, file?: string): TrainConfig {
  const settings: Record<string, unknown> = file ? readRunFile(file) : {};
  const typed = new Set<string>();
  for (const [attribute, s] of settingsByAttribute(command)) {
    if (command.getOptionValueSource(attribute) !== "cli") continue;
    settings[s.name] = command.getOptionValue(attribute);
    typed.add(s.name);
  }
  const parsed = TrainConfigSchema.safeParse(settings);
  if (!parsed.success) {
    const flagOfField = new Map(trainSettings.map((s) => [s.name as string, flagOf(s)]));
    // A run file written with flag names ("warmup", "seq-len") is told each field's name.
    const fieldOfFlag = new Map(trainSettings.filter((s) => s.flag !== s.name).map((s) => [s.flag, s.name as string]));
    const issues = parsed.error.issues.map((i) => {
      const field = String(i.path[0] ?? "");
      const flag = flagOfField.get(field);
      const renamed = i.code === "unrecognized_keys" ? i.keys.filter((k) => fieldOfFlag.has(k)).map((k) => ` ("${k}" is written "${fieldOfFlag.get(k)}" in a run file)`).join("") : "";
      return `${i.path.join(".") || "run"}: ${i.message}${renamed}${flag && flag !== `--${field}` ? ` (${flag})` : ""}`;
    });
    // The run file is named when what is wrong came from it, not from a flag.
    const fromFile = file !== undefined && parsed.error.issues.some((i) => !typed.has(String(i.path[0] ?? "")));
    throw new PolytuneError("invalid-run", issues.join("; "), { ...(fromFile ? { where: file } : {}), hint: "See `polytune train --help`." });
  }
  return parsed.data;
}
