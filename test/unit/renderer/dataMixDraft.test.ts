// The mix builder's form against the contract: a draft becomes exactly the recipe mixes.* accept, a
// wrong knob is named, the ladder is one series call, and a saved recipe comes back as the same draft.
import { describe, expect, it } from "vitest";
import type { Dataset } from "../../../electron/shared/datasetContract.js";
import { MixRecipeSchema, MixSeriesInputSchema, mixStrategyKinds } from "../../../electron/shared/mixContract.js";
import { draftFromRecipe, freshMixDraft, ladderFromDraft, parseLanguageList, parseShares, recipeFromDraft, strategyKnobs, type MixDraft } from "../../../renderer/src/views/mixes/mixDraft.js";
import { strings } from "../../../renderer/src/i18n/strings.js";

const dataset = (id: string, kind: Dataset["kind"] = "instructions"): Dataset => ({
  id,
  name: `set ${id}`,
  kind,
  format: kind === "parallel" ? "moses" : "alpaca",
  files: [{ path: `/d/${id}`, bytes: 10, sha256: "0".repeat(64) }],
  fingerprint: `fp-${id}`,
  encoding: "utf-8",
  notes: [],
  createdAt: "2026-01-01T00:00:00.000Z",
  examples: 100,
  skipped: 0,
  duplicates: 0,
  lowConfidence: 0,
  languages: [{ language: "en", examples: 100, lowConfidence: 0, mismatched: 0 }],
  provenance: { native: 100, "machine-translated": 0, "translation-demo": 0, "user-written": 0 },
  errors: [],
  errorCount: 0,
});
const datasets = [dataset("a"), dataset("p", "parallel")];
const draft = (patch: Partial<MixDraft>): MixDraft => ({ ...freshMixDraft(), sources: ["a"], ...patch });

describe("recipes from the builder", () => {
  it("starts from the papers' Multi-i: 3,200 examples, 200 per language, es ru de zh fr, confidence 0.8", () => {
    const { recipe, errors } = recipeFromDraft(draft({}), datasets);
    expect(errors).toEqual({});
    expect(recipe).toEqual({
      version: 1,
      sources: [{ dataset: "a", fingerprint: "fp-a" }],
      filters: { minConfidence: 0.8, includeLowConfidence: false, excludeMismatched: false },
      seed: 1,
      strategy: { kind: "multi", total: 3200, base: "en", perLanguage: 200, languages: ["es", "ru", "de", "zh", "fr"] },
    });
  });

  it("makes a valid recipe for every strategy from its defaults, each with a label and help", () => {
    for (const kind of mixStrategyKinds) {
      const { recipe, errors } = recipeFromDraft(draft({ strategy: kind, sources: ["a", "p"], shares: "en=2, de=1" }), datasets);
      expect(errors, kind).toEqual({});
      expect(MixRecipeSchema.parse(recipe).strategy.kind).toBe(kind);
      expect(strings.mixes.strategies[kind].label).toBeTruthy();
      for (const knob of strategyKnobs[kind]) expect(typeof freshMixDraft()[knob], `${kind}.${knob}`).not.toBe("undefined");
    }
  });

  it("names the field that stops a recipe, in words", () => {
    expect(recipeFromDraft(draft({ total: "0" }), datasets).errors).toEqual({ total: "Total must be a whole number of at least 1." });
    expect(recipeFromDraft(draft({ languages: "" }), datasets).errors.languages).toMatch(/at least one language/);
    expect(recipeFromDraft(draft({ minConfidence: "1.5" }), datasets).errors.minConfidence).toMatch(/from 0 to 1/);
    expect(recipeFromDraft(draft({ sources: [] }), datasets).errors.sources).toBe("Pick at least one dataset.");
    expect(recipeFromDraft(draft({ strategy: "ratios", shares: "en=two" }), datasets).errors.shares).toMatch(/code=weight/);
    expect(recipeFromDraft(draft({ strategy: "crossalpaca" }), datasets).errors.sources).toMatch(/parallel dataset/);
    expect(recipeFromDraft(draft({ total: "0" }), datasets).recipe).toBeNull();
  });

  it("reads language lists and shares as typed", () => {
    expect(parseLanguageList(" es, ru;de  zh\tfr ")).toEqual(["es", "ru", "de", "zh", "fr"]);
    expect(parseShares("en=2, de: 1.5")).toEqual([
      { key: "en", weight: 2 },
      { key: "de", weight: 1.5 },
    ]);
    expect(parseShares("en=0")).toBeNull();
    expect(parseShares("")).toBeNull();
  });

  it("builds the ladder (Mono, Multi-2 … Multi-k) as one saved series with the same knobs", () => {
    const input = ladderFromDraft(draft({ name: "Demo", languages: "es de fr", perLanguage: "20", total: "100" }), datasets);
    expect(input).toEqual({
      kind: "multi-ladder",
      sources: [{ dataset: "a", fingerprint: "fp-a" }],
      filters: { minConfidence: 0.8, includeLowConfidence: false, excludeMismatched: false },
      seed: 1,
      total: 100,
      base: "en",
      perLanguage: 20,
      languages: ["es", "de", "fr"],
      prefix: "Demo",
      save: true,
    });
    expect(MixSeriesInputSchema.safeParse(input).success).toBe(true);
    expect(ladderFromDraft(draft({ languages: "" }), datasets)).toBeNull();
  });

  it("gives a saved recipe back as the draft that makes it", () => {
    for (const kind of mixStrategyKinds) {
      const first = recipeFromDraft(draft({ strategy: kind, sources: ["a", "p"], shares: "en=2, de=1", name: "x", seed: "7" }), datasets).recipe!;
      const again = recipeFromDraft(draftFromRecipe(first), datasets).recipe;
      expect(again, kind).toEqual(first);
    }
  });
});
