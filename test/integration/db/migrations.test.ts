import Database from "better-sqlite3";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, openDatabase, schemaVersion } from "../../../electron/engine/db/openDatabase.js";
import { migrations } from "../../../electron/engine/db/migrations/migrations.js";
import { RunStore } from "../../../electron/engine/runs/RunStore.js";
import { TrainConfigSchema } from "../../../electron/shared/contract.js";
import { makeTempDir } from "../../support/tempDir.js";

let tmp = makeTempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = makeTempDir();
});

function tables(db: Database.Database): Record<string, string[]> {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>;
  return Object.fromEntries(names.map(({ name }) => [name, (db.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>).map((c) => c.name)]));
}

describe("database migrations", () => {
  it("creates a WAL database at the latest schema", () => {
    const db = openDatabase(join(tmp.dir, "p.db"));
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("m0001 creates the models table on an empty database", () => {
    const db = new Database(join(tmp.dir, "p.db"));
    migrate(db, migrations, 1);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db).models).toContain("fingerprint");
    db.close();
  });

  it("m0002 keeps existing models and adds settings and notes", () => {
    const path = join(tmp.dir, "p.db");
    const db = openDatabase(path, { targetVersion: 1 });
    db.prepare(
      "INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'x', 'file', 'ok', 10, 0, 'a', 'b')",
    ).run();
    const before = db.prepare("SELECT * FROM models").all();
    migrate(db, migrations, 2);
    expect(schemaVersion(db)).toBe(2);
    const after = db.prepare("SELECT * FROM models").all() as Array<Record<string, unknown>>;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject(before[0] as object);
    expect(after[0]?.notes).toBe("");
    expect(Object.keys(tables(db))).toContain("settings");
    db.close();
  });

  it("m0003 keeps models and settings and adds runs with metrics", () => {
    const path = join(tmp.dir, "p.db");
    const db = openDatabase(path, { targetVersion: 2 });
    db.prepare(
      "INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES ('m1', '/x.gguf', 'x', 'file', 'ok', 10, 0, 'a', 'b')",
    ).run();
    db.prepare("INSERT INTO settings (key, value_json, updated_at) VALUES ('theme', '\"dark\"', 'now')").run();
    const models = db.prepare("SELECT * FROM models").all();
    const settings = db.prepare("SELECT * FROM settings").all();
    migrate(db, migrations, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare("SELECT * FROM models").all()).toEqual(models);
    expect(db.prepare("SELECT * FROM settings").all()).toEqual(settings);
    db.prepare("INSERT INTO runs (id, name, kind, model_id, status, config_json, run_dir, created_at) VALUES ('r1', 'n', 'train', 'm1', 'queued', '{}', '/tmp', 'now')").run();
    db.prepare("INSERT INTO run_metrics (run_id, step, loss, lr, tokens, tokens_per_second, elapsed_ms) VALUES ('r1', 1, 2.5, 1e-4, 100, 50, 10)").run();
    // Removing a model keeps its runs (their results stay), and removing a run takes its metrics.
    db.prepare("DELETE FROM models WHERE id = 'm1'").run();
    expect(db.prepare("SELECT model_id FROM runs WHERE id = 'r1'").get()).toEqual({ model_id: null });
    db.prepare("DELETE FROM runs WHERE id = 'r1'").run();
    expect(db.prepare("SELECT COUNT(*) AS n FROM run_metrics").get()).toEqual({ n: 0 });
    db.close();
  });

  it("m0004 versions stored run settings, upgrading older rows as they were read, and names the per-step rate", () => {
    const path = join(tmp.dir, "p.db");
    const db = openDatabase(path, { targetVersion: 3 });
    const insertRun = db.prepare("INSERT INTO runs (id, name, kind, model_id, status, config_json, step, run_dir, created_at) VALUES (?, ?, 'train', NULL, 'completed', ?, 2, '/tmp/r', 'now')");
    // As the first Polytune with runs wrote them: no backend, base-weights, rsLoRA, dropout or merge fields.
    const firstRelease = { model: "m1", data: "/d.jsonl", validationFraction: 0, format: "chat", maskPrompt: false, targets: ["q", "v"], rank: 8, alpha: 16, lr: 2e-4, schedule: "cosine", warmupSteps: 5, steps: 2, batchSize: 2, gradAccum: 1, seqLen: 256, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, gradClip: 1, seed: 3, checkpointEvery: 100, evalEvery: 50 };
    insertRun.run("old", "first release", JSON.stringify(firstRelease));
    // Written just before this version, with the GPU fields, and only the fields given.
    insertRun.run("gpu", "on cuda", JSON.stringify({ model: "m1", data: "/d.jsonl", backend: "cuda", baseWeights: "as-stored", dropout: 0.1 }));
    insertRun.run("torn", "torn write", '{"model": "m1", "data"');
    db.prepare("INSERT INTO run_metrics (run_id, step, loss, lr, tokens, tokens_per_second, elapsed_ms) VALUES ('old', 1, 2.5, 1e-4, 100, 50, 10)").run();
    const before = db.prepare("SELECT id, name, status, step, run_dir, created_at FROM runs ORDER BY id").all();

    migrate(db, migrations, 4);
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare("SELECT id, name, status, step, run_dir, created_at FROM runs ORDER BY id").all()).toEqual(before);
    const stored = (id: string) => db.prepare("SELECT config_json, config_version FROM runs WHERE id = ?").get(id) as { config_json: string; config_version: number };
    expect(stored("old").config_version).toBe(2);
    expect(stored("gpu").config_version).toBe(2);
    // Every setting is now in the row: the older trainer's CPU and F32 base, the rest the defaults of the time.
    expect(JSON.parse(stored("old").config_json)).toEqual({ ...firstRelease, backend: "cpu", baseWeights: "f32", rslora: false, dropout: 0, device: 0, mergedType: "source" });
    expect(JSON.parse(stored("gpu").config_json)).toMatchObject({ backend: "cuda", baseWeights: "as-stored", dropout: 0.1, rank: 64, lr: 1e-5, targets: ["q", "k", "v", "o", "gate", "up", "down"] });
    // What cannot be read is left as it was, for the engine to report.
    expect(stored("torn")).toEqual({ config_json: '{"model": "m1", "data"', config_version: 1 });
    expect(tables(db).run_metrics).toContain("scheduled_lr");
    expect(tables(db).run_metrics).not.toContain("lr");

    // Read back by today's engine: strictly parsed, nothing filled in at read time.
    const store = new RunStore(db);
    expect(store.get("old").config).toEqual(TrainConfigSchema.parse({ ...firstRelease, backend: "cpu", baseWeights: "f32" }));
    expect(store.get("gpu").config).toMatchObject({ backend: "cuda", baseWeights: "as-stored", dropout: 0.1 });
    expect(store.metrics("old")).toEqual([{ step: 1, loss: 2.5, scheduledLr: 1e-4, tokens: 100, tokensPerSecond: 50, memoryBytes: null, valLoss: null, elapsedMs: 10 }]);
    expect(() => store.get("torn")).toThrow(expect.objectContaining({ code: "run-config-version", where: "run torn", message: expect.stringMatching(/run torn could not be upgraded from version 1/) }));
    db.close();
  });

  it("refuses a database written by a newer Polytune and leaves it untouched", () => {
    const path = join(tmp.dir, "future.db");
    const db = new Database(path);
    db.exec("CREATE TABLE t(x)");
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    const bytes = readFileSync(path);
    expect(() => openDatabase(path)).toThrow(/newer Polytune/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("explains a file that is not a database", () => {
    const path = join(tmp.dir, "garbage.db");
    writeFileSync(path, "this is not sqlite".repeat(100));
    expect(() => openDatabase(path)).toThrow(/cannot be opened/);
  });

  it("rolls back a failing migration and keeps the last good version", () => {
    const path = join(tmp.dir, "p.db");
    const db = new Database(path);
    const broken = [...migrations, { version: migrations.length + 1, name: "broken", up: (d: Database.Database) => d.exec("CREATE TABLE ok1(x); SELECT * FROM no_such_table;") }];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(Object.keys(tables(db))).not.toContain("ok1");
    db.close();
  });
});
