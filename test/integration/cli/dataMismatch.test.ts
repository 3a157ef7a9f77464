// `polytune data show` marks a claimed language only where the engine's one rule says it disagrees with
// the identified one (the row's `mismatched`, decided at import), never by comparing the strings.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, ExampleRow, ShowResult } from "../../../electron/shared/datasetContract.js";
import { makeTempDir } from "../../support/tempDir.js";

// The built CLI, run as a user runs it (`npm run build` first).
const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const english = (i: number, lang: string) => ({ instruction: `Describe in a sentence what makes the season number ${i} pleasant for a walk in the park.`, input: "", output: `Season ${i} is pleasant because the air is fresh and the trees in the park are full of colour.`, lang });

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "engine", "datasets", "importWorker.js"))) throw new Error("Run `npm run build` before the CLI tests.");
});
afterAll(() => tmp.cleanup());

describe("data show: claimed languages", () => {
  it("shows a claim that names another language, and not one that names no language", () => {
    const file = join(tmp.dir, "claims.jsonl");
    // Lines 1–2 claim German (a real disagreement); lines 3–4 claim something that is no language code.
    writeFileSync(file, [english(1, "de"), english(2, "deu"), english(3, "Klingonish"), english(4, "Klingonish")].map((r) => JSON.stringify(r)).join("\n") + "\n");
    const imported = polytune("--json", "data", "import", file, "--format", "jsonl", "--map", "instruction=instruction", "--map", "output=output", "--map", "language=lang");
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    const dataset = JSON.parse(imported.stdout) as Dataset;
    expect(dataset.examples).toBe(4);

    const shown = JSON.parse(polytune("--json", "data", "show", dataset.id).stdout) as ShowResult;
    const rows = shown.rows as ExampleRow[];
    expect(rows.map((r) => [r.line, r.language, r.mismatched])).toEqual([
      [1, "en", true],
      [2, "en", true],
      [3, "en", false],
      [4, "en", false],
    ]);
    // Kept as written (it names no language), so a plain string comparison would call it a mismatch.
    expect(rows[2]!.claimedLanguage).toBe("Klingonish");

    const text = polytune("data", "show", dataset.id).stdout;
    const line = (n: number) => text.split("\n").find((l) => l.includes(`claims.jsonl:${n})`)) ?? "";
    expect(line(1)).toContain("claimed de");
    expect(line(2)).toContain("claimed de");
    expect(line(3)).not.toContain("claimed");
    expect(line(4)).not.toContain("claimed");
  }, 300_000);

  it("refuses --provenance machine-translated, offering the others", () => {
    const file = join(tmp.dir, "mt.jsonl");
    writeFileSync(file, JSON.stringify(english(5, "en")) + "\n");
    const r = polytune("data", "import", file, "--provenance", "machine-translated");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("native, translation-demo, user-written");
    expect(polytune("data", "import", "--help").stdout).toContain("polytune data translate");
  }, 300_000);
});
