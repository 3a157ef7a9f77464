// Each run setting described from TrainConfigSchema alone (via its JSON schema): kind, choices,
// range, default, help and CLI flag, so the CLI and the Runs form never restate them.
import { z } from "zod";
import { TrainConfigSchema, trainSettingNames, type TrainSettingName } from "./contract.js";

export type TrainSettingKind = "text" | "integer" | "number" | "boolean" | "choice" | "list";

export interface TrainSetting {
  name: TrainSettingName;
  /** The CLI flag without its dashes: the field in kebab-case unless the schema names another. */
  flag: string;
  help: string;
  /** For a switch on by default: what turning it off does. */
  offHelp?: string;
  kind: TrainSettingKind;
  /** What the value is called in help (`--data <file>`). */
  value: string;
  /** The allowed values of a choice, or of each item of a list. */
  choices?: readonly string[];
  min?: { value: number; exclusive: boolean };
  max?: { value: number; exclusive: boolean };
  /** Absent where the setting has none (it is required, or optional without one). */
  default?: unknown;
  required: boolean;
}

interface JsonProperty {
  type?: string;
  enum?: string[];
  items?: JsonProperty;
  default?: unknown;
  description?: string;
  flag?: string;
  value?: string;
  offHelp?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

// zod writes ±MAX_SAFE_INTEGER as the bounds of an unbounded int: no bound for a person.
function bound(inclusive: number | undefined, exclusive: number | undefined): TrainSetting["min"] {
  if (exclusive !== undefined) return { value: exclusive, exclusive: true };
  if (inclusive !== undefined && Math.abs(inclusive) < Number.MAX_SAFE_INTEGER) return { value: inclusive, exclusive: false };
  return undefined;
}

function describe(name: TrainSettingName, p: JsonProperty, required: boolean): TrainSetting {
  if (!p.description) throw new Error(`Run setting "${name}" has no description in TrainConfigSchema.`);
  const kind: TrainSettingKind | undefined =
    p.type === "array" ? "list" : p.enum ? "choice" : p.type === "string" ? "text" : p.type === "integer" ? "integer" : p.type === "number" ? "number" : p.type === "boolean" ? "boolean" : undefined;
  if (!kind) throw new Error(`Run setting "${name}" has a type (${String(p.type)}) the CLI and the form cannot offer.`);
  const choices = kind === "list" ? p.items?.enum : p.enum;
  const min = bound(p.minimum, p.exclusiveMinimum);
  const max = bound(p.maximum, p.exclusiveMaximum);
  const value = p.value ?? (kind === "integer" ? "n" : kind === "number" ? "x" : kind === "list" ? "list" : kind === "choice" ? "name" : "text");
  return {
    name,
    flag: p.flag ?? kebab(name),
    help: p.description,
    kind,
    value,
    required,
    ...(p.offHelp ? { offHelp: p.offHelp } : {}),
    ...(choices ? { choices } : {}),
    ...(min ? { min } : {}),
    ...(max ? { max } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
  };
}

const jsonSchema = z.toJSONSchema(TrainConfigSchema, { io: "input" }) as { properties: Record<string, JsonProperty>; required?: string[] };

/** Every run setting, in the schema's order. */
export const trainSettings: readonly TrainSetting[] = trainSettingNames.map((name) => {
  const property = jsonSchema.properties[name];
  if (!property) throw new Error(`Run setting "${name}" is missing from TrainConfigSchema's JSON schema.`);
  return describe(name, property, jsonSchema.required?.includes(name) ?? false);
});

/** A setting's allowed range in words ("at least 1, at most 1024"); empty where it has none. */
export function describeRange(setting: TrainSetting): string {
  const parts = [
    setting.min ? `${setting.min.exclusive ? "above" : "at least"} ${setting.min.value}` : null,
    setting.max ? `${setting.max.exclusive ? "below" : "at most"} ${setting.max.value}` : null,
  ];
  return parts.filter((p) => p !== null).join(", ");
}

/** A learning rate as people write it, always as a power of ten: 1e-4, 5e-5, 1.5e-4, 1e-3. */
export const formatLearningRate = (lr: number): string => lr.toExponential().replace("e+", "e");

/** A setting's value as a person reads it: small rates as 1e-5, lists comma-separated, none as "–". */
export function formatSettingValue(value: unknown): string {
  if (value === null || value === undefined) return "–";
  if (Array.isArray(value)) return value.map(formatSettingValue).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  if (typeof value === "number" && value !== 0 && Math.abs(value) < 1e-3) return formatLearningRate(value);
  return String(value);
}
