import type { Migration } from "../Migration.js";

// Full-parameter runs write a model, not an adapter. The run keeps its path beside `adapter_path`
// (null for LoRA runs and until a full run ends); an evaluation of such a run decodes its "tuned"
// system with that model (`tuned_model_json`: path and fingerprint; null = the job's model + adapters).
export const m0009_full_runs: Migration = {
  version: 9,
  name: "full-parameter runs",
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN model_path TEXT;
      ALTER TABLE eval_jobs ADD COLUMN tuned_model_json TEXT;
    `);
  },
};
