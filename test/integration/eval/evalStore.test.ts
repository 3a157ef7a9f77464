// The evaluation job's store (m0008) on a real SQLite file: a job and its items created whole, each
// output written once, scores written onto the items' rows, judge verdicts kept between sessions, the
// "changed" filter, and removal with everything under it.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../../electron/engine/db/openDatabase.js";
import { EvalStore, type NewEvalJob } from "../../../electron/engine/eval/job/EvalStore.js";
import type { EvalTaskItem } from "../../../electron/engine/eval/tasks/EvalTask.js";
import { EvalDecodingSchema } from "../../../electron/shared/evalContract.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

const item = (id: string, language: string): EvalTaskItem => ({ id, language, prompt: `Prompt ${id}`, kind: "generate", reference: { gold: id } });
const items = [item("a", "en"), item("b", "fr")];

function newJob(): NewEvalJob {
  return {
    name: "job",
    run: null,
    model: { id: "m1", name: "tiny", path: "/tiny.gguf", fingerprint: "fp1:x" },
    adapters: [{ path: "/a.gguf", fingerprint: "sha256:y" }],
    baseline: true,
    format: "raw",
    decoding: EvalDecodingSchema.parse({}),
    suites: [{ suite: "open", data: ["/d.jsonl"], crossLingual: false, items: 2, greedy: false, excluded: [{ id: "c", reason: "no prompt" }], notes: [] }],
    languages: [{ language: "en", tuning: "unknown", examples: null }],
    judge: null,
    dictionaries: null,
    gpu: "cpu",
    threads: 1,
    resamples: 100,
    seed: 1,
    items: (["tuned", "base"] as const).flatMap((system) => items.map((i) => ({ suite: "open" as const, system, seed: null, item: i }))),
  };
}

describe("EvalStore", () => {
  it("stores a job's items with their prompts, each output once, and scores onto the items", () => {
    const db = openDatabase(join(tmp.dir, "p.db"));
    const store = new EvalStore(db);
    const id = store.create(newJob());
    expect(store.get(id)).toMatchObject({ status: "running", phase: "loading", total: 4, done: 0, baseline: true, results: [], suites: [{ suite: "open", items: 2 }] });
    expect(store.pending(id).map((p) => `${p.system}:${p.item.id}`)).toEqual(["tuned:a", "tuned:b", "base:a", "base:b"]);
    expect(store.taskItems(id, "open")).toEqual(items);

    store.recordOutput(id, 0, { response: "Hello", stopReason: "eos", tokens: 3, seconds: 0.5 }, 0.25);
    expect(() => store.recordOutput(id, 0, { response: "again", tokens: 1, seconds: 0.1 }, 0.1)).toThrow(expect.objectContaining({ code: "eval-item-done" }));
    expect(store.get(id)).toMatchObject({ done: 1, tokens: 3, seconds: 0.25 });
    expect(store.pending(id)).toHaveLength(3);
    for (const ordinal of [1, 2, 3]) store.recordOutput(id, ordinal, { response: `r${ordinal}`, stopReason: "maxTokens", tokens: 2, seconds: 0.1 }, 0.1);
    expect(store.outputs(id, "open", "base")).toEqual([
      { itemId: "a", seed: null, text: "r2", loglikelihoods: null },
      { itemId: "b", seed: null, text: "r3", loglikelihoods: null },
    ]);

    const score = (a: number, b: number) => ({
      suite: "open",
      items: [
        { id: "a", language: "en", scores: { language_correctness: a }, detail: { lines: [] } },
        { id: "b", language: "fr", scores: { language_correctness: b } },
      ],
      aggregates: [{ language: null, metric: "language_correctness", n: 2, mean: 50, ci95: [0, 100] as [number, number] }],
      excluded: [],
      notes: [],
    });
    store.saveScore(id, "open", "base", score(1, 0), []);
    store.saveScore(id, "open", "tuned", score(1, 1), []);
    // Tuned before base whatever the order of writing.
    expect(store.get(id).results.map((r) => r.system)).toEqual(["tuned", "base"]);
    const page = store.items(id, { system: "tuned", changed: false, offset: 0, limit: 10 });
    expect(page.items.map((i) => [i.id, i.response, i.scores, i.detail])).toEqual([
      ["a", "Hello", { language_correctness: 1 }, { lines: [] }],
      ["b", "r1", { language_correctness: 1 }, null],
    ]);
    // Only item b scores differently between the systems: both its rows, and nothing else.
    const changed = store.items(id, { changed: true, offset: 0, limit: 10 });
    expect(changed.total).toBe(2);
    expect(changed.items.map((i) => `${i.system}:${i.id}`)).toEqual(["tuned:b", "base:b"]);
    expect(store.items(id, { changed: true, language: "en", offset: 0, limit: 10 }).total).toBe(0);
    // One item's rows, both systems, in decoding order; paged like any other query.
    expect(store.items(id, { item: "a", changed: false, offset: 0, limit: 10 }).items.map((i) => `${i.system}:${i.id}`)).toEqual(["tuned:a", "base:a"]);
    expect(store.items(id, { item: "b", changed: false, offset: 1, limit: 10 })).toMatchObject({ total: 2, items: [{ system: "base", id: "b" }] });
    expect(store.items(id, { item: "a", changed: true, offset: 0, limit: 10 }).total).toBe(0);

    // Judge verdicts persist per suite and system, for a resumed session to find.
    store.judgeStore(id, "open", "tuned").put("a\u0000", { scores: { relevance: 1 }, detail: { raw: "1" } });
    expect(new EvalStore(db).judgeStore(id, "open", "tuned").get("a\u0000")).toEqual({ scores: { relevance: 1 }, detail: { raw: "1" } });
    expect(store.judgeStore(id, "open", "base").get("a\u0000")).toBeUndefined();

    store.remove(id);
    for (const table of ["eval_jobs", "eval_items", "eval_results", "eval_judgements"]) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    expect(() => store.get(id)).toThrow(expect.objectContaining({ code: "eval-not-found" }));
    db.close();
  });

  it("lists as changed the items whose first metric differs, a missing score apart from 0, whatever the metric's name", () => {
    const db = openDatabase(join(tmp.dir, "p.db"));
    const store = new EvalStore(db);
    const id = store.create(newJob());
    for (const ordinal of [0, 1, 2, 3]) store.recordOutput(id, ordinal, { response: `r${ordinal}`, stopReason: "eos", tokens: 1, seconds: 0.1 }, 0.1);
    const metric = "judge.relevance";
    const score = (a: number | null, b: number | null) => ({
      suite: "open",
      items: [
        { id: "a", language: "en", scores: { language_correctness: 1, [metric]: a } },
        { id: "b", language: "fr", scores: { language_correctness: 1, [metric]: b } },
      ],
      aggregates: [{ language: null, metric, n: 2, mean: 50, ci95: null }],
      excluded: [],
      notes: [],
    });
    store.saveScore(id, "open", "tuned", score(0, 1), []);
    store.saveScore(id, "open", "base", score(null, 1), []);
    // a: 0 against missing differs; b: the same on both metrics.
    expect(store.items(id, { changed: true, offset: 0, limit: 10 }).items.map((i) => `${i.system}:${i.id}`)).toEqual(["tuned:a", "base:a"]);
    // Only the first metric counts: b differing elsewhere is not a change.
    store.saveScore(id, "open", "base", { ...score(null, 1), items: [score(null, 1).items[0]!, { id: "b", language: "fr", scores: { language_correctness: 1, [metric]: 1, other: 3 } }] }, []);
    expect(store.items(id, { changed: true, offset: 0, limit: 10 }).total).toBe(2);
    db.close();
  });
});
