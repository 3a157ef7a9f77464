import { createHash } from "node:crypto";
import type { MixRecipe } from "../../shared/mixContract.js";

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * What a mix is made of, as a hash: the recipe's sources (with their fingerprints), filters, seed and
 * strategy, with every default filled in. Its name and description are labels and do not count.
 */
export function mixFingerprint(recipe: MixRecipe): string {
  const { name: _name, description: _description, ...content } = recipe;
  return createHash("sha256").update(canonicalJson(content)).digest("hex").slice(0, 16);
}

/** A name for a recipe that has none, saying what it is ("Multi-3 (en, es, ru)"). */
export function defaultMixName(recipe: MixRecipe): string {
  const s = recipe.strategy;
  switch (s.kind) {
    case "mono":
      return `Mono (${s.language}, ${s.total})`;
    case "multi":
      return `Multi-${s.languages.length + 1} (${[s.base, ...s.languages].join(", ")})`;
    case "fixed-budget":
      return `Budget ${s.budget} of ${s.total} (${s.languages.join(", ")})`;
    case "ratios":
      return `Ratios by ${s.by} (${s.shares.map((x) => `${x.key} ${x.weight}`).join(", ")})`;
    case "temperature":
      return `Temperature ${s.temperature} (${s.total})`;
    case "translated":
      return s.mode === "add" ? `DT (${[s.base, ...s.languages].join(", ")})` : `MT Multi-${s.languages.length + 1} (${[s.base, ...s.languages].join(", ")})`;
    case "crossalpaca":
      return `CrossAlpaca (${s.perDirection} per direction${s.languages ? `, ${s.languages.join(", ")}` : ""})`;
  }
}
