import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run, TrainConfigInput } from "../../../electron/shared/contract.js";
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

  it("reads a run stored before newer settings existed as the older trainer ran it", async () => {
    const run = await engine.call("runs.start", config({ steps: 1 }));
    await engine.jobs.waitFor(run.id);
    // As an older Polytune wrote it: no backend, base-weights, rsLoRA or merge fields.
    const { backend: _b, baseWeights: _w, rslora: _r, dropout: _p, device: _d, mergedType: _m, ...old } = engine.runs.get(run.id).config;
    engine.db.prepare("UPDATE runs SET config_json = ? WHERE id = ?").run(JSON.stringify(old), run.id);
    // CPU and an F32 base, as it began (so a resume continues it exactly); the rest take today's defaults.
    expect(engine.runs.get(run.id).config).toMatchObject({ backend: "cpu", baseWeights: "f32", rslora: false, dropout: 0, device: 0, mergedType: "source" });
    expect((await engine.call("runs.get", { run: run.id })).config.backend).toBe("cpu");
    const fresh = await engine.call("runs.start", config({ steps: 1 }));
    expect(fresh.config.baseWeights).toBe("as-stored");
    expect((await engine.jobs.waitFor(fresh.id)).status).toBe("completed");
  });

  it("fails a run on a backend this machine lacks with what to do, keeping the run", async () => {
    const run = await engine.call("runs.start", config({ steps: 2, backend: "metal" }));
    const done = await engine.jobs.waitFor(run.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ code: "trainer-backend-unavailable", message: expect.stringMatching(/Metal backend cannot be loaded/), hint: expect.stringMatching(/polytune doctor/) });
    expect((await engine.call("runs.get", { run: run.id })).id).toBe(run.id);
  });

  it("a run killed with SIGKILL resumes from its checkpoint and reproduces the uninterrupted loss curve, dropout masks included", async () => {
    // With LoRA dropout, the resumed run must also draw the masks the uninterrupted one drew.
    const straight = await engine.call("runs.start", config({ dropout: 0.1 }));
    await engine.jobs.waitFor(straight.id);
    const reference = (await engine.call("runs.get", { run: straight.id })).metrics.map((m) => m.loss);

    const victim = await engine.call("runs.start", config({ dropout: 0.1 }));
    expect(victim.config.dropout).toBe(0.1);
    await until(() => engine.runs.metrics(victim.id).length >= 6);
    const pid = engine.runs.pid(victim.id);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, "SIGKILL");
    const killed = await engine.jobs.waitFor(victim.id);
    expect(killed.status).toBe("failed");
    expect(killed.error?.code).toBe("trainer-crashed");

    await engine.call("runs.resume", { run: victim.id });
    const resumed = await engine.jobs.waitFor(victim.id);
    expect(resumed.status).toBe("completed");
    const losses = (await engine.call("runs.get", { run: victim.id })).metrics.map((m) => m.loss);
    expect(losses).toHaveLength(reference.length);
    losses.forEach((l, i) => expect(l).toBeCloseTo(reference[i]!, 5));
  });

  it("pauses at a checkpoint and resumes to the same result", async () => {
    const run = await engine.call("runs.start", config({ steps: 30, checkpointEvery: 100 }));
    await until(() => engine.runs.metrics(run.id).length >= 3);
    await engine.call("runs.pause", { run: run.id });
    const paused = await engine.jobs.waitFor(run.id);
    expect(paused.status).toBe("paused");
    const resumed = await engine.call("runs.resume", { run: run.id });
    expect(resumed.status).toBe("running");
    const done = await engine.jobs.waitFor(run.id);
    expect(done.status).toBe("completed");
    expect((await engine.call("runs.get", { run: run.id })).metrics).toHaveLength(30);
  });

  it("fails a run with a clear error for bad data, naming the line", async () => {
    const { writeFileSync } = await import("node:fs");
    const bad = join(tmp.dir, "bad.jsonl");
    writeFileSync(bad, '{"instruction":"a","output":"b"}\n{"oops": true}\n');
    const run = await engine.call("runs.start", config({ data: bad }));
    const failed: Run = await engine.jobs.waitFor(run.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "data-malformed", where: `${bad}:2` });
  });

  it("marks runs left running by a dead process as interrupted at start-up", async () => {
    const run = await engine.call("runs.start", config({ steps: 200 }));
    await until(() => engine.runs.metrics(run.id).length >= 1);
    const pid = engine.runs.pid(run.id)!;
    // Simulate Polytune itself dying: a fresh engine on the same database finds the orphan.
    engine.db.prepare("UPDATE runs SET pid = ? WHERE id = ?").run(2 ** 22 + 12345, run.id);
    const other = new PolytuneEngine({ home: join(tmp.dir, "home"), trainWorkerEntry: workerEntry });
    expect(other.runs.get(run.id).status).toBe("interrupted");
    await other.close();
    process.kill(pid, "SIGKILL");
    await engine.jobs.waitFor(run.id);
  });
});
