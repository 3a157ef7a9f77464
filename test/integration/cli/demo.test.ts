// The README's main command, `polytune demo`, end to end as a reader (and CI's main job) runs it: the
// built CLI on a temp data folder and the shipped micro-polyglot model. Every number of the printed
// per-language comparison is checked against what the database stores (the runs' and the base model's
// evaluation results, the items' scores for the paired test), the held-out prompts against the mixes,
// and the report file is opened. Then `polytune doctor`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../support/tempDir.js";

const bin = join(process.cwd(), "bin", "polytune.js");
const shippedModel = join(process.cwd(), "assets", "models", "micro-polyglot.gguf");
const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const languages = ["de", "en", "es", "fr", "pt", "ru", "zh"];

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

type Aggregate = { language: string | null; metric: string; n: number; mean: number; ci95: [number, number] | null };

/** McNemar's exact two-sided p on the discordant pairs, computed here from the stored item scores. */
function mcnemarP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  let cdf = 0;
  let term = 0.5 ** n;
  for (let k = 0; k <= Math.min(b, c); k++) {
    cdf += term;
    term *= (n - k) / (k + 1);
  }
  return Math.min(1, 2 * cdf);
}
const pText = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

beforeAll(() => {
  if (!existsSync(join(process.cwd(), "dist", "electron", "cli", "main.js"))) throw new Error("Run `npm run build` before the CLI tests.");
  if (!existsSync(shippedModel)) throw new Error("The demo's base model assets/models/micro-polyglot.gguf is missing: build it with `npm run build:demo-model`.");
});
afterAll(() => tmp.cleanup());

describe("polytune demo", () => {
  it("runs Mono vs Multi-3 on micro-polyglot as an experiment and prints per language what the database holds, the findings and the report", async () => {
    const r = await polytune("demo");
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const experimentId = /^Experiment (\w+) \(Polytune demo\)/m.exec(r.stdout)?.[1];
    expect(experimentId, r.stdout).toBeDefined();

    // "lang  n  base [CI]  Mono[†] [CI]  Multi-3[†] [CI]  Δ  p"
    const num = String.raw`(\d+\.\d)`;
    const cell = String.raw`${num}(†?) \[${num}, ${num}\]`;
    const rows = new Map(
      [...r.stdout.matchAll(new RegExp(String.raw`^  (\w+) +(\d+) +${cell} +${cell} +${cell} +([+-]\d+\.\d) +(\S+)$`, "gm"))].map((m) => [
        m[1]!,
        { n: Number(m[2]), base: [m[3], m[5], m[6]], baseMark: m[4], mono: [m[7], m[9], m[10]], monoMark: m[8], multi: [m[11], m[13], m[14]], multiMark: m[12], delta: m[15]!, p: m[16]! },
      ]),
    );
    expect([...rows.keys()].sort(), r.stdout).toEqual(languages);

    const db = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      const experiment = db.prepare("SELECT status, baseline_job FROM experiments WHERE id = ?").get(experimentId) as { status: string; baseline_job: string };
      expect(experiment.status).toBe("completed");
      const items = db.prepare("SELECT mix_name, state, run_id, eval_job, lr FROM experiment_items WHERE experiment_id = ? ORDER BY position").all(experimentId) as Array<{ mix_name: string; state: string; run_id: string; eval_job: string; lr: number }>;
      expect(items.map((i) => [i.mix_name, i.state, i.lr])).toEqual([
        ["Polytune demo · Mono", "done", 5e-3],
        ["Polytune demo · Multi-3", "done", 5e-3],
      ]);
      const [mono, multi] = items as [(typeof items)[number], (typeof items)[number]];

      // The runs: trained on the shipped model, on the two mixes of the ladder.
      const modelPath = (db.prepare("SELECT m.path FROM runs r JOIN models m ON m.id = r.model_id WHERE r.id = ?").get(mono.run_id) as { path: string }).path;
      expect(modelPath).toBe(shippedModel);
      const mixOf = (run: string) => JSON.parse((db.prepare("SELECT mix_json FROM runs WHERE id = ? AND status = 'completed'").get(run) as { mix_json: string }).mix_json) as { counts: { languages: Array<{ language: string; examples: number }> } };
      const counts = (run: string) => Object.fromEntries(mixOf(run).counts.languages.map((l) => [l.language, l.examples]));
      expect(counts(mono.run_id)).toEqual({ en: 96 });
      expect(counts(multi.run_id)).toEqual({ en: 32, es: 32, de: 32 });

      // The held-out prompts: 20 per language, none of them in any mix the runs trained on.
      const promptsPath = join(home, "demo", "prompts.jsonl");
      const prompts = readFileSync(promptsPath, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; language: string; prompt: string });
      expect(prompts).toHaveLength(140);
      const trained = readdirSync(join(home, "mixes"))
        .filter((f) => f.endsWith(".jsonl"))
        .flatMap((f) => readFileSync(join(home, "mixes", f), "utf8").trim().split("\n"))
        .map((l) => JSON.parse(l) as { instruction: string; input: string });
      expect(trained.length).toBeGreaterThanOrEqual(192);
      const trainedPrompts = new Set(trained.map((t) => (t.input ? `${t.instruction}\n\n${t.input}` : t.instruction)));
      expect(prompts.filter((p) => trainedPrompts.has(p.prompt))).toEqual([]);

      const job = (id: string) => {
        const row = db.prepare("SELECT status, suites_json, languages_json FROM eval_jobs WHERE id = ?").get(id) as { status: string; suites_json: string; languages_json: string };
        expect(row.status, id).toBe("completed");
        expect((JSON.parse(row.suites_json) as Array<{ suite: string; data: string[] }>).map((s) => [s.suite, s.data])).toEqual([["open", [promptsPath]]]);
        const tuned = db.prepare("SELECT aggregates_json FROM eval_results WHERE job_id = ? AND suite = 'open' AND system = 'tuned'").get(id) as { aggregates_json: string };
        const scores = new Map(
          (db.prepare("SELECT item_id, scores_json FROM eval_items WHERE job_id = ? AND system = 'tuned'").all(id) as Array<{ item_id: string; scores_json: string }>).map((i) => [i.item_id, (JSON.parse(i.scores_json) as { language_correctness: number }).language_correctness]),
        );
        return { aggregates: JSON.parse(tuned.aggregates_json) as Aggregate[], languages: JSON.parse(row.languages_json) as Array<{ language: string; tuning: string }>, scores };
      };
      const base = job(experiment.baseline_job);
      const jobs = { mono: job(mono.eval_job), multi: job(multi.eval_job) };
      const printed = (a: Aggregate) => [a.mean.toFixed(1), a.ci95![0].toFixed(1), a.ci95![1].toFixed(1)];
      for (const [lang, row] of rows) {
        const lc = (j: { aggregates: Aggregate[] }) => j.aggregates.find((a) => a.language === lang && a.metric === "language_correctness")!;
        expect(row.base, `${lang} base`).toEqual(printed(lc(base)));
        expect(row.mono, `${lang} Mono`).toEqual(printed(lc(jobs.mono)));
        expect(row.multi, `${lang} Multi-3`).toEqual(printed(lc(jobs.multi)));
        expect(row.n, lang).toBe(20);
        expect([lc(base).n, lc(jobs.mono).n, lc(jobs.multi).n]).toEqual([20, 20, 20]);
        // † exactly where the run's evaluation stored the language as zero-shot, which follows from its mix.
        for (const k of ["mono", "multi"] as const) {
          const stored = jobs[k].languages.find((l) => l.language === lang)!.tuning;
          expect(stored, `${lang} ${k}`).toBe(lang in counts(items[k === "mono" ? 0 : 1]!.run_id) ? "supervised" : "zero-shot");
          expect(row[`${k}Mark`], `${lang} ${k}`).toBe(stored === "zero-shot" ? "†" : "");
        }
        expect(row.baseMark).toBe("");
        // Δ and McNemar's p on the same prompts, from the items' stored 0/1 scores.
        const ids = prompts.filter((p) => p.language === lang).map((p) => `${lang}:${p.id}`);
        expect(ids.every((id) => jobs.mono.scores.has(id) && jobs.multi.scores.has(id))).toBe(true);
        const monoRight = ids.filter((id) => jobs.mono.scores.get(id) === 1).length;
        const multiRight = ids.filter((id) => jobs.multi.scores.get(id) === 1).length;
        expect(Number(row.delta), lang).toBeCloseTo((100 * (multiRight - monoRight)) / ids.length, 1);
        const b = ids.filter((id) => jobs.mono.scores.get(id) === 1 && jobs.multi.scores.get(id) === 0).length;
        const c = ids.filter((id) => jobs.mono.scores.get(id) === 0 && jobs.multi.scores.get(id) === 1).length;
        expect(row.p, lang).toBe(pText(mcnemarP(b, c)));
        // Each language gets its sentence of findings.
        expect(r.stdout, lang).toMatch(new RegExp(`^  ${lang}[:,] `, "m"));
      }

      // The report: a self-contained HTML file with the figures and both runs.
      const reportPath = /^Report: (\S+\.html) /m.exec(r.stdout)?.[1];
      expect(reportPath).toBe(join(home, "reports", `${experimentId}.html`));
      const html = readFileSync(reportPath!, "utf8");
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain("<svg");
      for (const name of ["Polytune demo · Mono", "Polytune demo · Multi-3", "language_correctness"]) expect(html).toContain(name);
    } finally {
      db.close();
    }
    expect(r.stdout).toContain("its text is not meaningful");
    expect(r.stdout).toContain("Judge-based metrics (relevance, fluency) need a real judge model");
    expect(r.stdout).toContain("`polytune experiment run my-experiment.json`");
    expect(r.stdout).toContain("assets/demo/experiment.example.json");

    // A second demo reuses the model, the imported data and the saved mixes; --json: the experiment and the comparison.
    const again = await polytune("--json", "demo");
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout) as { experiment: { id: string; status: string }; comparison: { runs: Array<{ mix: { name: string } }>; languages: Array<{ language: string }> }; report: string };
    expect(out.experiment.status).toBe("completed");
    expect(out.experiment.id).not.toBe(experimentId);
    expect(out.comparison.runs.map((x) => x.mix.name)).toEqual(["Polytune demo · Mono", "Polytune demo · Multi-3"]);
    expect(out.comparison.languages.map((l) => l.language)).toEqual(languages);
    expect(existsSync(out.report)).toBe(true);
    const db2 = new Database(join(home, "polytune.db"), { readonly: true });
    try {
      const count = (table: string) => (db2.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      expect([count("models"), count("datasets"), count("mixes"), count("experiments"), count("runs")]).toEqual([1, 1, 2, 2, 4]);
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
