import type { Migration } from "../Migration.js";

// Every long job is a row: a training run, its per-step metrics, and where its files are.
export const m0003_runs: Migration = {
  version: 3,
  name: "runs",
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        model_id TEXT REFERENCES models(id) ON DELETE SET NULL,
        status TEXT NOT NULL,
        config_json TEXT NOT NULL,
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER NOT NULL DEFAULT 0,
        adapter_path TEXT,
        run_dir TEXT NOT NULL,
        error_json TEXT,
        summary_json TEXT,
        pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE TABLE run_metrics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        loss REAL NOT NULL,
        lr REAL NOT NULL,
        tokens INTEGER NOT NULL,
        tokens_per_second REAL NOT NULL,
        memory_bytes INTEGER,
        val_loss REAL,
        elapsed_ms INTEGER NOT NULL,
        PRIMARY KEY (run_id, step)
      );
    `);
  },
};
