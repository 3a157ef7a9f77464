// The builder's language rules: "mismatched" is the engine's one rule (languagesDisagree, as the store
// decides it at import), and counts order the same on every machine (ties by code point, not locale).
import { describe, expect, it } from "vitest";
import { MixRecipeSchema, type MixRecipeInput } from "../../../electron/shared/mixContract.js";
import { buildMix, type MixCandidate, type MixSourceData } from "../../../electron/engine/mixes/buildMix.js";

let nextId = 1;
function examples(language: string, n: number, extra: Partial<MixCandidate> = {}): MixCandidate[] {
  return Array.from({ length: n }, (_, i) => {
    const id = nextId++;
    return { id, datasetId: "a", ordinal: i, hash: `h-${id}`, language, confidence: 0.99, claimedLanguage: null, provenance: "native", category: null, translatedFrom: null, ...extra };
  });
}
const source = (candidates: MixCandidate[]): MixSourceData => ({ id: "a", name: "set a", kind: "instructions", fingerprint: "fp-a", candidates, pairs: [] });
const recipe = (strategy: MixRecipeInput["strategy"], extra: Partial<MixRecipeInput> = {}) =>
  MixRecipeSchema.parse({ version: 1, sources: [{ dataset: "a", fingerprint: "fp-a" }], strategy, ...extra });

describe("excludeMismatched", () => {
  it("leaves out only examples whose claim names another language, by the store's rule", () => {
    const data = source([
      ...examples("de", 3, { claimedLanguage: "deu" }), // the same language written otherwise: kept
      ...examples("de", 2, { claimedLanguage: "German" }), // a name: kept
      ...examples("no", 2, { claimedLanguage: "nn" }), // Nynorsk and Bokmål are one language to lid.176: kept
      ...examples("und", 1, { claimedLanguage: "de" }), // nothing identified disagrees with nothing: kept
      ...examples("de", 4, { claimedLanguage: "en" }), // really another language: out
      ...examples("de", 5),
    ]);
    const plan = buildMix(recipe({ kind: "ratios", total: 13, by: "language", shares: [{ key: "de", weight: 10 }, { key: "no", weight: 2 }, { key: "und", weight: 1 }] }, { filters: { excludeMismatched: true, includeLowConfidence: true } }), [data]);
    expect(Object.fromEntries(plan.counts.languages.map((l) => [l.language, l.examples]))).toEqual({ de: 10, no: 2, und: 1 });
    const kept = new Set(plan.items.map((i) => (i.kind === "example" ? i.id : -1)));
    const wrong = data.candidates.filter((c) => c.claimedLanguage === "en");
    expect(wrong.some((c) => kept.has(c.id))).toBe(false);
  });
});

describe("counts order", () => {
  it("orders equal counts by code point, whatever the locale would say", () => {
    // localeCompare puts "pt-br" before "pt-BR" (lower case first); code points put "B" (0x42) before "b".
    const plan = buildMix(recipe({ kind: "multi", total: 20, base: "pt-br", perLanguage: 10, languages: ["pt-BR"] }), [source([...examples("pt-br", 10), ...examples("pt-BR", 10)])]);
    expect(plan.counts.languages.map((l) => `${l.language} ${l.examples}`)).toEqual(["pt-BR 10", "pt-br 10"]);
  });

  it("still puts larger counts first and breaks ties alphabetically for plain codes", () => {
    const plan = buildMix(recipe({ kind: "multi", total: 30, perLanguage: 8, languages: ["es", "de"] }), [source([...examples("en", 30), ...examples("es", 8), ...examples("de", 8)])]);
    expect(plan.counts.languages.map((l) => `${l.language} ${l.examples}`)).toEqual(["en 14", "de 8", "es 8"]);
  });
});
