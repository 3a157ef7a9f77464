// Compare at scale, side by side in one run: `compare.runs` over N evaluated runs and the first page of
// `compare.items`, through the engine, against a naive baseline on the same database (every item row of
// the runs loaded and aggregated in JS; the item diff by loading both runs' rows and filtering in JS).
// The database is built in a temp folder through the real schema (the migrations) and the real stores:
// runs by RunStore, jobs and their item rows by EvalStore, scores and aggregates (bootstrap CIs, the
// evaluation's own `aggregate()`) by EvalStore.saveScore; only the outputs and scores are generated.
//
//   node bench/compare.mjs [--runs 50] [--languages 20] [--items 1000] [--diff-runs 2] [--json]
//
// Needs `npm run build:ts` first (it imports the engine from dist/). `compare.runs` is timed cold (the
// first comparison of these runs: paired tests and the non-English average from the replicates each job
// stored with its scores, m0012; categories bootstrapped from the item rows; all kept, m0011), warm
// (read back), and cold for jobs scored before m0012 (their replicates made from the item rows on first
// use), each with the page of changed items.
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: o } = parseArgs({ options: { runs: { type: "string", default: "50" }, languages: { type: "string", default: "20" }, items: { type: "string", default: "1000" }, "diff-runs": { type: "string", default: "2" }, json: { type: "boolean", default: false } } });
const runCount = Number(o.runs);
const languageCount = Number(o.languages);
const itemsPerLanguage = Number(o.items);
const diffRuns = Math.min(runCount, Number(o["diff-runs"]));
const log = (/** @type {string} */ line) => {
  if (!o.json) console.log(line);
};
const dist = (/** @type {string} */ path) => import(pathToFileURL(join(root, "dist", "electron", "engine", path)).href);

const { createEngine } = await dist("createEngine.js");
const { openDatabase } = await dist("db/openDatabase.js");
const { RunStore } = await dist("runs/RunStore.js");
const { EvalStore } = await dist("eval/job/EvalStore.js");
const { aggregate } = await dist("eval/aggregate.js");
const { seededRandom } = await dist("random/seededRandom.js");
const { TrainConfigSchema } = await import(pathToFileURL(join(root, "dist", "electron", "shared", "contract.js")).href);
const { EvalDecodingSchema } = await import(pathToFileURL(join(root, "dist", "electron", "shared", "evalContract.js")).href);

// The stored aggregates' intervals (read back as they are, never recomputed by compare) use fewer resamples to keep
// the setup short; the jobs say 1000, and compare's own bootstrap (pairs, non-English average) uses that.
const setupResamples = 100;
const codes = ["en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi", "pl", "cs", "ru", "uk", "tr", "ar", "hi", "zh", "ja", "ko", "vi", "th", "id", "el", "he", "hu", "ro", "bg", "ca", "et"];
const languages = codes.slice(0, languageCount);
const metrics = [{ metric: "language_correctness", perItem: "fraction" }, { metric: "spelling", perItem: "percent" }];

const dir = mkdtempSync(join(tmpdir(), "polytune-bench-compare-"));
const home = join(dir, "home");
try {
  // ── the database, through the real schema and stores ──
  let t = performance.now();
  mkdirSync(home, { recursive: true });
  const db = openDatabase(join(home, "polytune.db"));
  db.prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/base.gguf', 'base', 'file', 'ok', 1, 0, 'a', 'b')").run();
  const runs = new RunStore(db);
  const store = new EvalStore(db);
  const items = languages.flatMap((language) => Array.from({ length: itemsPerLanguage }, (_, i) => ({ id: `${language}-${i}`, language, prompt: `Prompt ${i} in ${language}`, kind: "generate", reference: { source: `open.jsonl:${i}` } })));
  const runIds = [];
  for (let r = 0; r < runCount; r++) {
    const lr = [5e-5, 1e-4, 2e-4][r % 3];
    const run = runs.create(TrainConfigSchema.parse({ model: "m1", data: "/train.jsonl", name: `run-${r}`, lr, rank: 8 << (r % 4) }), "m1", (id) => join(home, "checkpoints", id), 100);
    runs.setStatus(run.id, "completed");
    runIds.push(run.id);
    const job = store.create({
      name: `eval run-${r}`, run: run.id, model: { id: "m1", name: "base", path: "/base.gguf", fingerprint: "fp1:base" }, adapters: [], baseline: false, format: "alpaca",
      decoding: EvalDecodingSchema.parse({}), suites: [{ suite: "open", data: ["/open.jsonl"], crossLingual: false, items: items.length, greedy: true, excluded: [], notes: [] }],
      languages: languages.map((language, k) => ({ language, tuning: k < 3 + (r % 5) ? "supervised" : "zero-shot", examples: k < 3 + (r % 5) ? 1000 : 0 })),
      judge: null, dictionaries: null, gpu: "cpu", threads: 1, resamples: 1000, seed: 1,
      items: items.map((item) => ({ suite: "open", system: "tuned", seed: null, item })),
    });
    db.prepare("UPDATE eval_items SET status = 'done', response = 'Response to ' || item_id, stop_reason = 'eos', tokens = 12, seconds = 0.1, decoded_at = 'x' WHERE job_id = ?").run(job);
    const rand = seededRandom(1000 + r);
    const scored = items.map((item, i) => {
      const k = Math.floor(i / itemsPerLanguage);
      const correct = rand() < 0.35 + 0.5 * ((r + k) % 7) / 7 ? 1 : 0;
      const scores = { language_correctness: correct, spelling: correct ? 70 + 30 * rand() : rand() < 0.2 ? null : 40 * rand() };
      return { id: item.id, language: item.language, scores, detail: { seeds: [{ seed: null, scores, detail: { identified: { language: correct ? item.language : "en" } } }] } };
    });
    store.saveScore(job, "open", "tuned", { suite: "open", items: scored, aggregates: aggregate(scored, metrics, { resamples: setupResamples, seed: 1 }), excluded: [], notes: [] }, []);
    store.setStatus(job, "completed", { phase: "done" });
  }
  db.close();
  const setupSeconds = (performance.now() - t) / 1000;
  const bytes = statSync(join(home, "polytune.db")).size;
  log(`Built ${runCount} runs × ${languageCount} languages × ${itemsPerLanguage} items (${(runCount * items.length).toLocaleString("en")} item rows, ${(bytes / 2 ** 20).toFixed(0)} MiB) in ${setupSeconds.toFixed(1)} s.`);

  // ── ours, through the engine (the calls every carrier makes) ──
  const engine = await createEngine({ home });
  const diff = runIds.slice(0, diffRuns);
  const ours = async () => {
    const start = performance.now();
    const result = await engine.call("compare.runs", { runs: runIds });
    const afterRuns = performance.now();
    const page = await engine.call("compare.items", { runs: diff, suite: "open", changed: "language", limit: 50 });
    const end = performance.now();
    return { runs: afterRuns - start, items: end - afterRuns, total: end - start, result, page };
  };
  const cold = await ours();
  const warmSamples = [];
  for (let k = 0; k < 5; k++) warmSamples.push(await ours());
  const warm = median(warmSamples, "total");
  const warmRuns = median(warmSamples, "runs");
  const warmItems = median(warmSamples, "items");
  const maxDiff = runIds.slice(0, Math.min(20, runCount));
  const wideStart = performance.now();
  const widePage = await engine.call("compare.items", { runs: maxDiff, suite: "open", changed: "language", limit: 50 });
  const wideItems = performance.now() - wideStart;
  // Jobs scored before m0012: no replicates and nothing kept; the first comparison makes and stores them.
  const side = openDatabase(join(home, "polytune.db"));
  side.exec("DELETE FROM eval_replicates; DELETE FROM compare_stats;");
  side.close();
  const lazy = await ours();
  // The metric every job scored on every item (equal item lists): its pairs come from the replicates alone.
  const again = openDatabase(join(home, "polytune.db"));
  again.exec("DELETE FROM compare_stats;");
  again.close();
  const sameStart = performance.now();
  await engine.call("compare.runs", { runs: runIds, metrics: ["language_correctness"] });
  const sameItems = performance.now() - sameStart;
  await engine.close();

  // ── the naive baseline on the same file: every row loaded, aggregated and filtered in JS ──
  const naive = () => {
    const start = performance.now();
    const raw = openDatabase(join(home, "polytune.db"));
    const sums = new Map();
    for (const runId of runIds) {
      const job = raw.prepare("SELECT id FROM eval_jobs WHERE run_id = ? AND status = 'completed' ORDER BY finished_at DESC LIMIT 1").get(runId);
      for (const row of raw.prepare("SELECT language, scores_json FROM eval_items WHERE job_id = ? AND suite = 'open' AND system = 'tuned'").all(job.id)) {
        const scores = JSON.parse(row.scores_json);
        for (const [metric, value] of Object.entries(scores)) {
          if (typeof value !== "number") continue;
          for (const language of [row.language, "all"]) {
            const key = `${runId}\u0000${metric}\u0000${language}`;
            const s = sums.get(key) ?? { sum: 0, n: 0 };
            s.sum += value;
            s.n += 1;
            sums.set(key, s);
          }
        }
      }
    }
    const afterRuns = performance.now();
    const rows = diff.map((runId) => {
      const job = raw.prepare("SELECT id FROM eval_jobs WHERE run_id = ? AND status = 'completed' ORDER BY finished_at DESC LIMIT 1").get(runId);
      return new Map(raw.prepare("SELECT * FROM eval_items WHERE job_id = ? AND suite = 'open' AND system = 'tuned' ORDER BY ordinal").all(job.id).map((r) => [r.item_id, r]));
    });
    const changed = [...rows[0].values()].filter((r) => rows.slice(1).some((other) => JSON.parse(other.get(r.item_id).scores_json).language_correctness !== JSON.parse(r.scores_json).language_correctness));
    const page = changed.slice(0, 50);
    const end = performance.now();
    raw.close();
    return { runs: afterRuns - start, items: end - afterRuns, total: end - start, cells: sums.size, total_changed: changed.length, page };
  };
  naive();
  const naiveSamples = [naive(), naive(), naive()];
  const base = median(naiveSamples, "total");
  const check = naiveSamples[0];
  if (check.total_changed !== cold.page.total || check.page.map((r) => r.item_id).join() !== cold.page.items.map((i) => i.id).join()) throw new Error("the naive item diff and compare.items disagree");

  const summary = {
    machine: `${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, load ${loadavg()[0].toFixed(1)}`,
    runs: runCount, languages: languageCount, itemsPerLanguage, itemRows: runCount * items.length, databaseMiB: bytes / 2 ** 20, setupSeconds,
    cells: cold.result.cells.length, pairs: cold.result.pairs.length, changedItems: cold.page.total, changedItemsOf20Runs: widePage.total,
    ms: {
      oursCold: { runs: cold.runs, items: cold.items, total: cold.total },
      oursColdOldJobs: { runs: lazy.runs, items: lazy.items, total: lazy.total },
      oursWarm: { runs: warmRuns, items: warmItems, total: warm },
      items20Runs: wideItems,
      coldSameItemsMetric: sameItems,
      naive: { runs: median(naiveSamples, "runs"), items: median(naiveSamples, "items"), total: base },
    },
  };
  if (o.json) console.log(JSON.stringify(summary, null, 2));
  log(`${summary.machine}`);
  log(`compare.runs: ${summary.cells} cells, ${summary.pairs} paired tests; compare.items: ${summary.changedItems} changed items of ${diffRuns} runs (${summary.changedItemsOf20Runs} of ${maxDiff.length})`);
  log("");
  log("| | compare.runs, ms | first page of compare.items, ms | both, ms | vs naive |");
  log("|---|---:|---:|---:|---:|");
  const row = (/** @type {string} */ name, /** @type {{runs:number,items:number,total:number}} */ m) => log(`| ${name} | ${m.runs.toFixed(0)} | ${m.items.toFixed(0)} | ${m.total.toFixed(0)} | ${(base / m.total).toFixed(1)}× |`);
  row("ours, warm (statistics read back)", summary.ms.oursWarm);
  row("ours, cold (first comparison of these runs)", summary.ms.oursCold);
  row("ours, cold, jobs scored before m0012 (replicates made)", summary.ms.oursColdOldJobs);
  row("naive (every row loaded, means in JS, no CIs or tests)", summary.ms.naive);
  log(`| compare.items over ${maxDiff.length} runs | | ${wideItems.toFixed(0)} | | |`);
  log(`| ours, cold, language_correctness only (every run scored every item) | ${sameItems.toFixed(0)} | | | |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** The median of one field over samples. */
function median(/** @type {Array<Record<string, number>>} */ samples, /** @type {string} */ key) {
  const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
