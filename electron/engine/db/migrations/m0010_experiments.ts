import type { Migration } from "../Migration.js";

// Experiments (issue 14): the spec as the user wrote it (parsed, defaults filled) and one row per queued
// item (a configuration at one learning rate) in queue order. An item keeps the ids of the run and the
// evaluation job it started, so after a crash the queue continues them instead of starting again; the
// learning-rate decisions are stored with their reasons so the choice never changes silently.
export const m0010_experiments: Migration = {
  version: 10,
  name: "experiments",
  up(db) {
    db.exec(`
      CREATE TABLE experiments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'interrupted', 'completed', 'failed', 'cancelled')),
        spec_json TEXT NOT NULL,
        -- Not foreign keys: a removed run or job leaves the record of what the experiment did.
        baseline_job TEXT,
        decisions_json TEXT NOT NULL DEFAULT '[]',
        error_json TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE TABLE experiment_items (
        id TEXT PRIMARY KEY,
        experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        configuration TEXT NOT NULL,
        label TEXT NOT NULL,
        mix_id TEXT NOT NULL,
        mix_name TEXT NOT NULL,
        method TEXT NOT NULL,
        lr REAL NOT NULL,
        settings_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'training', 'evaluating', 'done', 'failed', 'cancelled')),
        run_id TEXT,
        eval_job TEXT,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        error_json TEXT,
        chosen INTEGER
      );
      CREATE INDEX experiment_items_queue ON experiment_items (experiment_id, position);
    `);
  },
};
