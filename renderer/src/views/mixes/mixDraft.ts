// The mix builder's form as plain functions: what the user types (text, as typed), the recipe it
// describes — checked with the contract's own schema, so the builder and the engine accept exactly the
// same recipes — and the one-action ladder (Mono, Multi-2 … Multi-k) built from the same knobs.
import { defaultMinConfidence, type Dataset } from "../../../../electron/shared/datasetContract.js";
import { crossAlpacaDirections, MixRecipeSchema, MixSeriesInputSchema, mixRecipeVersion, type MixRecipe, type MixSeriesInput, type MixStrategyKind } from "../../../../electron/shared/mixContract.js";
import { strings } from "../../i18n/strings.js";

const s = strings.mixes.check;

export interface MixDraft {
  name: string;
  /** Dataset ids, instruction and parallel alike (CrossAlpaca tells them apart by kind). */
  sources: string[];
  strategy: MixStrategyKind;
  total: string;
  /** The one language of Mono; the base language of Multi-i, fixed budget and translated; CrossAlpaca's pivot. */
  base: string;
  perLanguage: string;
  /** Languages in order, separated by spaces or commas ("es ru de zh fr"). */
  languages: string;
  budget: string;
  ratiosBy: "language" | "source";
  /** "en=2, de=1" (by language) or "datasetId=weight" (by source). */
  shares: string;
  temperature: string;
  translatedMode: "add" | "replace";
  english: string;
  instructions: string;
  perDirection: string;
  directions: (typeof crossAlpacaDirections)[number][];
  templateLanguage: "target" | "source" | "english";
  seed: string;
  minConfidence: string;
  includeLowConfidence: boolean;
  excludeMismatched: boolean;
}
export type MixDraftField = keyof MixDraft;

/** The papers' defaults: 3,200 examples, 200 per added language in 003's order (Kew et al. 2024), confidence ≥ 0.8. */
export const freshMixDraft = (): MixDraft => ({
  name: "",
  sources: [],
  strategy: "multi",
  total: "3200",
  base: "en",
  perLanguage: "200",
  languages: "es ru de zh fr",
  budget: "400",
  ratiosBy: "language",
  shares: "en=1",
  temperature: "5",
  translatedMode: "add",
  english: "",
  instructions: "",
  perDirection: "10000",
  directions: [...crossAlpacaDirections],
  templateLanguage: "target",
  seed: "1",
  minConfidence: String(defaultMinConfidence),
  includeLowConfidence: false,
  excludeMismatched: false,
});

/** Language codes in the order typed; spaces, commas and semicolons separate them. */
export function parseLanguageList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** "en=2, de=1" as shares; null when a part is not `key=weight` with a positive weight. */
export function parseShares(text: string): { key: string; weight: number }[] | null {
  const parts = text
    .split(/[,;\n]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const shares: { key: string; weight: number }[] = [];
  for (const part of parts) {
    const match = /^([^=:\s]+)\s*[=:]\s*([0-9.eE+-]+)$/.exec(part);
    const weight = match ? Number(match[2]) : NaN;
    if (!match || !Number.isFinite(weight) || weight <= 0) return null;
    shares.push({ key: match[1]!, weight });
  }
  return shares.length ? shares : null;
}

/** Which knobs each strategy has, in the order the builder shows them. */
export const strategyKnobs: Record<MixStrategyKind, MixDraftField[]> = {
  mono: ["base", "total"],
  multi: ["total", "base", "perLanguage", "languages"],
  "fixed-budget": ["total", "base", "budget", "languages"],
  ratios: ["total", "ratiosBy", "shares"],
  temperature: ["total", "temperature", "languages"],
  translated: ["translatedMode", "base", "english", "perLanguage", "languages"],
  crossalpaca: ["instructions", "perDirection", "directions", "base", "languages", "templateLanguage"],
};

const int = (text: string): number | undefined => (text.trim() === "" ? undefined : Number(text.trim()));

function strategyOf(d: MixDraft): Record<string, unknown> {
  const langs = parseLanguageList(d.languages);
  switch (d.strategy) {
    case "mono":
      return { kind: "mono", language: d.base.trim() || undefined, total: int(d.total) };
    case "multi":
      return { kind: "multi", total: int(d.total), base: d.base.trim() || undefined, perLanguage: int(d.perLanguage), languages: langs };
    case "fixed-budget":
      return { kind: "fixed-budget", total: int(d.total), base: d.base.trim() || undefined, budget: int(d.budget), languages: langs };
    case "ratios":
      return { kind: "ratios", total: int(d.total), by: d.ratiosBy, shares: parseShares(d.shares) ?? [] };
    case "temperature":
      return { kind: "temperature", total: int(d.total), temperature: int(d.temperature), ...(langs.length ? { languages: langs } : {}) };
    case "translated":
      return { kind: "translated", mode: d.translatedMode, base: d.base.trim() || undefined, english: int(d.english), perLanguage: int(d.perLanguage), languages: langs };
    case "crossalpaca":
      return {
        kind: "crossalpaca",
        instructions: int(d.instructions),
        perDirection: int(d.perDirection),
        directions: d.directions,
        ...(langs.length ? { languages: langs } : {}),
        pivot: d.base.trim() || undefined,
        templateLanguage: d.templateLanguage,
      };
  }
}

/** A zod issue's path as the draft field it is about. */
function fieldOfIssue(path: readonly PropertyKey[]): MixDraftField | null {
  const [head, key] = path;
  if (head === "sources") return "sources";
  if (head === "seed") return "seed";
  if (head === "name") return "name";
  if (head === "filters") return key === "minConfidence" ? "minConfidence" : null;
  if (head !== "strategy") return null;
  const map: Record<string, MixDraftField> = { language: "base", pivot: "base", by: "ratiosBy", mode: "translatedMode", shares: "shares" };
  return typeof key === "string" ? (map[key] ?? (key as MixDraftField)) : null;
}

/** The recipe the draft describes, or each field that stops it with a sentence saying what it accepts. */
export function recipeFromDraft(d: MixDraft, datasets: readonly Dataset[]): { recipe: MixRecipe | null; errors: Partial<Record<MixDraftField, string>> } {
  const errors: Partial<Record<MixDraftField, string>> = {};
  const sources = d.sources.map((id) => datasets.find((ds) => ds.id === id)).filter((ds): ds is Dataset => Boolean(ds));
  if (!sources.length) errors.sources = s.noSources;
  if (d.strategy === "crossalpaca" && !sources.some((ds) => ds.kind === "parallel")) errors.sources = s.noParallel;
  if (d.strategy === "ratios" && !parseShares(d.shares)) errors.shares = s.shares;
  const input = {
    version: mixRecipeVersion,
    ...(d.name.trim() ? { name: d.name.trim() } : {}),
    sources: sources.map((ds) => ({ dataset: ds.id, fingerprint: ds.fingerprint })),
    filters: { minConfidence: int(d.minConfidence), includeLowConfidence: d.includeLowConfidence, excludeMismatched: d.excludeMismatched },
    seed: int(d.seed),
    strategy: strategyOf(d),
  };
  const parsed = MixRecipeSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOfIssue(issue.path);
      if (field && !errors[field]) errors[field] = s.field(field);
    }
    if (!Object.keys(errors).length) errors.strategy = s.invalid;
  }
  if (Object.keys(errors).length || !parsed.success) return { recipe: null, errors };
  return { recipe: parsed.data, errors };
}

/** Mono, Multi-2 … Multi-k from the Multi-i knobs, saved as mixes in one action (003 Table 3). */
export function ladderFromDraft(d: MixDraft, datasets: readonly Dataset[]): MixSeriesInput | null {
  const { recipe } = recipeFromDraft({ ...d, strategy: "multi" }, datasets);
  if (!recipe || recipe.strategy.kind !== "multi") return null;
  const input = {
    kind: "multi-ladder" as const,
    sources: recipe.sources,
    filters: recipe.filters,
    seed: recipe.seed,
    total: recipe.strategy.total,
    base: recipe.strategy.base,
    perLanguage: recipe.strategy.perLanguage,
    languages: recipe.strategy.languages,
    ...(d.name.trim() ? { prefix: d.name.trim() } : {}),
    save: true,
  };
  return MixSeriesInputSchema.safeParse(input).success ? input : null;
}

/** A stored recipe back as a draft (to edit a saved mix into a new one). */
export function draftFromRecipe(recipe: MixRecipe): MixDraft {
  const d = freshMixDraft();
  d.name = recipe.name ?? "";
  d.sources = recipe.sources.map((src) => src.dataset);
  d.seed = String(recipe.seed);
  d.minConfidence = String(recipe.filters.minConfidence);
  d.includeLowConfidence = recipe.filters.includeLowConfidence;
  d.excludeMismatched = recipe.filters.excludeMismatched;
  const st = recipe.strategy;
  d.strategy = st.kind;
  const text = (n: number | undefined) => (n === undefined ? "" : String(n));
  switch (st.kind) {
    case "mono":
      return { ...d, base: st.language, total: text(st.total) };
    case "multi":
      return { ...d, total: text(st.total), base: st.base, perLanguage: text(st.perLanguage), languages: st.languages.join(" ") };
    case "fixed-budget":
      return { ...d, total: text(st.total), base: st.base, budget: text(st.budget), languages: st.languages.join(" ") };
    case "ratios":
      return { ...d, total: text(st.total), ratiosBy: st.by, shares: st.shares.map((x) => `${x.key}=${x.weight}`).join(", ") };
    case "temperature":
      return { ...d, total: text(st.total), temperature: text(st.temperature), languages: (st.languages ?? []).join(" ") };
    case "translated":
      return { ...d, translatedMode: st.mode, base: st.base, english: text(st.english), perLanguage: text(st.perLanguage), languages: st.languages.join(" ") };
    case "crossalpaca":
      return { ...d, instructions: text(st.instructions), perDirection: text(st.perDirection), directions: [...st.directions], base: st.pivot, languages: (st.languages ?? []).join(" "), templateLanguage: st.templateLanguage };
  }
}
