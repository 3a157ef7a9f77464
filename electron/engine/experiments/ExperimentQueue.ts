import { existsSync } from "node:fs";
import type { Server } from "node:net";
import { resolve } from "node:path";
import type { CallInput, CallName, CallOutput, EventName, EventPayload, Model, Run } from "../../shared/contract.js";
import type { EvalJob } from "../../shared/evalContract.js";
import type { Experiment, ExperimentItem, ExperimentSpecParsed } from "../../shared/experimentContract.js";
import type { Mix, MixCounts, MixRecipe } from "../../shared/mixContract.js";
import { PolytuneError, toErrorShape } from "../../shared/PolytuneError.js";
import { loadEvalTask } from "../eval/tasks/loadEvalTask.js";
import { holdLiveness, livenessPath, probeLiveness } from "../runs/processLiveness.js";
import { checkRunConfig } from "../train/checkRunConfig.js";
import { chooseLearningRate, type LrDecision } from "./chooseLearningRate.js";
import { ExperimentStore } from "./ExperimentStore.js";
import { itemNames, planExperiment, type ExperimentPlanDraft } from "./planExperiment.js";

/** A contract call, as the engine runs it: the queue drives runs and evaluations exactly as a user would. */
export type EngineCall = <N extends CallName>(name: N, input: CallInput<N>) => Promise<CallOutput<N>>;
type Listener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface ExperimentQueueDeps {
  call: EngineCall;
  onEvent(listener: Listener): () => void;
  emit: <E extends "experiments.changed" | "experiments.progress" | "mixes.changed">(name: E, payload: EventPayload<E>) => void;
  mixes: { get(ref: string): Mix; plan(recipe: MixRecipe): { counts: MixCounts }; save(recipe: MixRecipe): Mix };
  /** Whether a model reference names a library model or an existing file (nothing is added). */
  modelExists(ref: string): boolean;
  /** The library model of a reference, a file being added first. */
  usableModel(ref: string): Promise<Model>;
  databasePath: string;
}

const active: readonly ExperimentItem["state"][] = ["queued", "training", "evaluating"];
const terminal: readonly ExperimentItem["state"][] = ["done", "failed", "cancelled"];
type Stop = { experiment: string; item?: string };
type Current = { experiment: string; item: string | null; kind: "run" | "eval"; id: string };

/**
 * The experiments and their one queue: one accelerator job at a time across every experiment, oldest
 * experiment first, items in position order. An item trains (`runs.start`), then is evaluated
 * (`eval.start` with its run); the ids land on the item as each starts, so a restart continues the run
 * from its checkpoint and the evaluation from its stored outputs, and never redoes a finished item. An
 * experiment is going while this engine holds its liveness socket: one left "running" or "queued" by a
 * killed process reads as interrupted.
 */
export class ExperimentQueue {
  readonly store: ExperimentStore;
  readonly ready: Promise<void>;
  private loop: Promise<void> | null = null;
  private closing = false;
  private stop: Stop | null = null;
  /** The experiment the loop works on, the item it advances, and the job it waits for. */
  private running: string | null = null;
  private currentItem: string | null = null;
  private current: Current | null = null;
  private currentDone: Promise<unknown> = Promise.resolve();
  private readonly live = new Map<string, { done: number; total: number; etaSeconds: number | null }>();
  private readonly held = new Map<string, Server>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly offEvents: () => void;

  constructor(
    db: ConstructorParameters<typeof ExperimentStore>[0],
    private readonly deps: ExperimentQueueDeps,
  ) {
    this.store = new ExperimentStore(db);
    this.ready = this.sweep();
    this.ready.catch(() => undefined);
    this.offEvents = deps.onEvent((name, payload) => this.onEngineEvent(name, payload));
  }

  // ── planning and creation ──────────────────────────────────────────────────

  /** Everything checked, nothing created: the model, the suites' files, the mixes, every item's settings. */
  private check(spec: ExperimentSpecParsed, modelRef = spec.model): ExperimentPlanDraft {
    if (!this.deps.modelExists(spec.model)) {
      throw new PolytuneError("experiment-model", `No model "${spec.model}" in the library, and no file at that path.`, { where: "model", hint: "Give a library model's id or name (`polytune models list`), or a GGUF file's path." });
    }
    spec.eval.suites.forEach((suite, i) => {
      suite.data.forEach((file, j) => {
        if (!existsSync(file)) throw new PolytuneError("file-missing", `The suite's file ${resolve(file)} does not exist.`, { where: `eval.suites[${i}].data[${j}]`, hint: "Give the path of the suite's data file." });
      });
      const task = loadEvalTask(suite, { ...(spec.eval.languages ? { languages: spec.eval.languages } : {}), ...(spec.eval.limit !== undefined ? { limit: spec.eval.limit } : {}) });
      if (task.items.length === 0) {
        throw new PolytuneError("eval-suite-empty", `Suite ${suite.suite} has no items${spec.eval.languages ? ` in ${spec.eval.languages.join(", ")}` : ""}.`, { where: `eval.suites[${i}]`, hint: "Check its files and the languages asked for." });
      }
    });
    const draft = planExperiment(spec, (ref) => this.deps.mixes.get(ref), modelRef);
    for (const mix of draft.mixes) {
      if ("saved" in mix) continue;
      try {
        this.deps.mixes.plan(mix.recipe);
      } catch (error) {
        if (!(error instanceof PolytuneError)) throw error;
        throw new PolytuneError(error.code, `${mix.name}: ${error.message}`, { where: `mixes${error.where ? ` (${error.where})` : ""}`, ...(error.hint ? { hint: error.hint } : {}) });
      }
    }
    draft.items.forEach((item) => {
      try {
        checkRunConfig(item.settings);
      } catch (error) {
        if (!(error instanceof PolytuneError)) throw error;
        throw new PolytuneError(error.code, `${item.label}: ${error.message}`, { where: `train${error.where ? `.${error.where}` : ""}`, ...(error.hint ? { hint: error.hint } : {}) });
      }
    });
    return draft;
  }

  plan(spec: ExperimentSpecParsed): { items: Array<Pick<ExperimentItem, "configuration" | "label" | "method" | "lr" | "settings"> & { mix: { id: string | null; name: string } }>; mixesToBuild: string[]; warnings: string[] } {
    const draft = this.check(spec);
    return {
      items: draft.items.map((i) => {
        const mix = draft.mixes[i.mix]!;
        return { configuration: i.configuration, label: i.label, method: i.method, lr: i.lr, settings: { ...i.settings }, mix: { id: "saved" in mix ? mix.saved.id : null, name: mix.name } };
      }),
      mixesToBuild: draft.mixes.flatMap((m) => ("saved" in m ? [] : [m.name])),
      warnings: draft.warnings,
    };
  }

  /** Checks everything, then saves a study's mixes and writes the experiment with its items; the queue starts. */
  async create(spec: ExperimentSpecParsed): Promise<Experiment> {
    await this.ready;
    this.check(spec);
    const model = await this.deps.usableModel(spec.model);
    const draft = this.check(spec, model.id);
    const id = this.store.db.transaction(() => {
      const saved = draft.mixes.map((m) => ("saved" in m ? m.saved : this.deps.mixes.save(m.recipe)));
      const items = draft.items.map((i) => {
        const mix = saved[i.mix]!;
        // Named from the mix as saved: a taken name makes it "X (2)".
        const names = itemNames(spec.name, mix.name, i.variant, i.lr);
        return { configuration: names.configuration, label: names.label, mix: { id: mix.id, name: mix.name }, method: i.method, lr: i.lr, settings: { ...i.settings, mix: mix.id, name: names.runName } };
      });
      return this.store.create(spec.name, spec, items, "queued");
    })();
    if (draft.mixes.some((m) => !("saved" in m))) this.deps.emit("mixes.changed", { reason: "saved" });
    await this.enqueue(id);
    return this.get(id);
  }

  // ── reading ────────────────────────────────────────────────────────────────

  get(ref: string): Experiment {
    const experiment = this.store.get(ref);
    return { ...experiment, items: experiment.items.map((i) => this.withLive(i)) };
  }

  list(): Experiment[] {
    return this.store.list().map((e) => ({ ...e, items: e.items.map((i) => this.withLive(i)) }));
  }

  private withLive(item: ExperimentItem): ExperimentItem {
    const live = item.state === "training" || item.state === "evaluating" ? this.live.get(item.id) : undefined;
    return live ? { ...item, ...live } : item;
  }

  /** Resolves once the experiment is no longer queued or running here (completed, failed, cancelled, interrupted, paused). */
  async wait(ref: string): Promise<Experiment> {
    await this.ready;
    const id = this.store.resolve(ref);
    while (["queued", "running"].includes(this.store.get(id).status) && this.held.has(id)) {
      await new Promise<void>((done) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), done]));
    }
    return this.get(id);
  }

  // ── managing ───────────────────────────────────────────────────────────────

  async resume(ref: string): Promise<Experiment> {
    await this.ready;
    const id = this.store.resolve(ref);
    const status = this.store.get(id).status;
    if (this.held.has(id)) throw new PolytuneError("experiment-running", "This experiment is already queued or running.", { where: `experiment ${id}` });
    if (!["interrupted", "paused", "failed"].includes(status)) {
      throw new PolytuneError("experiment-not-resumable", `A ${status} experiment cannot be resumed.`, { where: `experiment ${id}`, hint: status === "running" || status === "queued" ? "It is going in another Polytune process." : "Retry single items with `experiments.retry`." });
    }
    await this.enqueue(id);
    return this.get(id);
  }

  async cancel(ref: string, itemRef?: string): Promise<Experiment> {
    await this.ready;
    const id = this.store.resolve(ref);
    if (itemRef !== undefined) {
      const item = this.store.item(id, itemRef);
      if (terminal.includes(item.state)) throw new PolytuneError("experiment-item-finished", `Item ${item.label} is ${item.state}; there is nothing to cancel.`, { where: `item ${item.id}` });
      if (this.currentItem === item.id) await this.stopCurrent({ experiment: id, item: item.id });
      else this.store.updateItem(item.id, { state: "cancelled" });
      this.changed(id);
      return this.get(id);
    }
    const status = this.store.get(id).status;
    if (["completed", "failed", "cancelled"].includes(status)) throw new PolytuneError("experiment-finished", `This experiment is ${status}; there is nothing to cancel.`, { where: `experiment ${id}` });
    if (this.running === id) {
      // The loop takes the stop in between jobs and cancels what is left.
      await this.stopCurrent({ experiment: id });
      return this.wait(id);
    }
    if (["queued", "running"].includes(status) && !this.held.has(id)) throw new PolytuneError("experiment-elsewhere", "This experiment is going in another Polytune process.", { where: `experiment ${id}`, hint: "Cancel it where it runs (Ctrl+C in its terminal)." });
    this.finishCancelled(id);
    return this.get(id);
  }

  /** Queues a failed or cancelled item again: its run resumes from its checkpoint where it can, a finished run is only evaluated. */
  async retry(ref: string, itemRef: string): Promise<Experiment> {
    await this.ready;
    const id = this.store.resolve(ref);
    const item = this.store.item(id, itemRef);
    if (item.state !== "failed" && item.state !== "cancelled") throw new PolytuneError("experiment-item-not-retryable", `Item ${item.label} is ${item.state}; only failed or cancelled items are retried.`, { where: `item ${item.id}` });
    this.store.updateItem(item.id, { state: "queued", error: null });
    if (!this.held.has(id)) await this.enqueue(id);
    else this.changed(id);
    return this.get(id);
  }

  move(ref: string, itemRef: string, position: number): Experiment {
    const id = this.store.resolve(ref);
    const item = this.store.item(id, itemRef);
    if (item.state !== "queued" || item.run !== null) throw new PolytuneError("experiment-item-not-queued", `Item ${item.label} is ${item.state === "queued" ? "already started" : item.state}; only waiting items are reordered.`, { where: `item ${item.id}` });
    this.store.move(id, item.id, position);
    this.changed(id);
    return this.get(id);
  }

  /** Deletes the experiment and its items; its runs, evaluations and mixes stay. */
  async remove(ref: string): Promise<string> {
    await this.ready;
    const id = this.store.resolve(ref);
    const status = this.store.get(id).status;
    if (this.held.has(id) || ((status === "queued" || status === "running") && (await probeLiveness(this.livenessPath(id))))) {
      throw new PolytuneError("experiment-running", "This experiment is queued or running, so it cannot be removed.", { where: `experiment ${id}`, hint: "Cancel it first." });
    }
    this.store.remove(id);
    this.deps.emit("experiments.changed", { experiment: id, status });
    return id;
  }

  /** The engine is closing: the job in flight is paused or interrupted by its own shutdown; the experiment reads as interrupted. */
  shutdown(): Promise<void> {
    this.closing = true;
    this.offEvents();
    const loop = this.loop ?? Promise.resolve();
    return loop.finally(() => {
      for (const [id, server] of this.held) {
        const status = this.store.db.open ? this.store.get(id).status : null;
        if (status === "queued" || status === "running") this.setStatus(id, "interrupted");
        server.close();
      }
      this.held.clear();
      for (const list of this.waiters.values()) list.forEach((w) => w());
    });
  }

  // ── the queue ──────────────────────────────────────────────────────────────

  private livenessPath(id: string): string {
    return livenessPath("experiment", `${resolve(this.deps.databasePath)}\n${id}`);
  }

  /** Experiments left queued or running by a process that is gone are interrupted. */
  private async sweep(): Promise<void> {
    for (const id of this.store.pending()) {
      if (!(await probeLiveness(this.livenessPath(id)))) this.setStatus(id, "interrupted");
    }
  }

  private async enqueue(id: string): Promise<void> {
    if (this.closing) throw new PolytuneError("engine-closing", "Polytune is closing; the experiment was not started.", { where: `experiment ${id}` });
    if (!this.held.has(id)) {
      if (await probeLiveness(this.livenessPath(id))) throw new PolytuneError("experiment-running", "This experiment is going in another Polytune process.", { where: `experiment ${id}` });
      this.held.set(id, await holdLiveness(this.livenessPath(id)));
    }
    // A new go: the last one's error (no item finished, the base model's evaluation failed) no longer holds.
    this.setStatus(id, "queued", null);
    this.pump();
  }

  private pump(): void {
    if (this.loop || this.closing) return;
    this.loop = this.work().finally(() => {
      this.loop = null;
      if (!this.closing && this.store.pending().some((id) => this.held.has(id))) this.pump();
    });
  }

  private async work(): Promise<void> {
    for (;;) {
      const next = this.store.pending().find((id) => this.held.has(id));
      if (next === undefined || this.closing) return;
      await this.runExperiment(next);
    }
  }

  private async runExperiment(id: string): Promise<void> {
    this.running = id;
    this.setStatus(id, "running");
    try {
      await this.baseline(id);
      for (;;) {
        if (this.closing) return;
        if (this.stop?.experiment === id && this.stop.item === undefined) return this.finishCancelled(id);
        const item = this.store.items(id).find((i) => active.includes(i.state));
        if (!item) break;
        this.currentItem = item.id;
        const advancing = this.advance(id, item);
        this.currentDone = advancing;
        const next = await advancing;
        this.currentItem = null;
        await this.decide(id);
        if (next === "halt") return;
      }
      if (this.stop?.experiment === id && this.stop.item === undefined) return this.finishCancelled(id);
      const items = this.store.items(id);
      const status = items.some((i) => i.state === "done") ? "completed" : items.every((i) => i.state === "cancelled") ? "cancelled" : "failed";
      this.setStatus(id, status, status === "failed" ? { code: "experiment-failed", message: "No item of the experiment finished.", hint: "See each item's error; retry one with `experiments.retry`." } : undefined);
      this.release(id);
    } catch (error) {
      if (this.closing) return;
      this.setStatus(id, "failed", toErrorShape(error));
      this.release(id);
    } finally {
      this.running = null;
      this.currentItem = null;
    }
  }

  private release(id: string): void {
    this.held.get(id)?.close();
    this.held.delete(id);
    this.notify(id);
  }

  private evalSettings(spec: ExperimentSpecParsed) {
    const e = spec.eval;
    return {
      suites: e.suites,
      ...(e.languages ? { languages: e.languages } : {}),
      ...(e.limit !== undefined ? { limit: e.limit } : {}),
      ...(e.decoding ? { decoding: e.decoding } : {}),
      ...(e.judge ? { judge: e.judge } : {}),
      ...(e.threads !== undefined ? { threads: e.threads } : {}),
    };
  }

  /** The base model alone, once per experiment, on the same suites and decoding, in the items' prompt format. */
  private async baseline(id: string): Promise<void> {
    const experiment = this.store.get(id);
    if (!experiment.spec.eval.baseline) return;
    const first = experiment.items[0]?.settings as { model?: string; format?: "alpaca" | "guanaco" | "chat" } | undefined;
    let job = experiment.baselineJob ? await this.evalJob(experiment.baselineJob) : null;
    try {
      if (job?.status === "completed" || this.closing) return;
      if (!job) {
        job = await this.deps.call("eval.start", { ...this.evalSettings(experiment.spec), model: first?.model ?? experiment.spec.model, format: first?.format ?? "alpaca", baseline: false, name: `${experiment.name} · base model` });
        this.store.setBaselineJob(id, job.id);
      } else {
        job = await this.deps.call("eval.resume", { job: job.id });
      }
      if (job.status === "running") job = await this.waitEval(id, null, job.id);
      if (job.status === "failed") throw PolytuneError.fromShape(job.error ?? { code: "eval-failed", message: "The evaluation failed." });
    } catch (error) {
      if (this.closing) return;
      // The items still train and evaluate; the experiment says the reference is missing.
      const shape = toErrorShape(error);
      this.store.setStatus(id, "running", { ...shape, message: `The base model's evaluation failed: ${shape.message}` });
    }
  }

  private async evalJob(job: string): Promise<EvalJob | null> {
    try {
      return await this.deps.call("eval.get", { job });
    } catch {
      return null;
    }
  }

  private async waitEval(experiment: string, item: string | null, job: string): Promise<EvalJob> {
    this.current = { experiment, item, kind: "eval", id: job };
    try {
      return await this.deps.call("eval.wait", { job });
    } finally {
      this.current = null;
    }
  }

  private async waitRun(experiment: string, item: string, run: string): Promise<Run> {
    this.current = { experiment, item, kind: "run", id: run };
    try {
      return await this.deps.call("runs.wait", { run });
    } finally {
      this.current = null;
    }
  }

  /**
   * Takes one item as far as it goes: training (started, resumed, or already finished), then evaluation.
   * "halt" when the queue must stop (the engine closing, a run paused by hand); otherwise the item ends
   * done, failed or cancelled and the queue goes on.
   */
  private async advance(experiment: string, item: ExperimentItem): Promise<"next" | "halt"> {
    const spec = this.store.get(experiment).spec;
    try {
      let run: Run | null = item.run ? await this.deps.call("runs.get", { run: item.run }).catch(() => null) : null;
      if (this.closing) return "halt";
      if (!run || run.status === "cancelled") {
        this.store.updateItem(item.id, { state: "training", run: null, evalJob: null, done: 0, total: 0 });
        this.changed(experiment);
        run = await this.deps.call("runs.start", item.settings as CallInput<"runs.start">);
        this.store.updateItem(item.id, { run: run.id, total: run.totalSteps });
        // A stop asked for while the run got ready reaches it now.
        if (this.stopping(experiment, item.id) || this.closing) await this.deps.call("runs.cancel", { run: run.id }).catch(() => undefined);
      } else if (run.status !== "completed") {
        this.store.updateItem(item.id, { state: "training" });
        if (["paused", "interrupted", "failed"].includes(run.status)) run = await this.deps.call("runs.resume", { run: run.id });
      }
      this.changed(experiment);
      if (run.status !== "completed") run = await this.waitRun(experiment, item.id, run.id);
      this.store.updateItem(item.id, { done: run.step, total: run.totalSteps });
      if (run.status !== "completed") {
        if (run.status === "running" || run.status === "queued") throw new PolytuneError("run-active-elsewhere", `Run ${run.id} is going in another Polytune process.`, { where: `run ${run.id}` });
        return this.stopped(experiment, item, run.status === "failed" ? (run.error ?? { code: "run-failed", message: "Training failed." }) : null, run.status === "paused");
      }

      if (this.closing) return "halt";
      if (this.stopping(experiment, item.id)) return this.stopped(experiment, item, null, false);
      let job = item.evalJob ? await this.evalJob(item.evalJob) : null;
      this.live.delete(item.id);
      this.store.updateItem(item.id, { state: "evaluating", done: job?.done ?? 0, total: job?.total ?? 0 });
      this.changed(experiment);
      if (!job) {
        job = await this.deps.call("eval.start", { ...this.evalSettings(spec), run: run.id, baseline: false, name: `${spec.name} · ${item.label}` });
        this.store.updateItem(item.id, { evalJob: job.id, total: job.total });
        if (this.stopping(experiment, item.id) || this.closing) await this.deps.call("eval.cancel", { job: job.id }).catch(() => undefined);
      } else if (["cancelled", "interrupted", "failed"].includes(job.status)) {
        job = await this.deps.call("eval.resume", { job: job.id });
      }
      if (job.status === "running") job = await this.waitEval(experiment, item.id, job.id);
      this.store.updateItem(item.id, { done: job.done, total: job.total });
      if (job.status === "completed") {
        this.store.updateItem(item.id, { state: "done" });
        this.live.delete(item.id);
        this.changed(experiment);
        return "next";
      }
      if (job.status === "running") throw new PolytuneError("eval-running", `Evaluation job ${job.id} is running in another Polytune process.`, { where: `job ${job.id}` });
      return this.stopped(experiment, item, job.status === "failed" ? (job.error ?? { code: "eval-failed", message: "The evaluation failed." }) : null, false);
    } catch (error) {
      if (this.closing) {
        // Stopped while its run got ready: nothing was recorded, so it simply waits again.
        if (this.store.item(experiment, item.id).run === null) this.store.updateItem(item.id, { state: "queued" });
        return "halt";
      }
      return this.stopped(experiment, item, toErrorShape(error), false);
    }
  }

  /** An item whose job ended without finishing: failed with its error, cancelled by a user, or halted by a closing engine. */
  private stopped(experiment: string, item: ExperimentItem, error: ReturnType<typeof toErrorShape> | null, pausedByHand: boolean): "next" | "halt" {
    this.live.delete(item.id);
    if (this.closing) return "halt";
    if (this.stopping(experiment, item.id)) {
      this.store.updateItem(item.id, { state: "cancelled" });
      if (this.stop?.item !== undefined) this.stop = null;
      this.changed(experiment);
      return "next";
    }
    if (pausedByHand) {
      // Someone paused the run itself: the experiment waits for a resume rather than running past it.
      this.setStatus(experiment, "paused");
      this.release(experiment);
      return "halt";
    }
    this.store.updateItem(item.id, { state: error ? "failed" : "cancelled", error });
    this.changed(experiment);
    return "next";
  }

  private stopping(experiment: string, item: string): boolean {
    return this.stop?.experiment === experiment && (this.stop.item === undefined || this.stop.item === item);
  }

  /** Stops the job in flight (its run cancelled, its evaluation cancelled) and waits for the loop to take it in. */
  private async stopCurrent(stop: Stop): Promise<void> {
    this.stop = stop;
    const current = this.current;
    if (current) {
      if (current.kind === "run") await this.deps.call("runs.cancel", { run: current.id }).catch(() => undefined);
      else await this.deps.call("eval.cancel", { job: current.id }).catch(() => undefined);
    }
    await this.currentDone;
    // An item's stop ends with its item, even one that finished before the stop reached it.
    if (stop.item !== undefined && this.stop === stop) this.stop = null;
  }

  private finishCancelled(id: string): void {
    for (const item of this.store.items(id)) if (active.includes(item.state)) this.store.updateItem(item.id, { state: "cancelled" });
    if (this.stop?.experiment === id) this.stop = null;
    this.setStatus(id, "cancelled");
    this.release(id);
  }

  /** The learning-rate choice of every configuration whose items have all ended, redone as items end. */
  private async decide(id: string): Promise<void> {
    const experiment = this.store.get(id);
    const criteria = experiment.spec.lrChoice.criteria;
    const byConfiguration = new Map<string, ExperimentItem[]>();
    for (const item of experiment.items) byConfiguration.set(item.configuration, [...(byConfiguration.get(item.configuration) ?? []), item]);
    const decisions: LrDecision[] = [];
    for (const [configuration, items] of byConfiguration) {
      if (!items.every((i) => terminal.includes(i.state)) || !items.some((i) => i.state === "done")) continue;
      const candidates = await Promise.all(
        items.map(async (i) => {
          const job = i.state === "done" && i.evalJob ? await this.evalJob(i.evalJob) : null;
          return { item: i.id, lr: i.lr, values: criteria.map((c) => (job ? criterionValue(job, c.suite, c.metric) : null)) };
        }),
      );
      decisions.push(chooseLearningRate(configuration, candidates, experiment.spec.lrChoice));
    }
    this.store.setDecisions(id, decisions);
  }

  // ── events ─────────────────────────────────────────────────────────────────

  private onEngineEvent(name: EventName, payload: unknown): void {
    const current = this.current;
    if (!current?.item) return;
    let progress: { done: number; total: number; etaSeconds: number | null } | null = null;
    if (name === "runs.step" && current.kind === "run") {
      const p = payload as EventPayload<"runs.step">;
      if (p.run === current.id) progress = { done: p.metric.step, total: p.totalSteps, etaSeconds: p.etaSeconds };
    } else if (name === "eval.progress" && current.kind === "eval") {
      const p = payload as EventPayload<"eval.progress">;
      if (p.job === current.id) progress = { done: p.done, total: p.total, etaSeconds: p.etaSeconds };
    }
    if (!progress) return;
    this.live.set(current.item, progress);
    this.deps.emit("experiments.progress", { experiment: current.experiment, item: current.item, state: current.kind === "run" ? "training" : "evaluating", ...progress });
  }

  private setStatus(id: string, status: Experiment["status"], error?: ReturnType<typeof toErrorShape> | null): void {
    this.store.setStatus(id, status, error);
    this.deps.emit("experiments.changed", { experiment: id, status });
    if (!["queued", "running"].includes(status)) this.notify(id);
  }

  private changed(id: string): void {
    this.deps.emit("experiments.changed", { experiment: id, status: this.store.get(id).status });
  }

  private notify(id: string): void {
    const list = this.waiters.get(id) ?? [];
    this.waiters.delete(id);
    list.forEach((w) => w());
  }
}

/** A suite's metric for the tuned system, averaged over the evaluated languages; null where none has it. */
export function criterionValue(job: EvalJob, suite: string, metric: string): number | null {
  const result = job.results.find((r) => r.suite === suite && r.system === "tuned");
  const means = (result?.aggregates ?? []).filter((a) => a.language !== null && a.metric === metric).map((a) => a.mean);
  return means.length ? means.reduce((s, m) => s + m, 0) / means.length : null;
}
