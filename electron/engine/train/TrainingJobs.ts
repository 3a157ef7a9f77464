import { fork } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EventName, EventPayload, Run, TrainConfig } from "../../shared/contract.js";
import { PolytuneError, toErrorShape } from "../../shared/PolytuneError.js";
import { unpackedPath } from "../install/unpackedPath.js";
import type { ModelLibrary } from "../models/ModelLibrary.js";
import type { RunStore } from "../runs/RunStore.js";
import { GgufFormatError, readGgufHeader } from "../gguf/readGgufHeader.js";
import { checkRunConfig, fullRunNotes } from "./checkRunConfig.js";
import { probeRunLiveness, runLivenessPath } from "./runLiveness.js";
import type { TrainWorkerEvent, TrainWorkerRequest } from "./TrainWorkerProtocol.js";

/**
 * The model file as it is now, not as it was when added: moved, deleted or damaged since is said in
 * plain words here rather than as llama.cpp's "failed to load model" from the training process.
 */
function checkModelFile(path: string): void {
  try {
    readGgufHeader(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new PolytuneError("missing", "The model file is no longer at this path (moved or deleted).", { where: path, hint: "Add it again from its new place." });
    const why = error instanceof GgufFormatError ? `${error.message}` : `it cannot be read (${code ?? String(error)})`;
    throw new PolytuneError("model-changed", `The model file changed since it was added and cannot be used: ${why}.`, { where: path, hint: "Get the file again, then add it again to the library." });
  }
}

/** A run recorded as going whose process answers, but not to this engine. */
function elsewhere(run: Run): PolytuneError {
  return new PolytuneError("run-active-elsewhere", `Run ${run.id} is going in another Polytune process.`, { hint: "Pause or cancel it where it was started; once that process has ended, it can be resumed or cancelled here." });
}

/**
 * What the engine needs of a training process. Node's ChildProcess has it as it is; the Electron shell
 * adapts a utilityProcess to it (electron/main/utilityProcessSpawner.ts).
 */
export interface TrainWorkerProcess {
  readonly pid?: number | undefined;
  /** false once the process's message channel has closed (Node's ChildProcess; a utility process has none). */
  readonly connected?: boolean;
  send(message: TrainWorkerRequest): unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  /** A message that could not be sent (the process has gone); unheard, Node would throw it. */
  on(event: "error", listener: (error: Error) => void): unknown;
  once(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  kill(signal?: NodeJS.Signals): unknown;
}

/** Starts a training process: child_process.fork under Node; the Electron shell passes one built on utilityProcess. */
export type SpawnTrainWorker = (entry: string) => TrainWorkerProcess;

const defaultSpawn: SpawnTrainWorker = (entry) => fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });

/**
 * Training runs as jobs: each in its own process (a crash fails the run, not the app), its progress
 * recorded step by step in SQLite by the engine, the only writer.
 */
export class TrainingJobs {
  private readonly workers = new Map<string, { child: TrainWorkerProcess; stopping: "cancel" | "pause" | null; startedAt: number; firstStep: number | null; exited: boolean; finishing: Promise<void>; ended: Promise<void> }>();

  constructor(
    private readonly runs: RunStore,
    private readonly models: ModelLibrary,
    private readonly dirs: { checkpoints: string; adapters: string },
    private readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void,
    private readonly spawn: SpawnTrainWorker = defaultSpawn,
    private readonly workerEntry = unpackedPath(fileURLToPath(new URL("./trainWorker.js", import.meta.url))),
  ) {
    this.ready = this.sweep();
    // Awaited by whoever needs it; an error here must not also surface as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** Settles once runs recorded as going whose process is gone have been marked interrupted. */
  readonly ready: Promise<void>;
  private readonly preparing = new Set<TrainWorkerProcess>();

  private async sweep(): Promise<void> {
    const gone: string[] = [];
    for (const { id, runDir } of this.runs.recordedAsGoing()) {
      if (!this.workers.has(id) && !(await probeRunLiveness(runLivenessPath(runDir)))) gone.push(id);
    }
    for (const run of this.runs.markInterrupted(gone)) this.emit("runs.changed", { run: run.id, status: run.status });
  }

  /**
   * Whether a run recorded as going really is: its process is this engine's child, or holds the run's
   * liveness socket (another Polytune process's run). If not, it is marked interrupted and returned so.
   */
  private async settle(id: string): Promise<Run> {
    const run = this.runs.get(id);
    if (this.workers.has(id) || (run.status !== "running" && run.status !== "queued")) return run;
    if (await probeRunLiveness(runLivenessPath(this.runs.runDir(id)))) return run;
    for (const r of this.runs.markInterrupted([id])) this.emit("runs.changed", { run: r.id, status: r.status });
    return this.runs.get(id);
  }

  /** Checks data and model in a new training process first; the run and its folder exist only once they pass. */
  async start(config: TrainConfig): Promise<Run> {
    checkRunConfig(config);
    const model = this.models.get(config.model);
    if (model.status === "error" || model.status === "missing") {
      throw new PolytuneError(model.error?.code ?? "model-unusable", model.error?.message ?? "This model cannot be used.", { where: model.path, hint: model.error?.hint });
    }
    checkModelFile(model.path);
    const { child, totalSteps } = await this.prepareWorker(config, model.path);
    return this.orKill(child, () => {
      const run = this.runs.create(config, model.id, (id) => join(this.dirs.checkpoints, id), totalSteps);
      this.launch(run, false, child);
      return this.runs.get(run.id);
    });
  }

  async resume(id: string): Promise<Run> {
    await this.ready;
    const run = await this.settle(id);
    if (this.workers.has(id)) throw new PolytuneError("run-active", "This run is already going.");
    if (run.status === "running" || run.status === "queued") throw elsewhere(run);
    if (!["paused", "interrupted", "failed"].includes(run.status)) {
      throw new PolytuneError("run-not-resumable", `A ${run.status} run cannot be resumed.`, { hint: "Only paused, interrupted or failed runs continue from their last checkpoint." });
    }
    const model = this.models.get(run.modelId ?? run.config.model);
    checkModelFile(model.path);
    const { child } = await this.prepareWorker(run.config, model.path);
    return this.orKill(child, () => {
      // Another resume may have won while this one prepared, or the run was cancelled or deleted meanwhile.
      if (this.workers.has(id)) throw new PolytuneError("run-active", "This run is already going.");
      const now = this.runs.get(id);
      if (now.status !== run.status) throw new PolytuneError("run-not-resumable", `The run became ${now.status} while it was getting ready, so it was not resumed.`);
      this.launch(now, true, child);
      return this.runs.get(id);
    });
  }

  /** Runs what records a prepared process's run; if that fails, the process goes too, never left waiting. */
  private orKill<T>(child: TrainWorkerProcess, record: () => T): T {
    try {
      return record();
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  async stop(id: string, mode: "cancel" | "pause"): Promise<Run> {
    const worker = this.workers.get(id);
    if (!worker) {
      await this.ready;
      const run = await this.settle(id);
      if (run.status === "running" || run.status === "queued") throw elsewhere(run);
      if (mode === "cancel" && ["paused", "interrupted", "failed"].includes(run.status)) {
        const cancelled = this.runs.setStatus(id, "cancelled", { pid: null });
        this.emit("runs.changed", { run: id, status: cancelled.status });
        return cancelled;
      }
      throw new PolytuneError("run-not-active", `This run is ${run.status}, not running.`);
    }
    // Its process has exited and its end is being recorded: once it is, answer as for a run not going.
    if (worker.exited || worker.child.connected === false) {
      await worker.ended;
      return this.stop(id, mode);
    }
    const run = this.runs.get(id);
    worker.stopping = mode;
    const message: TrainWorkerRequest = { type: "stop", mode };
    worker.child.send(message);
    return run;
  }

  isActive(id: string): boolean {
    return this.workers.has(id);
  }

  /**
   * Starts a training process and has it read and encode the data and open the model. Refuses with the
   * process's own error (a bad line, a model the trainer cannot load) before anything is recorded.
   */
  private prepareWorker(config: TrainConfig, modelPath: string): Promise<{ child: TrainWorkerProcess; totalSteps: number }> {
    const child = this.spawn(this.workerEntry);
    this.preparing.add(child);
    return new Promise((resolve, reject) => {
      let pending = true;
      const finish = (): boolean => {
        const was = pending;
        pending = false;
        this.preparing.delete(child);
        return was;
      };
      child.on("message", (raw) => {
        const event = raw as TrainWorkerEvent;
        if (event.type === "ready" && finish()) resolve({ child, totalSteps: event.totalSteps });
        else if (event.type === "error" && finish()) reject(PolytuneError.fromShape(event.error));
      });
      child.on("exit", (code, signal) => {
        if (!finish()) return;
        const how = signal ? `was killed (${signal})` : `exited (code ${code})`;
        reject(new PolytuneError("trainer-crashed", `The training process ${how} while it read the data and opened the model.`, { hint: "Nothing was recorded; try again, and if it happens again, check the model file and the memory free." }));
      });
      // Not started, or a message sent as it exits (a late stop). Its exit decides the run; unheard, Node would throw this.
      child.on("error", (error) => {
        if (finish()) reject(new PolytuneError("trainer-crashed", `The training process could not be reached: ${error.message}.`, { hint: "Nothing was recorded; try again." }));
      });
      const request: TrainWorkerRequest = { type: "prepare", config, modelPath };
      child.send(request);
    });
  }

  private launch(run: Run, resume: boolean, child: TrainWorkerProcess): void {
    const model = this.models.get(run.modelId ?? run.config.model);
    const runDir = this.runs.runDir(run.id);
    mkdirSync(runDir, { recursive: true });
    // A full run's result is a model, kept in its run's folder unless `out` names another place.
    const outPath = run.config.out ?? (run.config.method === "full" ? join(runDir, "model.gguf") : join(this.dirs.adapters, `${run.id}.gguf`));
    let ended = (): void => undefined;
    const worker = { child, stopping: null as "cancel" | "pause" | null, startedAt: Date.now(), firstStep: null as number | null, exited: false, finishing: Promise.resolve(), ended: new Promise<void>((r) => (ended = r)) };
    this.workers.set(run.id, worker);
    this.runs.setStatus(run.id, "running", { pid: child.pid ?? null, error: null });
    this.emit("runs.changed", { run: run.id, status: "running" });
    let settled = false;

    child.on("message", (raw) => {
      const event = raw as TrainWorkerEvent;
      switch (event.type) {
        case "prepared":
          // Where it computes is known from here on (and kept if the run fails before it ends).
          this.runs.setStatus(run.id, "running", { totalSteps: event.totalSteps, summary: { ...this.runs.get(run.id).summary, method: run.config.method, methodNote: fullRunNotes(run.config), backend: event.backend, device: event.device, backendNote: event.backendNote, trainableParameters: event.trainableParameters } });
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
          worker.finishing = this.complete(run.id, event).catch((error: unknown) => {
            this.runs.setStatus(run.id, "failed", { pid: null, error: toErrorShape(error) });
            this.emit("runs.changed", { run: run.id, status: "failed" });
          });
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
      worker.exited = true;
      // The run is over once what its end records (the library, the status) is written.
      setImmediate(() =>
        void worker.finishing.then(() => {
          this.workers.delete(run.id);
          ended();
        }),
      );
      if (settled) return;
      const error = {
        code: "trainer-crashed",
        message: signal ? `The training process was killed (${signal}).` : `The training process exited unexpectedly (code ${code}).`,
        hint: "Resume the run to continue from its last checkpoint; if it happens again, lower the batch size or sequence length (memory).",
      };
      this.runs.setStatus(run.id, "failed", { pid: null, error });
      this.emit("runs.changed", { run: run.id, status: "failed" });
    });
    const start: TrainWorkerRequest = { type: "start", runId: run.id, config: run.config, modelPath: model.path, runDir, outPath, resume, liveness: runLivenessPath(runDir) };
    child.send(start);
  }

  /**
   * A finished run: the models it wrote join the library (so they can be tried and evaluated) before
   * the run reads as completed; one the library cannot take is said in the summary, the run still done.
   */
  private async complete(id: string, event: Extract<TrainWorkerEvent, { type: "done" }>): Promise<void> {
    const summary = { ...event.summary };
    const notes: string[] = [];
    for (const path of event.modelPaths) {
      try {
        const added = await this.models.add(path);
        const failed = added.failed[0];
        if (failed) notes.push(`${path} was not added to the models: ${failed.error?.message ?? "unusable"}`);
      } catch (error) {
        notes.push(`${path} was not added to the models: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (notes.length > 0) summary.libraryNote = notes.join("; ");
    if (event.modelPaths.length > 0) this.emit("models.changed", { reason: "added" });
    this.runs.setStatus(id, "completed", { pid: null, ...(event.adapterPath ? { adapterPath: event.adapterPath } : {}), ...(event.modelPath ? { modelPath: event.modelPath } : {}), summary });
    this.emit("runs.changed", { run: id, status: "completed" });
  }

  /** Waits for a run's process to end (tests, CLI). */
  waitFor(id: string): Promise<Run> {
    const worker = this.workers.get(id);
    if (!worker) return Promise.resolve(this.runs.get(id));
    return worker.ended.then(() => this.runs.get(id));
  }

  /** On shutdown, ask running jobs to pause at their next step so nothing is lost. */
  async shutdown(): Promise<void> {
    await this.ready.catch(() => undefined);
    for (const child of this.preparing) child.kill("SIGKILL");
    const waits = [...this.workers.keys()].map((id) => {
      void this.stop(id, "pause").catch(() => undefined);
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
