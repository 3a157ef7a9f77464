import type { Database } from "better-sqlite3";
import { randomUUID } from "node:crypto";
import type {
  EvalDecoding,
  EvalItem,
  EvalJob,
  EvalJobStatus,
  EvalResult,
  EvalSuiteName,
  EvalSystem,
  ScoreComparison,
  judgements,
} from "../../../shared/evalContract.js";
import type { PolytuneErrorShape } from "../../../shared/contract.js";
import { PolytuneError } from "../../../shared/PolytuneError.js";
import type { SuiteScore } from "../SuiteScore.js";
import type { EvalTaskItem, JudgeStore } from "../tasks/EvalTask.js";
import { ReplicateStore } from "./ReplicateStore.js";

export type EvalPhase = EvalJob["phase"];
export type EvalFormat = EvalJob["format"];

/** A suite of a job as stored: its request, and what its load said (kept for scoring after a resume). */
export interface StoredSuite {
  suite: EvalSuiteName;
  data: string[];
  crossLingual: boolean;
  language?: string;
  items: number;
  greedy: boolean;
  excluded: Array<{ id: string; reason: string }>;
  notes: string[];
}

/** The judge as stored: the request scoreEvalTask takes (model resolved to a path) and its fingerprint. */
export interface StoredJudge {
  model: string;
  fingerprint: string;
  judgements: Array<(typeof judgements)[number]>;
  gpu: "auto" | "cpu";
  contextSize: number;
  maxTokens: number;
  threads?: number;
}

interface JobRow {
  id: string;
  name: string;
  status: EvalJobStatus;
  phase: EvalPhase;
  run_id: string | null;
  model_id: string;
  model_name: string;
  model_path: string;
  model_fingerprint: string;
  adapters_json: string;
  /** m0009: a full run's written model, the tuned system; null for model + adapters. */
  tuned_model_json?: string | null;
  baseline: number;
  format: EvalFormat;
  decoding_json: string;
  suites_json: string;
  languages_json: string;
  judge_json: string | null;
  dictionaries: string | null;
  gpu: "auto" | "cpu";
  threads: number | null;
  resamples: number;
  bootstrap_seed: number;
  error_json: string | null;
  seconds: number;
  tokens: number;
  created_at: string;
  finished_at: string | null;
}

interface ItemRow {
  job_id: string;
  ordinal: number;
  suite: EvalSuiteName;
  item_id: string;
  language: string;
  system: EvalSystem;
  seed: number | null;
  kind: "generate" | "rank";
  item_json: string;
  status: "pending" | "done";
  response: string | null;
  stop_reason: string | null;
  tokens: number | null;
  seconds: number | null;
  loglikelihoods_json: string | null;
  scores_json: string | null;
  detail_json: string | null;
  decoded_at: string | null;
}

export interface NewEvalJob {
  name: string;
  run: string | null;
  model: { id: string; name: string; path: string; fingerprint: string };
  adapters: Array<{ path: string; fingerprint: string }>;
  /** A full run's written model (the tuned system); absent or null: the model + adapters. */
  tunedModel?: { path: string; fingerprint: string } | null;
  baseline: boolean;
  format: EvalFormat;
  decoding: EvalDecoding;
  suites: StoredSuite[];
  languages: EvalJob["languages"];
  judge: StoredJudge | null;
  dictionaries: string | null;
  gpu: "auto" | "cpu";
  threads: number | null;
  resamples: number;
  seed: number;
  /** In decoding order: one per item × system × seed. */
  items: Array<{ suite: EvalSuiteName; system: EvalSystem; seed: number | null; item: EvalTaskItem }>;
}

/** A row still to decode, with the task item it was made from. */
export interface PendingOutput {
  ordinal: number;
  suite: EvalSuiteName;
  system: EvalSystem;
  seed: number | null;
  item: EvalTaskItem;
}

/** A stored output, as scoring reads it. */
export interface DoneOutput {
  itemId: string;
  seed: number | null;
  text: string | null;
  loglikelihoods: number[] | null;
}

export interface ItemsQuery {
  suite?: EvalSuiteName;
  language?: string;
  system?: EvalSystem;
  /** One item's rows (its id within the suite). */
  item?: string;
  changed: boolean;
  offset: number;
  limit: number;
}

const now = (): string => new Date().toISOString();
const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/** Evaluation jobs, their items and outputs, judge verdicts and results (m0008). */
export class EvalStore {
  constructor(private readonly db: Database) {}

  /** The job and every one of its items, in one transaction: a job exists whole or not at all. */
  create(job: NewEvalJob): string {
    const id = randomUUID().replace(/-/g, "").slice(0, 12);
    const insertItem = this.db.prepare(
      "INSERT INTO eval_items (job_id, ordinal, suite, item_id, language, system, seed, kind, item_json, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
    );
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO eval_jobs (id, name, status, phase, run_id, model_id, model_name, model_path, model_fingerprint, adapters_json, tuned_model_json, baseline, format,
             decoding_json, suites_json, languages_json, judge_json, dictionaries, gpu, threads, resamples, bootstrap_seed, created_at)
           VALUES (?, ?, 'running', 'loading', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id, job.name, job.run, job.model.id, job.model.name, job.model.path, job.model.fingerprint, JSON.stringify(job.adapters), job.tunedModel ? JSON.stringify(job.tunedModel) : null, job.baseline ? 1 : 0, job.format,
          JSON.stringify(job.decoding), JSON.stringify(job.suites), JSON.stringify(job.languages), job.judge ? JSON.stringify(job.judge) : null, job.dictionaries,
          job.gpu, job.threads, job.resamples, job.seed, now(),
        );
      job.items.forEach((x, ordinal) => insertItem.run(id, ordinal, x.suite, x.item.id, x.item.language, x.system, x.seed, x.item.kind, JSON.stringify(x.item)));
    })();
    return id;
  }

  row(id: string): JobRow {
    const row = this.db.prepare("SELECT * FROM eval_jobs WHERE id = ?").get(id) as JobRow | undefined;
    if (!row) throw new PolytuneError("eval-not-found", `There is no evaluation job "${id}".`, { where: `job ${id}`, hint: "List the jobs with `polytune eval --list`." });
    return row;
  }

  get(id: string): EvalJob {
    return this.toJob(this.row(id));
  }

  list(): EvalJob[] {
    return (this.db.prepare("SELECT * FROM eval_jobs ORDER BY created_at DESC, id").all() as JobRow[]).map((r) => this.toJob(r));
  }

  runningIds(): string[] {
    return (this.db.prepare("SELECT id FROM eval_jobs WHERE status = 'running'").all() as Array<{ id: string }>).map((r) => r.id);
  }

  suites(id: string): StoredSuite[] {
    return JSON.parse(this.row(id).suites_json) as StoredSuite[];
  }

  judge(id: string): StoredJudge | null {
    return parse<StoredJudge>(this.row(id).judge_json);
  }

  pending(id: string): PendingOutput[] {
    const rows = this.db.prepare("SELECT ordinal, suite, system, seed, item_json FROM eval_items WHERE job_id = ? AND status = 'pending' ORDER BY ordinal").all(id) as ItemRow[];
    return rows.map((r) => ({ ordinal: r.ordinal, suite: r.suite, system: r.system, seed: r.seed, item: JSON.parse(r.item_json) as EvalTaskItem }));
  }

  /** One output and the job's time and token totals, in one transaction: the unit a kill can lose. */
  recordOutput(id: string, ordinal: number, output: { response?: string; stopReason?: string; tokens: number; seconds: number; loglikelihoods?: number[] }, wallSeconds: number): void {
    this.db.transaction(() => {
      const changed = this.db
        .prepare(
          `UPDATE eval_items SET status = 'done', response = ?, stop_reason = ?, tokens = ?, seconds = ?, loglikelihoods_json = ?, decoded_at = ?
           WHERE job_id = ? AND ordinal = ? AND status = 'pending'`,
        )
        .run(output.response ?? null, output.stopReason ?? null, output.tokens, output.seconds, output.loglikelihoods ? JSON.stringify(output.loglikelihoods) : null, now(), id, ordinal).changes;
      if (changed !== 1) throw new PolytuneError("eval-item-done", `Output ${ordinal} of evaluation job ${id} is already stored.`, { where: `job ${id}` });
      this.db.prepare("UPDATE eval_jobs SET seconds = seconds + ?, tokens = tokens + ? WHERE id = ?").run(wallSeconds, output.tokens, id);
    })();
  }

  /** The task items of one suite in their stored order (each once), for scoring without the files. */
  taskItems(id: string, suite: EvalSuiteName): EvalTaskItem[] {
    const rows = this.db.prepare("SELECT item_id, item_json FROM eval_items WHERE job_id = ? AND suite = ? ORDER BY ordinal").all(id, suite) as ItemRow[];
    const seen = new Set<string>();
    const out: EvalTaskItem[] = [];
    for (const r of rows) {
      if (seen.has(r.item_id)) continue;
      seen.add(r.item_id);
      out.push(JSON.parse(r.item_json) as EvalTaskItem);
    }
    return out;
  }

  outputs(id: string, suite: EvalSuiteName, system: EvalSystem): DoneOutput[] {
    const rows = this.db.prepare("SELECT item_id, seed, response, loglikelihoods_json FROM eval_items WHERE job_id = ? AND suite = ? AND system = ? AND status = 'done' ORDER BY ordinal").all(id, suite, system) as ItemRow[];
    return rows.map((r) => ({ itemId: r.item_id, seed: r.seed, text: r.response, loglikelihoods: parse<number[]>(r.loglikelihoods_json) }));
  }

  setStatus(id: string, status: EvalJobStatus, fields: { error?: PolytuneErrorShape | null; phase?: EvalPhase } = {}): void {
    const finished = status === "completed" || status === "cancelled" || status === "failed" ? now() : null;
    this.db
      .prepare("UPDATE eval_jobs SET status = ?, error_json = ?, finished_at = ?, phase = COALESCE(?, phase) WHERE id = ?")
      .run(status, fields.error ? JSON.stringify(fields.error) : null, finished, fields.phase ?? null, id);
  }

  setPhase(id: string, phase: EvalPhase): void {
    this.db.prepare("UPDATE eval_jobs SET phase = ? WHERE id = ?").run(phase, id);
  }

  /** A suite × system's scores: the result row, and each item's scores and detail onto its rows. */
  saveScore(id: string, suite: EvalSuiteName, system: EvalSystem, score: SuiteScore, comparisons: ScoreComparison[]): void {
    // INDEXED BY: left to itself the planner walks the job's rows by primary key for every item (items² per job).
    const update = this.db.prepare("UPDATE eval_items INDEXED BY eval_items_item SET scores_json = ?, detail_json = ? WHERE job_id = ? AND suite = ? AND system = ? AND item_id = ?");
    const job = this.row(id);
    this.db.transaction(() => {
      this.db
        .prepare("INSERT OR REPLACE INTO eval_results (job_id, suite, system, aggregates_json, excluded_json, notes_json, comparisons_json) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(id, suite, system, JSON.stringify(score.aggregates), JSON.stringify(score.excluded), JSON.stringify(score.notes), JSON.stringify(comparisons));
      for (const item of score.items) update.run(JSON.stringify(item.scores), item.detail ? JSON.stringify(item.detail) : null, id, suite, system, item.id);
      // With the scores, so that comparisons never resample these items again (m0012).
      new ReplicateStore(this.db).save(id, suite, system, score, { resamples: job.resamples, seed: job.bootstrap_seed });
    })();
  }

  setComparisons(id: string, suite: EvalSuiteName, system: EvalSystem, comparisons: ScoreComparison[]): void {
    this.db.prepare("UPDATE eval_results SET comparisons_json = ? WHERE job_id = ? AND suite = ? AND system = ?").run(JSON.stringify(comparisons), id, suite, system);
  }

  /** Judge verdicts of one suite × system, persisted so a resumed job does not ask the judge again. */
  judgeStore(id: string, suite: EvalSuiteName, system: EvalSystem): JudgeStore {
    const get = this.db.prepare("SELECT value_json FROM eval_judgements WHERE job_id = ? AND suite = ? AND system = ? AND key = ?");
    const put = this.db.prepare("INSERT OR REPLACE INTO eval_judgements (job_id, suite, system, key, value_json) VALUES (?, ?, ?, ?, ?)");
    return {
      get: (key) => {
        const row = get.get(id, suite, system, key) as { value_json: string } | undefined;
        return row ? (JSON.parse(row.value_json) as ReturnType<JudgeStore["get"]>) : undefined;
      },
      put: (key, value) => {
        put.run(id, suite, system, key, JSON.stringify(value));
      },
    };
  }

  remove(id: string): void {
    this.row(id);
    this.db.prepare("DELETE FROM eval_jobs WHERE id = ?").run(id);
  }

  /**
   * A page of outputs. `changed` keeps the items (every system's and seed's row of them) whose
   * language_correctness or the suite's first aggregated metric differs between tuned and base; the
   * comparison runs in SQL (json_extract on the scores), so a page reads only its own rows.
   */
  items(id: string, query: ItemsQuery): { items: EvalItem[]; total: number } {
    const where = ["i.job_id = ?"];
    const args: unknown[] = [id];
    for (const [column, value] of [["suite", query.suite], ["language", query.language], ["system", query.system], ["item_id", query.item]] as const) {
      if (value === undefined) continue;
      where.push(`i.${column} = ?`);
      args.push(value);
    }
    if (query.changed) {
      // Per suite, the JSON path of its first metric (a CASE over the few suites of the job); a metric
      // missing from one side reads NULL, and `IS NOT` compares NULLs as values: missing ≠ 0.
      const first = this.firstMetrics(id);
      const metricPath = first.length === 0 ? "NULL" : `CASE t.suite ${first.map(() => "WHEN ? THEN ?").join(" ")} END`;
      const pathArgs = first.flatMap(([suite, metric]) => [suite, jsonPath(metric)]);
      where.push(`EXISTS (
        SELECT 1 FROM eval_items t JOIN eval_items b ON b.job_id = t.job_id AND b.suite = t.suite AND b.item_id = t.item_id AND b.system = 'base' AND b.scores_json IS NOT NULL
        WHERE t.job_id = i.job_id AND t.suite = i.suite AND t.item_id = i.item_id AND t.system = 'tuned' AND t.scores_json IS NOT NULL
          AND (json_extract(t.scores_json, '$.language_correctness') IS NOT json_extract(b.scores_json, '$.language_correctness')
            OR json_extract(t.scores_json, ${metricPath}) IS NOT json_extract(b.scores_json, ${metricPath})))`);
      args.push(...pathArgs, ...pathArgs);
    }
    const filter = where.join(" AND ");
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM eval_items i WHERE ${filter}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT i.* FROM eval_items i WHERE ${filter} ORDER BY i.ordinal LIMIT ? OFFSET ?`).all(...args, query.limit, query.offset) as ItemRow[];
    return { total, items: rows.map(toItem) };
  }

  /** Each suite's first aggregated metric on the tuned result: what `changed` compares besides language correctness. */
  private firstMetrics(id: string): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const r of this.db.prepare("SELECT suite, aggregates_json FROM eval_results WHERE job_id = ? AND system = 'tuned'").all(id) as Array<{ suite: string; aggregates_json: string }>) {
      const first = (JSON.parse(r.aggregates_json) as Array<{ metric: string }>)[0];
      if (first) out.push([r.suite, first.metric]);
    }
    return out;
  }

  private toJob(r: JobRow): EvalJob {
    const counts = this.db.prepare("SELECT COUNT(*) AS total, SUM(status = 'done') AS done FROM eval_items WHERE job_id = ?").get(r.id) as { total: number; done: number | null };
    const suiteOrder = (JSON.parse(r.suites_json) as StoredSuite[]).map((s) => s.suite);
    const results = (this.db.prepare("SELECT * FROM eval_results WHERE job_id = ?").all(r.id) as Array<{ suite: EvalSuiteName; system: EvalSystem; aggregates_json: string; excluded_json: string; notes_json: string; comparisons_json: string }>).map(
      (x): EvalResult => ({
        suite: x.suite,
        system: x.system,
        aggregates: JSON.parse(x.aggregates_json) as EvalResult["aggregates"],
        excluded: JSON.parse(x.excluded_json) as EvalResult["excluded"],
        notes: JSON.parse(x.notes_json) as string[],
        comparisons: JSON.parse(x.comparisons_json) as ScoreComparison[],
      }),
    );
    // The job's suite order, tuned before base.
    results.sort((a, b) => suiteOrder.indexOf(a.suite) - suiteOrder.indexOf(b.suite) || (a.system === b.system ? 0 : a.system === "tuned" ? -1 : 1));
    const judge = parse<StoredJudge>(r.judge_json);
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      phase: r.phase,
      run: r.run_id,
      model: { id: r.model_id, name: r.model_name, fingerprint: r.model_fingerprint },
      adapters: JSON.parse(r.adapters_json) as EvalJob["adapters"],
      tunedModel: parse<NonNullable<EvalJob["tunedModel"]>>(r.tuned_model_json ?? null),
      baseline: r.baseline === 1,
      format: r.format,
      decoding: JSON.parse(r.decoding_json) as EvalDecoding,
      suites: (JSON.parse(r.suites_json) as StoredSuite[]).map((s) => ({ suite: s.suite, data: s.data, crossLingual: s.crossLingual, items: s.items })),
      languages: JSON.parse(r.languages_json) as EvalJob["languages"],
      judge: judge ? { model: judge.model, fingerprint: judge.fingerprint, judgements: judge.judgements } : null,
      total: counts.total,
      done: counts.done ?? 0,
      results,
      error: parse<PolytuneErrorShape>(r.error_json),
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      seconds: r.seconds,
      tokens: r.tokens,
    };
  }
}

/** A JSON path naming one key, quoted so a dot in a metric name reads as part of it (SQLite has no escape for a quote in a label). */
function jsonPath(key: string): string | null {
  return key.includes('"') ? null : `$."${key}"`;
}

function toItem(r: ItemRow): EvalItem {
  const item = JSON.parse(r.item_json) as EvalTaskItem;
  return {
    suite: r.suite,
    id: r.item_id,
    language: r.language,
    system: r.system,
    seed: r.seed,
    status: r.status,
    prompt: item.prompt,
    response: r.response,
    stopReason: r.stop_reason,
    tokens: r.tokens,
    loglikelihoods: parse<number[]>(r.loglikelihoods_json),
    scores: parse<Record<string, number | null>>(r.scores_json),
    detail: parse<Record<string, unknown>>(r.detail_json),
  };
}
