import type { Migration } from "../Migration.js";

// The first comparison of many runs resampled every pair's items (issue 14: minutes for 50 runs). An
// evaluation now keeps, per suite × system × metric × language ('' overall), the bootstrap replicates of
// the mean over its items sorted by id (eval/statistics/meanReplicates.ts): a paired test or a stratified
// average is then arithmetic on stored vectors. `ids_hash` says which items they were drawn over; only
// rows of equal hashes, seeds and resamples are paired. Written with the scores (EvalStore.saveScore),
// for older jobs by compare on first use. Removing the job removes them.
export const m0012_eval_replicates: Migration = {
  version: 12,
  name: "eval_replicates",
  up(db) {
    db.exec(`
      CREATE TABLE eval_replicates (
        job_id TEXT NOT NULL REFERENCES eval_jobs(id) ON DELETE CASCADE,
        suite TEXT NOT NULL,
        system TEXT NOT NULL,
        metric TEXT NOT NULL,
        language TEXT NOT NULL,
        ids_hash TEXT NOT NULL,
        scale REAL NOT NULL,
        binary INTEGER NOT NULL CHECK (binary IN (0, 1)),
        seed INTEGER NOT NULL,
        -- Float64Array, little-endian: the scaled item values sorted by id, and one mean per resample.
        values_blob BLOB NOT NULL,
        replicates_blob BLOB NOT NULL,
        PRIMARY KEY (job_id, suite, system, metric, language)
      ) WITHOUT ROWID;
    `);
  },
};
