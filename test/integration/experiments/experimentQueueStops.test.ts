// How an experiment ends when it is stopped, failed or renamed part-way, for real: a tiny model trained by
// the real training process and evaluated by the real decoder. An old error does not outlive a new go; an
// item cancelled as it finishes does not cancel the experiment; a study's items are named after their
// mixes as saved.
import Database from "better-sqlite3";
import { copyFileSync, existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { ExperimentQueue } from "../../../electron/engine/experiments/ExperimentQueue.js";
import { ExperimentSpecSchema, type Experiment, type ExperimentSpec } from "../../../electron/shared/experimentContract.js";
import { makeTempDir } from "../../support/tempDir.js";
import { importWorkerEntry, prepareHome, smallExperiment, trainWorkerEntry } from "./experimentFixtures.js";

const tmp = makeTempDir();
const home = join(tmp.dir, "home");
let engine: PolytuneEngine;
let fixture: { model: string; prompts: string };

beforeAll(async () => {
  if (!existsSync(trainWorkerEntry)) throw new Error("Run `npm run build` before the experiment tests.");
  fixture = await prepareHome(tmp.dir, home);
  engine = new PolytuneEngine({ home, trainWorkerEntry, importWorkerEntry });
}, 120_000);
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

/** One item (Mono at 1e-3), no base model, outputs of 4 tokens, on the given prompts file. */
const oneItem = (name: string, prompts: string): ExperimentSpec => ({
  ...smallExperiment(name, fixture.model, prompts, ["Mono"], [1e-3]),
  eval: { suites: [{ suite: "open", data: [prompts] }], decoding: { maxTokens: 4, parallel: 2 }, threads: 1, baseline: false },
});

describe("an experiment stopped or failed part-way", () => {
  it("forgets the last go's error once an item is retried and the experiment completes", async () => {
    const prompts = join(tmp.dir, "moved.jsonl");
    copyFileSync(fixture.prompts, prompts);
    const created = await engine.call("experiments.create", { spec: oneItem("again", prompts) });
    // The prompts go away while the item trains: its evaluation fails, and so the experiment.
    renameSync(prompts, `${prompts}.away`);
    const failed = await engine.call("experiments.wait", { experiment: created.id });
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toBe("No item of the experiment finished.");
    expect(failed.items[0]).toMatchObject({ state: "failed", error: { code: "not-found" } });

    renameSync(`${prompts}.away`, prompts);
    await engine.call("experiments.retry", { experiment: created.id, item: failed.items[0]!.id });
    const done = await engine.call("experiments.wait", { experiment: created.id });
    expect(done.status).toBe("completed");
    expect(done.items[0]).toMatchObject({ state: "done", run: failed.items[0]!.run, error: null });
    expect(done.error).toBeNull();
    const db = new Database(engine.databasePath, { readonly: true });
    try {
      expect(db.prepare("SELECT status, error_json FROM experiments WHERE id = ?").get(created.id)).toEqual({ status: "completed", error_json: null });
    } finally {
      db.close();
    }
  }, 300_000);

  it("completes when an item is cancelled just as its evaluation finishes", async () => {
    const target: { experiment?: string; item?: string } = {};
    let cancelling: Promise<Experiment> | null = null;
    let reachedJob: () => void = () => undefined;
    const cancelReachedJob = new Promise<void>((done) => (reachedJob = done));
    // The real engine's calls; the user's cancel lands when the evaluation has completed but before the
    // queue has heard so, the one moment a stop cannot take effect.
    const queue: ExperimentQueue = new ExperimentQueue(engine.db, {
      call: async (name, input) => {
        if (name === "eval.cancel") reachedJob();
        const output = await engine.call(name, input);
        if (name === "eval.wait" && target.experiment && !cancelling) {
          cancelling = queue.cancel(target.experiment, target.item!);
          await cancelReachedJob;
        }
        return output;
      },
      onEvent: (listener) => engine.onEvent(listener),
      emit: (name, payload) => engine.emit(name, payload),
      mixes: engine.mixService,
      modelExists: (ref) => existsSync(ref),
      usableModel: (ref) => engine["usableModel"](ref),
      databasePath: engine.databasePath,
    });
    try {
      const created = await queue.create(ExperimentSpecSchema.parse(oneItem("raced", fixture.prompts)));
      Object.assign(target, { experiment: created.id, item: created.items[0]!.id });
      const done = await queue.wait(created.id);
      expect(cancelling).not.toBeNull();
      const answered = await cancelling!;
      expect(answered.items[0]!.state).toBe("done");
      expect(done.status).toBe("completed");
      expect(done.items[0]).toMatchObject({ state: "done", error: null });
      expect((await engine.call("eval.get", { job: done.items[0]!.evalJob! })).status).toBe("completed");
    } finally {
      await queue.shutdown();
    }
  }, 300_000);

  it("names a study's items after their mixes as saved when a mix's name was taken", async () => {
    const data = (await engine.call("data.list", {})).find((d) => d.name === "demo en+es")!;
    const sources = [{ dataset: data.id, fingerprint: data.fingerprint }];
    // Another recipe already holds the name the study's Mono would take.
    await engine.call("mixes.save", { recipe: { version: 1, name: "clash · Mono", sources, strategy: { kind: "mono", language: "en", total: 4 } } });
    const spec: ExperimentSpec = { ...oneItem("clash", fixture.prompts), mixes: { kind: "ladder", sources, total: 8, perLanguage: 4, languages: ["es"], rungs: [1] } };
    const created = await engine.call("experiments.create", { spec });
    await engine.call("experiments.cancel", { experiment: created.id });
    const [item] = (await engine.call("experiments.get", { experiment: created.id })).items;
    const saved = await engine.call("mixes.get", { mix: item!.mix.id });
    expect(saved.name).toBe("clash · Mono (2)");
    expect(item).toMatchObject({
      mix: { name: "clash · Mono (2)" },
      configuration: "clash · Mono (2) · lora r4",
      label: "clash · Mono (2) · lora r4 · lr 1e-3",
      settings: { mix: saved.id, name: "clash · clash · Mono (2) · lora r4 · lr 1e-3" },
    });
    if (item!.run) expect((await engine.call("runs.get", { run: item!.run })).name).toBe("clash · clash · Mono (2) · lora r4 · lr 1e-3");
  }, 300_000);
});
