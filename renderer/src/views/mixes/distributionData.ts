// The data behind the mixes' distribution charts, shaped for a stacked bar chart: one segment per
// bar and colour. Plain functions, so a test checks them without drawing anything.
import { exampleProvenances, type Provenance } from "../../../../electron/shared/datasetContract.js";
import type { Mix, MixCounts, MixStrategy } from "../../../../electron/shared/mixContract.js";

export interface BarSegment {
  /** The bar: a language (the preview) or a mix (the ladder). */
  x: string;
  /** The colour: a provenance (the preview) or a language (the ladder). */
  fill: string;
  value: number;
}

/** Okabe–Ito (colour-blind safe, UI.md), then Tableau 10 for languages beyond eight. */
export const palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f", "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab"];
/** One fixed colour per provenance, in every chart. */
export const provenanceColours: Record<Provenance | "unknown", string> = {
  native: "#0072B2",
  "machine-translated": "#E69F00",
  "translation-demo": "#009E73",
  "user-written": "#CC79A7",
  unknown: "#999999",
};

/**
 * Per language, stacked by provenance. Where the engine gives a language's provenance breakdown it is
 * used; where the whole mix has one provenance every language has it; otherwise the language's bar is
 * one segment of unknown provenance (never a guessed split).
 */
export function previewBars(counts: MixCounts, order: readonly string[] = []): BarSegment[] {
  const only = counts.provenance.filter((p) => p.examples > 0);
  const bars: BarSegment[] = [];
  for (const l of inRecipeOrder(counts.languages, order)) {
    if (l.examples <= 0) continue;
    if (l.provenance?.length) {
      for (const p of exampleProvenances) {
        const n = l.provenance.find((x) => x.provenance === p)?.examples ?? 0;
        if (n > 0) bars.push({ x: l.language, fill: p, value: n });
      }
    } else {
      bars.push({ x: l.language, fill: only.length === 1 ? only[0]!.provenance : "unknown", value: l.examples });
    }
  }
  return bars;
}

/** The languages a strategy names, in its order: the base (or Mono's language, the pivot) first. */
export function recipeLanguages(strategy: MixStrategy): string[] {
  const first = strategy.kind === "mono" ? [strategy.language] : strategy.kind === "crossalpaca" ? [strategy.pivot] : "base" in strategy ? [strategy.base] : [];
  const rest = strategy.kind === "ratios" ? (strategy.by === "language" ? strategy.shares.map((x) => x.key) : []) : "languages" in strategy ? (strategy.languages ?? []) : [];
  return [...new Set([...first, ...rest])];
}

/** Rows in the recipe's language order (Multi-i's order of adding), others after it, most examples first. */
export function inRecipeOrder<T extends { language: string; examples: number }>(rows: readonly T[], order: readonly string[]): T[] {
  const rank = (l: string) => (order.includes(l) ? order.indexOf(l) : order.length);
  return [...rows].sort((a, b) => rank(a.language) - rank(b.language) || b.examples - a.examples || a.language.localeCompare(b.language));
}

type Charted = Pick<Mix, "name" | "counts"> & { recipe?: Pick<Mix["recipe"], "strategy"> };
const languagesOf = (mix: Omit<Charted, "name">) => (mix.recipe ? inRecipeOrder(mix.counts.languages, recipeLanguages(mix.recipe.strategy)) : mix.counts.languages);

/** Languages in the order the mixes first name them (base first in a ladder), for a stable colour each. */
export function languageOrder(mixes: readonly Omit<Charted, "name">[]): string[] {
  const order: string[] = [];
  for (const mix of mixes) for (const l of languagesOf(mix)) if (l.examples > 0 && !order.includes(l.language)) order.push(l.language);
  return order;
}

/** A mix's per-language counts in its recipe's order, as a line: "en 24 · es 8 · de 8". */
export function languageLine(mix: Omit<Charted, "name">, format: (n: number) => string = String): string {
  return languagesOf(mix)
    .filter((l) => l.examples > 0)
    .map((l) => `${l.language} ${format(l.examples)}`)
    .join(" · ");
}

/** Per mix, stacked by language: how a ladder (Mono, Multi-2 … Multi-k) trades base examples for others. */
export function ladderBars(mixes: readonly Charted[]): BarSegment[] {
  const order = languageOrder(mixes);
  return mixes.flatMap((mix) =>
    order
      .map((language) => ({ x: mix.name, fill: language, value: mix.counts.languages.find((l) => l.language === language)?.examples ?? 0 }))
      .filter((b) => b.value > 0),
  );
}

/** Mix names made unique (a repeated name gets " (2)"), since a chart's bars are keyed by name. */
export function uniqueNames<T extends { name: string }>(mixes: readonly T[]): T[] {
  const seen = new Map<string, number>();
  return mixes.map((m) => {
    const n = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, n);
    return n === 1 ? m : { ...m, name: `${m.name} (${n})` };
  });
}
