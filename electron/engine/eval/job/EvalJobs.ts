import { existsSync, statSync } from "node:fs";
import type { Server } from "node:net";
import { resolve } from "node:path";
import type { EventPayload, Model, Run } from "../../../shared/contract.js";
import type { EvalJob, EvalStartParsed, EvalSystem } from "../../../shared/evalContract.js";
import type { RunMix } from "../../../shared/mixContract.js";
import { PolytuneError, toErrorShape } from "../../../shared/PolytuneError.js";
import { normaliseLanguage, sameLanguage } from "../../data/languageCodes.js";
import { kvString, readGgufHeader } from "../../gguf/readGgufHeader.js";
import { BatchedDecoder, type BatchedPrompt } from "../../infer/BatchedDecoder.js";
import { llamaLogTail } from "../../llamacpp/llamaRuntime.js";
import { fastFingerprint, sha256File } from "../../models/fingerprintFile.js";
import type { RunStore } from "../../runs/RunStore.js";
import { compareScores } from "../compareScores.js";
import type { SuiteScore } from "../SuiteScore.js";
import type { EvalOutput, EvalTask } from "../tasks/EvalTask.js";
import { loadEvalTask } from "../tasks/loadEvalTask.js";
import { scoreEvalTask } from "../tasks/scoreEvalTask.js";
import { evalLivenessPath, holdEvalLiveness, probeEvalLiveness } from "./evalLiveness.js";
import { EvalStore, type EvalFormat, type EvalPhase, type NewEvalJob, type PendingOutput, type StoredJudge } from "./EvalStore.js";

export type EmitEvalEvent = <E extends "eval.progress" | "eval.changed">(name: E, payload: EventPayload<E>) => void;

interface ActiveJob {
  controller: AbortController;
  /** Why the loop was stopped: a user's cancel, or the engine closing (the job is then only interrupted). */
  stopAs: "cancelled" | "interrupted";
  done: Promise<void>;
}

// At most four progress events a second: a fast tiny model finishes hundreds of outputs a second.
const progressEveryMs = 250;

/**
 * Evaluation jobs (issue 12): every item of every suite decoded by the tuned system (model + adapters)
 * and, with a baseline, by the base model alone, then judged and scored per suite and system. A job
 * runs inside this engine's process; each output is stored the moment it is decoded, so a kill or a
 * cancel loses at most the sequences in flight and a resume decodes only the rows without an output.
 */
export class EvalJobs {
  readonly store: EvalStore;
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    db: ConstructorParameters<typeof EvalStore>[0],
    private readonly runs: RunStore,
    private readonly databasePath: string,
    private readonly emit: EmitEvalEvent,
  ) {
    this.store = new EvalStore(db);
  }

  /** The run a job evaluates: it exists, finished training, and wrote an adapter (LoRA) or a model (full). */
  evaluatedRun(id: string): Run {
    const run = this.runs.get(id);
    const wrote = run.adapterPath ?? run.modelPath;
    if (run.status !== "completed" || wrote === null) {
      throw new PolytuneError("eval-run-unfinished", `Run ${id} is ${run.status}${wrote === null ? " and has no adapter or model" : ""}; only a completed run's adapter or model can be evaluated.`, {
        where: "run",
        hint: run.status === "completed" ? "Evaluate its base model with --model instead." : "Wait for it to finish, or resume it.",
      });
    }
    return run;
  }

  /**
   * Checks everything, then creates the job and all its items in one transaction and starts decoding;
   * returns at once with the job. `resolveModel` gives the library model (the run's, when one is
   * evaluated) and is called last, once the rest is checked, since it may add a file to the library;
   * a judge's `model` must already be a file path.
   */
  async start(input: EvalStartParsed, resolveModel: (run: Run | null) => Promise<Model>): Promise<EvalJob> {
    const run = input.run !== undefined ? this.evaluatedRun(input.run) : null;
    // A full run's model is the tuned system, its base model the base one; a LoRA run's is base + adapter.
    const tunedModelPath = run?.modelPath ?? null;
    if (tunedModelPath !== null) checkTunedModel(tunedModelPath);
    const adapterPaths = run ? (tunedModelPath !== null ? [] : [run.adapterPath!]) : input.adapters.map((a) => resolve(a));
    adapterPaths.forEach((path, i) => checkAdapter(path, run ? "run" : `adapters[${i}]`));
    if (input.baseline && adapterPaths.length === 0 && tunedModelPath === null) {
      throw new PolytuneError("eval-baseline-without-adapter", "A baseline compares the model with its adapters against the model alone, and no adapter was given.", { where: "baseline", hint: "Add --adapter FILE (or --run ID), or leave out the baseline." });
    }
    const judge = input.judge ? this.judgeFile(input.judge) : null;
    if (input.dictionaries !== undefined && !existsSync(input.dictionaries)) {
      throw new PolytuneError("file-missing", "The dictionaries folder does not exist.", { where: input.dictionaries, hint: "Give a folder of LANG.aff + LANG.dic files." });
    }
    const tasks = input.suites.map((suite, i) => {
      const task = loadEvalTask(suite, { ...(input.languages ? { languages: input.languages } : {}), ...(input.limit !== undefined ? { limit: input.limit } : {}) });
      if (task.items.length === 0) {
        throw new PolytuneError("eval-suite-empty", `Suite ${suite.suite} has no items${input.languages ? ` in ${input.languages.join(", ")}` : ""}.`, { where: `suites[${i}]`, hint: "Check its files and the languages asked for." });
      }
      return task;
    });
    const model = await resolveModel(run);
    if (!model.fingerprint) throw new PolytuneError("model-unusable", "This model has no fingerprint, so its scores could not name it.", { where: model.path, hint: "Recheck the model (`polytune models list`) and try again." });
    const format: EvalFormat = run ? run.config.format : input.format !== undefined && input.format !== "auto" ? input.format : model.hasChatTemplate ? "chat" : "raw";
    const adapters = await Promise.all(adapterPaths.map(async (path) => ({ path, fingerprint: `sha256:${await sha256File(path)}` })));
    const systems: EvalSystem[] = input.baseline ? ["tuned", "base"] : ["tuned"];
    const seeds = input.decoding.mode === "sampling" ? Array.from({ length: input.decoding.seeds }, (_, i) => i + 1) : [null];
    const items: NewEvalJob["items"] = [];
    // System by system (one context each), suite by suite, seed by seed: a seed's prompts decode together.
    for (const system of systems) {
      for (const task of tasks) {
        for (const seed of seeds) {
          for (const item of task.items) {
            const sampled = item.kind === "generate" && !task.greedy;
            if (seed !== null && !sampled && seed !== seeds[0]) continue;
            items.push({ suite: task.suite, system, seed: sampled ? seed : null, item });
          }
        }
      }
    }
    const id = this.store.create({
      name: input.name ?? `${run ? run.name : model.name} · ${input.suites.map((s) => s.suite).join(", ")}`,
      run: run?.id ?? null,
      model: { id: model.id, name: model.name, path: model.path, fingerprint: model.fingerprint },
      adapters,
      tunedModel: tunedModelPath !== null ? { path: tunedModelPath, fingerprint: fastFingerprint(tunedModelPath) } : null,
      baseline: input.baseline,
      format,
      decoding: input.decoding,
      suites: input.suites.map((s, i) => ({
        suite: s.suite,
        data: s.data.map((d) => resolve(d)),
        crossLingual: s.crossLingual,
        ...(s.language !== undefined ? { language: s.language } : {}),
        items: tasks[i]!.items.length,
        greedy: tasks[i]!.greedy,
        excluded: tasks[i]!.excluded,
        notes: [...tasks[i]!.notes, ...decodingNotes(tasks[i]!, input.decoding)],
      })),
      languages: this.languageMarks(tasks, run, adapterPaths),
      judge,
      dictionaries: input.dictionaries !== undefined ? resolve(input.dictionaries) : null,
      gpu: input.gpu,
      threads: input.threads ?? null,
      resamples: input.resamples,
      seed: input.seed,
      items,
    });
    await this.launch(id);
    return this.store.get(id);
  }

  /** Continues a cancelled, interrupted or failed job: decodes the rows without output, then scores. */
  async resume(id: string, model: Model): Promise<EvalJob> {
    const job = await this.get(id);
    if (job.status === "completed") throw new PolytuneError("eval-finished", `Evaluation job ${id} is complete; there is nothing to resume.`, { where: `job ${id}` });
    if (job.status === "running") throw new PolytuneError("eval-running", `Evaluation job ${id} is running${this.active.has(id) ? "" : " in another Polytune process"}.`, { where: `job ${id}`, hint: "Wait for it, or cancel it first." });
    if (model.fingerprint !== job.model.fingerprint) {
      throw new PolytuneError("eval-model-changed", `The model of evaluation job ${id} (${job.model.name}) has changed since the job began, so its outputs would mix two models.`, { where: model.path, hint: "Start a new job with the model as it is now." });
    }
    if (job.tunedModel && (!existsSync(job.tunedModel.path) || fastFingerprint(job.tunedModel.path) !== job.tunedModel.fingerprint)) {
      throw new PolytuneError("eval-model-changed", `The model the run of evaluation job ${id} wrote is missing or has changed since the job began.`, { where: job.tunedModel.path, hint: "Start a new job with the model as it is now." });
    }
    for (const adapter of job.adapters) {
      if (!existsSync(adapter.path) || `sha256:${await sha256File(adapter.path)}` !== adapter.fingerprint) {
        throw new PolytuneError("eval-adapter-changed", `An adapter of evaluation job ${id} is missing or has changed since the job began.`, { where: adapter.path, hint: "Start a new job with the adapter as it is now." });
      }
    }
    await this.launch(id);
    return this.store.get(id);
  }

  /** Stops a job once the outputs in flight are done (those are not stored); it can be resumed. */
  async cancel(id: string): Promise<EvalJob> {
    const active = this.active.get(id);
    if (active) {
      active.stopAs = "cancelled";
      active.controller.abort();
      await active.done;
      return this.store.get(id);
    }
    const job = await this.get(id);
    if (job.status === "running") throw new PolytuneError("eval-elsewhere", `Evaluation job ${id} is running in another Polytune process.`, { where: `job ${id}`, hint: "Cancel it where it runs (Ctrl+C in its terminal, or its Cancel button)." });
    if (job.status === "interrupted" || job.status === "failed") this.setStatus(id, "cancelled");
    return this.store.get(id);
  }

  async get(id: string): Promise<EvalJob> {
    await this.reconcile(id);
    return this.store.get(id);
  }

  async list(): Promise<EvalJob[]> {
    for (const id of this.store.runningIds()) await this.reconcile(id);
    return this.store.list();
  }

  async items(query: Parameters<EvalStore["items"]>[1] & { job: string }): Promise<ReturnType<EvalStore["items"]>> {
    this.store.row(query.job);
    return this.store.items(query.job, query);
  }

  /** Resolves when the job stops running in this process. */
  async waitFor(id: string): Promise<EvalJob> {
    await this.active.get(id)?.done;
    return this.get(id);
  }

  /** Deletes a job that is not running, with its items, verdicts and results. */
  async remove(id: string): Promise<string> {
    const job = await this.get(id);
    if (job.status === "running") throw new PolytuneError("eval-running", `Evaluation job ${id} is running, so it cannot be removed.`, { where: `job ${id}`, hint: "Cancel it first." });
    this.store.remove(id);
    return id;
  }

  /** The engine is closing: running jobs stop after the outputs in flight and read as interrupted. */
  async shutdown(): Promise<void> {
    for (const job of this.active.values()) {
      job.stopAs = "interrupted";
      job.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((j) => j.done));
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** A job whose row says running but whose process is gone (killed, crashed) is interrupted. */
  private async reconcile(id: string): Promise<void> {
    if (this.active.has(id) || this.store.row(id).status !== "running") return;
    if (!(await probeEvalLiveness(evalLivenessPath(this.databasePath, id)))) this.setStatus(id, "interrupted");
  }

  private setStatus(id: string, status: EvalJob["status"], fields: Parameters<EvalStore["setStatus"]>[2] = {}): void {
    this.store.setStatus(id, status, fields);
    this.emit("eval.changed", { job: id, status });
  }

  private judgeFile(judge: NonNullable<EvalStartParsed["judge"]>): StoredJudge {
    const path = resolve(judge.model);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new PolytuneError("file-missing", "The judge model's file does not exist.", { where: "judge.model", hint: `No file at ${path}. Give a GGUF model's path or a library model's id.` });
    }
    return { model: path, fingerprint: fastFingerprint(path), judgements: [...judge.judgements], gpu: judge.gpu, contextSize: judge.contextSize, maxTokens: judge.maxTokens, ...(judge.threads !== undefined ? { threads: judge.threads } : {}) };
  }

  /**
   * Each language of the job's items: supervised when the adapters' tuning mix has examples of it,
   * zero-shot when a mix is known and lacks it, unknown without a mix. Adapters given as files find
   * their mix through the completed run that wrote them.
   */
  private languageMarks(tasks: readonly EvalTask[], run: Run | null, adapterPaths: readonly string[]): EvalJob["languages"] {
    const languages = [...new Set(tasks.flatMap((t) => t.items.map((i) => i.language)))].sort();
    let mixes: Array<RunMix | null>;
    if (run) mixes = [run.mix];
    else if (adapterPaths.length === 0) mixes = [null];
    else {
      const completed = this.runs.list().filter((r) => r.status === "completed" && r.adapterPath !== null);
      mixes = adapterPaths.map((path) => completed.find((r) => resolve(r.adapterPath!) === path)?.mix ?? null);
    }
    const known = mixes.every((m) => m !== null) ? (mixes as RunMix[]) : null;
    return languages.map((language) => {
      if (!known) return { language, tuning: "unknown" as const, examples: null };
      const examples = known.reduce((n, mix) => n + mix.counts.languages.filter((l) => sameLanguage(normaliseLanguage(l.language) ?? l.language, language)).reduce((k, l) => k + l.examples, 0), 0);
      return { language, tuning: examples > 0 ? ("supervised" as const) : ("zero-shot" as const), examples };
    });
  }

  /**
   * Holds the job's liveness socket, marks the job running (only then: a launch that fails leaves the
   * row as it was) and runs its loop in the background. A session of this job still closing here (its
   * status written, its socket not yet closed) is waited for rather than taken for another process.
   */
  private async launch(id: string): Promise<void> {
    await this.active.get(id)?.done;
    const path = evalLivenessPath(this.databasePath, id);
    if (await probeEvalLiveness(path)) throw new PolytuneError("eval-running", `Evaluation job ${id} is running in another Polytune process.`, { where: `job ${id}` });
    const liveness = await holdEvalLiveness(path);
    const controller = new AbortController();
    const active: ActiveJob = { controller, stopAs: "cancelled", done: Promise.resolve() };
    this.active.set(id, active);
    this.setStatus(id, "running");
    active.done = this.run(id, controller.signal, liveness, active);
  }

  private async run(id: string, signal: AbortSignal, liveness: Server, active: ActiveJob): Promise<void> {
    let decoder: BatchedDecoder | null = null;
    try {
      // Let start() return the job before the model loads.
      await new Promise((r) => setImmediate(r));
      const progress = this.progressReporter(id);
      const pending = this.store.pending(id);
      if (pending.length > 0) {
        this.store.setPhase(id, "loading");
        progress("loading", true);
        const row = this.store.row(id);
        const tuned = this.store.get(id).tunedModel;
        // One model for both systems (the tuned one adds adapters), or a full run's model, then its base.
        const passes = tuned ? [{ path: tuned.path, rows: pending.filter((p) => p.system === "tuned") }, { path: row.model_path, rows: pending.filter((p) => p.system === "base") }] : [{ path: row.model_path, rows: pending }];
        for (const pass of passes) {
          if (pass.rows.length === 0 || signal.aborted) continue;
          this.store.setPhase(id, "loading");
          decoder = await BatchedDecoder.open({ modelPath: pass.path, gpu: row.gpu });
          this.store.setPhase(id, "decoding");
          progress("decoding", true);
          await this.decodeAll(id, decoder, pass.rows, signal, progress);
          // The evaluated model's memory is the next one's (or the judge's) from here on.
          await decoder.dispose();
          decoder = null;
        }
      }
      if (!signal.aborted) await this.score(id, signal, progress);
      if (signal.aborted) this.setStatus(id, active.stopAs);
      else {
        this.setStatus(id, "completed", { phase: "done" });
        progress("done", true);
      }
    } catch (error) {
      // Judging stopped by the signal (its verdicts so far are stored) is a stop like any other.
      if (signal.aborted && error instanceof Error && error.name === "AbortError") this.setStatus(id, active.stopAs);
      else this.setStatus(id, "failed", { error: toErrorShape(asPolytuneError(error)) });
    } finally {
      await decoder?.dispose().catch(() => undefined);
      // The socket closes before the entry goes: a resume in between waits for `done` (launch) instead
      // of finding a socket held by no entry.
      await new Promise<void>((r) => liveness.close(() => r()));
      if (this.active.get(id) === active) this.active.delete(id);
    }
  }

  /**
   * Progress events of this session: ETA and tokens/s from this session's own rate, at most 4 a second;
   * the session's first output is reported at once (decoding works, and a first rate is known).
   */
  private progressReporter(id: string) {
    const started = performance.now();
    let sessionDone = 0;
    let sessionTokens = 0;
    let last = 0;
    const report = (phase: EvalPhase, force = false, output?: { tokens: number }): void => {
      if (output) {
        sessionDone++;
        sessionTokens += output.tokens;
      }
      const t = performance.now();
      if (!force && !(output && sessionDone === 1) && t - last < progressEveryMs) return;
      last = t;
      const job = this.store.get(id);
      const elapsed = (t - started) / 1000;
      const remaining = job.total - job.done;
      this.emit("eval.progress", {
        job: id,
        phase,
        done: job.done,
        total: job.total,
        etaSeconds: remaining === 0 ? 0 : sessionDone > 0 ? (remaining * elapsed) / sessionDone : null,
        tokensPerSecond: sessionDone > 0 && elapsed > 0 ? sessionTokens / elapsed : null,
      });
    };
    return report;
  }

  /**
   * Decodes every pending row, system by system, storing each output as it comes. Generation runs one
   * decode (one context) per seed and repetition penalty, ranking one F32 context per system.
   */
  private async decodeAll(id: string, loaded: BatchedDecoder, pending: PendingOutput[], signal: AbortSignal, progress: ReturnType<EvalJobs["progressReporter"]>): Promise<void> {
    const row = this.store.row(id);
    const job = this.store.get(id);
    const decoding = job.decoding;
    const greedySuites = new Set(this.store.suites(id).filter((s) => s.greedy).map((s) => s.suite));
    const threads = row.threads ?? undefined;
    let mark = performance.now();
    const wall = (): number => {
      const t = performance.now();
      const s = (t - mark) / 1000;
      mark = t;
      return s;
    };
    for (const system of ["tuned", "base"] as const) {
      const rows = pending.filter((p) => p.system === system);
      if (rows.length === 0 || signal.aborted) continue;
      const adapterPaths = system === "tuned" ? job.adapters.map((a) => a.path) : [];
      const decoder = BatchedDecoder.forModel(loaded.model, adapterPaths);
      const generate = rows.filter((p) => p.item.kind === "generate");
      // One decode per seed (null: greedy) and penalty, so sampling and penalty settings stay per call.
      // Tasks that decode greedily (QA, MCQ) copy from their prompt by design, and the penalty's window
      // covers the prompt: they decode without it (decodingNotes says so in their results).
      const penaltyOf = (p: PendingOutput): number => (greedySuites.has(p.suite) ? 1 : decoding.repeatPenalty);
      const groups = [...new Set(generate.map((p) => `${p.seed ?? ""}\u0000${penaltyOf(p)}`))];
      for (const key of groups) {
        if (signal.aborted) break;
        const group = generate.filter((p) => `${p.seed ?? ""}\u0000${penaltyOf(p)}` === key);
        const seed = group[0]!.seed;
        const byOrdinal = new Map(group.map((p) => [String(p.ordinal), p]));
        const prompts: BatchedPrompt[] = group.map((p) => ({
          id: String(p.ordinal),
          prompt: p.item.prompt,
          ...(p.item.responsePrefix ? { responsePrefix: p.item.responsePrefix } : {}),
          ...(p.item.maxTokens !== undefined ? { maxTokens: p.item.maxTokens } : {}),
          // The decoder takes a prompt's stop strings instead of the job's: give it both.
          ...(p.item.stop !== undefined ? { stop: [...new Set([...p.item.stop, ...decoding.stop])] } : {}),
        }));
        mark = performance.now();
        for await (const result of decoder.decode(
          prompts,
          {
            parallel: decoding.parallel,
            maxTokens: Math.max(decoding.maxTokens, ...group.map((p) => p.item.maxTokens ?? 0)),
            repeatPenalty: penaltyOf(group[0]!),
            stop: decoding.stop,
            format: job.format,
            ...(threads !== undefined ? { threads } : {}),
            ...(seed !== null ? { temperature: decoding.temperature, topP: decoding.topP, seed } : {}),
          },
          signal,
        )) {
          if (result.stopReason === "cancelled") continue;
          const p = byOrdinal.get(result.id)!;
          this.store.recordOutput(id, p.ordinal, { response: (p.item.responsePrefix ?? "") + result.text, stopReason: result.stopReason, tokens: result.tokens.length, seconds: result.seconds }, wall());
          progress("decoding", false, { tokens: result.tokens.length });
        }
      }
      const rank = rows.filter((p) => p.item.kind === "rank");
      if (rank.length > 0 && !signal.aborted) {
        mark = performance.now();
        const items = rank.map((p) => ({ id: String(p.ordinal), context: p.item.context ?? "", continuations: p.item.continuations ?? [] }));
        for await (const result of decoder.scoreContinuations(items, { parallel: decoding.parallel, ...(threads !== undefined ? { threads } : {}) }, signal)) {
          const ordinal = Number(result.id);
          this.store.recordOutput(id, ordinal, { loglikelihoods: result.loglikelihoods, tokens: 0, seconds: result.seconds }, wall());
          progress("decoding", false, { tokens: 0 });
        }
      }
    }
    progress("decoding", true);
  }

  /** Judges (through scoreEvalTask's store) and scores every suite × system; compares tuned with base. */
  private async score(id: string, signal: AbortSignal, progress: ReturnType<EvalJobs["progressReporter"]>): Promise<void> {
    const row = this.store.row(id);
    const judge = this.store.judge(id);
    const phase: EvalPhase = judge ? "judging" : "scoring";
    this.store.setPhase(id, phase);
    progress(phase, true);
    const systems: EvalSystem[] = row.baseline === 1 ? ["tuned", "base"] : ["tuned"];
    // While judging, judged/judgeTotal count verdicts (stored ones included) beside the job's output
    // counts, at most four events a second.
    let lastJudged = 0;
    const onJudged = (judged: number, judgeTotal: number): void => {
      const t = performance.now();
      if (judged < judgeTotal && t - lastJudged < progressEveryMs) return;
      lastJudged = t;
      const job = this.store.get(id);
      this.emit("eval.progress", { job: id, phase: "judging", done: job.done, total: job.total, etaSeconds: null, tokensPerSecond: null, judged, judgeTotal });
    };
    for (const suite of this.store.suites(id)) {
      const task: EvalTask = { suite: suite.suite, items: this.store.taskItems(id, suite.suite), excluded: suite.excluded, notes: suite.notes, greedy: suite.greedy };
      const scores = new Map<EvalSystem, SuiteScore>();
      for (const system of systems) {
        if (signal.aborted) return;
        const outputs: EvalOutput[] = this.store.outputs(id, suite.suite, system).map((o) => ({
          itemId: o.itemId,
          seed: o.seed,
          ...(o.text !== null ? { text: o.text } : {}),
          ...(o.loglikelihoods !== null ? { loglikelihoods: o.loglikelihoods } : {}),
        }));
        // The signal stops judging between verdicts (an AbortError, which run() reads as a stop).
        const score = await scoreEvalTask(task, outputs, {
          ...(judge ? { judge: { model: judge.model, judgements: judge.judgements, gpu: judge.gpu, contextSize: judge.contextSize, maxTokens: judge.maxTokens, ...(judge.threads !== undefined ? { threads: judge.threads } : {}) } } : {}),
          judgeStore: this.store.judgeStore(id, suite.suite, system),
          ...(row.dictionaries !== null ? { dictionaries: row.dictionaries } : {}),
          resamples: row.resamples,
          seed: row.bootstrap_seed,
          signal,
          ...(judge ? { onJudged } : {}),
        });
        this.store.saveScore(id, suite.suite, system, score, []);
        scores.set(system, score);
      }
      const tuned = scores.get("tuned");
      const base = scores.get("base");
      if (tuned && base) this.store.setComparisons(id, suite.suite, "tuned", compareScores(tuned, base, { resamples: row.resamples, seed: row.bootstrap_seed }));
    }
    this.store.setPhase(id, "scoring");
  }
}

/** What the job's decoding did differently for this task than its settings say, for the task's results. */
function decodingNotes(task: EvalTask, decoding: EvalStartParsed["decoding"]): string[] {
  const generated = task.items.filter((i) => i.kind === "generate");
  if (generated.length === 0) return [];
  const notes: string[] = [];
  if (task.greedy && decoding.repeatPenalty !== 1) {
    notes.push(`Decoded without repetition penalty (1, not the job's ${decoding.repeatPenalty}): the penalty's window covers the prompt, and this task's answers are copied from it.`);
  }
  const own = [...new Set(generated.flatMap((i) => i.stop ?? []))];
  if (own.length > 0 && decoding.stop.length > 0) notes.push(`Stop strings: the job's (${decoding.stop.map((x) => JSON.stringify(x)).join(", ")}) and the task's (${own.map((x) => JSON.stringify(x)).join(", ")}), whichever comes first.`);
  return notes;
}

/** A full run's written model is still there and is a GGUF model (not an adapter). */
function checkTunedModel(path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) throw new PolytuneError("file-missing", "The model the run wrote is no longer there.", { where: path, hint: "Evaluate another run, or train this one again." });
  let type: string | undefined;
  try {
    type = kvString(readGgufHeader(path), "general.type");
  } catch (error) {
    throw new PolytuneError("model-changed", `The model the run wrote is not a readable GGUF file: ${error instanceof Error ? error.message : String(error)}.`, { where: path, hint: "Train the run again to write it anew." });
  }
  if (type === "adapter") throw new PolytuneError("model-changed", "The run's model file is an adapter, not a model.", { where: path, hint: "Train the run again to write it anew." });
}

/** The adapter exists and is a llama.cpp LoRA adapter (whether it fits the model shows when it loads). */
function checkAdapter(path: string, field: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) throw new PolytuneError("file-missing", "The adapter file does not exist.", { where: field, hint: `No file at ${path}. Give the adapter .gguf a training run wrote.` });
  let type: string | undefined;
  try {
    type = kvString(readGgufHeader(path), "adapter.type");
  } catch (error) {
    throw new PolytuneError("not-an-adapter", `The adapter is not a readable GGUF file: ${error instanceof Error ? error.message : String(error)}.`, { where: path, hint: "Give the adapter .gguf a training run wrote." });
  }
  if (type !== "lora") throw new PolytuneError("not-an-adapter", "This file is not a LoRA adapter.", { where: path, hint: "Give the adapter .gguf a training run wrote (its path is shown with the run)." });
}

/** llama.cpp's own failures (a context that does not fit in memory) as an error a person can act on. */
function asPolytuneError(error: unknown): unknown {
  if (error instanceof PolytuneError || (error instanceof Error && error.name === "ZodError")) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PolytuneError("eval-decode-failed", `Decoding stopped: ${message}.`, {
    hint: "Lower parallel (fewer sequences need less memory), then resume the job: the outputs made so far are kept.",
    details: llamaLogTail(5).join(" ") || undefined,
  });
}
