// An experiment for real: two saved mixes × two learning rates on a generated tiny model, each item
// trained by the real training process and evaluated by the real decoder on the open suite (English and
// Spanish, two prompts each), the base model once, the learning rate chosen per mix. What is checked is
// where everything went (runs, evaluation jobs, rows in SQLite, decisions), not what the tiny model says.
import Database from "better-sqlite3";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import type { EventPayload } from "../../../electron/shared/contract.js";
import { makeTempDir } from "../../support/tempDir.js";
import { importWorkerEntry, prepareHome, smallExperiment, trainWorkerEntry } from "./experimentFixtures.js";

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
let engine: PolytuneEngine;
let fixture: { model: string; prompts: string };
const progress: Array<EventPayload<"experiments.progress">> = [];

beforeAll(async () => {
  if (!existsSync(trainWorkerEntry)) throw new Error("Run `npm run build` before the experiment tests.");
  fixture = await prepareHome(tmp.dir, home);
  engine = new PolytuneEngine({ home, trainWorkerEntry, importWorkerEntry });
  engine.onEvent((name, payload) => {
    if (name === "experiments.progress") progress.push(payload as EventPayload<"experiments.progress">);
  });
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

describe("an experiment of 2 mixes × 2 learning rates", () => {
  it("plans without creating anything", async () => {
    const plan = await engine.call("experiments.plan", { spec: smallExperiment("plan only", fixture.model, fixture.prompts, ["Mono", "Multi-2"], [1e-3, 1e-2]) });
    expect(plan.items.map((i) => i.label)).toEqual(["Mono · lora r4 · lr 1e-3", "Mono · lora r4 · lr 1e-2", "Multi-2 · lora r4 · lr 1e-3", "Multi-2 · lora r4 · lr 1e-2"]);
    expect(plan.mixesToBuild).toEqual([]);
    expect(await engine.call("experiments.list", {})).toEqual([]);
    expect(await engine.call("runs.list", {})).toEqual([]);
  });

  it("trains and evaluates every item, evaluates the base model once, and chooses a rate per mix", async () => {
    const created = await engine.call("experiments.create", { spec: smallExperiment("tiny study", fixture.model, fixture.prompts, ["Mono", "Multi-2"], [1e-3, 1e-2]) });
    expect(created.items.map((i) => i.state)).toEqual(["queued", "queued", "queued", "queued"]);
    const done = await engine.call("experiments.wait", { experiment: created.id });
    expect(done.status).toBe("completed");
    expect(done.items.map((i) => i.state)).toEqual(["done", "done", "done", "done"]);

    // Each item's run trained on its mix at its rate, and its evaluation is of that run.
    const mixes = await engine.call("mixes.list", {});
    for (const item of done.items) {
      const run = await engine.call("runs.get", { run: item.run! });
      expect(run.status).toBe("completed");
      expect(run.config).toMatchObject({ lr: item.lr, rank: 4, steps: 2, mix: mixes.find((m) => m.name === item.mix.name)!.id });
      expect(run.mix?.name).toBe(item.mix.name);
      const job = await engine.call("eval.get", { job: item.evalJob! });
      expect(job).toMatchObject({ status: "completed", run: run.id, baseline: false, format: "alpaca", total: 4, done: 4 });
      expect(job.languages.map((l) => [l.language, l.tuning])).toEqual(item.mix.name === "Mono" ? [["en", "supervised"], ["es", "zero-shot"]] : [["en", "supervised"], ["es", "supervised"]]);
    }
    // The base model: once, without adapters, in the runs' prompt format, on the same items.
    const base = await engine.call("eval.get", { job: done.baselineJob! });
    expect(base).toMatchObject({ status: "completed", run: null, adapters: [], format: "alpaca", total: 4 });
    expect((await engine.call("eval.list", {})).length).toBe(5);

    // One decision per configuration, its reason in words; exactly its chosen item is marked.
    expect(done.decisions.map((d) => d.configuration)).toEqual(["Mono · lora r4", "Multi-2 · lora r4"]);
    for (const d of done.decisions) {
      const items = done.items.filter((i) => i.configuration === d.configuration);
      expect(d.candidates.map((c) => c.lr)).toEqual([1e-3, 1e-2]);
      expect(d.reason).toMatch(/language_correctness \(open\)/);
      expect(d.reason).toMatch(/Chosen: lr 1e-[23]\.$/);
      expect(d.chosenItem).not.toBeNull();
      expect(items.filter((i) => i.chosen).map((i) => i.id)).toEqual([d.chosenItem]);
      // The numbers it chose on are the evaluation's own: language correctness averaged over en and es.
      for (const c of d.candidates) {
        const job = await engine.call("eval.get", { job: items.find((i) => i.id === c.item)!.evalJob! });
        const means = job.results.find((r) => r.suite === "open" && r.system === "tuned")!.aggregates.filter((a) => a.metric === "language_correctness" && a.language !== null).map((a) => a.mean);
        expect(c.values[0]).toBeCloseTo(means.reduce((s, m) => s + m, 0) / means.length, 9);
      }
    }

    // Progress came from the runs' steps and the evaluations' outputs, item by item.
    expect(progress.some((p) => p.experiment === created.id && p.state === "training" && p.total === 2)).toBe(true);
    expect(progress.some((p) => p.experiment === created.id && p.state === "evaluating" && p.total === 4)).toBe(true);

    // Stored as any later process reads it.
    const db = new Database(engine.databasePath, { readonly: true });
    try {
      const rows = db.prepare("SELECT position, state, run_id, eval_job, chosen FROM experiment_items WHERE experiment_id = ? ORDER BY position").all(created.id) as Array<{ position: number; state: string; run_id: string; eval_job: string; chosen: number }>;
      expect(rows.map((r) => [r.position, r.state, r.run_id, r.eval_job])).toEqual(done.items.map((i) => [i.position, "done", i.run, i.evalJob]));
      expect(rows.filter((r) => r.chosen === 1)).toHaveLength(2);
      const row = db.prepare("SELECT status, baseline_job, finished_at FROM experiments WHERE id = ?").get(created.id) as { status: string; baseline_job: string; finished_at: string | null };
      expect(row).toMatchObject({ status: "completed", baseline_job: done.baselineJob });
      expect(row.finished_at).not.toBeNull();
    } finally {
      db.close();
    }
  }, 600_000);

  it("refuses a mix that does not exist before creating anything", async () => {
    const before = (await engine.call("experiments.list", {})).length;
    await expect(engine.call("experiments.create", { spec: smallExperiment("bad", fixture.model, fixture.prompts, ["Mono", "Nope"], [1e-3]) })).rejects.toMatchObject({ where: "mixes.mixes[1]" });
    await expect(engine.call("experiments.create", { spec: { ...smallExperiment("bad", fixture.model, fixture.prompts, ["Mono"], [1e-3]), eval: { suites: [{ suite: "open", data: [join(tmp.dir, "missing.jsonl")] }] } } })).rejects.toMatchObject({ code: "file-missing", where: "eval.suites[0].data[0]" });
    expect((await engine.call("experiments.list", {})).length).toBe(before);
  });

  it("builds and saves a CrossAlpaca study's mixes, without demonstrations and with them; a cancel stops it whole", async () => {
    const demo = join(process.cwd(), "assets", "demo", "parallel");
    const pairs = await engine.call("data.import", { importId: "experiment-pairs", files: [join(demo, "demo.en-de.en"), join(demo, "demo.en-de.de")], name: "demo en-de pairs" });
    const instructions = (await engine.call("data.list", {})).find((d) => d.name === "demo en+es")!;
    const spec = {
      ...smallExperiment("cross", fixture.model, fixture.prompts, [], [1e-3]),
      mixes: { kind: "crossalpaca" as const, sources: [instructions, pairs].map((d) => ({ dataset: d.id, fingerprint: d.fingerprint })), instructions: 8, languages: ["de"], perDirection: [0, 4] },
    };
    const plan = await engine.call("experiments.plan", { spec });
    expect(plan.mixesToBuild).toEqual(["cross · CrossAlpaca without demonstrations", "cross · CrossAlpaca en-x+x-en ×4"]);
    expect((await engine.call("mixes.list", {})).some((m) => m.name.startsWith("cross ·"))).toBe(false);

    const created = await engine.call("experiments.create", { spec });
    const cancelled = await engine.call("experiments.cancel", { experiment: created.id });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.items.map((i) => i.state)).toEqual(["cancelled", "cancelled"]);
    const [without, withDemos] = ["cross · CrossAlpaca without demonstrations", "cross · CrossAlpaca en-x+x-en ×4"].map((name) => created.items.find((i) => i.mix.name === name)!.mix.id);
    const built = await Promise.all([without!, withDemos!].map((mix) => engine.call("mixes.build", { mix, out: join(tmp.dir, `${mix}.jsonl`) })));
    expect(built.map((b) => b.mix.counts.total)).toEqual([8, 16]);
    expect(built[1]!.mix.counts.directions).toEqual([{ direction: "en-de", examples: 4 }, { direction: "de-en", examples: 4 }]);
    // The same instruction examples in both: the demonstrations are what differs.
    const lines = built.map((b) => readFileSync(b.path, "utf8").split("\n").filter(Boolean));
    expect(lines[0]!.every((l) => lines[1]!.includes(l))).toBe(true);
  }, 300_000);

  it("cancels a waiting item, retries it, and removes the experiment but not its runs", async () => {
    const created = await engine.call("experiments.create", { spec: { ...smallExperiment("managed", fixture.model, fixture.prompts, ["Mono", "Multi-2"], [1e-3]), eval: { suites: [{ suite: "open", data: [fixture.prompts] }], decoding: { maxTokens: 4, parallel: 2 }, threads: 1, baseline: false } } });
    const [first, second] = created.items;
    // The second waits while the first trains: it can be moved, and cancelled.
    const moved = await engine.call("experiments.move", { experiment: created.id, item: second!.id, position: 0 });
    expect(moved.items.map((i) => [i.id, i.position])).toEqual([[second!.id, 0], [first!.id, 1]]);
    const cancelled = await engine.call("experiments.cancel", { experiment: created.id, item: second!.id });
    expect(cancelled.items.find((i) => i.id === second!.id)!.state).toBe("cancelled");
    await expect(engine.call("experiments.move", { experiment: created.id, item: second!.id, position: 1 })).rejects.toMatchObject({ code: "experiment-item-not-queued" });
    const afterFirst = await engine.call("experiments.wait", { experiment: created.id });
    const state = (e: typeof afterFirst, id: string) => e.items.find((i) => i.id === id)!;
    expect([state(afterFirst, first!.id).state, state(afterFirst, second!.id).state]).toEqual(["done", "cancelled"]);
    expect(afterFirst.status).toBe("completed");
    const retried = await engine.call("experiments.retry", { experiment: created.id, item: second!.id });
    // Queued again, and the queue takes it at once.
    expect(["queued", "training"]).toContain(state(retried, second!.id).state);
    expect(state(retried, second!.id).error).toBeNull();
    const all = await engine.call("experiments.wait", { experiment: created.id });
    expect(all.items.map((i) => i.state)).toEqual(["done", "done"]);
    // The finished item was not redone.
    expect(state(all, first!.id).run).toBe(state(afterFirst, first!.id).run);
    expect(state(all, first!.id).evalJob).toBe(state(afterFirst, first!.id).evalJob);
    expect(all.baselineJob).toBeNull();
    const runs = all.items.map((i) => i.run!);
    const removed = await engine.call("experiments.remove", { experiment: created.id });
    expect(removed.removed).toBe(created.id);
    await expect(engine.call("experiments.get", { experiment: created.id })).rejects.toMatchObject({ code: "experiment-not-found" });
    for (const run of runs) expect((await engine.call("runs.get", { run })).status).toBe("completed");
  }, 600_000);
});
