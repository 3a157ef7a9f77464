// The README's main command, `polytune demo`, end to end as a reader runs it (the built CLI on a temp
// data folder), and `polytune doctor`. The per-language report is checked against the shipped data,
// read here independently, and every file the demo leaves is opened: model, adapter, database.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kvString, readGgufHeader } from "../../../electron/engine/gguf/readGgufHeader.js";
import { makeTempDir } from "../../support/tempDir.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");

function polytune(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, "--home", home, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // Ended before the test's own time-out, so a stuck demo does not outlive the test.
  const timer = setTimeout(() => child.kill("SIGKILL"), 1_700_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Examples per language in the shipped demo data, counted here rather than trusted from the report. */
function demoLanguages(): Map<string, number> {
  const counts = new Map<string, number>();
  const lines = readFileSync(join(process.cwd(), "assets", "demo", "demo-instructions.jsonl"), "utf8").split("\n").filter((l) => l.trim());
  for (const line of lines) {
    const lang = (JSON.parse(line) as { lang: string }).lang;
    counts.set(lang, (counts.get(lang) ?? 0) + 1);
  }
  return counts;
}

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
});
afterAll(() => tmp.cleanup());

describe("polytune demo", () => {
  it("trains on the four-language demo data as a recorded run and reports, per language, base vs. tuned exact answers", async () => {
    const r = await polytune("demo");
    expect(r.code, r.stderr).toBe(0);
    for (const step of ["1/5", "2/5", "3/5", "4/5", "5/5"]) expect(r.stdout).toContain(`${step}  `);

    // The report: one line per language of the data, "lang  base/n → tuned/n".
    const expected = demoLanguages();
    expect([...expected.keys()].sort()).toEqual(["de", "en", "es", "fr"]);
    const rows = new Map([...r.stdout.matchAll(/^ {5}(\w+) +(\d+)\/(\d+) → (\d+)\/(\d+) /gm)].map((m) => [m[1]!, { base: Number(m[2]), n: Number(m[3]), tuned: Number(m[4]), n2: Number(m[5]) }]));
    expect([...rows.keys()].sort()).toEqual([...expected.keys()].sort());
    let base = 0;
    let tuned = 0;
    for (const [lang, row] of rows) {
      expect(row.n, lang).toBe(expected.get(lang));
      expect(row.n2, lang).toBe(row.n);
      expect(row.base, lang).toBeLessThanOrEqual(row.n);
      expect(row.tuned, lang).toBeLessThanOrEqual(row.n);
      // Tuning on these very answers must not lose any language the base model had.
      expect(row.tuned, lang).toBeGreaterThanOrEqual(row.base);
      base += row.base;
      tuned += row.tuned;
    }
    // A random-weight base answers nothing exactly; the tuned model has learned the answers.
    expect(base).toBe(0);
    expect(tuned).toBeGreaterThan(base);

    // The files it names exist and are what it says.
    const runId = /Done\. Run (\w+) /.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeDefined();
    const adapterPath = /^ {5}adapter: (.+)$/m.exec(r.stdout)?.[1];
    expect(adapterPath).toBe(join(home, "adapters", `${runId}.gguf`));
    const adapter = readGgufHeader(adapterPath!);
    expect(kvString(adapter, "adapter.type")).toBe("lora");
    expect(kvString(adapter, "general.architecture")).toBe("llama");
    expect(adapter.tensors.length).toBeGreaterThan(0);
    const model = readGgufHeader(join(home, "models", "demo-tiny-llama.gguf"));
    expect(kvString(model, "general.architecture")).toBe("llama");

    const db = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      const run = db.prepare("SELECT status, step, total_steps, adapter_path FROM runs WHERE id = ?").get(runId) as { status: string; step: number; total_steps: number; adapter_path: string };
      expect(run).toEqual({ status: "completed", step: 60, total_steps: 60, adapter_path: adapterPath });
      const steps = (db.prepare("SELECT step FROM run_metrics WHERE run_id = ? ORDER BY step").all(runId) as Array<{ step: number }>).map((m) => m.step);
      expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      const models = db.prepare("SELECT path FROM models").all() as Array<{ path: string }>;
      expect(models.map((m) => m.path)).toContain(join(home, "models", "demo-tiny-llama.gguf"));
    } finally {
      db.close();
    }
  }, 1_800_000);
});

describe("polytune doctor", () => {
  it("reports the CPU backend usable and the LoRA trainer built, in text and as JSON", async () => {
    const json = await polytune("--json", "doctor");
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { home: string; backends: Array<{ name: string; available: boolean; reason: string }>; trainer: { available: boolean; reason: string } };
    expect(report.home).toBe(home);
    expect(report.backends.map((b) => b.name)).toEqual(expect.arrayContaining(["cpu", "cuda", "vulkan", "metal"]));
    expect(report.backends.find((b) => b.name === "cpu")).toMatchObject({ available: true });
    // Every backend says why, usable or not.
    for (const b of report.backends) expect(b.reason.length, b.name).toBeGreaterThan(0);
    // Metal exists only on macOS: elsewhere doctor must say it cannot be used.
    if (process.platform !== "darwin") expect(report.backends.find((b) => b.name === "metal")?.available).toBe(false);
    expect(report.trainer.available, report.trainer.reason).toBe(true);

    const text = spawnSync(process.execPath, [bin, "--home", home, "doctor"], { encoding: "utf8" });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^ {2}✓ cpu /m);
    expect(text.stdout).toMatch(/^LoRA trainer: ✓ /m);
  });
});
