import type { Migration } from "../Migration.js";

// Offline translation jobs (paper 003 §5.1): the job's settings, and one row per (source example,
// target language) written as soon as that item is decoded, so a killed process loses at most the item
// it was on and a resumed job skips every item with a result. The output dataset is built from the
// kept items when the last one is done.
export const m0007_translations: Migration = {
  version: 7,
  name: "translations",
  up(db) {
    db.exec(`
      CREATE TABLE translation_jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('running', 'cancelled', 'interrupted', 'failed', 'completed')),
        source_kind TEXT NOT NULL CHECK (source_kind IN ('dataset', 'mix')),
        source_id TEXT NOT NULL,
        source_name TEXT NOT NULL,
        source_fingerprint TEXT NOT NULL,
        from_language TEXT NOT NULL,
        languages_json TEXT NOT NULL,
        limit_count INTEGER,
        model_id TEXT NOT NULL,
        model_name TEXT NOT NULL,
        model_path TEXT NOT NULL,
        model_fingerprint TEXT NOT NULL,
        template TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('chat', 'completion')),
        max_tokens_factor REAL NOT NULL,
        context_size INTEGER NOT NULL,
        gpu TEXT NOT NULL,
        threads INTEGER,
        output_name TEXT NOT NULL,
        output_dataset_id TEXT REFERENCES datasets(id) ON DELETE SET NULL,
        error_json TEXT,
        seconds REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        finished_at TEXT
      );
      CREATE INDEX translation_jobs_status ON translation_jobs(status);

      CREATE TABLE translation_items (
        job_id TEXT NOT NULL REFERENCES translation_jobs(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        -- Not a foreign key: a removed source dataset leaves the job's record of what it translated.
        source_example_id INTEGER NOT NULL,
        language TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'kept', 'flagged')),
        flags_json TEXT NOT NULL DEFAULT '[]',
        raw_output TEXT,
        turns_json TEXT,
        identified_language TEXT,
        confidence REAL,
        tokens INTEGER,
        seconds REAL,
        PRIMARY KEY (job_id, ordinal)
      ) WITHOUT ROWID;
      CREATE INDEX translation_items_status ON translation_items(job_id, status);
    `);
  },
};
