// Mixes through the contract calls on a real engine (SQLite in a temp folder), over datasets stored by
// the DatasetStore: the Alpaca seed tasks in four languages and Tatoeba's German–English pairs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../electron/shared/datasetContract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { loadInstructionData } from "../../../electron/engine/data/loadInstructionData.js";
import { makeTempDir } from "../../support/tempDir.js";
import { hasMixData, labelled, recipeOver, seedTasks, storeExamples, storePairs, tatoebaDir, tatoebaPairs, writtenExamples } from "./mixDatasets.js";

const tmp = makeTempDir();
let engine: PolytuneEngine;
let seeds: Dataset;
let translations: Dataset;
let tatoeba: Dataset;

const perLanguage = (counts: { languages: Array<{ language: string; examples: number }> }) => Object.fromEntries(counts.languages.map((l) => [l.language, l.examples]));
const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  engine = new PolytuneEngine({ home: join(tmp.dir, "home") });
  if (!hasMixData) return;
  // English and Danish as they are; the Finnish and Hungarian seed tasks translate the English ones
  // (same ids), so they are stored as translations linked to their English example.
  seeds = storeExamples(engine.datasets, "seed tasks en+da", [...(await labelled(seedTasks("en"), "seed_tasks.en.jsonl")), ...(await labelled(seedTasks("da"), "seed_tasks.da.jsonl"))]);
  const english = new Map(engine.datasets.show({ dataset: seeds.id, language: "en", limit: 500 }).rows.map((r) => [r.kind === "example" ? r.line : -1, r.id]));
  const enLineOf = new Map(seedTasks("en").map((t) => [t.id, t.line]));
  const from = (t: { id: string }) => english.get(enLineOf.get(t.id) ?? -1) ?? null;
  translations = storeExamples(engine.datasets, "seed tasks fi+hu", [
    ...(await labelled(seedTasks("fi"), "seed_tasks.fi.jsonl", "machine-translated", from)),
    ...(await labelled(seedTasks("hu"), "seed_tasks.hu.jsonl", "machine-translated", from)),
  ]);
  tatoeba = storePairs(engine.datasets, "tatoeba deu-eng", tatoebaPairs());
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe.runIf(hasMixData)("mixes over the seed tasks", () => {
  it("labels the seed tasks' languages, so each language has enough confident examples", () => {
    const langs = perLanguage({ languages: seeds.languages });
    expect(langs.en).toBeGreaterThan(150);
    expect(langs.da).toBeGreaterThan(150);
    // The Finnish file translates only its first tasks; the identifier finds the rest English.
    const translated = perLanguage({ languages: translations.languages });
    expect(translated.fi).toBeGreaterThan(50);
    expect(translated.hu).toBeGreaterThan(100);
    expect(translated.en).toBeGreaterThan(100);
  });

  it("previews, saves and writes a Multi-3 with exact counts per language, readable by training", async () => {
    const recipe = recipeOver([seeds, translations], { kind: "multi", total: 120, perLanguage: 20, languages: ["da", "fi"] }, { name: "seed Multi-3" });
    const preview = await engine.call("mixes.preview", { recipe });
    expect(perLanguage(preview.counts)).toEqual({ en: 80, da: 20, fi: 20 });
    expect(preview.counts.provenance).toEqual(expect.arrayContaining([{ provenance: "native", examples: 100 }, { provenance: "machine-translated", examples: 20 }]));
    expect(preview.samples).toHaveLength(10);
    expect(preview.tokens).toBeNull();

    const mix = await engine.call("mixes.save", { recipe });
    expect(mix).toMatchObject({ name: "seed Multi-3", counts: { total: 120 } });
    expect(await engine.call("mixes.get", { mix: "seed Multi-3" })).toEqual(mix);
    const built = await engine.call("mixes.build", { mix: mix.id });
    expect(built.examples).toBe(120);

    // The trainer's own reader takes the file as written: every example, with its language.
    const data = loadInstructionData(built.path);
    expect(data.examples).toHaveLength(120);
    const byLang: Record<string, number> = {};
    for (const e of data.examples) byLang[e.lang!] = (byLang[e.lang!] ?? 0) + 1;
    expect(byLang).toEqual({ en: 80, da: 20, fi: 20 });
    // Each line carries the stored example's turns exactly.
    const first = lines(built.path)[0]!;
    const stored = engine.datasets.examplesByIds([first.id as number])[0]!;
    expect(data.examples[0]!.turns).toEqual(stored.turns.map((t) => (t.input ? t : { role: t.role, content: t.content })));
    expect(first).toMatchObject({ instruction: stored.turns[0]!.content, output: stored.turns[1]!.content, lang: stored.language, provenance: stored.provenance });
  });

  it("rebuilds a recipe into byte-identical JSONL, and another seed into other examples", async () => {
    const recipe = recipeOver([seeds], { kind: "multi", total: 60, perLanguage: 15, languages: ["da"] });
    const a = await engine.call("mixes.save", { recipe: { ...recipe, name: "seeded 1" } });
    const b = await engine.call("mixes.save", { recipe: { ...recipe, name: "seeded 1 again" } });
    const c = await engine.call("mixes.save", { recipe: { ...recipe, name: "seeded 2", seed: 2 } });
    expect(b.fingerprint).toBe(a.fingerprint);
    const files = await Promise.all([a, b, c].map((m, i) => engine.call("mixes.build", { mix: m.id, out: join(tmp.dir, `seeded-${i}.jsonl`) })));
    expect(readFileSync(files[1]!.path).equals(readFileSync(files[0]!.path))).toBe(true);
    expect(readFileSync(files[2]!.path).equals(readFileSync(files[0]!.path))).toBe(false);
    expect(perLanguage(c.counts)).toEqual(perLanguage(a.counts));
  });

  it("refuses a recipe whose dataset changed, naming both fingerprints", async () => {
    const recipe = recipeOver([seeds], { kind: "mono", total: 10 });
    recipe.sources[0]!.fingerprint = "0123456789abcdef";
    const result = await engine.dispatch("mixes.save", { recipe }, "ipc");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: "mix-source-changed", where: "sources[0]" });
    expect(result.error.message).toContain(seeds.fingerprint);
    expect(result.error.message).toContain("0123456789abcdef");
  });

  it("names the language, what is needed and what is there", async () => {
    const result = await engine.dispatch("mixes.preview", { recipe: recipeOver([seeds], { kind: "multi", total: 400, perLanguage: 300, languages: ["da"] }) }, "ipc");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^Language "da": the mix needs 300, the sources have \d+/);
  });

  it("builds DT: English examples with their translations, and MT: Mono with some replaced by theirs", async () => {
    const dt = await engine.call("mixes.save", { recipe: recipeOver([seeds, translations], { kind: "translated", mode: "add", english: 30, languages: ["fi", "hu"] }) });
    expect(perLanguage(dt.counts)).toEqual({ en: 30, fi: 30, hu: 30 });
    const rows = lines((await engine.call("mixes.build", { mix: dt.id })).path);
    const english = new Set(rows.filter((r) => r.lang === "en").map((r) => r.id as number));
    const translated = engine.datasets.examplesByIds(rows.filter((r) => r.lang !== "en").map((r) => r.id as number));
    expect(translated.every((t) => t.provenance === "machine-translated" && english.has(t.translation!.fromExample!))).toBe(true);

    const mt = await engine.call("mixes.preview", { recipe: recipeOver([seeds, translations], { kind: "translated", mode: "replace", english: 60, perLanguage: 10, languages: ["fi", "hu"] }) });
    expect(perLanguage(mt.counts)).toEqual({ en: 40, fi: 10, hu: 10 });
  });

  it("builds CrossAlpaca from Tatoeba: N per direction, instructions in the output's language", async () => {
    const mix = await engine.call("mixes.save", { recipe: recipeOver([seeds, tatoeba], { kind: "crossalpaca", instructions: 50, perDirection: 25, languages: ["de"] }, { filters: { languages: ["en"] } }) });
    expect(mix.counts.directions).toEqual([{ direction: "en-de", examples: 25 }, { direction: "de-en", examples: 25 }]);
    expect(perLanguage(mix.counts)).toEqual({ en: 75, de: 25 });
    const rows = lines((await engine.call("mixes.build", { mix: mix.id })).path).filter((r) => r.provenance === "translation-demo");
    expect(rows).toHaveLength(50);
    const english = new Set(readFileSync(join(tatoebaDir, "tatoeba.deu-eng.eng"), "utf8").split("\n"));
    const german = new Set(readFileSync(join(tatoebaDir, "tatoeba.deu-eng.deu"), "utf8").split("\n"));
    for (const r of rows) {
      if (r.lang === "de") {
        expect(r.instruction).toMatch(/Deutsch/);
        expect(english.has(r.input as string) && german.has(r.output as string)).toBe(true);
      } else {
        expect(r.instruction).toMatch(/English/);
        expect(german.has(r.input as string) && english.has(r.output as string)).toBe(true);
      }
    }
    expect(loadInstructionData((await engine.call("mixes.build", { mix: mix.id })).path).examples).toHaveLength(100);
  });
});

describe("series and the stored mixes", () => {
  let written: Dataset;
  beforeAll(() => {
    written = storeExamples(engine.datasets, "written", [...writtenExamples("en", 200), ...writtenExamples("es", 30), ...writtenExamples("ru", 30), ...writtenExamples("de", 30)]);
  });

  it("builds the whole ladder Mono, Multi-2 … Multi-4 in one call", async () => {
    const result = await engine.call("mixes.series", { kind: "multi-ladder", sources: [{ dataset: written.id, fingerprint: written.fingerprint }], total: 100, perLanguage: 20, languages: ["es", "ru", "de"], save: true, prefix: "written" });
    expect(result.mixes.map((m) => m.name)).toEqual(["written Mono", "written Multi-2", "written Multi-3", "written Multi-4"]);
    expect(result.mixes.map((m) => perLanguage(m.counts))).toEqual([{ en: 100 }, { en: 80, es: 20 }, { en: 60, es: 20, ru: 20 }, { en: 40, es: 20, ru: 20, de: 20 }]);
    // Saved again, the same recipes are the same mixes.
    const again = await engine.call("mixes.series", { kind: "multi-ladder", sources: [{ dataset: written.id, fingerprint: written.fingerprint }], total: 100, perLanguage: 20, languages: ["es", "ru", "de"], save: true, prefix: "written" });
    expect(again.mixes.map((m) => m.id)).toEqual(result.mixes.map((m) => m.id));
  });

  it("builds the fixed-budget ablations of 003 App. H", async () => {
    const sources = [{ dataset: written.id, fingerprint: written.fingerprint }];
    const over = await engine.call("mixes.series", { kind: "budget-over-languages", sources, total: 100, budget: 12, languages: ["es", "ru", "de"] });
    expect(over.mixes).toEqual([]);
    expect(over.recipes.map((r) => r.strategy)).toEqual([
      { kind: "fixed-budget", total: 100, base: "en", budget: 12, languages: ["es"] },
      { kind: "fixed-budget", total: 100, base: "en", budget: 12, languages: ["es", "ru"] },
      { kind: "fixed-budget", total: 100, base: "en", budget: 12, languages: ["es", "ru", "de"] },
    ]);
    const growing = await engine.call("mixes.series", { kind: "growing-budget", sources, total: 100, budgets: [10, 20, 40], languages: ["es", "ru"], save: true });
    expect(growing.mixes.map((m) => perLanguage(m.counts))).toEqual([{ en: 90, es: 5, ru: 5 }, { en: 80, es: 10, ru: 10 }, { en: 60, es: 20, ru: 20 }]);
    // A rung that cannot be built is named, and nothing of the series is saved.
    const before = (await engine.call("mixes.list", {})).length;
    const failed = await engine.dispatch("mixes.series", { kind: "growing-budget", sources, total: 100, budgets: [20, 80], languages: ["es", "ru"], save: true }, "ipc");
    expect(failed.ok ? null : failed.error.message).toMatch(/: 80 non-en: Language "es": the mix needs 40, the sources have 30/);
    expect(await engine.call("mixes.list", {})).toHaveLength(before);
  });

  it("lists, gets by id or name, and removes mixes; a removed dataset is named when a mix is rebuilt", async () => {
    const other = storeExamples(engine.datasets, "to remove", writtenExamples("en", 5, (i) => `Removed answer ${i}.`));
    const mix = await engine.call("mixes.save", { recipe: recipeOver([other], { kind: "mono", total: 5 }, { name: "short-lived" }) });
    expect((await engine.call("mixes.list", {})).map((m) => m.id)).toContain(mix.id);
    engine.datasets.remove(other.id);
    const rebuilt = await engine.dispatch("mixes.build", { mix: "short-lived" }, "ipc");
    expect(rebuilt.ok ? null : rebuilt.error).toMatchObject({ code: "dataset-not-found", where: "sources[0]" });
    expect(await engine.call("mixes.remove", { mix: "short-lived" })).toEqual({ removed: true });
    expect(await engine.call("mixes.remove", { mix: mix.id })).toEqual({ removed: false });
    const gone = await engine.dispatch("mixes.get", { mix: mix.id }, "ipc");
    expect(gone.ok ? null : gone.error.code).toBe("mix-not-found");
  });
});
