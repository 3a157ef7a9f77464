// The README's main command, `polytune demo`, end to end as a reader runs it (the built CLI on a temp
// data folder), and `polytune doctor`. The per-language report is checked against the evaluation job
// stored in the database and the run's stored mix, and every file the demo leaves is opened: model, adapter, database.
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

/** The shipped demo instructions per language, counted here rather than trusted from the report. */
function shippedExamples(language: string): number {
  return readFileSync(join(process.cwd(), "assets", "demo", `instructions.${language}.jsonl`), "utf8").split("\n").filter((l) => l.trim()).length;
}

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
});
afterAll(() => tmp.cleanup());

describe("polytune demo", () => {
  it("imports the 7-language demo data, builds Mono → Multi-3 and CrossAlpaca, trains on Multi-3 as a recorded run and reports per language, supervised or 0-shot", async () => {
    const r = await polytune("demo");
    expect(r.code, r.stderr).toBe(0);
    for (const step of ["1/7", "2/7", "3/7", "4/7", "5/7", "6/7", "7/7"]) expect(r.stdout).toContain(`${step}  `);

    // The ladder of paper 003 Table 3 in miniature: the same total, 8 per added language.
    expect(r.stdout).toMatch(/Demo Mono +en 24$/m);
    expect(r.stdout).toMatch(/Demo Multi-2 +en 16 · es 8$/m);
    expect(r.stdout).toMatch(/Demo Multi-3 +de 8 · en 8 · es 8$/m);
    expect(r.stdout).toMatch(/Demo CrossAlpaca en-de .*\(en-de 8, de-en 8\)$/m);

    // The report: one line per language, "lang  tuning  n  base% [CI] → tuned% [CI]  p  lines base → tuned".
    const rows = new Map(
      [...r.stdout.matchAll(/^ {5}(\w+) +(supervised, \d+ ex\.|zero-shot|unknown) +(\d+) +(\d+) \[(\d+), (\d+)\] → (\d+) \[(\d+), (\d+)\] +(\S+) +(\S+) → (\S+)$/gm)].map((m) => [
        m[1]!,
        { tuning: m[2]!, n: Number(m[3]), base: [m[4], m[5], m[6]].map(Number), tuned: [m[7], m[8], m[9]].map(Number), p: m[10]!, lines: [m[11]!, m[12]!] },
      ]),
    );
    expect([...rows.keys()].sort()).toEqual(["de", "en", "es", "fr", "pt", "ru", "zh"]);
    // The files it names exist and are what it says.
    const runId = /Done\. Run (\w+),/.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeDefined();
    const adapterPath = /^ {5}adapter: (.+)$/m.exec(r.stdout)?.[1];
    expect(adapterPath).toBe(join(home, "adapters", `${runId}.gguf`));
    const adapter = readGgufHeader(adapterPath!);
    expect(kvString(adapter, "adapter.type")).toBe("lora");
    expect(kvString(adapter, "general.architecture")).toBe("llama");
    expect(adapter.tensors.length).toBeGreaterThan(0);
    const model = readGgufHeader(join(home, "models", "demo-tiny-llama.gguf"));
    expect(kvString(model, "general.architecture")).toBe("llama");
    // The prompts, as the open suite reads them: six per language.
    const promptsPath = join(home, "demo", `prompts-${runId}.jsonl`);
    const prompts = readFileSync(promptsPath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; language: string; prompt: string; output: string });
    expect(prompts).toHaveLength(42);
    for (const p of prompts) expect(p.prompt.length * p.output.length, p.language).toBeGreaterThan(0);
    const jobId = /^ {5}Evaluation (\w+): /m.exec(r.stdout)?.[1];
    expect(jobId, r.stdout).toBeDefined();
    expect(r.stdout).toContain(`polytune eval --show ${jobId} --items`);

    const db = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      const run = db.prepare("SELECT status, step, total_steps, adapter_path, mix_json FROM runs WHERE id = ?").get(runId) as { status: string; step: number; total_steps: number; adapter_path: string; mix_json: string };
      expect(run).toMatchObject({ status: "completed", step: 100, total_steps: 100, adapter_path: adapterPath });
      // The run keeps the recipe and the counts it trained on, so evaluation can tell supervised from 0-shot.
      const mix = JSON.parse(run.mix_json) as { name: string; recipe: { strategy: { kind: string; languages: string[] } }; counts: { languages: Array<{ language: string; examples: number }> } };
      expect(mix.name).toBe("Demo Multi-3");
      expect(mix.recipe.strategy).toMatchObject({ kind: "multi", languages: ["es", "de"] });
      expect(Object.fromEntries(mix.counts.languages.map((l) => [l.language, l.examples]))).toEqual({ en: 8, es: 8, de: 8 });

      // The evaluation as printed is the job as stored: the run's adapter against the base model on the prompts file.
      const job = db.prepare("SELECT status, run_id, baseline, suites_json, languages_json FROM eval_jobs WHERE id = ?").get(jobId) as { status: string; run_id: string; baseline: number; suites_json: string; languages_json: string };
      expect(job).toMatchObject({ status: "completed", run_id: runId, baseline: 1 });
      expect((JSON.parse(job.suites_json) as Array<{ suite: string; data: string[] }>).map((x) => [x.suite, x.data])).toEqual([["open", [promptsPath]]]);
      const trainedOn = new Map(mix.counts.languages.map((l) => [l.language, l.examples]));
      // Every language's mark follows from the run's stored mix, and the job stored the same.
      for (const [lang, row] of rows) expect(row.tuning, lang).toBe(trainedOn.has(lang) ? `supervised, ${trainedOn.get(lang)} ex.` : "zero-shot");
      expect(JSON.parse(job.languages_json)).toEqual([...rows.keys()].sort().map((language) => (trainedOn.has(language) ? { language, tuning: "supervised", examples: trainedOn.get(language) } : { language, tuning: "zero-shot", examples: 0 })));
      type Aggregate = { language: string | null; metric: string; n: number; mean: number; ci95: [number, number] | null };
      type Comparison = { language: string | null; metric: string; p: number; mcnemar: { p: number } | null };
      const results = new Map(
        (db.prepare("SELECT system, aggregates_json, comparisons_json FROM eval_results WHERE job_id = ? AND suite = 'open'").all(jobId) as Array<{ system: string; aggregates_json: string; comparisons_json: string }>).map((x) => [
          x.system,
          { aggregates: JSON.parse(x.aggregates_json) as Aggregate[], comparisons: JSON.parse(x.comparisons_json) as Comparison[] },
        ]),
      );
      expect([...results.keys()].sort()).toEqual(["base", "tuned"]);
      const items = db.prepare("SELECT language, system, status, response, scores_json FROM eval_items WHERE job_id = ?").all(jobId) as Array<{ language: string; system: string; status: string; response: string | null; scores_json: string }>;
      expect(items).toHaveLength(84);
      const pct = (v: number): number => Number(v.toFixed(0));
      const pText = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
      for (const [lang, row] of rows) {
        expect(row.n, lang).toBe(6);
        for (const system of ["base", "tuned"] as const) {
          const stored = results.get(system)!.aggregates;
          const lc = stored.find((a) => a.language === lang && a.metric === "language_correctness")!;
          expect(row[system], `${lang} ${system}`).toEqual([pct(lc.mean), pct(lc.ci95![0]), pct(lc.ci95![1])]);
          // The stored mean is the share of this language's outputs whose language was identified as the prompt's.
          const own = items.filter((i) => i.language === lang && i.system === system);
          expect(own.every((i) => i.status === "done" && i.response !== null)).toBe(true);
          expect(lc.n).toBe(own.length);
          expect(lc.mean).toBeCloseTo((100 * own.filter((i) => (JSON.parse(i.scores_json) as { language_correctness: number }).language_correctness === 1).length) / own.length, 9);
          const lines = stored.find((a) => a.language === lang && a.metric === "line_pass_rate");
          expect(row.lines[system === "base" ? 0 : 1], `${lang} ${system} lines`).toBe(lines ? String(pct(lines.mean)) : "—");
        }
        const c = results.get("tuned")!.comparisons.find((x) => x.language === lang && x.metric === "language_correctness")!;
        expect(row.p, lang).toBe(pText(c.mcnemar?.p ?? c.p));
      }
      // On the languages it was tuned on, the tuned model answers in the prompt's language more often, and the report says so.
      const supervised = [...rows.entries()].filter(([lang]) => trainedOn.has(lang));
      expect(supervised.reduce((n, [, row]) => n + row.tuned[0]!, 0)).toBeGreaterThan(supervised.reduce((n, [, row]) => n + row.base[0]!, 0));
      expect(r.stdout).toContain("Tuning made the model answer in the prompt's language more often in");
      expect(r.stdout).toContain("The demo model has random weights");
      const steps = (db.prepare("SELECT step FROM run_metrics WHERE run_id = ? ORDER BY step").all(runId) as Array<{ step: number }>).map((m) => m.step);
      expect(steps).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const models = db.prepare("SELECT path FROM models").all() as Array<{ path: string }>;
      expect(models.map((m) => m.path)).toContain(join(home, "models", "demo-tiny-llama.gguf"));
      // Both shipped datasets, complete, their examples labelled.
      const datasets = db.prepare("SELECT name, status, examples FROM datasets ORDER BY name").all();
      expect(datasets).toEqual([
        { name: "Demo instructions (7 languages)", status: "ready", examples: ["en", "es", "de", "fr", "ru", "zh", "pt"].reduce((n, l) => n + shippedExamples(l), 0) },
        { name: "Demo parallel text en-de", status: "ready", examples: 201 },
      ]);
      const mixes = (db.prepare("SELECT name FROM mixes ORDER BY name").all() as Array<{ name: string }>).map((m) => m.name);
      expect(mixes).toEqual(["Demo CrossAlpaca en-de", "Demo Mono", "Demo Multi-2", "Demo Multi-3"]);
    } finally {
      db.close();
    }

    // A second demo reuses the imported datasets and the saved mixes instead of duplicating them.
    const again = await polytune("--json", "demo", "--steps", "2");
    expect(again.code, again.stderr).toBe(0);
    // --json: the evaluation job itself, beside the prompts it read.
    const report = JSON.parse(again.stdout) as { run: { id: string }; prompts: string; evaluation: { status: string; run: string; baseline: boolean; results: Array<{ system: string }> }; perLanguage?: unknown };
    expect(report.evaluation).toMatchObject({ status: "completed", run: report.run.id, baseline: true });
    expect(report.evaluation.results.map((x) => x.system).sort()).toEqual(["base", "tuned"]);
    expect(report.prompts).toBe(join(home, "demo", `prompts-${report.run.id}.jsonl`));
    expect(report.perLanguage).toBeUndefined();
    const db2 = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      expect((db2.prepare("SELECT COUNT(*) AS n FROM datasets").get() as { n: number }).n).toBe(2);
      expect((db2.prepare("SELECT COUNT(*) AS n FROM mixes").get() as { n: number }).n).toBe(4);
    } finally {
      db2.close();
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
