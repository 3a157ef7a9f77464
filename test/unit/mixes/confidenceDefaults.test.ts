// The confidence threshold (paper 003: 0.8) is written once, as `defaultMinConfidence` in the datasets
// contract; the recipe schema, the language identifier's module, the mix CLI's defaults and the UI's
// draft and texts all read it, and the CLI's series defaults are the schema's own.
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { defaultMinConfidence } from "../../../electron/shared/datasetContract.js";
import { MixFiltersSchema, MixSeriesInputSchema, mixSeriesDefaults } from "../../../electron/shared/mixContract.js";
import { defaultMinConfidence as langidThreshold } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { registerMixCommands } from "../../../electron/cli/registerMixCommands.js";
import { freshMixDraft } from "../../../renderer/src/views/mixes/mixDraft.js";
import { dataStrings, mixStrings } from "../../../renderer/src/i18n/enData.js";

describe("one confidence threshold", () => {
  it("is paper 003's 0.8, and every module reads the same value", () => {
    expect(defaultMinConfidence).toBe(0.8);
    expect(langidThreshold).toBe(defaultMinConfidence);
    expect(MixFiltersSchema.parse({}).minConfidence).toBe(defaultMinConfidence);
    expect(freshMixDraft().minConfidence).toBe(String(defaultMinConfidence));
  });

  it("the UI's texts state it", () => {
    expect(dataStrings.lowConfidenceHelp).toContain(`under ${defaultMinConfidence};`);
    expect(mixStrings.knobHelp.minConfidence).toContain(`${defaultMinConfidence} by default`);
  });
});

describe("mix ladder's defaults are the series schema's", () => {
  it("mixSeriesDefaults is what the schema fills in", () => {
    const parsed = MixSeriesInputSchema.parse({ kind: "multi-ladder", sources: [{ dataset: "d", fingerprint: "f" }], total: 10, languages: ["de"], perLanguage: 1 });
    expect(mixSeriesDefaults).toEqual({ seed: parsed.seed, base: parsed.base, filters: parsed.filters });
    expect(mixSeriesDefaults.filters.minConfidence).toBe(defaultMinConfidence);
  });

  it("the --base, --seed and --min-confidence flags default to them", () => {
    const program = new Command();
    registerMixCommands(program, { withEngine: () => Promise.reject(new Error("not run")), json: () => false });
    const ladder = program.commands.find((c) => c.name() === "mix")!.commands.find((c) => c.name() === "ladder")!;
    const byFlag = new Map(ladder.options.map((o) => [o.long, o.defaultValue as unknown]));
    expect(byFlag.get("--base")).toBe(mixSeriesDefaults.base);
    expect(byFlag.get("--seed")).toBe(mixSeriesDefaults.seed);
    expect(byFlag.get("--min-confidence")).toBe(mixSeriesDefaults.filters.minConfidence);
  });
});
