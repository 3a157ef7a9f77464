import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dataset, ShowResult } from "../../../electron/shared/datasetContract.js";
import { makeTempDir } from "../../support/tempDir.js";

// The built CLI, run as a user runs it: `npm run build` comes first in `npm test`.
const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");

function polytune(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: 240_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function writeLines(name: string, records: unknown[]): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, `${records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")}\n`);
  return path;
}

const english = (i: number) => ({ instruction: `Describe in a sentence what makes the season number ${i} pleasant for a walk in the park.`, input: "", output: `Season ${i} is pleasant because the air is fresh and the trees in the park are full of colour.` });
const german = (i: number) => ({ instruction: `Beschreibe in einem Satz, was die Jahreszeit Nummer ${i} für einen Spaziergang im Park angenehm macht.`, input: "", output: `Die Jahreszeit ${i} ist angenehm, weil die Luft frisch ist und die Bäume im Park voller Farben sind.` });

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "engine", "datasets", "importWorker.js"))) throw new Error("Run `npm run build` before the CLI tests.");
});
afterAll(() => tmp.cleanup());

describe("polytune data", () => {
  let datasetId = "";

  it("imports a file and prints kept, skipped and duplicated counts, the languages and the first errors", { timeout: 300_000 }, () => {
    const file = writeLines("mixed.jsonl", [english(1), german(2), "{not json", english(1), german(3), { instruction: "", output: "" }, english(4)]);
    const r = polytune("data", "import", file, "--name", "Mixed walk");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Imported \S{8}\s+Mixed walk\s+\(instructions, alpaca, utf-8\)/);
    expect(r.stdout).toMatch(/kept 4 · skipped 2 · duplicates 1/);
    expect(r.stdout).toMatch(/^\s+en\s+2\s+0\s+0$/m);
    expect(r.stdout).toMatch(/^\s+de\s+2\s+0\s+0$/m);
    expect(r.stdout).toContain(`${file}:3: `);
    expect(r.stdout).toContain(`${file}:6: `);
    datasetId = /^Imported (\S+)/.exec(r.stdout)![1]!;
  });

  it("imports with --json, a claimed language, a mapping and a provenance", { timeout: 300_000 }, () => {
    const file = writeLines("qa.jsonl", [
      { question: "Wie spät ist es, wenn der große Zeiger auf zwölf und der kleine auf drei steht?", answer: "Dann ist es genau drei Uhr am Nachmittag oder in der Nacht." },
      { question: "What colour do you get when you mix blue and yellow paint together?", answer: "You get green when you mix blue and yellow paint together." },
    ]);
    const r = polytune("--json", "data", "import", file, "--map", "instruction=question", "--map", "output=answer", "--language", "de", "--provenance", "user-written");
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as Dataset;
    expect(d).toMatchObject({ examples: 2, provenance: { "user-written": 2 } });
    expect(d.languages.find((l) => l.language === "en")).toMatchObject({ examples: 1, mismatched: 1 });
    expect(d.languages.find((l) => l.language === "de")).toMatchObject({ examples: 1, mismatched: 0 });
  });

  it("lists, shows with filters, and removes", { timeout: 300_000 }, () => {
    const list = polytune("data", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${datasetId}\\s+Mixed walk\\s+instructions\\s+4\\s+(en 2, de 2|de 2, en 2)`, "m"));
    const listed = JSON.parse(polytune("--json", "data", "list").stdout) as Dataset[];
    expect(listed.map((d) => d.id)).toContain(datasetId);

    const shown = polytune("data", "show", datasetId, "--language", "de");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("2 matching; showing 1–2:");
    expect(shown.stdout).toMatch(/#2 de [01]\.\d\d native\s+Beschreibe in einem Satz, was die Jahreszeit Nummer 2/);
    const searched = JSON.parse(polytune("--json", "data", "show", datasetId, "--search", "number 4", "--limit", "5").stdout) as ShowResult;
    expect(searched.total).toBe(1);
    expect(searched.rows[0]).toMatchObject({ kind: "example", line: 7, language: "en" });

    const removed = polytune("data", "rm", datasetId);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Removed dataset ${datasetId}`);
    const again = polytune("data", "rm", datasetId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`polytune: ${datasetId}: No dataset`);
    const gone = polytune("data", "show", datasetId);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/No dataset .* List the datasets/);
  });

  it("exits non-zero on a refusal, printing where and what to do", { timeout: 120_000 }, () => {
    const empty = writeLines("blank.jsonl", ["", "   "]);
    const r = polytune("data", "import", empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^polytune: .*blank\.jsonl/);
    const json = polytune("--json", "data", "import", empty);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { where: expect.stringContaining("blank.jsonl") } });

    const badMap = polytune("data", "import", empty, "--map", "instrucion=question");
    expect(badMap.code).toBe(1);
    expect(badMap.stderr).toMatch(/"instrucion" is not a field Polytune maps.*instruction/);
    const badLanguage = polytune("data", "import", empty, "--language", "Klingonish");
    expect(badLanguage.code).toBe(1);
    expect(badLanguage.stderr).toMatch(/^polytune: language: "Klingonish" is not a language Polytune knows/);
    const badFormat = polytune("data", "import", empty, "--format", "xlsx");
    expect(badFormat.code).not.toBe(0);
    expect(badFormat.stderr).toMatch(/xlsx/);
  });

  it("killed mid-import, leaves nothing once Polytune opens again; earlier datasets stay", { timeout: 600_000 }, async () => {
    const keep = writeLines("keep.jsonl", [english(10), german(11)]);
    const kept = JSON.parse(polytune("--json", "data", "import", keep).stdout) as Dataset;
    const big = join(tmp.dir, "huge.jsonl");
    writeFileSync(big, `${Array.from({ length: 200_000 }, (_, i) => JSON.stringify(english(i + 100))).join("\n")}\n`);

    const child = spawn(process.execPath, [bin, "--home", home, "data", "import", big], { stdio: "ignore" });
    const db = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      // Wait until the import has committed rows, then kill the process outright (no cleanup can run).
      const deadline = Date.now() + 300_000;
      let stored = 0;
      while (stored === 0 && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100));
        stored = (db.prepare("SELECT COUNT(*) AS n FROM examples WHERE source_file = ?").get(big) as { n: number }).n;
      }
      expect(stored).toBeGreaterThan(0);
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      expect(db.prepare("SELECT status FROM datasets WHERE status != 'ready'").all()).toEqual([{ status: "importing" }]);
    } finally {
      db.close();
    }

    // Any command opens the engine, which sweeps what the killed import left.
    const list = JSON.parse(polytune("--json", "data", "list").stdout) as Dataset[];
    expect(list.map((d) => d.id)).toContain(kept.id);
    expect(list.every((d) => !d.files.some((f) => f.path === big))).toBe(true);
    const after = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      expect(after.prepare("SELECT COUNT(*) AS n FROM examples WHERE source_file = ?").get(big)).toEqual({ n: 0 });
      expect(after.prepare("SELECT COUNT(*) AS n FROM datasets WHERE status != 'ready'").get()).toEqual({ n: 0 });
      expect(after.prepare("SELECT COUNT(*) AS n FROM examples WHERE dataset_id = ?").get(kept.id)).toEqual({ n: 2 });
    } finally {
      after.close();
    }
  });
});
