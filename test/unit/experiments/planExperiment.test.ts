// Expanding an experiment into its items, without a database: mixes × method × rank × steps are the
// configurations, each at every learning rate of its method (the default sweep when none is given).
import { describe, expect, it } from "vitest";
import { defaultLearningRates, ExperimentSpecSchema, type ExperimentSpec } from "../../../electron/shared/experimentContract.js";
import { MixRecipeSchema, type Mix } from "../../../electron/shared/mixContract.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";
import { itemNames, planExperiment } from "../../../electron/engine/experiments/planExperiment.js";
import { formatLearningRate } from "../../../electron/shared/trainSettings.js";

const source = { dataset: "d1", fingerprint: "f1" };
const savedMix = (id: string, name: string): Mix => ({
  id,
  name,
  recipe: MixRecipeSchema.parse({ version: 1, sources: [source], strategy: { kind: "mono", language: "en", total: 10 } }),
  fingerprint: `fp-${id}`,
  counts: { total: 10, languages: [{ language: "en", examples: 10 }], provenance: [], sources: [] },
  createdAt: "2026-01-01T00:00:00.000Z",
});
const library = new Map([savedMix("m1", "Mono"), savedMix("m2", "Multi-3")].map((m) => [m.name, m]));
const findMix = (ref: string): Mix => {
  const mix = library.get(ref) ?? [...library.values()].find((m) => m.id === ref);
  if (!mix) throw new PolytuneError("mix-not-found", `No mix "${ref}".`);
  return mix;
};
const spec = (extra: Partial<ExperimentSpec>): ReturnType<typeof ExperimentSpecSchema.parse> =>
  ExperimentSpecSchema.parse({ name: "Study", model: "tiny", mixes: { kind: "saved", mixes: ["Mono"] }, eval: { suites: [{ suite: "open", data: ["prompts.jsonl"] }] }, ...extra });

describe("planExperiment", () => {
  it("trains each configuration at the method's default three learning rates when the grid gives none", () => {
    const plan = planExperiment(spec({}), findMix);
    expect(plan.items.map((i) => i.lr)).toEqual([...defaultLearningRates.lora]);
    expect(plan.items.map((i) => i.label)).toEqual(["Mono · lora r64 · lr 5e-5", "Mono · lora r64 · lr 1e-4", "Mono · lora r64 · lr 2e-4"]);
    expect(new Set(plan.items.map((i) => i.configuration))).toEqual(new Set(["Mono · lora r64"]));
    // Each item's settings are the run's, checked and filled by the run settings' schema.
    expect(plan.items[1]!.settings).toMatchObject({ model: "tiny", mix: "m1", method: "lora", lr: 1e-4, rank: 64, alpha: 16, name: "Study · Mono · lora r64 · lr 1e-4" });
  });

  it("multiplies mixes × methods × ranks × steps, each by its learning rates; a full run has no rank", () => {
    const plan = planExperiment(
      spec({ mixes: { kind: "saved", mixes: ["Mono", "Multi-3"] }, train: { steps: 5, batchSize: 2 }, grid: { method: ["lora", "full"], rank: [4, 8], steps: [10, 20], lr: { lora: [1e-3, 2e-3], full: [1e-5] } } }),
      findMix,
    );
    // 2 mixes × (lora: 2 ranks × 2 steps × 2 rates + full: 2 steps × 1 rate) = 2 × 10.
    expect(plan.items).toHaveLength(20);
    expect(new Set(plan.items.map((i) => i.configuration)).size).toBe(2 * (4 + 2));
    const full = plan.items.filter((i) => i.method === "full");
    expect(full.map((i) => i.label)).toEqual(["Mono · full · 10 steps · lr 1e-5", "Mono · full · 20 steps · lr 1e-5", "Multi-3 · full · 10 steps · lr 1e-5", "Multi-3 · full · 20 steps · lr 1e-5"]);
    const one = plan.items.find((i) => i.label === "Multi-3 · lora r8 · 20 steps · lr 2e-3")!;
    expect(one.settings).toMatchObject({ mix: "m2", rank: 8, steps: 20, lr: 2e-3, batchSize: 2 });
  });

  it("builds the ladder's rungs only when rungs are given (1 = Mono), named after the experiment", () => {
    const ladder = { kind: "ladder" as const, sources: [source], total: 30, perLanguage: 5, languages: ["es", "de", "fr"] };
    const all = planExperiment(spec({ mixes: ladder, grid: { lr: { lora: [1e-4] } } }), findMix);
    expect(all.mixes.map((m) => m.name)).toEqual(["Study · Mono", "Study · Multi-2", "Study · Multi-3", "Study · Multi-4"]);
    const some = planExperiment(spec({ mixes: { ...ladder, rungs: [1, 3] }, grid: { lr: { lora: [1e-4] } } }), findMix);
    expect(some.mixes.map((m) => m.name)).toEqual(["Study · Mono", "Study · Multi-3"]);
    const multi3 = some.mixes[1]!;
    expect("recipe" in multi3 && multi3.recipe.strategy).toEqual({ kind: "multi", total: 30, base: "en", perLanguage: 5, languages: ["es", "de"] });
    // Not yet saved: the item names its mix until creation saves it.
    expect(some.items.map((i) => i.settings.mix)).toEqual(["Study · Mono", "Study · Multi-3"]);
    expect(() => planExperiment(spec({ mixes: { ...ladder, rungs: [5] } }), findMix)).toThrow(expect.objectContaining({ code: "experiment-rung", where: "mixes.rungs[0]" }));
  });

  it("names an item again from its mix as saved, a taken name having become \"X (2)\"", () => {
    const plan = planExperiment(spec({ mixes: { kind: "ladder", sources: [source], total: 30, perLanguage: 5, languages: ["es"], rungs: [1] }, grid: { lr: { lora: [1e-4] }, steps: [10] } }), findMix);
    const item = plan.items[0]!;
    expect(item.variant).toBe("lora r64 · 10 steps");
    expect(itemNames("Study", "Study · Mono", item.variant, item.lr)).toEqual({ configuration: item.configuration, label: item.label, runName: item.settings.name });
    expect(itemNames("Study", "Study · Mono (2)", item.variant, item.lr)).toEqual({
      configuration: "Study · Mono (2) · lora r64 · 10 steps",
      label: "Study · Mono (2) · lora r64 · 10 steps · lr 1e-4",
      runName: "Study · Study · Mono (2) · lora r64 · 10 steps · lr 1e-4",
    });
  });

  it("builds CrossAlpaca with and without demonstrations: count 0 once, the others per direction set", () => {
    const plan = planExperiment(
      spec({ mixes: { kind: "crossalpaca", sources: [source], directions: [["en-x"], ["en-x", "x-en"]], perDirection: [0, 100, 500] }, grid: { lr: { lora: [1e-4] } } }),
      findMix,
    );
    expect(plan.mixes.map((m) => m.name)).toEqual([
      "Study · CrossAlpaca without demonstrations",
      "Study · CrossAlpaca en-x ×100",
      "Study · CrossAlpaca en-x ×500",
      "Study · CrossAlpaca en-x+x-en ×100",
      "Study · CrossAlpaca en-x+x-en ×500",
    ]);
    const strategies = plan.mixes.map((m) => ("recipe" in m ? m.recipe.strategy : null));
    expect(strategies[0]).toMatchObject({ kind: "crossalpaca", perDirection: 0 });
    expect(strategies[4]).toMatchObject({ kind: "crossalpaca", perDirection: 500, directions: ["en-x", "x-en"] });
    expect(plan.items).toHaveLength(5);
  });

  it("refuses a saved mix that does not exist, naming its place in the file", () => {
    expect(() => planExperiment(spec({ mixes: { kind: "saved", mixes: ["Mono", "Nope"] } }), findMix)).toThrow(expect.objectContaining({ where: "mixes.mixes[1]" }));
  });

  it("warns where the learning-rate rule cannot be applied", () => {
    const plan = planExperiment(spec({}), findMix);
    expect(plan.warnings).toEqual(["The learning-rate rule's criterion relevance needs a judge model; without one it is skipped."]);
  });

  it("writes learning rates as people do", () => {
    expect([1e-4, 5e-5, 1.5e-4, 1e-3, 2e-5].map(formatLearningRate)).toEqual(["1e-4", "5e-5", "1.5e-4", "1e-3", "2e-5"]);
  });
});
