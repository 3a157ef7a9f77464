import type { Migration } from "../Migration.js";

// Stored mixes: the recipe as written (JSON), a fingerprint over it and its sources, and what it held
// when saved. A run records the mix it trained on (recipe, fingerprint, counts per language) in
// `runs.mix_json`, so evaluation can tell supervised from 0-shot languages; older runs have none.
export const m0006_mixes: Migration = {
  version: 6,
  name: "mixes",
  up(db) {
    db.exec(`
      CREATE TABLE mixes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        recipe_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        counts_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX mixes_fingerprint ON mixes(fingerprint);
      ALTER TABLE runs ADD COLUMN mix_json TEXT;
    `);
  },
};
