import { EventEmitter } from "node:events";
import { existsSync, rmSync } from "node:fs";
import { relative, resolve, isAbsolute } from "node:path";
import type { Database } from "better-sqlite3";
import {
  calls,
  isCallName,
  type CallName,
  type CallOutput,
  type CallParsedInput,
  type CallResult,
  type EventName,
  type EventPayload,
  type Model,
} from "../shared/contract.js";
import { PolytuneError, toErrorShape } from "../shared/PolytuneError.js";
import { openDatabase } from "./db/openDatabase.js";
import type { Carrier, Engine, EngineEventListener } from "./Engine.js";
import { completePath } from "./files/completePath.js";
import { prepareHome, resolveHome, type HomeLayout } from "./home/resolveHome.js";
import { scoreLanguages } from "./eval/scoreLanguages.js";
import { GreedyRunner } from "./infer/GreedyRunner.js";
import { disposeLlamaRuntimes } from "./llamacpp/llamaRuntime.js";
import type { DiscoveryEnv } from "./models/discoverModelLocations.js";
import { estimateMemory } from "./models/estimateMemory.js";
import { ModelLibrary } from "./models/ModelLibrary.js";
import { writeTinyModel } from "./models/writeTinyModel.js";
import { RunStore } from "./runs/RunStore.js";
import { mergeAdapter } from "./train/mergeAdapter.js";
import { TrainingJobs, type SpawnTrainWorker } from "./train/TrainingJobs.js";
import { appVersion } from "./system/appVersion.js";
import { runDoctor } from "./system/runDoctor.js";

// What the shells need before or besides an engine, so they import the engine's root only.
export { appVersion, resolveHome };
export type { SpawnTrainWorker, TrainWorkerProcess } from "./train/TrainingJobs.js";

export interface EngineOptions {
  home?: string;
  discoveryEnv?: DiscoveryEnv;
  /** How training processes start: child_process.fork under Node, utilityProcess in Electron. */
  spawnTrainWorker?: SpawnTrainWorker;
  /** The compiled training-process entry (tests running from source point it at dist/). */
  trainWorkerEntry?: string;
}

type Handlers = { [N in CallName]: (input: CallParsedInput<N>, carrier: Carrier) => Promise<CallOutput<N>> | CallOutput<N> };

/** The engine behind every carrier: one database, one model library, one greedy runner. */
export class PolytuneEngine implements Engine {
  readonly home: string;
  readonly databasePath: string;
  readonly layout: HomeLayout;
  readonly db: Database;
  readonly models: ModelLibrary;
  readonly runner = new GreedyRunner();
  readonly runs: RunStore;
  readonly jobs: TrainingJobs;
  private readonly emitter = new EventEmitter();
  private readonly handlers: Handlers;

  constructor(options: EngineOptions = {}) {
    this.layout = prepareHome(resolveHome(options.home));
    this.home = this.layout.root;
    this.databasePath = this.layout.database;
    this.db = openDatabase(this.databasePath);
    this.models = new ModelLibrary(this.db, options.discoveryEnv);
    this.runs = new RunStore(this.db);
    this.jobs = new TrainingJobs(this.runs, this.models, this.layout, (name, payload) => this.emit(name, payload), options.spawnTrainWorker, options.trainWorkerEntry);
    this.handlers = this.createHandlers();
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    this.emitter.emit("event", name, payload);
  }

  onEvent(listener: EngineEventListener): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }

  async dispatch<N extends CallName>(name: N, input: unknown, carrier: Carrier): Promise<CallResult<N>> {
    try {
      if (!isCallName(name)) throw new PolytuneError("unknown-call", `Unknown call "${String(name)}".`);
      const spec = calls[name];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        throw new PolytuneError("invalid-input", `Invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}.`);
      }
      const handler = this.handlers[name] as (input: unknown, carrier: Carrier) => Promise<unknown> | unknown;
      const output = await handler(parsed.data, carrier);
      // Validating what leaves the engine catches contract drift where it starts.
      return { ok: true, value: spec.output.parse(output) as CallOutput<N> };
    } catch (error) {
      return { ok: false, error: toErrorShape(error) };
    }
  }

  /** Runs a call and throws its error: what the CLI uses. */
  async call<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
    const result = await this.dispatch(name, input, "ipc");
    if (!result.ok) throw PolytuneError.fromShape(result.error);
    return result.value;
  }

  private progress(task: string, label: string) {
    return (done: number, total: number | null) => this.emit("progress", { task, label, done, total });
  }

  private createHandlers(): Handlers {
    return {
      "app.info": (_input, carrier) => ({ version: appVersion(), home: this.home, database: this.databasePath, modelsDir: this.layout.models, carrier }),
      "system.doctor": () => runDoctor(this.home, this.databasePath),
      "models.list": () => this.models.list(),
      "models.get": ({ model }) => this.models.detail(model),
      "models.add": async ({ path }) => {
        const result = await this.models.add(path, undefined, undefined, this.progress("models.add", `Reading models in ${path}`));
        this.emit("models.changed", { reason: "added" });
        return result;
      },
      "models.remove": ({ model }) => {
        const removed = this.models.remove(model);
        this.emit("models.changed", { reason: "removed" });
        return { removed };
      },
      "models.recheck": async () => {
        const list = await this.models.recheck();
        this.emit("models.changed", { reason: "rechecked" });
        return list;
      },
      "files.complete": ({ path, kind }) => completePath(path, kind),
      "models.discoveryLocations": () => this.models.discoveryLocations(),
      "models.discover": async () => {
        const result = await this.models.discover(this.progress("models.discover", "Reading models from LM Studio, Ollama and Hugging Face folders"));
        this.emit("models.changed", { reason: "discovered" });
        return result;
      },
      "models.hash": async ({ model }) => {
        const m = this.models.get(model);
        const result = await this.models.hash(m.id, this.progress(`models.hash:${m.id}`, `SHA-256 of ${m.name}`));
        this.emit("models.changed", { reason: "hashed" });
        return result;
      },
      "models.estimate": async ({ model, ...input }) => estimateMemory(this.models.detail(model), input),
      "models.try": async ({ model, requestId, prompt, maxTokens, repeatPenalty, gpu, contextSize, adapter, format }) => {
        const m = await this.usableModel(model);
        const request = {
          requestId,
          modelPath: m.path,
          prompt,
          maxTokens,
          repeatPenalty,
          gpu,
          onText: (text: string, tokens: number, tokensPerSecond: number) => this.emit("try.token", { requestId, text, tokens, tokensPerSecond }),
          format,
          ...(contextSize !== undefined ? { contextSize } : {}),
          ...(adapter !== undefined ? { adapterPath: resolve(adapter) } : {}),
        };
        return this.runner.complete(request);
      },
      "models.tryCancel": ({ requestId }) => ({ cancelled: this.runner.cancel(requestId) }),
      "models.makeTiny": (spec) => writeTinyModel({ ...spec, out: resolve(spec.out) }),
      "models.merge": ({ model, adapter, out, type, backend }) =>
        mergeAdapter({ modelPath: this.models.find(model)?.path ?? resolve(model), adapterPath: resolve(adapter), out: resolve(out), type, backend }),
      "eval.languages": async ({ model, data, adapter, format, maxTokens, gpu }) => {
        const m = await this.usableModel(model);
        const progress = this.progress("eval.languages", `Scoring ${m.name} per language`);
        return scoreLanguages(this.runner, { modelPath: m.path, data: resolve(data), format, maxTokens, gpu, onProgress: progress, ...(adapter !== undefined ? { adapterPath: resolve(adapter) } : {}) });
      },
      // After the sweep at start, so a run whose process is gone never reads as running.
      "runs.list": async () => {
        await this.jobs.ready;
        return this.runs.list();
      },
      "runs.get": async ({ run }) => {
        await this.jobs.ready;
        return { ...this.runs.get(run), metrics: this.runs.metrics(run) };
      },
      "runs.start": async (config) => {
        // A model named by the path of a file not yet in the library is added first, as `models try` does.
        if (!this.models.find(config.model) && existsSync(config.model)) {
          const added = await this.models.add(config.model);
          const model = added.added[0] ?? added.updated[0] ?? added.failed[0];
          if (model) config = { ...config, model: model.id };
          this.emit("models.changed", { reason: "added" });
        }
        return this.jobs.start(config);
      },
      "runs.cancel": ({ run }) => this.jobs.stop(run, "cancel"),
      "runs.pause": ({ run }) => this.jobs.stop(run, "pause"),
      "runs.resume": ({ run }) => this.jobs.resume(run),
      "runs.wait": ({ run }) => this.jobs.waitFor(run),
      "runs.rename": ({ run, name }) => {
        const renamed = this.runs.rename(run, name);
        this.emit("runs.changed", { run, status: renamed.status });
        return renamed;
      },
      "runs.delete": async ({ run }) => {
        await this.jobs.ready;
        const r = this.runs.get(run);
        if (r.status === "running" || r.status === "queued") {
          throw new PolytuneError("run-active", "This run is still training, so it cannot be deleted.", { hint: "Pause or cancel it first, then delete it." });
        }
        // Its checkpoints and the adapter Polytune named for it go with it; a file the user named (`out`,
        // a merged model) may be shared or kept elsewhere, and stays.
        const ownAdapter = r.adapterPath !== null && isInside(this.layout.adapters, resolve(r.adapterPath)) ? r.adapterPath : null;
        const removedFiles = [this.runs.runDir(run), ownAdapter].filter((p): p is string => p !== null && existsSync(p));
        for (const path of removedFiles) rmSync(path, { recursive: true, force: true });
        const deleted = this.runs.delete(run);
        this.emit("runs.changed", { run, status: r.status });
        return { deleted, removedFiles };
      },
    };
  }

  /** A library model by id, name or path; a file not yet in the library is added first. */
  private async usableModel(ref: string): Promise<Model> {
    if (!this.models.find(ref) && existsSync(ref)) {
      const added = await this.models.add(ref);
      this.emit("models.changed", { reason: "added" });
      const failed = added.failed[0];
      if (failed?.error && added.added.length + added.updated.length === 0) throw PolytuneError.fromShape({ ...failed.error, where: failed.error.where ?? failed.path });
    }
    const m = this.models.get(ref);
    if (m.status === "error" || m.status === "missing") {
      throw new PolytuneError(m.error?.code ?? "model-unusable", m.error?.message ?? "This model cannot be used.", { where: m.path, hint: m.error?.hint });
    }
    return m;
  }

  async close(): Promise<void> {
    await this.jobs.shutdown();
    await this.runner.dispose();
    await disposeLlamaRuntimes();
    this.emitter.removeAllListeners();
    if (this.db.open) this.db.close();
  }
}

export async function createEngine(options: EngineOptions = {}): Promise<PolytuneEngine> {
  return new PolytuneEngine(options);
}

/** Whether `file` lies inside `dir` (both absolute). */
function isInside(dir: string, file: string): boolean {
  const rel = relative(resolve(dir), file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
