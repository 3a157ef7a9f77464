import type Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate, openDatabase, schemaVersion } from "../../../electron/engine/db/openDatabase.js";
import { migrations } from "../../../electron/engine/db/migrations/migrations.js";
import { DatasetStore, exampleHash, type NewExample, type NewPair } from "../../../electron/engine/datasets/DatasetStore.js";
import { DatasetSchema } from "../../../electron/shared/datasetContract.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
let db: Database.Database;
let store: DatasetStore;
beforeEach(() => {
  tmp = makeTempDir();
  db = openDatabase(join(tmp.dir, "p.db"));
  store = new DatasetStore(db);
});
afterEach(() => {
  if (db.open) db.close();
  tmp.cleanup();
});

const example = (text: string, extra: Partial<NewExample> = {}): NewExample => ({
  turns: [
    { role: "user", content: text },
    { role: "assistant", content: `answer to ${text}` },
  ],
  language: "en",
  confidence: 0.95,
  claimedLanguage: null,
  provenance: "native",
  category: null,
  file: "/data/x.jsonl",
  line: 1,
  recordId: null,
  translation: null,
  ...extra,
});

const meta = (name = "test") => ({ name, kind: "instructions" as const, format: "alpaca", files: [{ path: "/data/x.jsonl", bytes: 10, sha256: "ab" }], encoding: "utf-8", notes: [] });

function importExamples(rows: NewExample[], name = "test"): string {
  const id = store.beginDataset(meta(name));
  store.insertExamples(id, rows);
  store.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
  return id;
}

describe("migration m0005 (datasets)", () => {
  it("takes a version-4 database with models and runs to version 5, keeping them, and the new tables work", () => {
    const path = join(tmp.dir, "old.db");
    const old = openDatabase(path, { targetVersion: 4 });
    old.prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'x', 'file', 'ok', 10, 0, 'a', 'b')").run();
    old.prepare("INSERT INTO runs (id, name, kind, model_id, status, config_json, run_dir, created_at) VALUES ('r1', 'n', 'train', 'm1', 'completed', '{}', '/tmp', 'now')").run();
    const models = old.prepare("SELECT * FROM models").all();
    const runs = old.prepare("SELECT * FROM runs").all();
    expect(schemaVersion(old)).toBe(4);
    migrate(old, migrations, 5);
    expect(schemaVersion(old)).toBe(5);
    expect(old.prepare("SELECT * FROM models").all()).toEqual(models);
    expect(old.prepare("SELECT * FROM runs").all()).toEqual(runs);
    const tables = (old.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(["datasets", "examples", "pairs", "example_tokens"]));
    const indexes = (old.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'examples'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(indexes).toEqual(expect.arrayContaining(["examples_language", "examples_provenance"]));
    // The store works on the migrated file; removing a dataset takes its examples and their token counts.
    const migrated = new DatasetStore(old);
    const id = migrated.beginDataset(meta());
    migrated.insertExamples(id, [example("one")]);
    const done = migrated.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
    const [candidate] = migrated.candidates(done.id);
    migrated.saveTokenCounts("model-fp", new Map([[candidate!.id, 12]]));
    expect(migrated.tokenCounts("model-fp", [candidate!.id])).toEqual(new Map([[candidate!.id, 12]]));
    expect(migrated.remove(id)).toBe(true);
    expect(old.prepare("SELECT COUNT(*) AS n FROM example_tokens").get()).toEqual({ n: 0 });
    old.close();
  });
});

describe("DatasetStore", () => {
  it("deduplicates by content, counts duplicates, and numbers the kept examples in order", () => {
    const id = store.beginDataset(meta());
    // Same turns with another line and category: a duplicate. Same text in another role: not one.
    const first = store.insertExamples(id, [example("a"), example("b"), example("a", { line: 9, category: "qa" })]);
    expect(first).toEqual({ kept: 2, duplicates: 1 });
    const second = store.insertExamples(id, [example("b"), example("c"), { ...example("a"), turns: [{ role: "user", content: "answer to a" }, { role: "assistant", content: "a" }] }]);
    expect(second).toEqual({ kept: 2, duplicates: 1 });
    const dataset = store.finishDataset(id, { skipped: 1, errors: [{ file: "/data/x.jsonl", line: 4, reason: "not JSON" }], errorCount: 1 });
    expect(dataset).toMatchObject({ examples: 4, duplicates: 2, skipped: 1, errorCount: 1, errors: [{ file: "/data/x.jsonl", line: 4, reason: "not JSON" }] });
    expect(DatasetSchema.parse(dataset)).toEqual(dataset);
    const candidates = store.candidates(id);
    expect(candidates.map((c) => c.ordinal)).toEqual([0, 1, 2, 3]);
    expect(candidates[0]!.hash).toBe(exampleHash(example("a").turns));
    expect(store.examplesByIds([candidates[2]!.id, candidates[0]!.id]).map((r) => r.turns[0]!.content)).toEqual(["c", "a"]);
  });

  it("fingerprints the stored examples in order: the same content gives the same fingerprint, other content or order another", () => {
    const a = store.get(importExamples([example("x"), example("y")], "a")).fingerprint;
    const b = store.get(importExamples([example("x"), example("y"), example("x")], "b")).fingerprint;
    const c = store.get(importExamples([example("y"), example("x")], "c")).fingerprint;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    // The same texts labelled otherwise (another language, claim or provenance) would build other mixes.
    const relabelled = store.get(importExamples([example("x", { language: "de" }), example("y")], "d")).fingerprint;
    const claimed = store.get(importExamples([example("x", { claimedLanguage: "fr" }), example("y")], "e")).fingerprint;
    const translated = store.get(importExamples([example("x", { provenance: "user-written" }), example("y")], "f")).fingerprint;
    expect(new Set([a, relabelled, claimed, translated]).size).toBe(4);
  });

  it("summarises languages, low confidence, mismatched claims and provenance", () => {
    const id = importExamples([
      example("Hello there", { language: "en", confidence: 0.99, claimedLanguage: "en" }),
      example("Guten Tag", { language: "de", confidence: 0.97, claimedLanguage: "deu" }),
      example("Hallo", { language: "de", confidence: 0.5, claimedLanguage: "en" }),
      example("Bonjour", { language: "fr", confidence: 0.9, provenance: "machine-translated", translation: { model: "m", modelFingerprint: "fp", prompt: "Translate", fromExample: 1 } }),
    ]);
    const d = store.get(id);
    expect(d.lowConfidence).toBe(1);
    expect(d.languages).toEqual([
      { language: "de", examples: 2, lowConfidence: 1, mismatched: 1 },
      { language: "en", examples: 1, lowConfidence: 0, mismatched: 0 },
      { language: "fr", examples: 1, lowConfidence: 0, mismatched: 0 },
    ]);
    expect(d.provenance).toEqual({ native: 3, "machine-translated": 1, "translation-demo": 0, "user-written": 0 });
    const translated = store.show({ dataset: id, provenance: "machine-translated" }).rows[0];
    expect(translated).toMatchObject({ kind: "example", translation: { model: "m", modelFingerprint: "fp", prompt: "Translate", fromExample: 1 } });
  });

  it("shows pages with language, provenance, confidence, mismatch and text filters", () => {
    const rows = Array.from({ length: 120 }, (_, i) =>
      example(`question ${i}${i % 10 === 0 ? " 100%_sure" : ""}`, { language: i % 3 === 0 ? "de" : "en", confidence: i % 4 === 0 ? 0.5 : 0.9, claimedLanguage: i % 3 === 0 ? "en" : null, line: i + 1 }),
    );
    const id = importExamples(rows);
    const page = store.show({ dataset: id, offset: 50, limit: 20 });
    expect(page.total).toBe(120);
    expect(page.rows.map((r) => r.ordinal)).toEqual(Array.from({ length: 20 }, (_, i) => 50 + i));
    expect(store.show({ dataset: id, language: "de" }).total).toBe(40);
    expect(store.show({ dataset: id, lowConfidence: true }).total).toBe(30);
    expect(store.show({ dataset: id, lowConfidence: false }).total).toBe(90);
    expect(store.show({ dataset: id, mismatched: true }).total).toBe(40);
    expect(store.show({ dataset: id, language: "de", lowConfidence: true }).total).toBe(10); // i % 12 === 0
    expect(store.show({ dataset: id, provenance: "user-written" }).total).toBe(0);
    // Search matches the turns' text only, its wildcards taken literally, case-insensitively for ASCII.
    expect(store.show({ dataset: id, search: "QUESTION 11" }).total).toBe(11); // 11, 110…119
    expect(store.show({ dataset: id, search: "100%_sure" }).total).toBe(12);
    expect(store.show({ dataset: id, search: "0%_s" }).total).toBe(12);
    expect(store.show({ dataset: id, search: "%" }).total).toBe(12);
    expect(store.show({ dataset: id, search: "role" }).total).toBe(0);
    expect(store.show({ dataset: id, search: "answer to question 7" }).rows[0]).toMatchObject({ line: 8 });
  });

  it("stores pairs with both sides' languages and finds them by either side", () => {
    const pair = (s: string, t: string, extra: Partial<NewPair> = {}): NewPair => ({
      source: s, target: t, sourceLanguage: "en", targetLanguage: "de", sourceConfidence: 0.9, targetConfidence: 0.95,
      claimedSourceLanguage: "en", claimedTargetLanguage: "de", provenance: "native", file: "/d/x.en", line: 1, recordId: null, ...extra,
    });
    const id = store.beginDataset({ ...meta("pairs"), kind: "parallel", format: "moses" });
    expect(store.insertPairs(id, [pair("Hello", "Hallo"), pair("Hello", "Hallo"), pair("Cat", "Katze", { targetLanguage: "nl", targetConfidence: 0.4 })])).toEqual({ kept: 2, duplicates: 1 });
    const d = store.finishDataset(id, { skipped: 0, errors: [], errorCount: 0 });
    expect(d).toMatchObject({ kind: "parallel", examples: 2, duplicates: 1, lowConfidence: 1 });
    expect(d.languages).toEqual([
      { language: "en", examples: 2, lowConfidence: 0, mismatched: 0 },
      { language: "de", examples: 1, lowConfidence: 0, mismatched: 0 },
      { language: "nl", examples: 1, lowConfidence: 1, mismatched: 1 },
    ]);
    expect(store.show({ dataset: id, language: "nl" }).rows).toMatchObject([{ kind: "pair", source: "Cat", target: "Katze", claimedTargetLanguage: "de" }]);
    expect(store.show({ dataset: id, search: "katz" }).total).toBe(1);
    expect(store.pairs(id).map((p) => p.source)).toEqual(["Hello", "Cat"]);
  });

  it("hides a dataset being imported, and discarding it leaves earlier datasets as they were", () => {
    const kept = importExamples([example("keep me")], "kept");
    const before = store.get(kept);
    const id = store.beginDataset(meta("half"));
    store.insertExamples(id, [example("half 1"), example("half 2")]);
    expect(store.list().map((d) => d.id)).toEqual([kept]);
    expect(() => store.get(id)).toThrow(/No dataset/);
    store.discardDataset(id);
    expect(db.prepare("SELECT COUNT(*) AS n FROM examples WHERE dataset_id = ?").get(id)).toEqual({ n: 0 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM datasets WHERE id = ?").get(id)).toEqual({ n: 0 });
    expect(store.get(kept)).toEqual(before);
  });

  it("sweeps datasets left importing by a process that is gone, and only those", () => {
    const ours = store.beginDataset(meta("ours"));
    store.insertExamples(ours, [example("mine")]);
    // A pid no process has (above Linux's pid_max), as if the importing process had been killed.
    const orphan = store.beginDataset({ ...meta("orphan"), pid: 4_194_304 + 17 });
    store.insertExamples(orphan, [example("orphaned")]);
    expect(store.sweepAbandoned()).toEqual([orphan]);
    expect(db.prepare("SELECT dataset_id FROM examples").all()).toEqual([{ dataset_id: ours }]);
  });

  it("lists every readable dataset even when one row's stored summary is damaged", () => {
    const good = importExamples([example("fine")], "good");
    const bad = importExamples([example("broken")], "bad");
    db.prepare("UPDATE datasets SET languages_json = '{not json', files_json = '[1]' WHERE id = ?").run(bad);
    const list = store.list();
    expect(list.map((d) => d.id)).toEqual([good, bad]);
    const damaged = list[1]!;
    expect(damaged.languages).toEqual([]);
    expect(damaged.notes.at(-1)).toMatch(/cannot be read \(languages\)/);
    expect(DatasetSchema.safeParse(damaged).success).toBe(true);
  });

  it("refuses unknown ids by name and reports missing examples", () => {
    expect(() => store.get("nope")).toThrow(expect.objectContaining({ code: "dataset-not-found", where: "nope" }));
    expect(store.remove("nope")).toBe(false);
    expect(() => store.examplesByIds([987654])).toThrow(expect.objectContaining({ code: "dataset-example-missing" }));
  });
});
