// The evaluation job for real: node-llama-cpp decoding a tiny model the project writes, with and without
// a LoRA adapter written here in llama.cpp's adapter format, the Chirkova prompts from the shared data,
// the open suite's scorers (lid.176, Hunspell) and SQLite on a temp data folder. A random-weights model
// says nothing sensible, so what is checked is where every output went and that it is exactly what the
// decoder makes of the stored prompt, not what it says.
import Database from "better-sqlite3";
import { copyFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { BatchedDecoder } from "../../../electron/engine/infer/BatchedDecoder.js";
import { loadEvalTask } from "../../../electron/engine/eval/tasks/loadEvalTask.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { TrainConfigSchema, type EventPayload } from "../../../electron/shared/contract.js";
import type { EvalJob, EvalStart } from "../../../electron/shared/evalContract.js";
import { MixRecipeSchema, type RunMix } from "../../../electron/shared/mixContract.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";
import { writeTinyAdapter } from "../../support/writeTinyAdapter.js";

const chirkova = join(sharedDataDir, "chirkova2024_alpacaeval_subset");
const chirkovaFiles = ["en", "fr"].map((l) => join(chirkova, `alpacaeval_test_subset.${l}.jsonl`));
const xnli = join(sharedDataDir, "xnli_de_xglue", "dev.txt");
const xquad = join(sharedDataDir, "xquad", "xquad.de.first10articles.json");
const hasData = prerequisite(chirkovaFiles.every((f) => existsSync(f)) && existsSync(xnli) && existsSync(xquad), `the Chirkova set, XNLI and XQuAD in ${sharedDataDir}`);

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
const modelPath = join(tmp.dir, "tiny.gguf");
const adapterPath = join(tmp.dir, "tiny-lora.gguf");
const embd = 32;
let engine: PolytuneEngine;
let runId: string;

const mix = (languages: Array<{ language: string; examples: number }>): RunMix => ({
  id: "mx1",
  name: "English only",
  fingerprint: "fp",
  recipe: MixRecipeSchema.parse({ version: 1, sources: [{ dataset: "d1", fingerprint: "f1" }], strategy: { kind: "mono", language: "en", total: 100 } }),
  counts: { total: 100, languages, provenance: [{ provenance: "native", examples: 100 }], sources: [{ dataset: "d1", examples: 100 }], directions: [] },
});

const openJob = (extra: Partial<EvalStart> = {}): EvalStart => ({
  suites: [{ suite: "open", data: chirkovaFiles }],
  languages: ["en", "fr"],
  limit: 2,
  decoding: { maxTokens: 8, parallel: 2 },
  gpu: "cpu",
  threads: 1,
  resamples: 200,
  ...extra,
});

const evalRows = (db: Database.Database, job: string) =>
  db.prepare("SELECT ordinal, suite, item_id, language, system, seed, status, response, decoded_at FROM eval_items WHERE job_id = ? ORDER BY ordinal").all(job) as Array<{
    ordinal: number;
    suite: string;
    item_id: string;
    language: string;
    system: string;
    seed: number | null;
    status: string;
    response: string | null;
    decoded_at: string | null;
  }>;

const withDb = <T>(f: (db: Database.Database) => T): T => {
  const db = new Database(engine.databasePath, { readonly: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  await writeTinyModel({ out: modelPath, layers: 1, embd, heads: 4, headsKv: 2, seed: 7 });
  writeTinyAdapter(adapterPath, 3);
  engine = await createEngine({ home });
  const model = (await engine.models.add(modelPath)).added[0]!;
  // A completed run that tuned this adapter on an English-only mix.
  const run = engine.runs.create(TrainConfigSchema.parse({ model: model.id, data: "/d.jsonl", format: "alpaca" }), model.id, (id) => join(engine.layout.checkpoints, id), 10);
  engine.runs.setStatus(run.id, "completed", { adapterPath });
  engine.runs.setMix(run.id, mix([{ language: "en", examples: 100 }]));
  runId = run.id;
}, 180_000);

afterAll(async () => {
  await engine?.close();
  tmp.cleanup();
});

describe.runIf(hasData)("an evaluation job", () => {
  it("decodes every prompt for tuned and base, stores each output, scores with intervals, marks zero-shot languages, and compares the systems", async () => {
    const progress: Array<EventPayload<"eval.progress">> = [];
    const changes: Array<EventPayload<"eval.changed">> = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "eval.progress") progress.push(payload as EventPayload<"eval.progress">);
      if (name === "eval.changed") changes.push(payload as EventPayload<"eval.changed">);
    });
    const started = await engine.call("eval.start", openJob({ run: runId, baseline: true }));
    expect(started).toMatchObject({ status: "running", run: runId, baseline: true, format: "alpaca", total: 8, done: 0 });
    expect(started.adapters).toEqual([{ path: adapterPath, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
    expect(started.languages).toEqual([
      { language: "en", tuning: "supervised", examples: 100 },
      { language: "fr", tuning: "zero-shot", examples: 0 },
    ]);
    const job = await engine.call("eval.wait", { job: started.id });
    off();
    expect(job).toMatchObject({ status: "completed", phase: "done", total: 8, done: 8, error: null });
    expect(job.tokens).toBeGreaterThan(0);
    expect(changes.map((c) => c.status)).toEqual(["running", "completed"]);
    expect(progress.at(-1)).toMatchObject({ phase: "done", done: 8, total: 8, etaSeconds: 0 });
    // Throttled: never more than about four a second, plus the forced ones at phase changes.
    expect(progress.length).toBeLessThan(8 + 6);

    // Every output is a row in SQLite: 2 prompts × 2 languages × 2 systems, greedy so seed null.
    const rows = withDb((db) => evalRows(db, job.id));
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.status === "done" && r.seed === null && r.response !== null && r.decoded_at !== null)).toBe(true);
    expect(rows.map((r) => `${r.system}:${r.language}`)).toEqual(["tuned:en", "tuned:en", "tuned:fr", "tuned:fr", "base:en", "base:en", "base:fr", "base:fr"]);

    // Results per system, with 95% intervals over items, and the tuned one compared with base.
    expect(job.results.map((r) => `${r.suite}:${r.system}`)).toEqual(["open:tuned", "open:base"]);
    for (const result of job.results) {
      const overall = result.aggregates.find((a) => a.language === null && a.metric === "language_correctness");
      expect(overall).toMatchObject({ n: 4 });
      expect(overall!.ci95).not.toBeNull();
      expect(result.aggregates.some((a) => a.language === "fr")).toBe(true);
    }
    expect(job.results[0]!.comparisons.length).toBeGreaterThan(0);
    expect(job.results[1]!.comparisons).toEqual([]);

    // Items carry their scores; the drill-down filters by system and language.
    const fr = await engine.call("eval.items", { job: job.id, system: "base", language: "fr" });
    expect(fr.total).toBe(2);
    expect(fr.items.every((i) => i.system === "base" && i.language === "fr" && i.scores !== null && typeof i.prompt === "string" && i.prompt.length > 0)).toBe(true);
    const changed = await engine.call("eval.items", { job: job.id, changed: true, limit: 500 });
    for (const item of changed.items) {
      // One item's rows, every system of it, filtered by the engine.
      const pair = (await engine.call("eval.items", { job: job.id, suite: item.suite, item: item.id })).items;
      expect(pair.map((i) => `${i.id}:${i.system}`)).toEqual([`${item.id}:tuned`, `${item.id}:base`]);
      const [t, b] = [pair.find((i) => i.system === "tuned")!, pair.find((i) => i.system === "base")!];
      expect(t.scores!.language_correctness !== b.scores!.language_correctness || JSON.stringify(t.scores) !== JSON.stringify(b.scores)).toBe(true);
    }

    // The outputs are exactly what the batched decoder makes of the stored prompts (greedy).
    const all = (await engine.call("eval.items", { job: job.id, limit: 500 })).items;
    expect(await engine.call("eval.items", { job: job.id, item: all[1]!.id, system: "base" })).toEqual({ total: 1, items: [all.find((i) => i.id === all[1]!.id && i.system === "base")] });
    for (const system of ["tuned", "base"] as const) {
      const mine = all.filter((i) => i.system === system);
      const decoder = await BatchedDecoder.open({ modelPath, gpu: "cpu", ...(system === "tuned" ? { adapterPath } : {}) });
      try {
        const direct = new Map<string, string>();
        for await (const r of decoder.decode(mine.map((i, k) => ({ id: String(k), prompt: i.prompt })), { parallel: 2, maxTokens: 8, repeatPenalty: 1.1, format: "alpaca", threads: 1, stop: [] })) {
          direct.set(r.id, r.text);
        }
        expect(mine.map((i) => i.response)).toEqual(mine.map((_, k) => direct.get(String(k))));
      } finally {
        await decoder.dispose();
      }
    }
    // The adapter changes what the model says.
    expect(all.filter((i) => i.system === "tuned").map((i) => i.response)).not.toEqual(all.filter((i) => i.system === "base").map((i) => i.response));

    // A finished job cannot be resumed; it can be removed, with all its rows.
    await expect(engine.call("eval.resume", { job: job.id })).rejects.toMatchObject({ code: "eval-finished" });
    expect(await engine.call("eval.remove", { job: job.id })).toEqual({ removed: job.id });
    expect(withDb((db) => db.prepare("SELECT COUNT(*) AS n FROM eval_items WHERE job_id = ?").get(job.id))).toEqual({ n: 0 });
    await expect(engine.call("eval.get", { job: job.id })).rejects.toMatchObject({ code: "eval-not-found" });
  }, 300_000);

  it("cancelled mid-way and resumed, decodes only what was missing and ends with an uninterrupted job's results", async () => {
    const input = openJob({ model: modelPath, adapters: [adapterPath], limit: 8, decoding: { maxTokens: 16, parallel: 2 } });
    // Cancelled from inside the decode loop: the first output's progress event (always sent) is emitted
    // synchronously after that output is stored, and the cancel aborts before the next batch step.
    let cancelling: Promise<EvalJob> | undefined;
    let job = "";
    const off = engine.onEvent((name, payload) => {
      const p = payload as EventPayload<"eval.progress">;
      if (name === "eval.progress" && p.job === job && p.phase === "decoding" && p.done >= 1 && !cancelling) cancelling = engine.call("eval.cancel", { job });
    });
    const started = await engine.call("eval.start", input);
    job = started.id;
    expect(started.total).toBe(16);
    // Marks come from the run that wrote the adapter.
    expect(started.languages.map((l) => l.tuning)).toEqual(["supervised", "zero-shot"]);
    await engine.call("eval.wait", { job: started.id });
    off();
    const cancelled = await cancelling!;
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.done).toBeGreaterThanOrEqual(1);
    // At most the sequences in flight (parallel 2) finish after the first.
    expect(cancelled.done).toBeLessThanOrEqual(3);
    expect(cancelled.results).toEqual([]);
    const before = withDb((db) => evalRows(db, started.id)).filter((r) => r.status === "done");

    const resumed = await engine.call("eval.resume", { job: started.id });
    expect(resumed.status).toBe("running");
    const finished = await engine.call("eval.wait", { job: started.id });
    expect(finished).toMatchObject({ status: "completed", done: 16 });
    const after = withDb((db) => evalRows(db, started.id));
    // The outputs made before the cancel were not decoded again: same text, same time of writing.
    for (const row of before) expect(after.find((r) => r.ordinal === row.ordinal)).toEqual(row);

    const fresh = await engine.call("eval.wait", { job: (await engine.call("eval.start", input)).id });
    expect(fresh.status).toBe("completed");
    expect(withDb((db) => evalRows(db, fresh.id)).map((r) => r.response)).toEqual(after.map((r) => r.response));
    const strip = (j: EvalJob) => j.results;
    expect(strip(finished)).toEqual(strip(fresh));
  }, 300_000);

  it("ranks NLI continuations by log-likelihood, one output per item and system", async () => {
    const started = await engine.call("eval.start", { model: modelPath, adapters: [adapterPath], baseline: true, suites: [{ suite: "nli", data: [xnli], language: "de" }], limit: 3, decoding: { parallel: 2, mode: "sampling", seeds: 2 }, gpu: "cpu", threads: 1, resamples: 100 });
    // Rank items are scored once per system, whatever the sampling.
    expect(started.total).toBe(6);
    const job = await engine.call("eval.wait", { job: started.id });
    expect(job).toMatchObject({ status: "completed", done: 6, error: null });
    const items = (await engine.call("eval.items", { job: job.id, limit: 500 })).items;
    expect(items.every((i) => i.seed === null && i.response === null && i.loglikelihoods !== null && i.loglikelihoods.length === 3)).toBe(true);
    expect(job.results.map((r) => r.system)).toEqual(["tuned", "base"]);
  }, 300_000);

  it("decodes extractive QA without repetition penalty, with the job's stop strings added to the task's, and says so", async () => {
    const started = await engine.call("eval.start", { model: modelPath, suites: [{ suite: "qa", data: [xquad] }], limit: 2, decoding: { maxTokens: 8, parallel: 2, repeatPenalty: 1.3, stop: ["."] }, gpu: "cpu", threads: 1, resamples: 100 });
    const job = await engine.call("eval.wait", { job: started.id });
    expect(job).toMatchObject({ status: "completed", done: 2, error: null });
    expect(job.results[0]!.notes).toEqual(expect.arrayContaining([expect.stringContaining("without repetition penalty (1, not the job's 1.3)"), expect.stringContaining('the job\'s (".")')]));
    // The outputs are what the decoder makes with penalty 1 and both stop strings, per item.
    const task = loadEvalTask({ suite: "qa", data: [xquad], crossLingual: false }, { limit: 2 });
    const items = (await engine.call("eval.items", { job: job.id })).items;
    expect(items.map((i) => i.id)).toEqual(task.items.map((i) => i.id));
    const decoder = await BatchedDecoder.open({ modelPath, gpu: "cpu" });
    try {
      const direct = new Map<string, string>();
      const prompts = task.items.map((i) => ({ id: i.id, prompt: i.prompt, responsePrefix: i.responsePrefix!, maxTokens: i.maxTokens!, stop: [...i.stop!, "."] }));
      for await (const r of decoder.decode(prompts, { parallel: 2, maxTokens: 32, repeatPenalty: 1, format: job.format, threads: 1, stop: ["."] })) direct.set(r.id, r.text);
      expect(items.map((i) => i.response)).toEqual(task.items.map((i) => i.responsePrefix! + direct.get(i.id)!));
    } finally {
      await decoder.dispose();
    }
  }, 300_000);

  it("samples each prompt once per seed, reproducibly, and scores items (not seeds)", async () => {
    const started = await engine.call("eval.start", openJob({ model: modelPath, limit: 1, decoding: { mode: "sampling", seeds: 2, maxTokens: 6, parallel: 2, temperature: 0.8, topP: 0.9 } }));
    const job = await engine.call("eval.wait", { job: started.id });
    expect(job).toMatchObject({ status: "completed", total: 4, done: 4 });
    const items = (await engine.call("eval.items", { job: job.id, limit: 500 })).items;
    expect(items.map((i) => `${i.language}:${i.seed}`)).toEqual(["en:1", "fr:1", "en:2", "fr:2"]);
    expect(job.results[0]!.aggregates.find((a) => a.language === null && a.metric === "language_correctness")?.n).toBe(2);
    // The same seed gives the same text, decoded directly.
    const decoder = await BatchedDecoder.open({ modelPath, gpu: "cpu" });
    try {
      for (const seed of [1, 2]) {
        const mine = items.filter((i) => i.seed === seed);
        const direct = new Map<string, string>();
        for await (const r of decoder.decode(mine.map((i, k) => ({ id: String(k), prompt: i.prompt })), { parallel: 2, maxTokens: 6, repeatPenalty: 1.1, format: "raw", threads: 1, stop: [], temperature: 0.8, topP: 0.9, seed })) {
          direct.set(r.id, r.text);
        }
        expect(mine.map((i) => i.response)).toEqual(mine.map((_, k) => direct.get(String(k))));
      }
    } finally {
      await decoder.dispose();
    }
  }, 300_000);

  it("keeps the judge's verdicts, so scoring again after a failure does not ask the judge twice", async () => {
    const judgePath = join(tmp.dir, "judge.gguf");
    copyFileSync(modelPath, judgePath);
    const judging: Array<EventPayload<"eval.progress">> = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "eval.progress" && (payload as EventPayload<"eval.progress">).phase === "judging") judging.push(payload as EventPayload<"eval.progress">);
    });
    const started = await engine.call("eval.start", openJob({ model: modelPath, limit: 1, decoding: { maxTokens: 6, parallel: 2 }, judge: { model: judgePath, judgements: ["relevance"], maxTokens: 16, contextSize: 512, gpu: "cpu", threads: 1 } }));
    expect(started.judge).toEqual({ model: judgePath, fingerprint: expect.stringMatching(/^fp1:/), judgements: ["relevance"] });
    const job = await engine.call("eval.wait", { job: started.id });
    off();
    expect(job).toMatchObject({ status: "completed", done: 2 });
    // While judging, done/total stay the job's outputs; the verdicts count apart, the last one complete.
    expect(judging.every((p) => p.done === 2 && p.total === 2)).toBe(true);
    expect(judging.at(-1)).toMatchObject({ judged: 2, judgeTotal: 2 });
    const judged = (await engine.call("eval.items", { job: job.id })).items;
    // Every output was put to the judge; a random-weights judge writes no verdict, recorded as missing (null), never a number.
    for (const item of judged) {
      expect(item.scores).toHaveProperty("relevance");
      const seeds = item.detail!.seeds as Array<{ detail: { judge: { relevance: { value: unknown; model: string } } } }>;
      expect(seeds[0]!.detail.judge.relevance.model).toBe(started.judge!.fingerprint);
      if (item.scores!.relevance === null) expect(seeds[0]!.detail.judge.relevance.value).toBeNull();
    }
    expect(withDb((db) => db.prepare("SELECT COUNT(*) AS n FROM eval_judgements WHERE job_id = ?").get(job.id))).toEqual({ n: 2 });
    // As if scoring had failed: the judge's file is gone, yet the resumed job scores from the stored verdicts.
    rmSync(judgePath);
    const db = new Database(engine.databasePath);
    db.prepare("UPDATE eval_jobs SET status = 'failed', phase = 'judging' WHERE id = ?").run(job.id);
    db.prepare("DELETE FROM eval_results WHERE job_id = ?").run(job.id);
    db.close();
    await engine.call("eval.resume", { job: job.id });
    const again = await engine.call("eval.wait", { job: job.id });
    expect(again).toMatchObject({ status: "completed", phase: "done", error: null });
    expect(again.results).toEqual(job.results);
  }, 300_000);

  it("fails with the error stored when the adapter does not fit the model", async () => {
    const wrong = join(tmp.dir, "wrong-width.gguf");
    writeTinyAdapter(wrong, 5, 64);
    const started = await engine.call("eval.start", openJob({ model: modelPath, adapters: [wrong], limit: 1 }));
    const job = await engine.call("eval.wait", { job: started.id });
    expect(job).toMatchObject({ status: "failed", done: 0, error: { code: "adapter-load-failed", where: wrong } });
    expect(job.error!.hint).toBeTruthy();
    // A row left "running" with no process holding the job's liveness socket (a killed engine) reads interrupted.
    const db = new Database(engine.databasePath);
    db.prepare("UPDATE eval_jobs SET status = 'running' WHERE id = ?").run(job.id);
    db.close();
    expect((await engine.call("eval.list", {})).find((j) => j.id === job.id)?.status).toBe("interrupted");
    // Interrupted, it can be cancelled for good or resumed; it can be removed.
    expect((await engine.call("eval.cancel", { job: job.id })).status).toBe("cancelled");
    expect(await engine.call("eval.remove", { job: job.id })).toEqual({ removed: job.id });
  }, 120_000);

  it("refuses bad inputs before creating anything", async () => {
    const count = () => withDb((db) => (db.prepare("SELECT (SELECT COUNT(*) FROM eval_jobs) + (SELECT COUNT(*) FROM eval_items) AS n").get() as { n: number }).n);
    const before = count();
    // A model file not yet in the library stays out of it when the job is refused.
    const newModel = join(tmp.dir, "not-yet-added.gguf");
    copyFileSync(modelPath, newModel);
    await expect(engine.call("eval.start", openJob({ model: newModel, adapters: [join(tmp.dir, "missing.gguf")] }))).rejects.toMatchObject({ code: "file-missing", where: "adapters[0]" });
    await expect(engine.call("eval.start", openJob({ model: newModel, suites: [{ suite: "open", data: [join(tmp.dir, "missing.fr.jsonl")] }] }))).rejects.toMatchObject({ where: expect.stringContaining("missing.fr.jsonl") });
    expect(engine.models.find(newModel)).toBeUndefined();
    await expect(engine.call("eval.start", openJob({ model: modelPath, adapters: [modelPath] }))).rejects.toMatchObject({ code: "not-an-adapter", where: modelPath });
    await expect(engine.call("eval.start", openJob({ run: "nosuchrun" }))).rejects.toMatchObject({ code: "run-not-found" });
    await expect(engine.call("eval.start", openJob({ model: modelPath, baseline: true }))).rejects.toMatchObject({ code: "eval-baseline-without-adapter" });
    await expect(engine.call("eval.start", openJob({ model: modelPath, judge: { model: join(tmp.dir, "judge.gguf") } }))).rejects.toMatchObject({ code: "file-missing", where: "judge.model" });
    const broken = join(tmp.dir, "broken.fr.jsonl");
    writeFileSync(broken, '{"instruction": "Bonjour"}\n{"instruction": \n');
    const error: unknown = await engine.call("eval.start", openJob({ model: modelPath, suites: [{ suite: "open", data: [broken] }] })).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as { where?: string } | null)?.where).toContain(`${broken}:2`);
    expect(count()).toBe(before);
  }, 120_000);
});
