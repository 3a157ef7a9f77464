import type { Database } from "better-sqlite3";
import type { Run } from "../../shared/contract.js";
import type { EvalLanguageSchema } from "../../shared/evalContract.js";
import type { Aggregate } from "../eval/SuiteScore.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { RunStore } from "../runs/RunStore.js";
import type { z } from "zod";

/** A completed evaluation job as compare reads it: its results' aggregates, languages and resampling settings. */
export interface ComparedJob {
  id: string;
  finishedAt: string;
  resamples: number;
  seed: number;
  languages: Array<z.infer<typeof EvalLanguageSchema>>;
  /** suite → system → aggregates (per-item scale as the job stored them, 0–100). */
  results: Map<string, Map<string, Aggregate[]>>;
}

/** A run by id, else by name (a name shared by several runs is refused: the id says which). */
export function resolveRun(db: Database, runs: RunStore, ref: string, where: string): Run {
  const byId = db.prepare("SELECT id FROM runs WHERE id = ?").get(ref) as { id: string } | undefined;
  if (byId) return runs.get(byId.id);
  const byName = db.prepare("SELECT id FROM runs WHERE name = ? ORDER BY created_at").all(ref) as Array<{ id: string }>;
  if (byName.length === 1) return runs.get(byName[0]!.id);
  if (byName.length > 1) {
    throw new PolytuneError("compare-run-ambiguous", `${byName.length} runs are named "${ref}".`, { where, hint: `Name the run by its id: ${byName.map((r) => r.id).join(", ")}.` });
  }
  throw new PolytuneError("compare-run-not-found", `There is no run "${ref}".`, { where, hint: "List the runs with `polytune runs list`; give ids or names." });
}

interface JobRow {
  id: string;
  status: string;
  finished_at: string | null;
  resamples: number;
  bootstrap_seed: number;
  languages_json: string;
  error_json: string | null;
}

/** A run's latest completed evaluation job, or why it has none (never a job drawn as zero). */
export function latestJob(db: Database, runId: string): { job: ComparedJob } | { reason: string } {
  const row = db.prepare("SELECT * FROM eval_jobs WHERE run_id = ? AND status = 'completed' ORDER BY finished_at DESC, id LIMIT 1").get(runId) as JobRow | undefined;
  if (row) return { job: readJob(db, row) };
  const last = db.prepare("SELECT * FROM eval_jobs WHERE run_id = ? ORDER BY created_at DESC, id LIMIT 1").get(runId) as JobRow | undefined;
  if (!last) return { reason: "not evaluated" };
  if (last.status === "failed") {
    const error = last.error_json ? (JSON.parse(last.error_json) as { message?: string }) : null;
    return { reason: `its evaluation ${last.id} failed${error?.message ? `: ${error.message}` : ""}` };
  }
  return { reason: `its evaluation ${last.id} is ${last.status}, not completed` };
}

/** A job by id, when completed (an experiment's shared baseline job); null otherwise. */
export function completedJob(db: Database, id: string): ComparedJob | null {
  const row = db.prepare("SELECT * FROM eval_jobs WHERE id = ? AND status = 'completed'").get(id) as JobRow | undefined;
  return row ? readJob(db, row) : null;
}

function readJob(db: Database, row: JobRow): ComparedJob {
  const results = new Map<string, Map<string, Aggregate[]>>();
  for (const r of db.prepare("SELECT suite, system, aggregates_json FROM eval_results WHERE job_id = ?").all(row.id) as Array<{ suite: string; system: string; aggregates_json: string }>) {
    if (!results.has(r.suite)) results.set(r.suite, new Map());
    results.get(r.suite)!.set(r.system, JSON.parse(r.aggregates_json) as Aggregate[]);
  }
  return {
    id: row.id,
    finishedAt: row.finished_at ?? "",
    resamples: row.resamples,
    seed: row.bootstrap_seed,
    languages: JSON.parse(row.languages_json) as ComparedJob["languages"],
    results,
  };
}

/** One job's item scores for one metric (each item once, in stored order; seeds share their averaged scores). */
export function itemScores(db: Database, job: string, suite: string, system: string, metric: string): Array<{ id: string; language: string; value: number | null }> {
  if (metric.includes('"')) return [];
  const rows = db
    .prepare("SELECT item_id AS id, language, json_extract(scores_json, ?) AS value FROM eval_items WHERE job_id = ? AND suite = ? AND system = ? AND scores_json IS NOT NULL ORDER BY ordinal")
    .all(`$."${metric}"`, job, suite, system) as Array<{ id: string; language: string; value: number | null }>;
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.id) && (seen.add(r.id), true));
}

/** One job's item categories (items without one left out). */
export function itemCategories(db: Database, job: string, suite: string, system: string): Map<string, string> {
  const rows = db
    .prepare("SELECT item_id AS id, json_extract(item_json, '$.category') AS category FROM eval_items WHERE job_id = ? AND suite = ? AND system = ?")
    .all(job, suite, system) as Array<{ id: string; category: unknown }>;
  return new Map(rows.filter((r) => typeof r.category === "string" && r.category !== "").map((r) => [r.id, r.category as string]));
}
