import Database, { type Database as Db } from "better-sqlite3";
import { existsSync } from "node:fs";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { Migration } from "./Migration.js";
import { migrations as allMigrations } from "./migrations/migrations.js";

export interface OpenOptions {
  /** Stop at this schema version (tests migrate step by step). */
  targetVersion?: number;
  migrations?: readonly Migration[];
}

export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Applies pending migrations one transaction each, so a failure leaves the last good version. */
export function migrate(db: Db, migrations: readonly Migration[], targetVersion = migrations.length): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const current = schemaVersion(db);
  for (const m of migrations) {
    if (m.version <= current || m.version > targetVersion) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/**
 * Opens (or creates) the database in WAL mode and brings its schema up to date. A database written
 * by a newer Polytune is refused before anything is written to it.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const migrations = options.migrations ?? allMigrations;
  const latest = migrations.length;
  const existed = existsSync(path);
  let db: Db;
  try {
    db = new Database(path);
    if (existed) {
      const version = schemaVersion(db);
      if (version > latest) {
        db.close();
        throw new PolytuneError(
          "db-from-newer-version",
          `This database was written by a newer Polytune (schema ${version}; this version knows up to ${latest}).`,
          { where: path, hint: "Update Polytune, or start with another data folder (--home). The file was not modified." },
        );
      }
    }
  } catch (error) {
    if (error instanceof PolytuneError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new PolytuneError("db-unreadable", `The database cannot be opened: ${message}.`, {
      where: path,
      hint: "If the file is damaged, move it aside and Polytune will start a new one; your models are referenced, not stored, so nothing on disk is lost.",
      details: message,
    });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db, migrations, options.targetVersion ?? latest);
  return db;
}
