// The item-level diff: runs side by side on the same prompts (the first run's items, in its order),
// optionally only those whose language correctness or score differs between the runs, with each run's
// response, detected language, scores and judge rationales. The filter runs in SQL on indexed rows, so
// a page reads only its own items.
import type { Database } from "better-sqlite3";
import type { z } from "zod";
import type { CompareItemSchema, CompareItemsInputSchema } from "../../shared/compareContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { RunStore } from "../runs/RunStore.js";
import { latestJob, resolveRun } from "./resolveComparedRuns.js";

type Input = z.output<typeof CompareItemsInputSchema>;
type Item = z.infer<typeof CompareItemSchema>;
type Response = NonNullable<Item["responses"][number]>;

interface Row {
  item_id: string;
  language: string;
  item_json: string;
  response: string | null;
  scores_json: string | null;
  detail_json: string | null;
}

export function compareItems(db: Database, input: Input, deps: { runs: RunStore }): { items: Item[]; total: number } {
  const runs = input.runs.map((ref, i) => resolveRun(db, deps.runs, ref, `runs[${i}]`));
  const jobs = runs.map((run, i) => {
    const latest = latestJob(db, run.id);
    if ("reason" in latest) throw new PolytuneError("compare-not-evaluated", `Run "${run.name}" has no completed evaluation: ${latest.reason}.`, { where: `runs[${i}]`, hint: `Evaluate it first: \`polytune eval --run ${run.id} --suite ${input.suite}\`.` });
    return latest.job;
  });
  const first = jobs[0]!;
  const others = jobs.slice(1).map((j) => j.id);

  // Each item once: a sampled job has a row per seed (all carrying the item's averaged scores), so the
  // first seed's rows stand for the item; a greedy job's seed is NULL.
  const firstSeed = (db.prepare("SELECT MIN(seed) AS seed FROM eval_items WHERE job_id = ? AND suite = ? AND system = 'tuned'").get(first.id, input.suite) as { seed: number | null }).seed;
  const where = ["i.job_id = ?", "i.suite = ?", "i.system = 'tuned'", "i.seed IS ?"];
  const args: unknown[] = [first.id, input.suite, firstSeed];
  if (input.language !== undefined) {
    where.push("i.language = ?");
    args.push(input.language);
  }
  if (input.changed) {
    const metric = input.changed === "language" ? "language_correctness" : (input.metric ?? first.results.get(input.suite)?.get("tuned")?.[0]?.metric);
    if (metric === undefined || metric.includes('"')) {
      throw new PolytuneError("compare-items-metric", `Run "${runs[0]!.name}" has no score on ${input.suite} to compare.`, { where: "metric", hint: "Name the metric with `metric`, or compare language correctness." });
    }
    // A metric missing on one side reads NULL, and `IS NOT` compares NULLs as values: missing ≠ 0. With
    // `job_id IN (…)` the planner would scan each other job's rows by primary key, once per item; the
    // item index makes it one lookup per item and job.
    where.push(`i.scores_json IS NOT NULL AND EXISTS (SELECT 1 FROM eval_items o INDEXED BY eval_items_item WHERE o.job_id IN (${others.map(() => "?").join(", ")}) AND o.suite = i.suite AND o.item_id = i.item_id AND o.system = 'tuned'
      AND o.scores_json IS NOT NULL AND json_extract(o.scores_json, ?) IS NOT json_extract(i.scores_json, ?))`);
    args.push(...others, `$."${metric}"`, `$."${metric}"`);
  }
  const filter = where.join(" AND ");
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM eval_items i WHERE ${filter}`).get(...args) as { n: number }).n;
  const page = db.prepare(`SELECT i.item_id, i.language, i.item_json, i.response, i.scores_json, i.detail_json FROM eval_items i WHERE ${filter} ORDER BY i.ordinal LIMIT ? OFFSET ?`).all(...args, input.limit, input.offset) as Row[];

  // INDEXED BY: the planner would otherwise walk the job's rows in ordinal order until it meets the item.
  const rowOf = db.prepare("SELECT item_id, language, item_json, response, scores_json, detail_json FROM eval_items INDEXED BY eval_items_item WHERE job_id = ? AND suite = ? AND item_id = ? AND system = 'tuned' ORDER BY ordinal LIMIT 1");
  const items = page.map((row): Item => {
    const item = JSON.parse(row.item_json) as { prompt: string; reference?: unknown; category?: unknown };
    return {
      id: row.item_id,
      suite: input.suite,
      language: row.language,
      prompt: item.prompt,
      reference: goldOf(item.reference),
      category: typeof item.category === "string" ? item.category : null,
      responses: runs.map((run, k) => {
        const r = k === 0 ? row : (rowOf.get(jobs[k]!.id, input.suite, row.item_id) as Row | undefined);
        return r ? responseOf(run.id, r) : null;
      }),
    };
  });
  return { items, total };
}

/** A readable gold answer where the item has one (a string, answers, references); null otherwise. */
function goldOf(reference: unknown): string | null {
  if (typeof reference === "string") return reference;
  if (Array.isArray(reference)) return reference.every((x) => typeof x === "string") ? reference.join(" | ") : null;
  if (reference && typeof reference === "object") {
    for (const key of ["answer", "answers", "references", "target", "gold"]) {
      const value = (reference as Record<string, unknown>)[key];
      const gold = value === undefined ? null : goldOf(value);
      if (gold !== null) return gold;
    }
  }
  return null;
}

interface StoredDetail {
  identified?: { language?: string | null };
  judge?: Record<string, { value?: unknown; attempts?: Array<{ text: string }>; forced?: string }>;
  seeds?: Array<{ detail?: StoredDetail }>;
}

function responseOf(run: string, r: Row): Response {
  const detail = r.detail_json ? (JSON.parse(r.detail_json) as StoredDetail) : {};
  // A sampled item keeps each seed's detail; its first seed's is what the response shown was scored with.
  const scored = detail.identified || detail.judge ? detail : (detail.seeds?.[0]?.detail ?? {});
  const judgements = Object.entries(scored.judge ?? {}).map(([judgement, v]) => {
    const value = v.value ?? null;
    const last = v.attempts?.[v.attempts.length - 1]?.text ?? null;
    return { judgement, verdict: value === null ? null : typeof value === "object" ? JSON.stringify(value) : String(value as number | string | boolean), rationale: v.forced ?? last };
  });
  return {
    run,
    response: r.response,
    detectedLanguage: scored.identified?.language ?? null,
    scores: r.scores_json ? (JSON.parse(r.scores_json) as Record<string, number | null>) : {},
    judgements,
  };
}
