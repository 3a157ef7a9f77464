// The data behind the mixes' charts: per language stacked by provenance, and a ladder per mix stacked by language.
import { describe, expect, it } from "vitest";
import type { MixCounts } from "../../../electron/shared/mixContract.js";
import { inRecipeOrder, ladderBars, languageLine, languageOrder, previewBars, recipeLanguages, uniqueNames } from "../../../renderer/src/views/mixes/distributionData.js";

const counts = (languages: MixCounts["languages"], provenance: MixCounts["provenance"] = [{ provenance: "native", examples: 1 }]): MixCounts => ({
  total: languages.reduce((s, l) => s + l.examples, 0),
  languages,
  provenance,
  sources: [],
});

describe("the preview chart's bars", () => {
  it("stacks a language by provenance where the engine breaks it down", () => {
    const bars = previewBars(
      counts(
        [
          { language: "en", examples: 300, provenance: [{ provenance: "native", examples: 300 }] },
          { language: "de", examples: 100, provenance: [{ provenance: "machine-translated", examples: 60 }, { provenance: "native", examples: 40 }] },
        ],
        [
          { provenance: "native", examples: 340 },
          { provenance: "machine-translated", examples: 60 },
        ],
      ),
    );
    expect(bars).toEqual([
      { x: "en", fill: "native", value: 300 },
      { x: "de", fill: "native", value: 40 },
      { x: "de", fill: "machine-translated", value: 60 },
    ]);
  });

  it("gives every language the mix's one provenance, and never guesses a split of several", () => {
    expect(previewBars(counts([{ language: "en", examples: 2 }, { language: "es", examples: 0 }]))).toEqual([{ x: "en", fill: "native", value: 2 }]);
    const mixed = previewBars(counts([{ language: "en", examples: 5 }], [{ provenance: "native", examples: 3 }, { provenance: "translation-demo", examples: 2 }]));
    expect(mixed).toEqual([{ x: "en", fill: "unknown", value: 5 }]);
  });
});

describe("the ladder chart's bars", () => {
  const mono = { name: "Mono", counts: counts([{ language: "en", examples: 100 }]) };
  const multi2 = { name: "Multi-2", counts: counts([{ language: "en", examples: 80 }, { language: "es", examples: 20 }]) };
  const multi3 = { name: "Multi-3", counts: counts([{ language: "en", examples: 60 }, { language: "es", examples: 20 }, { language: "de", examples: 20 }]) };

  it("orders languages as the ladder adds them, base first", () => {
    expect(languageOrder([mono, multi2, multi3])).toEqual(["en", "es", "de"]);
  });

  it("stacks each mix by language, and each bar sums to the mix's total", () => {
    const bars = ladderBars([mono, multi2, multi3]);
    expect(bars).toEqual([
      { x: "Mono", fill: "en", value: 100 },
      { x: "Multi-2", fill: "en", value: 80 },
      { x: "Multi-2", fill: "es", value: 20 },
      { x: "Multi-3", fill: "en", value: 60 },
      { x: "Multi-3", fill: "es", value: 20 },
      { x: "Multi-3", fill: "de", value: 20 },
    ]);
    for (const m of [mono, multi2, multi3]) expect(bars.filter((b) => b.x === m.name).reduce((s, b) => s + b.value, 0)).toBe(m.counts.total);
  });

  it("keeps two mixes of one name apart", () => {
    expect(uniqueNames([{ name: "Mono" }, { name: "Mono" }, { name: "X" }]).map((m) => m.name)).toEqual(["Mono", "Mono (2)", "X"]);
  });
});

describe("languages in the recipe's order", () => {
  it("puts the base first, then the languages in the order the recipe adds them", () => {
    expect(recipeLanguages({ kind: "multi", total: 40, base: "en", perLanguage: 8, languages: ["es", "de", "fr"] })).toEqual(["en", "es", "de", "fr"]);
    expect(recipeLanguages({ kind: "mono", language: "de", total: 5 })).toEqual(["de"]);
    expect(recipeLanguages({ kind: "ratios", total: 5, by: "language", shares: [{ key: "fr", weight: 1 }, { key: "en", weight: 2 }] })).toEqual(["fr", "en"]);
    expect(recipeLanguages({ kind: "ratios", total: 5, by: "source", shares: [{ key: "ds1", weight: 1 }] })).toEqual([]);
    expect(recipeLanguages({ kind: "crossalpaca", perDirection: 5, directions: ["en-x"], pivot: "en", templateLanguage: "target" })).toEqual(["en"]);
  });

  it("sorts counts by that order, unnamed languages after it by size", () => {
    const rows = [
      { language: "de", examples: 8 },
      { language: "en", examples: 24 },
      { language: "zh", examples: 1 },
      { language: "es", examples: 8 },
      { language: "ja", examples: 3 },
    ];
    expect(inRecipeOrder(rows, ["en", "es", "de"]).map((r) => r.language)).toEqual(["en", "es", "de", "ja", "zh"]);
    const multi3 = { counts: counts(rows.slice(0, 2).concat(rows[3]!)), recipe: { strategy: { kind: "multi" as const, total: 40, base: "en", perLanguage: 8, languages: ["es", "de"] } } };
    expect(languageLine(multi3)).toBe("en 24 · es 8 · de 8");
    expect(previewBars(multi3.counts, ["en", "es", "de"]).map((b) => b.x)).toEqual(["en", "es", "de"]);
  });
});
