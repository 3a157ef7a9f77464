import type { Migration } from "../Migration.js";

// Evaluation jobs (issue 12). A job stores every item it will decode — prompt, reference and all — one
// row per item × system × seed, in the transaction that creates it, so a resume never rereads the suite
// files. Each output is written onto its row the moment it is decoded, so a killed process loses at most
// the sequences in flight. Judge verdicts persist beside them so a resumed job does not judge twice, and
// each suite × system's scores are kept once computed.
export const m0008_evaluations: Migration = {
  version: 8,
  name: "evaluations",
  up(db) {
    db.exec(`
      CREATE TABLE eval_jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'cancelled', 'interrupted', 'failed', 'completed')),
        phase TEXT NOT NULL CHECK (phase IN ('loading', 'decoding', 'judging', 'scoring', 'done')),
        -- Not a foreign key: a deleted run leaves the record of what was evaluated.
        run_id TEXT,
        model_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        model_path TEXT NOT NULL,
        model_fingerprint TEXT NOT NULL,
        adapters_json TEXT NOT NULL,
        baseline INTEGER NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('raw', 'alpaca', 'guanaco', 'chat')),
        decoding_json TEXT NOT NULL,
        suites_json TEXT NOT NULL,
        languages_json TEXT NOT NULL,
        judge_json TEXT,
        dictionaries TEXT,
        gpu TEXT NOT NULL,
        threads INTEGER,
        resamples INTEGER NOT NULL,
        bootstrap_seed INTEGER NOT NULL,
        error_json TEXT,
        seconds REAL NOT NULL DEFAULT 0,
        tokens INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX eval_jobs_status ON eval_jobs(status);

      CREATE TABLE eval_items (
        job_id TEXT NOT NULL REFERENCES eval_jobs(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        suite TEXT NOT NULL,
        item_id TEXT NOT NULL,
        language TEXT NOT NULL,
        system TEXT NOT NULL CHECK (system IN ('tuned', 'base')),
        seed INTEGER,
        kind TEXT NOT NULL CHECK (kind IN ('generate', 'rank')),
        item_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
        response TEXT,
        stop_reason TEXT,
        tokens INTEGER,
        seconds REAL,
        loglikelihoods_json TEXT,
        scores_json TEXT,
        detail_json TEXT,
        decoded_at TEXT,
        PRIMARY KEY (job_id, ordinal)
      ) WITHOUT ROWID;
      CREATE INDEX eval_items_status ON eval_items(job_id, status);
      CREATE INDEX eval_items_item ON eval_items(job_id, suite, item_id, system);

      CREATE TABLE eval_results (
        job_id TEXT NOT NULL REFERENCES eval_jobs(id) ON DELETE CASCADE,
        suite TEXT NOT NULL,
        system TEXT NOT NULL,
        aggregates_json TEXT NOT NULL,
        excluded_json TEXT NOT NULL,
        notes_json TEXT NOT NULL,
        comparisons_json TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (job_id, suite, system)
      ) WITHOUT ROWID;

      CREATE TABLE eval_judgements (
        job_id TEXT NOT NULL REFERENCES eval_jobs(id) ON DELETE CASCADE,
        suite TEXT NOT NULL,
        system TEXT NOT NULL,
        key TEXT NOT NULL,
        value_json TEXT NOT NULL,
        PRIMARY KEY (job_id, suite, system, key)
      ) WITHOUT ROWID;
    `);
  },
};
