// Three runs evaluated by hand-made items on a real database (every row through RunStore and EvalStore,
// aggregates by the evaluation's own aggregate()): A (the reference, with a baseline), B, and C, whose
// evaluation never completed. Two languages, four open-suite items each, two task categories.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { openDatabase } from "../../../electron/engine/db/openDatabase.js";
import { aggregate } from "../../../electron/engine/eval/aggregate.js";
import { EvalStore } from "../../../electron/engine/eval/job/EvalStore.js";
import type { EvalTaskItem } from "../../../electron/engine/eval/tasks/EvalTask.js";
import { RunStore } from "../../../electron/engine/runs/RunStore.js";
import { TrainConfigSchema } from "../../../electron/shared/contract.js";
import { EvalDecodingSchema, type EvalSystem } from "../../../electron/shared/evalContract.js";

export const resamples = 200;
export const bootstrapSeed = 7;

type Scores = { language_correctness: number; spelling: number | null };
const s = (language_correctness: number, spelling: number | null): Scores => ({ language_correctness, spelling });

/** Item ids in order: en-1…en-4, fr-1…fr-4; categories alternate writing, math. */
export const itemIds = ["en-1", "en-2", "en-3", "en-4", "fr-1", "fr-2", "fr-3", "fr-4"];
export const categoryOf = (id: string): string => (Number(id.slice(3)) % 2 === 1 ? "writing" : "math");

/** Per run and system, each item's scores (aligned with itemIds). */
export const scores: Record<"A" | "B" | "Abase", Scores[]> = {
  A: [s(1, 90), s(1, 80), s(1, 100), s(0, 70), s(0, 50), s(0, 60), s(1, 40), s(0, null)],
  B: [s(1, 95), s(1, 85), s(1, 100), s(1, 80), s(1, 70), s(1, 60), s(1, 55), s(0, 65)],
  Abase: [s(1, 20), s(0, 30), s(0, 10), s(0, 0), s(0, 5), s(0, 10), s(0, 0), s(0, 15)],
};

const metrics = [{ metric: "language_correctness", perItem: "fraction" as const }, { metric: "spelling", perItem: "percent" as const }];

function taskItem(id: string): EvalTaskItem & { category: string } {
  return { id, language: id.slice(0, 2), prompt: `Prompt ${id}`, kind: "generate", reference: { answer: `gold ${id}` }, category: categoryOf(id) };
}

function evaluate(store: EvalStore, run: string, systems: Partial<Record<EvalSystem, Scores[]>>, complete: boolean): string {
  const items = itemIds.map(taskItem);
  const used = Object.keys(systems) as EvalSystem[];
  const id = store.create({
    name: `eval ${run}`,
    run,
    model: { id: "m1", name: "tiny", path: "/x.gguf", fingerprint: "fp1:tiny" },
    adapters: [],
    baseline: used.includes("base"),
    format: "alpaca",
    decoding: EvalDecodingSchema.parse({}),
    suites: [{ suite: "open", data: ["/open.jsonl"], crossLingual: false, items: items.length, greedy: true, excluded: [], notes: [] }],
    languages: [
      { language: "en", tuning: "supervised", examples: 10 },
      { language: "fr", tuning: "zero-shot", examples: 0 },
    ],
    judge: null,
    dictionaries: null,
    gpu: "cpu",
    threads: 1,
    resamples,
    seed: bootstrapSeed,
    items: used.flatMap((system) => items.map((item) => ({ suite: "open" as const, system, seed: null, item }))),
  });
  used.forEach((system, k) => {
    items.forEach((item, i) => {
      const response = `${system} ${run} answers ${item.id}`;
      store.recordOutput(id, k * items.length + i, { response, stopReason: "eos", tokens: 4, seconds: 0.1 }, 0.1);
    });
    const scored = items.map((item, i) => ({
      id: item.id,
      language: item.language,
      scores: systems[system]![i]!,
      detail: { seeds: [{ seed: null, scores: systems[system]![i]!, detail: { identified: { language: systems[system]![i]!.language_correctness === 1 ? item.language : "en" }, judge: { relevance: { value: 1, attempts: [{ text: `relevant: ${item.id}`, stopReason: "eos", parsed: true }] } } } }] },
    }));
    store.saveScore(id, "open", system, { suite: "open", items: scored, aggregates: aggregate(scored, metrics, { resamples, seed: bootstrapSeed }), excluded: [], notes: [] }, []);
  });
  store.setStatus(id, complete ? "completed" : "failed", complete ? {} : { error: { code: "eval-failed", message: "the model file vanished" } });
  return id;
}

export interface CompareFixture {
  db: Database;
  runs: RunStore;
  ids: { A: string; B: string; C: string };
  jobs: { A: string; B: string; C: string };
}

/** Builds the fixture in `dir/polytune.db` (the database a `--home dir` opens). */
export function buildCompareFixture(dir: string): CompareFixture {
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, "polytune.db"));
  db.prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'tiny', 'file', 'ok', 10, 0, 'a', 'b')").run();
  const runs = new RunStore(db);
  const make = (name: string, lr: number) => {
    const run = runs.create(TrainConfigSchema.parse({ model: "m1", data: "/train.jsonl", name, lr, rank: 8 }), "m1", (id) => join(dir, "checkpoints", id), 10);
    runs.setStatus(run.id, "completed");
    return run.id;
  };
  const ids = { A: make("run-a", 1e-4), B: make("run-b", 2e-4), C: make("run-c", 5e-5) };
  const store = new EvalStore(db);
  const jobs = {
    A: evaluate(store, ids.A, { tuned: scores.A, base: scores.Abase }, true),
    B: evaluate(store, ids.B, { tuned: scores.B }, true),
    C: evaluate(store, ids.C, { tuned: scores.B }, false),
  };
  return { db, runs, ids, jobs };
}
