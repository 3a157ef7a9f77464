// The learning rate each step of a real run records in SQLite is the schedule's, warm-up included.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("recorded learning rates", () => {
  it("each step records the rate of its schedule: linear warm-up to the peak, then cosine decay", async () => {
    const run = await engine.call("runs.start", { model: modelId, data: demoData, format: "alpaca", steps: 8, rank: 2, alpha: 4, lr: 2e-3, schedule: "cosine", warmupSteps: 3, batchSize: 2, seqLen: 64, threads: 1, backend: "cpu" });
    const done = await engine.jobs.waitFor(run.id);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    // Worked out by hand: warm-up peak·(s+1)/3 for steps 0–2, then peak·½(1 + cos(π·(s−3)/5)) (1-based in the record).
    const c = (k: number): number => 1e-3 * (1 + Math.cos((Math.PI * k) / 5));
    const expected = [2e-3 / 3, 4e-3 / 3, 2e-3, 2e-3, c(1), c(2), c(3), c(4)];
    const metrics = (await engine.call("runs.get", { run: run.id })).metrics;
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    metrics.forEach((m, i) => expect(Math.abs(m.scheduledLr - expected[i]!), `step ${m.step}: ${m.scheduledLr}`).toBeLessThanOrEqual(1e-9 * expected[i]!));
  });
});
