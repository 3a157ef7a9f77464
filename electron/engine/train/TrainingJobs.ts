import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventName, EventPayload, Run, TrainConfig } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { ModelLibrary } from "../models/ModelLibrary.js";
import type { RunStore } from "../runs/RunStore.js";
import type { TrainWorkerEvent, TrainWorkerRequest } from "./TrainWorkerProtocol.js";

/** Starts a training process; the Electron shell may pass one built on utilityProcess. */
export type SpawnTrainWorker = (entry: string) => ChildProcess;

const defaultSpawn: SpawnTrainWorker = (entry) => fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Training runs as jobs: each in its own process (a crash fails the run, not the app), its progress
 * recorded step by step in SQLite by the engine, the only writer.
 */
export class TrainingJobs {
  private readonly workers = new Map<string, { child: ChildProcess; stopping: "cancel" | "pause" | null; startedAt: number; firstStep: number | null }>();

  constructor(
    private readonly runs: RunStore,
    private readonly models: ModelLibrary,
    private readonly dirs: { checkpoints: string; adapters: string },
    private readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void,
    private readonly spawn: SpawnTrainWorker = defaultSpawn,
    private readonly workerEntry = fileURLToPath(new URL("./trainWorker.js", import.meta.url)),
  ) {
    for (const run of this.runs.markInterrupted(isAlive)) this.emit("runs.changed", { run: run.id, status: run.status });
  }

  start(config: TrainConfig): Run {
    const model = this.models.get(config.model);
    if (model.status === "error" || model.status === "missing") {
      throw new PolytuneError(model.error?.code ?? "model-unusable", model.error?.message ?? "This model cannot be used.", { where: model.path, hint: model.error?.hint });
    }
    const run = this.runs.create(config, model.id, (id) => join(this.dirs.checkpoints, id), 0);
    this.launch(run, false);
    return this.runs.get(run.id);
  }

  resume(id: string): Run {
    const run = this.runs.get(id);
    if (this.workers.has(id)) throw new PolytuneError("run-active", "This run is already going.");
    if (!["paused", "interrupted", "failed"].includes(run.status)) {
      throw new PolytuneError("run-not-resumable", `A ${run.status} run cannot be resumed.`, { hint: "Only paused, interrupted or failed runs continue from their last checkpoint." });
    }
    this.launch(run, true);
    return this.runs.get(id);
  }

  stop(id: string, mode: "cancel" | "pause"): Run {
    const worker = this.workers.get(id);
    const run = this.runs.get(id);
    if (!worker) {
      if (mode === "cancel" && ["paused", "interrupted", "queued", "failed"].includes(run.status)) {
        const cancelled = this.runs.setStatus(id, "cancelled", { pid: null });
        this.emit("runs.changed", { run: id, status: cancelled.status });
        return cancelled;
      }
      throw new PolytuneError("run-not-active", `This run is ${run.status}, not running.`);
    }
    worker.stopping = mode;
    const message: TrainWorkerRequest = { type: "stop", mode };
    worker.child.send(message);
    return run;
  }

  isActive(id: string): boolean {
    return this.workers.has(id);
  }

  private launch(run: Run, resume: boolean): void {
    const model = this.models.get(run.modelId ?? run.config.model);
    const runDir = this.runs.runDir(run.id);
    mkdirSync(runDir, { recursive: true });
    const adapterPath = run.config.out ?? join(this.dirs.adapters, `${run.id}.gguf`);
    const child = this.spawn(this.workerEntry);
    const worker = { child, stopping: null as "cancel" | "pause" | null, startedAt: Date.now(), firstStep: null as number | null };
    this.workers.set(run.id, worker);
    this.runs.setStatus(run.id, "running", { pid: child.pid ?? null, error: null });
    this.emit("runs.changed", { run: run.id, status: "running" });
    let settled = false;

    child.on("message", (raw) => {
      const event = raw as TrainWorkerEvent;
      switch (event.type) {
        case "prepared":
          // Where it computes is known from here on (and kept if the run fails before it ends).
          this.runs.setStatus(run.id, "running", { totalSteps: event.totalSteps, summary: { ...this.runs.get(run.id).summary, backend: event.backend, device: event.device, backendNote: event.backendNote, trainableParameters: event.trainableParameters } });
          if (event.resumedFromStep >= 0) this.runs.truncateMetrics(run.id, event.resumedFromStep);
          this.emit("runs.changed", { run: run.id, status: "running" });
          break;
        case "step": {
          this.runs.addMetric(run.id, event.metric);
          const current = this.runs.get(run.id);
          worker.firstStep ??= event.metric.step - 1;
          const done = event.metric.step - worker.firstStep;
          const elapsed = (Date.now() - worker.startedAt) / 1000;
          const eta = done > 0 ? ((current.totalSteps - event.metric.step) * elapsed) / done : null;
          this.emit("runs.step", { run: run.id, metric: event.metric, totalSteps: current.totalSteps, etaSeconds: eta });
          break;
        }
        case "checkpoint":
          break;
        case "done":
          settled = true;
          this.runs.setStatus(run.id, "completed", { pid: null, adapterPath: event.adapterPath, summary: event.summary });
          this.emit("runs.changed", { run: run.id, status: "completed" });
          break;
        case "stopped":
          settled = true;
          this.runs.setStatus(run.id, event.mode === "pause" ? "paused" : "cancelled", { pid: null });
          this.emit("runs.changed", { run: run.id, status: event.mode === "pause" ? "paused" : "cancelled" });
          break;
        case "error":
          settled = true;
          this.runs.setStatus(run.id, "failed", { pid: null, error: event.error });
          this.emit("runs.changed", { run: run.id, status: "failed" });
          break;
      }
    });
    child.on("exit", (code, signal) => {
      this.workers.delete(run.id);
      if (settled) return;
      const error = {
        code: "trainer-crashed",
        message: signal ? `The training process was killed (${signal}).` : `The training process exited unexpectedly (code ${code}).`,
        hint: "Resume the run to continue from its last checkpoint; if it happens again, lower the batch size or sequence length (memory).",
      };
      this.runs.setStatus(run.id, "failed", { pid: null, error });
      this.emit("runs.changed", { run: run.id, status: "failed" });
    });
    const start: TrainWorkerRequest = { type: "start", runId: run.id, config: run.config, modelPath: model.path, runDir, adapterPath, resume };
    child.send(start);
  }

  /** Waits for a run's process to end (tests, CLI). */
  waitFor(id: string): Promise<Run> {
    const worker = this.workers.get(id);
    if (!worker) return Promise.resolve(this.runs.get(id));
    return new Promise((resolve) => worker.child.once("exit", () => setImmediate(() => resolve(this.runs.get(id)))));
  }

  /** On shutdown, ask running jobs to pause at their next step so nothing is lost. */
  async shutdown(): Promise<void> {
    const waits = [...this.workers.keys()].map((id) => {
      this.stop(id, "pause");
      return this.waitFor(id);
    });
    if (waits.length === 0) return;
    // The grace timer must not outlive the wait: it would keep the process alive for 15 s.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    for (const { child } of this.workers.values()) child.kill("SIGKILL");
  }
}
