import type { Migration } from "../Migration.js";

// Key/value settings the app remembers between starts (theme, last folder, discovery choices).
export const m0002_settings: Migration = {
  version: 2,
  name: "settings",
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      ALTER TABLE models ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    `);
  },
};
