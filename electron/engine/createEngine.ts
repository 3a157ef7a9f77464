import { EventEmitter } from "node:events";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve, isAbsolute } from "node:path";
import type { Database } from "better-sqlite3";
import type { LlamaModel } from "node-llama-cpp";
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
  type TrainConfig,
} from "../shared/contract.js";
import type { TurnShape } from "../shared/datasetContract.js";
import type { RunMix } from "../shared/mixContract.js";
import { PolytuneError, toErrorShape } from "../shared/PolytuneError.js";
import { openDatabase } from "./db/openDatabase.js";
import { inspectFiles } from "./data/inspectFiles.js";
import { readTextDocuments } from "./data/readTextDocuments.js";
import { DatasetStore } from "./datasets/DatasetStore.js";
import { ImportJobs } from "./datasets/ImportJobs.js";
import type { Carrier, Engine, EngineEventListener } from "./Engine.js";
import { completePath } from "./files/completePath.js";
import { prepareHome, resolveHome, type HomeLayout } from "./home/resolveHome.js";
import { compareSuites, scoreSuite } from "./eval/scoreSuite.js";
import { GreedyRunner } from "./infer/GreedyRunner.js";
import { disposeLlamaRuntimes, getLlamaRuntime } from "./llamacpp/llamaRuntime.js";
import type { DiscoveryEnv } from "./models/discoverModelLocations.js";
import { estimateMemory } from "./models/estimateMemory.js";
import { ModelLibrary } from "./models/ModelLibrary.js";
import { writeTinyModel } from "./models/writeTinyModel.js";
import { MixService, type MixTokenizer } from "./mixes/MixService.js";
import { MixStore } from "./mixes/MixStore.js";
import { RunStore } from "./runs/RunStore.js";
import { encodeExample } from "./train/encodeExample.js";
import { mergeAdapter } from "./train/mergeAdapter.js";
import { checkRunConfig } from "./train/checkRunConfig.js";
import { TrainingJobs, type SpawnTrainWorker } from "./train/TrainingJobs.js";
import { TranslationJobs } from "./translate/TranslationJobs.js";
import { EvalJobs } from "./eval/job/EvalJobs.js";
import { compareItems } from "./compare/compareItems.js";
import { compareRuns, type ExperimentLink } from "./compare/compareRuns.js";
import { ExperimentQueue } from "./experiments/ExperimentQueue.js";
import { writeExperimentReport } from "./experiments/report/writeExperimentReport.js";
import { startDemoExperiment } from "./experiments/demo/startDemoExperiment.js";
import { appVersion } from "./system/appVersion.js";
import { runDoctor } from "./system/runDoctor.js";

// What the shells need before or besides an engine, so they import the engine's root only.
export { appVersion, resolveHome };
export type { SpawnTrainWorker, TrainWorkerProcess } from "./train/TrainingJobs.js";
// The CLI says what a full run leaves unused before it starts, in the words its summary keeps.
export { fullRunNotes } from "./train/checkRunConfig.js";
// The CLI writes its exports (compare --out) as the engine writes its reports: never half a file.
export { writeFileAtomically } from "./files/writeFileAtomically.js";

export interface EngineOptions {
  home?: string;
  discoveryEnv?: DiscoveryEnv;
  /** How training processes start: child_process.fork under Node, utilityProcess in Electron. */
  spawnTrainWorker?: SpawnTrainWorker;
  /** The compiled training-process entry (tests running from source point it at dist/). */
  trainWorkerEntry?: string;
  /** The compiled import worker-thread entry (tests running from source point it at dist/). */
  importWorkerEntry?: string;
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
  readonly datasets: DatasetStore;
  readonly imports: ImportJobs;
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
    this.datasets = new DatasetStore(this.db);
    // What an import killed mid-way left behind goes before anything reads the datasets (decision 0023).
    this.datasets.sweepAbandoned();
    this.imports = new ImportJobs(this.datasets, this.databasePath, (name, payload) => this.emit(name, payload), options.importWorkerEntry);
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
      ...this.datasetHandlers(),
      ...this.translateHandlers(),
      ...this.mixHandlers(),
      ...this.evalScoreHandlers(),
      ...this.evalJobHandlers(),
      ...this.compareHandlers(),
      ...this.experimentHandlers(),
      "app.info": (_input, carrier) => ({ version: appVersion(), home: this.home, database: this.databasePath, modelsDir: this.layout.models, carrier }),
      "system.doctor": () => runDoctor(this.home, this.databasePath),
      "models.list": () => this.models.list(),
      "models.get": ({ model }) => this.models.detail(model),
      "models.add": async ({ path, name }) => {
        const result = await this.models.add(path, undefined, name !== undefined ? new Map([[resolve(path), name]]) : undefined, this.progress("models.add", `Reading models in ${path}`));
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
        // A mix is written out as JSONL first; the run trains on that file and records the mix.
        const fromMix = this.trainingMix(config);
        if (fromMix) config = { ...config, data: fromMix.path, mix: fromMix.runMix.id };
        // A model named by the path of a file not yet in the library is added first, as `models try` does.
        if (!this.models.find(config.model) && existsSync(config.model)) {
          const added = await this.models.add(config.model);
          const model = added.added[0] ?? added.updated[0] ?? added.failed[0];
          if (model) config = { ...config, model: model.id };
          this.emit("models.changed", { reason: "added" });
        }
        const run = await this.jobs.start(config);
        return fromMix ? this.runs.setMix(run.id, fromMix.runMix) : run;
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
        // The models a full run wrote into its folder leave the library with it.
        const ownModels = this.models.list().filter((m) => isInside(resolve(this.runs.runDir(run)), resolve(m.path)));
        for (const path of removedFiles) rmSync(path, { recursive: true, force: true });
        for (const m of ownModels) this.models.remove(m.id);
        if (ownModels.length > 0) this.emit("models.changed", { reason: "removed" });
        const deleted = this.runs.delete(run);
        this.emit("runs.changed", { run, status: r.status });
        return { deleted, removedFiles };
      },
    };
  }

  // ── translation (issue 11: offline translation of data) ──────────────────────
  private translationJobs: TranslationJobs | undefined;

  /** Made on first use, so an engine that never translates prepares nothing for it. */
  private get translations(): TranslationJobs {
    this.translationJobs ??= new TranslationJobs(this.db, this.datasets, this.databasePath, (name, payload) => this.emit(name, payload));
    return this.translationJobs;
  }

  private translateHandlers(): Pick<Handlers, "translate.start" | "translate.list" | "translate.get" | "translate.cancel" | "translate.resume" | "translate.wait"> {
    return {
      "translate.start": async (input) => {
        const model = await this.usableModel(input.model);
        const mix = input.mix !== undefined ? await this.call("mixes.get", { mix: input.mix }) : undefined;
        return this.translations.start(input, model, mix);
      },
      "translate.list": () => this.translations.list(),
      "translate.get": async ({ job, status, offset, limit }) => {
        const j = await this.translations.get(job);
        const { items, total } = this.translations.store.items(job, { offset, limit, ...(status ? { status } : {}) });
        return { job: j, items, itemsTotal: total };
      },
      "translate.cancel": ({ job }) => this.translations.cancel(job),
      "translate.resume": async ({ job }) => this.translations.resume(job, await this.usableModel(this.translations.store.row(job).model_id)),
      "translate.wait": ({ job }) => this.translations.waitFor(job),
    };
  }

  // ── mixes (mixes.*): recipes, previews, stored mixes, training files ──
  private mixServiceInstance: MixService | undefined;
  private mixVocab: { path: string; model: Promise<LlamaModel> } | undefined;

  /** Made on first use, like the translation jobs. */
  get mixService(): MixService {
    this.mixServiceInstance ??= new MixService(this.datasets, new MixStore(this.db), join(this.home, "mixes"), this.mixTokenizer());
    return this.mixServiceInstance;
  }

  /** Token counts as training makes them: training's own encoder, on the model's vocabulary only. */
  private mixTokenizer(): MixTokenizer {
    return {
      open: async (ref, format) => {
        const m = await this.usableModel(ref);
        if (this.mixVocab?.path !== m.path) {
          const previous = this.mixVocab;
          this.mixVocab = { path: m.path, model: getLlamaRuntime("cpu").then((llama) => llama.loadModel({ modelPath: m.path, vocabOnly: true })) };
          this.mixVocab.model.catch(() => (this.mixVocab = undefined));
          void previous?.model.then((v) => v.dispose()).catch(() => undefined);
        }
        const vocab = await this.mixVocab.model;
        const count = (turns: TurnShape[], i: number): number => {
          try {
            return encodeExample(vocab, { turns, source: { file: "mix", line: i + 1 } }, { format, maskPrompt: true, maxLength: Number.MAX_SAFE_INTEGER }).tokens.length;
          } catch {
            // An example the format cannot hold (no answer to learn) counts as its plain text.
            return vocab.tokenize(turns.map((t) => [t.content, t.input].filter(Boolean).join("\n")).join("\n")).length;
          }
        };
        return { model: m.name, cacheKey: `${m.fingerprint ?? m.id}:${format}`, count: (conversations) => conversations.map(count) };
      },
    };
  }

  /** The mix a run is to train on, written out as JSONL; null when it trains on a data file. */
  private trainingMix(config: TrainConfig): { path: string; runMix: RunMix } | null {
    // Exactly one source, text files readable, settings a full run can honour: before a mix is built.
    checkRunConfig(config);
    if (config.mix === undefined) return null;
    const mix = this.mixService.get(config.mix);
    // A run's stored settings name both (the mix and the file written for it), so they can be started again.
    if (config.data !== undefined && resolve(config.data) !== this.mixService.defaultPath(mix)) {
      throw new PolytuneError("run-data-and-mix", `A run trains on a data file or on a mix, not both (data: ${config.data}; mix: ${config.mix}).`, { where: "data, mix", hint: "Leave out one of them." });
    }
    const built = this.mixService.build(mix.id);
    return { path: built.path, runMix: this.mixService.runMix(built.mix) };
  }

  private mixHandlers(): Pick<Handlers, "mixes.preview" | "mixes.save" | "mixes.series" | "mixes.list" | "mixes.get" | "mixes.remove" | "mixes.build"> {
    return {
      "mixes.preview": ({ recipe, model, format }) => this.mixService.preview(recipe, model, format),
      "mixes.save": ({ recipe }) => {
        const mix = this.mixService.save(recipe);
        this.emit("mixes.changed", { reason: "saved" });
        return mix;
      },
      "mixes.series": (input) => {
        const result = this.mixService.series(input);
        if (result.mixes.length > 0) this.emit("mixes.changed", { reason: "saved" });
        return result;
      },
      "mixes.list": () => this.mixService.list(),
      "mixes.get": ({ mix }) => this.mixService.get(mix),
      "mixes.remove": ({ mix }) => {
        const removed = this.mixService.remove(mix);
        if (removed) this.emit("mixes.changed", { reason: "removed" });
        return { removed };
      },
      "mixes.build": ({ mix, out, overwrite }) => this.mixService.build(mix, out, { overwrite }),
    };
  }
  // ── end mixes ──

  // ── eval.score: predictions from any system, scored by the suites in eval/suites ──
  private evalScoreHandlers(): Pick<Handlers, "eval.score" | "eval.compare"> {
    return {
      // A judge named by library id or name is read from its file; anything else is taken as a path.
      "eval.score": (request) =>
        scoreSuite(request.suite === "open" && request.judge ? { ...request, judge: { ...request.judge, model: this.models.find(request.judge.model)?.path ?? resolve(request.judge.model) } } : request),
      "eval.compare": ({ score, baseline }) => compareSuites(score.suite === "open" && score.judge ? { ...score, judge: { ...score.judge, model: this.models.find(score.judge.model)?.path ?? resolve(score.judge.model) } } : score, baseline),
    };
  }
  // ── end eval.score ──

  // ── the evaluation job (eval.start …): decode, judge, score; resumable ──
  private evalJobsInstance: EvalJobs | undefined;

  /** Made on first use, like the translation jobs. */
  private get evalJobs(): EvalJobs {
    this.evalJobsInstance ??= new EvalJobs(this.db, this.runs, this.databasePath, (name, payload) => this.emit(name, payload));
    return this.evalJobsInstance;
  }

  private evalJobHandlers(): Pick<Handlers, "eval.start" | "eval.list" | "eval.get" | "eval.items" | "eval.cancel" | "eval.resume" | "eval.wait" | "eval.remove"> {
    return {
      "eval.start": async (input) => {
        await this.jobs.ready;
        // A judge named by library id or name is read from its file. The model (a run names its own) is
        // resolved last, once start() has checked the rest: resolving may add a file to the library.
        const judge = input.judge ? { ...input.judge, model: this.models.find(input.judge.model)?.path ?? resolve(input.judge.model) } : undefined;
        return this.evalJobs.start({ ...input, ...(judge ? { judge } : {}) }, (run) => this.usableModel(run ? (run.modelId ?? run.config.model) : input.model!));
      },
      "eval.list": () => this.evalJobs.list(),
      "eval.get": ({ job }) => this.evalJobs.get(job),
      "eval.items": (query) => this.evalJobs.items(query),
      "eval.cancel": ({ job }) => this.evalJobs.cancel(job),
      "eval.resume": async ({ job }) => this.evalJobs.resume(job, await this.usableModel(this.evalJobs.store.row(job).model_id)),
      "eval.wait": ({ job }) => this.evalJobs.waitFor(job),
      "eval.remove": async ({ job }) => ({ removed: await this.evalJobs.remove(job) }),
    };
  }
  // ── end evaluation job ──

  // ── compare.*: any set of evaluated runs side by side, and the item-level diff ──
  private compareHandlers(): Pick<Handlers, "compare.runs" | "compare.items"> {
    return {
      "compare.runs": (input) => compareRuns(this.db, input, { runs: this.runs, experimentOf: (run) => this.experimentOf(run) }),
      "compare.items": (input) => compareItems(this.db, input, { runs: this.runs }),
    };
  }

  /** The experiment a run was trained for (its latest), read here so compare never reads the experiments' tables. */
  private experimentOf(runId: string): ExperimentLink | null {
    const row = this.db
      .prepare("SELECT e.id, e.name, e.baseline_job, i.configuration, i.chosen FROM experiment_items i JOIN experiments e ON e.id = i.experiment_id WHERE i.run_id = ? ORDER BY e.created_at DESC LIMIT 1")
      .get(runId) as { id: string; name: string; baseline_job: string | null; configuration: string; chosen: number | null } | undefined;
    return row ? { id: row.id, name: row.name, configuration: row.configuration, chosen: row.chosen === null ? null : row.chosen === 1, baselineJob: row.baseline_job } : null;
  }
  // ── end compare.* ──

  // ── experiments.*: the queue of train-then-evaluate items, the learning-rate choice, the report ──
  private experimentQueue: ExperimentQueue | undefined;

  /** Made on first use; its sweep (experiments of a process that is gone read as interrupted) runs then. */
  private get experiments(): ExperimentQueue {
    this.experimentQueue ??= new ExperimentQueue(this.db, {
      call: (name, input) => this.call(name, input),
      onEvent: (listener) => this.onEvent(listener),
      emit: (name, payload) => this.emit(name, payload),
      mixes: this.mixService,
      modelExists: (ref) => this.models.find(ref) !== undefined || existsSync(ref),
      usableModel: (ref) => this.usableModel(ref),
      databasePath: this.databasePath,
    });
    return this.experimentQueue;
  }

  private experimentHandlers(): Pick<Handlers, "experiments.plan" | "experiments.create" | "experiments.list" | "experiments.get" | "experiments.resume" | "experiments.cancel" | "experiments.retry" | "experiments.move" | "experiments.remove" | "experiments.wait" | "experiments.report" | "experiments.demo"> {
    return {
      "experiments.plan": ({ spec }) => this.experiments.plan(spec),
      "experiments.create": ({ spec }) => this.experiments.create(spec),
      "experiments.list": async () => {
        await this.experiments.ready;
        return this.experiments.list();
      },
      "experiments.get": async ({ experiment }) => {
        await this.experiments.ready;
        return this.experiments.get(experiment);
      },
      "experiments.resume": ({ experiment }) => this.experiments.resume(experiment),
      "experiments.cancel": ({ experiment, item }) => this.experiments.cancel(experiment, item),
      "experiments.retry": ({ experiment, item }) => this.experiments.retry(experiment, item),
      "experiments.move": ({ experiment, item, position }) => this.experiments.move(experiment, item, position),
      "experiments.remove": async ({ experiment }) => ({ removed: await this.experiments.remove(experiment) }),
      "experiments.wait": ({ experiment }) => this.experiments.wait(experiment),
      "experiments.demo": () => startDemoExperiment({ call: (name, input) => this.call(name, input), home: this.home }),
      "experiments.report": async ({ experiment, out }) => {
        await this.experiments.ready;
        const e = this.experiments.get(experiment);
        const done = e.items.filter((i) => i.state === "done" && i.run !== null);
        if (done.length === 0) throw new PolytuneError("experiment-no-results", `Experiment ${e.name} has no evaluated run yet, so there is nothing to report.`, { where: `experiment ${e.id}`, hint: "Wait for its first item to finish (`polytune experiment show ID`)." });
        const runs = done.map((i) => i.run!);
        const chosen = done.find((i) => i.chosen === true)?.run;
        const comparison = compareRuns(this.db, { runs, ...(chosen ? { reference: chosen } : {}) }, { runs: this.runs, experimentOf: (run) => this.experimentOf(run) });
        const mixes = [...new Map(runs.flatMap((id) => (this.runs.get(id).mix ? [[this.runs.get(id).mix!.id, this.runs.get(id).mix!] as const] : []))).values()];
        const model = this.models.get(String(e.items[0]?.settings.model ?? e.spec.model));
        const path = out !== undefined ? resolve(out) : join(this.home, "reports", `${e.id}.html`);
        mkdirSync(dirname(path), { recursive: true });
        return writeExperimentReport({ experiment: e, comparison, mixes, model: { name: model.name, fingerprint: model.fingerprint ?? "" } }, path);
      },
    };
  }
  // ── end experiments.* ──

  // ── datasets (data.*): import in a worker thread, list, show, remove ──
  private datasetHandlers(): Pick<Handlers, "data.inspect" | "data.import" | "data.cancelImport" | "data.list" | "data.show" | "data.remove" | "data.checkText"> {
    return {
      "data.inspect": ({ files, format }) => inspectFiles(files.map((f) => resolve(f)), { format }),
      "data.import": (input) => {
        // A machine-translated example records its model and prompt; an imported file cannot say them.
        if (input.provenance === "machine-translated") {
          throw new PolytuneError("data-provenance-machine-translated", "An import cannot be marked machine-translated: Polytune records which model and prompt made every machine-translated example, and a file does not say them.", {
            where: "provenance",
            hint: "Translate a dataset with `polytune data translate` (it records both), or import these files as user-written or native.",
          });
        }
        return this.imports.start({ ...input, files: input.files.map((f) => resolve(f)) });
      },
      "data.cancelImport": ({ importId }) => ({ cancelled: this.imports.cancel(importId) }),
      "data.list": () => this.datasets.list(),
      "data.show": (query) => this.datasets.show(query),
      "data.remove": async ({ dataset }) => ({ removed: await this.datasets.removeGradually(dataset) }),
      "data.checkText": ({ files }) => {
        const documents = readTextDocuments(files.map((f) => resolve(f)));
        return { documents: documents.length, bytes: documents.reduce((n, d) => n + Buffer.byteLength(d.text), 0) };
      },
    };
  }
  // ── end datasets ──

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
    // Told first, so the queue starts nothing new while the jobs below stop; awaited once they have.
    const experiments = this.experimentQueue?.shutdown();
    await this.translationJobs?.shutdown();
    await this.evalJobsInstance?.shutdown();
    await this.jobs.shutdown();
    await this.imports.shutdown();
    await experiments;
    await this.runner.dispose();
    await this.mixVocab?.model.then((v) => v.dispose()).catch(() => undefined);
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
