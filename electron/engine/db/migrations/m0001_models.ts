import type { Migration } from "../Migration.js";

export const m0001_models: Migration = {
  version: 1,
  name: "models",
  up(db) {
    db.exec(`
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        error_json TEXT,
        architecture TEXT,
        parameter_count INTEGER,
        file_type TEXT,
        context_length INTEGER,
        layers INTEGER,
        embedding_size INTEGER,
        vocab_size INTEGER,
        tokenizer TEXT,
        has_chat_template INTEGER,
        file_size INTEGER NOT NULL,
        file_mtime_ms INTEGER NOT NULL,
        fingerprint TEXT,
        sha256 TEXT,
        gguf_version INTEGER,
        details_json TEXT,
        added_at TEXT NOT NULL,
        checked_at TEXT NOT NULL
      );
      CREATE INDEX models_fingerprint ON models(fingerprint);
    `);
  },
};
