// The Runs form, described once per run setting: which control edits it, in which view, and how a
// typed value is read and checked against the contract's own schema (so the form and the engine
// accept exactly the same values).
import type { z } from "zod";
import { trainSettings } from "../../../../electron/shared/trainSettings.js";
import { TrainConfigSchema, trainSettingNames, type TrainConfigInput, type TrainSettingName } from "../../../../electron/shared/contract.js";
import { strings } from "../../i18n/strings.js";

const s = strings.runs;
export const fieldGroups = ["data", "training", "adapter", "optimizer", "compute", "output"] as const;
export type FieldGroup = (typeof fieldGroups)[number];
/** `paths`: a list of files typed as one comma-separated line. */
export type FieldKind = "model" | "mix" | "path" | "paths" | "text" | "number" | "choice" | "flag" | "targets";
export interface FieldSpec {
  kind: FieldKind;
  /** Basic shows the four settings that decide a run; everything else is in Advanced. */
  view: "basic" | "advanced";
  /** The advanced view's section. */
  group: FieldGroup;
  /** The number input's step ("any" for real numbers). */
  step?: string;
}

/** Every setting of TrainConfigSchema has an entry; the type and a unit test both insist. */
export const runFormFields: Record<TrainSettingName, FieldSpec> = {
  model: { kind: "model", view: "basic", group: "data" },
  method: { kind: "choice", view: "basic", group: "training" },
  data: { kind: "path", view: "basic", group: "data" },
  // Raw text for pretraining, the third source (dataSource).
  text: { kind: "paths", view: "basic", group: "data" },
  // A saved mix instead of the data file: the form offers one or the other (dataSource).
  mix: { kind: "mix", view: "basic", group: "data" },
  steps: { kind: "number", view: "basic", group: "training" },
  lr: { kind: "number", view: "basic", group: "training", step: "any" },
  name: { kind: "text", view: "advanced", group: "output" },
  format: { kind: "choice", view: "advanced", group: "data" },
  validationData: { kind: "path", view: "advanced", group: "data" },
  validationFraction: { kind: "number", view: "advanced", group: "data", step: "0.01" },
  schedule: { kind: "choice", view: "advanced", group: "training" },
  warmupSteps: { kind: "number", view: "advanced", group: "training" },
  epochs: { kind: "number", view: "advanced", group: "training", step: "any" },
  rank: { kind: "number", view: "advanced", group: "adapter" },
  alpha: { kind: "number", view: "advanced", group: "adapter", step: "any" },
  rslora: { kind: "flag", view: "advanced", group: "adapter" },
  dropout: { kind: "number", view: "advanced", group: "adapter", step: "0.01" },
  targets: { kind: "targets", view: "advanced", group: "adapter" },
  seqLen: { kind: "number", view: "advanced", group: "data" },
  batchSize: { kind: "number", view: "advanced", group: "training" },
  tokenBudget: { kind: "number", view: "advanced", group: "training" },
  gradAccum: { kind: "number", view: "advanced", group: "training" },
  maskPrompt: { kind: "flag", view: "advanced", group: "data" },
  baseWeights: { kind: "choice", view: "advanced", group: "compute" },
  weightDecay: { kind: "number", view: "advanced", group: "optimizer", step: "any" },
  beta1: { kind: "number", view: "advanced", group: "optimizer", step: "any" },
  beta2: { kind: "number", view: "advanced", group: "optimizer", step: "any" },
  eps: { kind: "number", view: "advanced", group: "optimizer", step: "any" },
  gradClip: { kind: "number", view: "advanced", group: "optimizer", step: "any" },
  seed: { kind: "number", view: "advanced", group: "training" },
  backend: { kind: "choice", view: "advanced", group: "compute" },
  device: { kind: "number", view: "advanced", group: "compute" },
  threads: { kind: "number", view: "advanced", group: "compute" },
  checkpointEvery: { kind: "number", view: "advanced", group: "output" },
  evalEvery: { kind: "number", view: "advanced", group: "output" },
  mergedOut: { kind: "path", view: "advanced", group: "output" },
  mergedType: { kind: "choice", view: "advanced", group: "output" },
  quantize: { kind: "choice", view: "advanced", group: "output" },
  out: { kind: "path", view: "advanced", group: "output" },
};

/** What the form holds: text as typed (so "0" stays visible next to its error), flags, the target list. */
export type FieldValue = string | boolean | string[];
export type RunFormValues = Record<TrainSettingName, FieldValue>;

const shape = TrainConfigSchema.shape as Record<TrainSettingName, z.ZodType>;

interface NumberRange {
  integer: boolean;
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
}

const settingOf = (key: TrainSettingName) => trainSettings.find((s) => s.name === key)!;

/** A numeric setting's allowed range, as the contract's setting table describes it. */
export function numberRange(key: TrainSettingName): NumberRange {
  const setting = settingOf(key);
  const bound = (b: { value: number; exclusive: boolean } | undefined) => (b && Math.abs(b.value) < 1e15 ? b : undefined);
  const min = bound(setting.min);
  const max = bound(setting.max);
  return {
    integer: setting.kind === "integer",
    ...(min ? { min: min.value, minExclusive: min.exclusive } : {}),
    ...(max ? { max: max.value, maxExclusive: max.exclusive } : {}),
  };
}

/** The range in words: "a whole number from 1 to 1024", "a number above 0, at most 1". */
export function rangeText(key: TrainSettingName): string {
  return s.check.range(numberRange(key));
}

/** The choices of an enum setting, in the schema's order. */
export function choicesOf(key: TrainSettingName): readonly string[] {
  return settingOf(key).choices ?? [];
}

/** A typed value as the schema's input; undefined for an empty optional field. */
function inputOf(key: TrainSettingName, value: FieldValue): unknown {
  const kind = runFormFields[key].kind;
  if (kind === "number") {
    const text = String(value).trim();
    return text === "" ? undefined : Number(text);
  }
  if (kind === "path" || kind === "text" || kind === "model" || kind === "mix" || kind === "choice") {
    const text = String(value).trim();
    return text === "" ? undefined : text;
  }
  if (kind === "paths") {
    const list = (Array.isArray(value) ? value : String(value).split(",")).map((p) => String(p).trim()).filter((p) => p !== "");
    return list.length === 0 ? undefined : list;
  }
  return value;
}

/** One field checked on its own, as it is typed: null when fine, else a sentence naming the field and what it accepts. */
export function fieldError(key: TrainSettingName, value: FieldValue): string | null {
  const input = inputOf(key, value);
  const label = s.fields[key].label;
  if (input === undefined) {
    // The schema lets either be absent (exactly one is given); the form asks for the one chosen.
    if (key === "mix") return s.check.noMix;
    if (key === "data") return s.check.required(label);
    if (key === "text") return s.check.noText;
    return shape[key].safeParse(undefined).success ? null : s.check.required(label);
  }
  if (typeof input === "number" && !Number.isFinite(input)) return s.check.notANumber(label, rangeText(key));
  const parsed = shape[key].safeParse(input);
  if (parsed.success) return null;
  if (runFormFields[key].kind === "number") return s.check.outOfRange(label, rangeText(key));
  if (runFormFields[key].kind === "targets") return s.check.noTargets;
  return s.check.invalid(label);
}

/** What a run trains on: a data file, a saved mix or raw text files (exactly one; the schema lets each be absent). */
export const dataSources = ["data", "mix", "text"] as const;
export type DataSource = (typeof dataSources)[number];

/** The source the values choose: a mix once one is picked, raw text once files are typed, else the data file. */
export const dataSourceOf = (values: Partial<Pick<RunFormValues, "mix" | "text">>): DataSource =>
  String(values.mix ?? "").trim() ? "mix" : inputOf("text", values.text ?? "") !== undefined ? "text" : "data";

/** Settings a full-parameter run does not use (it trains every weight in F32 and writes the model itself). */
export const loraOnlySettings: readonly TrainSettingName[] = ["targets", "rank", "alpha", "rslora", "dropout", "baseWeights", "mergedOut"];

/** The settings the form asks for with this source and method: not the other sources, nor LoRA's in full mode. */
export function formSettings(source: DataSource, method: string = "lora"): TrainSettingName[] {
  return trainSettingNames.filter((k) => !((dataSources as readonly string[]).includes(k) && k !== source) && !(method === "full" && loraOnlySettings.includes(k)));
}

/** The run configuration the form describes, or the fields that stop it. */
export function configFromForm(values: RunFormValues, source: DataSource = dataSourceOf(values)): { config: TrainConfigInput | null; errors: Partial<Record<TrainSettingName, string>> } {
  const errors: Partial<Record<TrainSettingName, string>> = {};
  const config: Record<string, unknown> = {};
  for (const key of formSettings(source, String(values.method))) {
    const error = fieldError(key, values[key]);
    if (error) errors[key] = error;
    const input = inputOf(key, values[key]);
    if (input !== undefined) config[key] = input;
  }
  if (Object.keys(errors).length > 0) return { config: null, errors };
  const parsed = TrainConfigSchema.safeParse(config);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as TrainSettingName | undefined;
      if (key && key in runFormFields) errors[key] = s.check.invalid(s.fields[key].label);
    }
    return { config: null, errors };
  }
  return { config: config as TrainConfigInput, errors };
}

/** A stored or default configuration as form values (a duplicated run, the defaults, a preset). */
export function formValuesFrom(config: Partial<TrainConfigInput>): RunFormValues {
  const defaults = TrainConfigSchema.partial().parse({}) as Record<string, unknown>;
  const values = {} as RunFormValues;
  for (const key of trainSettingNames) {
    const value = (config as Record<string, unknown>)[key] ?? defaults[key];
    const kind = runFormFields[key].kind;
    values[key] =
      kind === "flag" ? Boolean(value) : kind === "targets" ? [...((value as string[] | undefined) ?? [])] : kind === "paths" ? ((value as string[] | undefined) ?? []).join(", ") : value === undefined ? "" : String(value);
  }
  return values;
}
