import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrainConfigInput } from "../../../electron/shared/contract.js";
import { PolytuneEngine } from "../../../electron/engine/createEngine.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { makeTempDir } from "../../support/tempDir.js";

// Training runs in its own process: the compiled worker from `npm run build`.
const workerEntry = join(process.cwd(), "dist", "electron", "engine", "train", "trainWorker.js");
const demoData = join(process.cwd(), "assets", "demo", "demo-instructions.jsonl");
const tmp = makeTempDir();
let engine: PolytuneEngine;
let modelId: string;

beforeAll(async () => {
  if (!existsSync(workerEntry)) throw new Error("Run `npm run build` before the training-job tests.");
  const modelPath = join(tmp.dir, "tiny.gguf");
  await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 4 });
  engine = new PolytuneEngine({ home: join(tmp.dir, "home"), trainWorkerEntry: workerEntry });
  modelId = (await engine.call("models.add", { path: modelPath })).added[0]!.id;
});
afterAll(async () => {
  await engine.close();
  tmp.cleanup();
});

const config = (extra: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  model: modelId,
  data: demoData,
  format: "alpaca",
  steps: 12,
  rank: 4,
  alpha: 8,
  lr: 5e-3,
  batchSize: 2,
  seqLen: 128,
  checkpointEvery: 4,
  threads: 1,
  ...extra,
});

async function until(pred: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The newest checkpoint a run's process left, by the step in its name (as the trainer resumes). */
function lastCheckpointStep(runId: string): number {
  const dir = join(engine.runs.runDir(runId), "checkpoints");
  const steps = readdirSync(dir).map((f) => /^step-(\d+)\.gguf$/.exec(f)?.[1]).filter((s) => s !== undefined).map(Number);
  expect(steps.length, `no checkpoint in ${dir}`).toBeGreaterThan(0);
  return Math.max(...steps);
}

/** The steps the process started by `launch` reports computing, in order, until it exits. */
async function stepsComputedBy(runId: string, launch: () => Promise<unknown>): Promise<number[]> {
  const steps: number[] = [];
  const off = engine.onEvent((name, payload) => {
    const p = payload as { run: string; metric: { step: number } };
    if (name === "runs.step" && p.run === runId) steps.push(p.metric.step);
  });
  try {
    await launch();
    await engine.jobs.waitFor(runId);
  } finally {
    off();
  }
  return steps;
}

/** Two files with the same bytes (an adapter is written deterministically: no dates, no ids). */
function sameBytes(a: string, b: string): boolean {
  expect(a).not.toBe(b);
  return readFileSync(a).equals(readFileSync(b));
}

describe("training jobs", () => {
  it("runs a training job in its own process, records every step and writes the adapter", async () => {
    const steps: number[] = [];
    const off = engine.onEvent((name, payload) => {
      if (name === "runs.step") steps.push((payload as { metric: { step: number } }).metric.step);
    });
    const run = await engine.call("runs.start", config({ validationFraction: 0.25, evalEvery: 6 }));
    expect(run.status).toBe("running");
    const done = await engine.jobs.waitFor(run.id);
    off();
    expect(done.status).toBe("completed");
    expect(done.adapterPath && existsSync(done.adapterPath)).toBe(true);
    const detail = await engine.call("runs.get", { run: run.id });
    expect(detail.metrics.map((m) => m.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(steps).toEqual(detail.metrics.map((m) => m.step));
    expect(detail.metrics.at(-1)!.loss).toBeLessThan(detail.metrics[0]!.loss);
    expect(detail.metrics.filter((m) => m.valLoss !== null).map((m) => m.step)).toEqual([6, 12]);
    expect(detail.summary).toMatchObject({ steps: 12, examples: 12, backend: "CPU" });
  });

  it("on the Vulkan backend, records the device and writes the merged model too", async () => {
    // The run's process inherits the environment: ggml shows the software Vulkan device only when named.
    process.env.GGML_VK_VISIBLE_DEVICES = "0";
    try {
      const merged = join(tmp.dir, "merged-vk.gguf");
      const run = await engine.call("runs.start", config({ steps: 3, backend: "vulkan", mergedOut: merged, mergedType: "f16" }));
      const done = await engine.jobs.waitFor(run.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe("completed");
      expect(done.summary).toMatchObject({ backend: "Vulkan0", mergedModel: merged });
      expect(String(done.summary?.device)).toMatch(/llvmpipe/);
      expect(Number(done.summary?.peakMemoryBytes)).toBeGreaterThan(0);
      expect(existsSync(merged)).toBe(true);
      // The merged model is a model the library accepts.
      const added = await engine.call("models.add", { path: merged });
      expect(added.failed).toEqual([]);
    } finally {
      delete process.env.GGML_VK_VISIBLE_DEVICES;
    }
  }, 300_000);

  it("keeps a quantized base as stored when asked, in less memory than in F32", async () => {
    const q8 = join(tmp.dir, "tiny-q8.gguf");
    await writeTinyModel({ out: q8, layers: 1, embd: 64, heads: 4, headsKv: 2, seed: 4, type: "q8_0" });
    const model = (await engine.call("models.add", { path: q8 })).added[0]!.id;
    const peak = async (baseWeights: "f32" | "as-stored"): Promise<number> => {
      const done = await engine.jobs.waitFor((await engine.call("runs.start", config({ model, steps: 3, baseWeights, backend: "cpu" }))).id);
      expect(done.status, JSON.stringify(done.error)).toBe("completed");
      expect(done.config.baseWeights).toBe(baseWeights);
      return Number(done.summary?.peakMemoryBytes);
    };
    const [kept, full] = [await peak("as-stored"), await peak("f32")];
    expect(kept).toBeLessThan(0.7 * full);
  });

  it("reports a run whose stored settings no longer parse, naming the run, instead of guessing them", async () => {
    const run = await engine.call("runs.start", config({ steps: 1 }));
    await engine.jobs.waitFor(run.id);
    // Rows from older versions are upgraded by migration (test/integration/db); one changed by hand is not guessed at.
    engine.db.prepare("UPDATE runs SET config_json = ? WHERE id = ?").run(JSON.stringify({ ...run.config, rank: "64" }), run.id);
    const result = await engine.dispatch("runs.get", { run: run.id }, "ipc");
    expect(result).toMatchObject({ ok: false, error: { code: "run-config-invalid", where: `run ${run.id}`, message: expect.stringMatching(/rank: /) } });
  });

  it("refuses a backend this machine lacks with what to do, before recording a run", async () => {
    const count = (): number => (engine.db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n;
    const before = count();
    const refused = await engine.dispatch("runs.start", config({ steps: 2, backend: "metal" }), "ipc");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: "trainer-backend-unavailable", message: expect.stringMatching(/Metal backend cannot be loaded/), hint: expect.stringMatching(/polytune doctor/) });
    expect(count()).toBe(before);
  });

  it("a run killed with SIGKILL resumes from its checkpoint's step, not from 0, and ends with the uninterrupted adapter, dropout masks included", async () => {
    // Training is deterministic, so a "resume" that silently restarted from step 0 would reproduce the
    // same curve: the steps the resumed process computes prove the path, the adapter the end state.
    // With LoRA dropout, the resumed run must also draw the masks the uninterrupted one drew.
    const straight = await engine.call("runs.start", config({ dropout: 0.1 }));
    const reference = await engine.jobs.waitFor(straight.id);
    expect(reference.status).toBe("completed");
    const referenceLosses = engine.runs.metrics(straight.id).map((m) => m.loss);

    const victim = await engine.call("runs.start", config({ dropout: 0.1 }));
    expect(victim.config.dropout).toBe(0.1);
    await until(() => engine.runs.metrics(victim.id).length >= 6);
    const pid = engine.runs.pid(victim.id);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, "SIGKILL");
    const killed = await engine.jobs.waitFor(victim.id);
    expect(killed.status).toBe("failed");
    expect(killed.error?.code).toBe("trainer-crashed");
    const checkpoint = lastCheckpointStep(victim.id);
    expect(checkpoint).toBeGreaterThanOrEqual(4);
    expect(checkpoint).toBeLessThan(12);

    const computed = await stepsComputedBy(victim.id, () => engine.call("runs.resume", { run: victim.id }));
    const resumed = engine.runs.get(victim.id);
    expect(resumed.status).toBe("completed");
    expect(computed).toEqual(range(checkpoint + 1, 12));
    const losses = engine.runs.metrics(victim.id).map((m) => m.loss);
    expect(losses).toHaveLength(referenceLosses.length);
    losses.forEach((l, i) => expect(l).toBeCloseTo(referenceLosses[i]!, 5));
    expect(sameBytes(resumed.adapterPath!, reference.adapterPath!)).toBe(true);
  }, 600_000);

  it("pauses at a checkpoint, resumes from that step and ends with the uninterrupted adapter", async () => {
    const straight = await engine.call("runs.start", config({ steps: 30, checkpointEvery: 100 }));
    const reference = await engine.jobs.waitFor(straight.id);
    expect(reference.status).toBe("completed");

    const run = await engine.call("runs.start", config({ steps: 30, checkpointEvery: 100 }));
    await until(() => engine.runs.metrics(run.id).length >= 3);
    await engine.call("runs.pause", { run: run.id });
    const paused = await engine.jobs.waitFor(run.id);
    expect(paused.status).toBe("paused");
    // Pausing wrote a checkpoint at the step it stopped after (none was due every 100 steps).
    const checkpoint = lastCheckpointStep(run.id);
    expect(checkpoint).toBe(paused.step);
    expect(checkpoint).toBeGreaterThanOrEqual(3);
    expect(checkpoint).toBeLessThan(30);

    const computed = await stepsComputedBy(run.id, async () => {
      expect((await engine.call("runs.resume", { run: run.id })).status).toBe("running");
    });
    const done = engine.runs.get(run.id);
    expect(done.status).toBe("completed");
    expect(computed).toEqual(range(checkpoint + 1, 30));
    const losses = engine.runs.metrics(run.id).map((m) => m.loss);
    const referenceLosses = engine.runs.metrics(straight.id).map((m) => m.loss);
    expect(losses).toHaveLength(30);
    losses.forEach((l, i) => expect(l).toBeCloseTo(referenceLosses[i]!, 5));
    expect(sameBytes(done.adapterPath!, reference.adapterPath!)).toBe(true);
  }, 600_000);

  it("keeps only the two newest checkpoints while a run goes, and none once it has completed", async () => {
    const run = await engine.call("runs.start", config({ steps: 12, checkpointEvery: 1 }));
    await until(() => engine.runs.metrics(run.id).length >= 4);
    await engine.call("runs.pause", { run: run.id });
    const paused = await engine.jobs.waitFor(run.id);
    expect(paused.status).toBe("paused");
    const dir = join(engine.runs.runDir(run.id), "checkpoints");
    expect(readdirSync(dir).sort()).toEqual([`step-${paused.step - 1}.gguf`, `step-${paused.step}.gguf`].sort());
    await engine.call("runs.resume", { run: run.id });
    const done = await engine.jobs.waitFor(run.id);
    expect(done.status).toBe("completed");
    expect(existsSync(done.adapterPath!)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it("answers a pause that comes as the run's process exits once the run's end is recorded, instead of crashing", async () => {
    // The real training process, kept at hand to act the moment it exits.
    const children: ChildProcess[] = [];
    const own = new PolytuneEngine({
      home: join(tmp.dir, "home-exit"),
      trainWorkerEntry: workerEntry,
      spawnTrainWorker: (entry) => {
        const child = fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
        children.push(child);
        return child;
      },
    });
    try {
      const model = (await own.call("models.add", { path: join(tmp.dir, "tiny.gguf") })).added[0]!.id;
      const run = await own.call("runs.start", config({ model, steps: 2 }));
      const child = children.at(-1)!;
      // The engine still holds the run as its own here: its exit has been seen, its end not yet recorded.
      const answer = await new Promise<unknown>((resolve) => child.once("exit", () => resolve(own.dispatch("runs.pause", { run: run.id }, "ipc"))));
      expect(answer).toMatchObject({ ok: false, error: { code: "run-not-active", message: "This run is completed, not running." } });
      expect((await own.jobs.waitFor(run.id)).status).toBe("completed");
    } finally {
      await own.close();
    }
  });

  it("cancels a running run: its process stops, no adapter is written, and it cannot be resumed", async () => {
    const run = await engine.call("runs.start", config({ steps: 200 }));
    await until(() => engine.runs.metrics(run.id).length >= 2);
    await engine.call("runs.cancel", { run: run.id });
    const done = await engine.jobs.waitFor(run.id);
    expect(done.status).toBe("cancelled");
    expect(done.step).toBeLessThan(200);
    expect(done.adapterPath).toBeNull();
    expect(existsSync(join(tmp.dir, "home", "adapters", `${run.id}.gguf`))).toBe(false);
    await expect(engine.call("runs.resume", { run: run.id })).rejects.toMatchObject({ code: "run-not-resumable" });
    await expect(engine.call("runs.cancel", { run: run.id })).rejects.toMatchObject({ code: "run-not-active" });
  });

  it("refuses bad data with a clear error naming the line, before recording a run", async () => {
    const { writeFileSync } = await import("node:fs");
    const bad = join(tmp.dir, "bad.jsonl");
    writeFileSync(bad, '{"instruction":"a","output":"b"}\n{"oops": true}\n');
    const count = (): number => (engine.db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n;
    const before = count();
    await expect(engine.call("runs.start", config({ data: bad }))).rejects.toMatchObject({ code: "data-malformed", where: `${bad}:2` });
    expect(count()).toBe(before);
  });

  it("tells a run going in another engine's process by its liveness socket, not by its stored PID", async () => {
    // Runs whose process is gone (killed with its engine, a zombie, a reused PID) are in refusals.test.ts.
    const run = await engine.call("runs.start", config({ steps: 200 }));
    await until(() => engine.runs.metrics(run.id).length >= 1);
    const pid = engine.runs.pid(run.id)!;
    // A PID that answers nothing: the run is still going, since its process holds the run's socket.
    engine.db.prepare("UPDATE runs SET pid = ? WHERE id = ?").run(2 ** 22 + 12345, run.id);
    const other = new PolytuneEngine({ home: join(tmp.dir, "home"), trainWorkerEntry: workerEntry });
    expect((await other.call("runs.get", { run: run.id })).status).toBe("running");
    await expect(other.call("runs.resume", { run: run.id })).rejects.toMatchObject({ code: "run-active-elsewhere" });
    await other.close();
    process.kill(pid, "SIGKILL");
    await engine.jobs.waitFor(run.id);
  });
});
