// `polytune mix …` and `polytune train --mix recipe.json` as a user runs them: the built CLI in its own
// process, on a data folder whose dataset was stored through the DatasetStore beforehand.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset } from "../../../electron/shared/datasetContract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";
import { recipeOver, storeExamples, writtenExamples } from "./mixDatasets.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
let written: Dataset;

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
  const engine = new PolytuneEngine({ home });
  written = storeExamples(engine.datasets, "written", [...writtenExamples("en", 40), ...writtenExamples("es", 10), ...writtenExamples("de", 10)]);
  await engine.close();
});
afterAll(() => tmp.cleanup());

describe("polytune mix", () => {
  it("builds a recipe file into JSONL and prints the counts per language", () => {
    const recipe = join(tmp.dir, "multi3.json");
    writeFileSync(recipe, JSON.stringify(recipeOver([written], { kind: "multi", total: 20, perLanguage: 4, languages: ["es", "de"] }, { name: "cli Multi-3" })));
    const out = join(tmp.dir, "multi3.jsonl");
    const built = polytune("--json", "mix", "build", recipe, "--out", out);
    expect(built.code, built.stderr).toBe(0);
    const result = JSON.parse(built.stdout) as { path: string; examples: number; mix: { counts: { languages: Array<{ language: string; examples: number }> } } };
    expect(result).toMatchObject({ path: out, examples: 20 });
    expect(result.mix.counts.languages.map((l) => [l.language, l.examples])).toEqual([["en", 12], ["de", 4], ["es", 4]]);
    expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(20);

    const text = polytune("mix", "build", recipe);
    expect(text.stdout).toMatch(/en\s+12\s+60\.0%/);
    expect(text.stdout).toContain("polytune train --mix");

    const preview = polytune("mix", "preview", recipe);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/cli Multi-3: 20 examples/);
    expect(preview.stdout).toMatch(/available after the filters: en 40, de 10, es 10/);
  });

  it("builds a ladder, lists, shows and removes mixes", () => {
    const ladder = polytune("--json", "mix", "ladder", "--dataset", written.id, "--languages", "es,de", "--per-language", "5", "--total", "20", "--prefix", "L", "--save");
    expect(ladder.code, ladder.stderr).toBe(0);
    expect((JSON.parse(ladder.stdout) as { mixes: Array<{ name: string }> }).mixes.map((m) => m.name)).toEqual(["L Mono", "L Multi-2", "L Multi-3"]);
    const list = JSON.parse(polytune("--json", "mix", "list").stdout) as Array<{ name: string }>;
    expect(list.map((m) => m.name)).toEqual(expect.arrayContaining(["L Mono", "L Multi-2", "L Multi-3", "cli Multi-3"]));
    expect(polytune("mix", "show", "L Multi-2").stdout).toMatch(/es\s+5\s+25\.0%/);
    expect(polytune("mix", "rm", "L Mono").stdout).toContain("Removed.");
    const missing = polytune("mix", "show", "L Mono");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No mix "L Mono"');
  });

  it("names the recipe file and the field that is wrong", () => {
    const bad = join(tmp.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ version: 1, sources: [{ dataset: written.id, fingerprint: written.fingerprint }], strategy: { kind: "multi", total: 20, languages: ["es"] } }));
    const r = polytune("mix", "build", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("strategy.perLanguage");
    expect(r.stderr).toContain(bad);
  });

  it("trains from a recipe file: saved as a mix first, recorded on the run", async () => {
    const model = join(tmp.dir, "tiny.gguf");
    await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 3 });
    const recipe = join(tmp.dir, "train-mix.json");
    writeFileSync(recipe, JSON.stringify(recipeOver([written], { kind: "multi", total: 12, perLanguage: 3, languages: ["es"] }, { name: "train Multi-2" })));
    const r = polytune("--json", "train", "--model", model, "--mix", recipe, "--steps", "2", "--rank", "4", "--batch", "2", "--seq-len", "128", "--threads", "1");
    expect(r.code, r.stderr).toBe(0);
    const done = JSON.parse(r.stdout) as { run: string; status: string };
    expect(done.status).toBe("completed");
    const shown = JSON.parse(polytune("--json", "mix", "list").stdout) as Array<{ name: string }>;
    expect(shown.map((m) => m.name)).toContain("train Multi-2");
  }, 240_000);
});
