import type { Migration } from "../Migration.js";

// Imported data: a dataset row per import, its instruction examples or sentence pairs, and token counts
// per model once a mix has computed them. A dataset is written while `status = 'importing'` (by a
// worker, in chunks) and becomes visible only when `ready`; rows left `importing` or `removing` by a
// process that is gone are swept at the next start (decision 0023).
export const m0005_datasets: Migration = {
  version: 5,
  name: "datasets",
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('instructions', 'parallel')),
        format TEXT NOT NULL,
        files_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL DEFAULT '',
        encoding TEXT NOT NULL,
        notes_json TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('importing', 'ready', 'removing')),
        pid INTEGER,
        created_at TEXT NOT NULL,
        examples INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        low_confidence INTEGER NOT NULL DEFAULT 0,
        languages_json TEXT NOT NULL DEFAULT '[]',
        provenance_json TEXT NOT NULL DEFAULT '{}',
        errors_json TEXT NOT NULL DEFAULT '[]',
        error_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX datasets_status ON datasets(status);

      CREATE TABLE examples (
        id INTEGER PRIMARY KEY,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        hash TEXT NOT NULL,
        turns_json TEXT NOT NULL,
        language TEXT NOT NULL,
        confidence REAL NOT NULL,
        claimed_language TEXT,
        mismatched INTEGER NOT NULL DEFAULT 0,
        provenance TEXT NOT NULL,
        category TEXT,
        source_file TEXT NOT NULL,
        source_line INTEGER NOT NULL,
        record_id TEXT,
        translation_model TEXT,
        translation_model_fingerprint TEXT,
        translation_prompt TEXT,
        -- The example this one was translated from; not a foreign key, so removing the source dataset
        -- leaves the translation (and its record of where it came from) intact.
        translated_from INTEGER,
        UNIQUE (dataset_id, hash),
        UNIQUE (dataset_id, ordinal)
      );
      CREATE INDEX examples_language ON examples(dataset_id, language);
      CREATE INDEX examples_provenance ON examples(dataset_id, provenance);

      CREATE TABLE pairs (
        id INTEGER PRIMARY KEY,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        hash TEXT NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        source_language TEXT NOT NULL,
        target_language TEXT NOT NULL,
        source_confidence REAL NOT NULL,
        target_confidence REAL NOT NULL,
        claimed_source_language TEXT,
        claimed_target_language TEXT,
        -- 1: the source side, 2: the target side disagrees with the language claimed for it.
        mismatched INTEGER NOT NULL DEFAULT 0,
        provenance TEXT NOT NULL,
        source_file TEXT NOT NULL,
        source_line INTEGER NOT NULL,
        record_id TEXT,
        UNIQUE (dataset_id, hash),
        UNIQUE (dataset_id, ordinal)
      );
      CREATE INDEX pairs_languages ON pairs(dataset_id, source_language, target_language);

      CREATE TABLE example_tokens (
        example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
        model_fingerprint TEXT NOT NULL,
        tokens INTEGER NOT NULL,
        PRIMARY KEY (example_id, model_fingerprint)
      ) WITHOUT ROWID;
    `);
  },
};
