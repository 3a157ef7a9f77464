import Database from "better-sqlite3";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, openDatabase, schemaVersion } from "../../../electron/engine/db/openDatabase.js";
import { migrations } from "../../../electron/engine/db/migrations/migrations.js";
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
