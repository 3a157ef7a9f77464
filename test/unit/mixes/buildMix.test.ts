// The mix builder against hand-derived counts: Multi-i (003 Table 3), fixed budgets (003 App. H),
// ratios, temperature sampling, DT/MT (002, 003 §5.1) and CrossAlpaca (004), on rows made here.
import { describe, expect, it } from "vitest";
import { MixRecipeSchema, MixSeriesInputSchema, type MixRecipeInput } from "../../../electron/shared/mixContract.js";
import { buildMix, type MixCandidate, type MixPair, type MixSourceData } from "../../../electron/engine/mixes/buildMix.js";
import { cappedShares, largestRemainder } from "../../../electron/engine/mixes/allocateCounts.js";
import { mixSeries } from "../../../electron/engine/mixes/mixSeries.js";

let nextId = 1;
function examples(datasetId: string, language: string, n: number, extra: Partial<MixCandidate> = {}): MixCandidate[] {
  return Array.from({ length: n }, (_, i) => {
    const id = nextId++;
    return { id, datasetId, ordinal: i, hash: `${datasetId}-${language}-${id}`, language, confidence: 0.99, claimedLanguage: null, provenance: "native", category: null, translatedFrom: null, ...extra };
  });
}

function dataset(id: string, candidates: MixCandidate[], pairs: MixPair[] = []): MixSourceData {
  return { id, name: `set ${id}`, kind: pairs.length > 0 ? "parallel" : "instructions", fingerprint: `fp-${id}`, candidates, pairs };
}

const recipe = (strategy: MixRecipeInput["strategy"], ids: string[] = ["a"], extra: Partial<MixRecipeInput> = {}) =>
  MixRecipeSchema.parse({ version: 1, sources: ids.map((d) => ({ dataset: d, fingerprint: `fp-${d}` })), strategy, ...extra });

const perLanguage = (plan: ReturnType<typeof buildMix>) => Object.fromEntries(plan.counts.languages.map((l) => [l.language, l.examples]));

// Guanaco-like: plenty of English, a few hundred of each other language.
const multilingual = dataset("a", [...examples("a", "en", 400), ...examples("a", "es", 60), ...examples("a", "ru", 60), ...examples("a", "de", 60), ...examples("a", "zh", 30)]);

describe("Multi-i and Mono", () => {
  it("Multi-3: the same total as Mono, base examples replaced by a fixed count per added language", () => {
    const plan = buildMix(recipe({ kind: "multi", total: 320, perLanguage: 20, languages: ["es", "ru"] }), [multilingual]);
    // 003 Table 3 scaled by 1/10: 3,200 total, 200 per language → 320, 20.
    expect(perLanguage(plan)).toEqual({ en: 280, es: 20, ru: 20 });
    expect(plan.counts.total).toBe(320);
    expect(plan.items).toHaveLength(320);
    expect(new Set(plan.items.map((i) => (i.kind === "example" ? i.id : -1))).size).toBe(320);
  });

  it("builds a ladder whose rungs nest: Multi-3 keeps Multi-2's Spanish and a subset of its English", () => {
    const ids = (languages: string[], lang: string) =>
      new Set(buildMix(recipe(languages.length ? { kind: "multi", total: 320, perLanguage: 20, languages } : { kind: "mono", total: 320 }), [multilingual]).items.filter((i) => i.language === lang).map((i) => (i.kind === "example" ? i.id : 0)));
    const mono = ids([], "en");
    const en2 = ids(["es"], "en");
    const en3 = ids(["es", "ru"], "en");
    expect(mono.size).toBe(320);
    expect([...en2].every((id) => mono.has(id))).toBe(true);
    expect([...en3].every((id) => en2.has(id))).toBe(true);
    expect(ids(["es", "ru"], "es")).toEqual(ids(["es"], "es"));
  });

  it("gives the same examples in the same order for one seed, another order for another", () => {
    const a = buildMix(recipe({ kind: "multi", total: 100, perLanguage: 10, languages: ["es", "ru"] }), [multilingual]);
    const b = buildMix(recipe({ kind: "multi", total: 100, perLanguage: 10, languages: ["es", "ru"] }), [multilingual]);
    const c = buildMix(recipe({ kind: "multi", total: 100, perLanguage: 10, languages: ["es", "ru"] }, ["a"], { seed: 2 }), [multilingual]);
    expect(b.items).toEqual(a.items);
    expect(c.items).not.toEqual(a.items);
    expect(perLanguage(c)).toEqual(perLanguage(a));
  });

  it("names the language, what is needed and what is there when a language has too few", () => {
    expect(() => buildMix(recipe({ kind: "multi", total: 320, perLanguage: 40, languages: ["es", "zh"] }), [multilingual])).toThrow(/Language "zh": the mix needs 40, the sources have 30\./);
  });

  it("counts low-confidence examples out unless asked, and says so when they are what is missing", () => {
    const data = dataset("a", [...examples("a", "en", 50), ...examples("a", "es", 8), ...examples("a", "es", 4, { confidence: 0.5 })]);
    const strict = buildMix(recipe({ kind: "multi", total: 20, perLanguage: 8, languages: ["es"] }), [data]);
    expect(strict.lowConfidenceExcluded).toBe(4);
    expect(strict.available.find((a) => a.language === "es")).toEqual({ language: "es", examples: 8, lowConfidence: 4 });
    expect(() => buildMix(recipe({ kind: "multi", total: 20, perLanguage: 10, languages: ["es"] }), [data])).toThrow(/needs 10, the sources have 8 \(4 more are under the confidence threshold\)/);
    const loose = buildMix(recipe({ kind: "multi", total: 20, perLanguage: 10, languages: ["es"] }, ["a"], { filters: { includeLowConfidence: true } }), [data]);
    expect(perLanguage(loose)).toEqual({ en: 10, es: 10 });
  });

  it("refuses a dataset that changed since the recipe was written", () => {
    const changed = { ...multilingual, fingerprint: "fp-new" };
    expect(() => buildMix(recipe({ kind: "mono", total: 10 }), [changed])).toThrow(/changed since the recipe was written: its fingerprint is fp-new, the recipe expects fp-a/);
  });

  it("uses an example found in two sources once", () => {
    const a = dataset("a", examples("a", "en", 10));
    const b = dataset("b", [...examples("b", "en", 5), ...a.candidates.slice(0, 3).map((c) => ({ ...c, id: nextId++, datasetId: "b" }))]);
    const plan = buildMix(recipe({ kind: "mono", total: 15 }, ["a", "b"]), [a, b]);
    expect(plan.duplicatesDropped).toBe(3);
    expect(plan.counts.sources).toEqual(expect.arrayContaining([{ dataset: "a", examples: 10 }, { dataset: "b", examples: 5 }]));
    expect(() => buildMix(recipe({ kind: "mono", total: 16 }, ["a", "b"]), [a, b])).toThrow(/needs 16, the sources have 15/);
  });
});

describe("fixed budgets, ratios and temperature", () => {
  it("spreads a fixed non-English budget evenly, the remainder to the first languages", () => {
    const plan = buildMix(recipe({ kind: "fixed-budget", total: 100, budget: 10, languages: ["es", "ru", "de"] }), [multilingual]);
    expect(perLanguage(plan)).toEqual({ en: 90, es: 4, ru: 3, de: 3 });
  });

  it("splits by language ratios with largest remainders", () => {
    expect(perLanguage(buildMix(recipe({ kind: "ratios", total: 10, shares: [{ key: "en", weight: 2 }, { key: "de", weight: 1 }] }), [multilingual]))).toEqual({ en: 7, de: 3 });
  });

  it("splits by source ratios", () => {
    const a = dataset("a", examples("a", "en", 50));
    const b = dataset("b", examples("b", "de", 50));
    const plan = buildMix(recipe({ kind: "ratios", by: "source", total: 20, shares: [{ key: "a", weight: 0.75 }, { key: "b", weight: 0.25 }] }, ["a", "b"]), [a, b]);
    expect(plan.counts.sources).toEqual(expect.arrayContaining([{ dataset: "a", examples: 15 }, { dataset: "b", examples: 5 }]));
  });

  it("samples languages proportional to nᵢ^(1/T)", () => {
    // n = 1000, 125, 8 and T = 3: cube roots 10, 5, 2 → shares 10/17, 5/17, 2/17.
    const data = dataset("a", [...examples("a", "en", 1000), ...examples("a", "de", 125), ...examples("a", "zh", 8)]);
    expect(perLanguage(buildMix(recipe({ kind: "temperature", total: 34, temperature: 3 }), [data]))).toEqual({ en: 20, de: 10, zh: 4 });
    // 100 × 10/17, 5/17, 2/17 = 58.82, 29.41, 11.76; zh has only 8, so it gives all 8 and the 92 left
    // split 10 : 5 → 61.33, 30.67 → 61, 30 and the 1 left to the larger remainder (.67): 61, 31.
    expect(perLanguage(buildMix(recipe({ kind: "temperature", total: 100, temperature: 3 }), [data]))).toEqual({ en: 61, de: 31, zh: 8 });
    // No cap needed with zh at 50: roots 10, 5, 3.684 → 53.52, 26.76, 19.72 → 53, 26, 19 and the 2 left
    // to the largest remainders (.76, .72): 53, 27, 20.
    const more = dataset("a", [...examples("a", "en", 1000), ...examples("a", "de", 125), ...examples("a", "zh", 50)]);
    const roots = [1000, 125, 50].map((n) => Math.cbrt(n));
    expect(roots.map((r) => (100 * r) / (roots[0]! + roots[1]! + roots[2]!)).map((x) => x.toFixed(2))).toEqual(["53.52", "26.76", "19.72"]);
    expect(perLanguage(buildMix(recipe({ kind: "temperature", total: 100, temperature: 3 }), [more]))).toEqual({ en: 53, de: 27, zh: 20 });
    // T = 1 keeps the proportions of the data: 1000 : 125 : 8 of 113.3 → 100, 12.5, 0.8 → 100, 12, 1.
    expect(perLanguage(buildMix(recipe({ kind: "temperature", total: 113, temperature: 1 }), [data]))).toEqual({ en: 100, de: 12, zh: 1 });
  });

  it("caps a language at what it has and shares the rest among the others", () => {
    expect(cappedShares(100, [Math.pow(1000, 0.01), Math.pow(5, 0.01)], [1000, 5], ["en", "xx"])).toEqual([95, 5]);
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(() => cappedShares(10, [1, 1], [3, 4], ["en", "de"])).toThrow(/have 7 examples; the mix needs 10/);
  });
});

describe("translated data", () => {
  const english = examples("t", "en", 12);
  const translations = (language: string, of: MixCandidate[]) => of.map((c, i) => ({ ...examples("t", language, 1, { provenance: "machine-translated", translatedFrom: c.id })[0]!, hash: `t-${language}-of-${i}` }));
  const data = dataset("t", [...english, ...translations("fr", english), ...translations("pt", english.slice(0, 8))]);

  it("DT adds each chosen English example's translations into every language", () => {
    const plan = buildMix(recipe({ kind: "translated", mode: "add", english: 5, languages: ["fr", "pt"] }, ["t"]), [data]);
    expect(perLanguage(plan)).toEqual({ en: 5, fr: 5, pt: 5 });
    const chosen = new Set(plan.items.filter((i) => i.language === "en").map((i) => (i.kind === "example" ? i.id : 0)));
    const byId = new Map(data.candidates.map((c) => [c.id, c]));
    for (const item of plan.items.filter((i) => i.language !== "en")) expect(chosen.has(byId.get(item.kind === "example" ? item.id : 0)!.translatedFrom!)).toBe(true);
    expect(plan.counts.provenance).toEqual(expect.arrayContaining([{ provenance: "native", examples: 5 }, { provenance: "machine-translated", examples: 10 }]));
    // Only 8 English examples have a Portuguese translation.
    expect(() => buildMix(recipe({ kind: "translated", mode: "add", english: 9, languages: ["fr", "pt"] }, ["t"]), [data])).toThrow(/fewest: "pt", 8\): the mix needs 9, the sources have 8/);
  });

  it("MT replaces examples of the Mono by their own translations", () => {
    const mono = buildMix(recipe({ kind: "mono", total: 10 }, ["t"]), [data]);
    const mt = buildMix(recipe({ kind: "translated", mode: "replace", english: 10, perLanguage: 2, languages: ["fr", "pt"] }, ["t"]), [data]);
    expect(perLanguage(mt)).toEqual({ en: 6, fr: 2, pt: 2 });
    const byId = new Map(data.candidates.map((c) => [c.id, c]));
    const originals = mt.items.map((i) => byId.get(i.kind === "example" ? i.id : 0)!).map((c) => c.translatedFrom ?? c.id);
    expect(new Set(originals)).toEqual(new Set(mono.items.map((i) => (i.kind === "example" ? i.id : 0))));
  });
});

describe("CrossAlpaca", () => {
  const pairs: MixPair[] = Array.from({ length: 30 }, (_, i) => ({ id: 1000 + i, ordinal: i, source: `English sentence ${i}.`, target: `Deutscher Satz ${i}.`, sourceLanguage: "en", targetLanguage: "de", sourceConfidence: 0.99, targetConfidence: 0.99 }));
  const parallel = dataset("p", [], pairs);
  const instructions = dataset("i", examples("i", "en", 20));

  it("adds N demonstrations per direction, each pair used once, phrased in the output's language", () => {
    const plan = buildMix(recipe({ kind: "crossalpaca", instructions: 10, perDirection: 6, languages: ["de"] }, ["i", "p"]), [instructions, parallel]);
    expect(plan.counts.directions).toEqual([{ direction: "en-de", examples: 6 }, { direction: "de-en", examples: 6 }]);
    expect(perLanguage(plan)).toEqual({ en: 16, de: 6 });
    expect(plan.counts.provenance).toEqual(expect.arrayContaining([{ provenance: "translation-demo", examples: 12 }, { provenance: "native", examples: 10 }]));
    const demos = plan.items.filter((i) => i.kind === "demo");
    expect(new Set(demos.map((d) => d.pairId)).size).toBe(12);
    for (const d of demos) {
      if (d.direction === "en-de") {
        expect(d.instruction).toMatch(/^(Übersetze|Gib) .* auf Deutsch( an)?\.$/);
        expect(d.input).toMatch(/^English sentence/);
        expect(d.output).toMatch(/^Deutscher Satz/);
      } else {
        expect(d.instruction).toMatch(/English/);
        expect(d.input).toMatch(/^Deutscher Satz/);
      }
    }
  });

  it("writes every instruction in English when asked, and counts one direction alone", () => {
    const plan = buildMix(recipe({ kind: "crossalpaca", perDirection: 4, directions: ["en-x"], templateLanguage: "english" }, ["i", "p"]), [instructions, parallel]);
    expect(plan.counts.directions).toEqual([{ direction: "en-de", examples: 4 }]);
    const demos = plan.items.filter((i) => i.kind === "demo");
    expect(demos.every((d) => d.instructionLanguage === "en" && /German/.test(d.instruction))).toBe(true);
    expect(plan.counts.total).toBe(24);
  });

  it("names the language pair when the pairs do not suffice", () => {
    expect(() => buildMix(recipe({ kind: "crossalpaca", perDirection: 16 }, ["i", "p"]), [instructions, parallel])).toThrow(/"en"–"de".*needs 32, the sources have 30/);
  });

  it("refuses sentence pairs in a strategy that does not use them", () => {
    expect(() => buildMix(recipe({ kind: "mono", total: 5 }, ["i", "p"]), [instructions, parallel])).toThrow(/holds sentence pairs; only the crossalpaca strategy uses them/);
  });
});

describe("filters and series", () => {
  it("leaves out other provenances and claimed-language mismatches when asked", () => {
    const data = dataset("f", [...examples("f", "en", 10), ...examples("f", "en", 5, { provenance: "machine-translated" }), ...examples("f", "en", 3, { claimedLanguage: "de" })]);
    expect(buildMix(recipe({ kind: "mono", total: 18 }, ["f"]), [data]).counts.total).toBe(18);
    expect(() => buildMix(recipe({ kind: "mono", total: 14 }, ["f"], { filters: { provenance: ["native"] } }), [data])).toThrow(/needs 14, the sources have 13/);
    expect(() => buildMix(recipe({ kind: "mono", total: 16 }, ["f"], { filters: { excludeMismatched: true } }), [data])).toThrow(/needs 16, the sources have 15/);
  });

  it("makes a ladder's recipes share sources, filters and seed", () => {
    const ladder = mixSeries(MixSeriesInputSchema.parse({ kind: "multi-ladder", sources: [{ dataset: "a", fingerprint: "fp-a" }], total: 3200, perLanguage: 200, languages: ["es", "ru", "de", "zh", "fr"], seed: 5 }));
    expect(ladder.map((r) => r.name)).toEqual(["Mono", "Multi-2", "Multi-3", "Multi-4", "Multi-5", "Multi-6"]);
    expect(new Set(ladder.map((r) => JSON.stringify([r.sources, r.filters, r.seed]))).size).toBe(1);
    // 003 Table 3: the share of non-English rises by 6.25% a rung.
    expect(ladder.slice(1).map((r) => (r.strategy.kind === "multi" ? (100 * r.strategy.perLanguage * r.strategy.languages.length) / r.strategy.total : -1))).toEqual([6.25, 12.5, 18.75, 25, 31.25]);
  });
});
