import type { Migration } from "../Migration.js";

// Comparing runs (issue 14). A run's numbers come from its latest completed evaluation job, so that
// lookup gets an index. The bootstrap statistics compare derives from item rows (a run against the
// reference on the same items, the non-English average, per category) cost resamples × items each;
// they are kept once computed, keyed by the jobs they come from and stamped with those jobs' finish
// times, so a later comparison of the same runs reads them back instead of resampling again, and a
// rescored job is recomputed. Removing either job removes its rows.
export const m0011_compare: Migration = {
  version: 11,
  name: "compare",
  up(db) {
    db.exec(`
      CREATE INDEX eval_jobs_run ON eval_jobs(run_id, status, finished_at);

      CREATE TABLE compare_stats (
        job_id TEXT NOT NULL REFERENCES eval_jobs(id) ON DELETE CASCADE,
        -- The reference job of a paired comparison; '' for a statistic of one job.
        other_job_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('pairs', 'heatmap', 'categories')),
        suite TEXT NOT NULL,
        metric TEXT NOT NULL,
        stamp TEXT NOT NULL,
        value_json TEXT NOT NULL,
        PRIMARY KEY (job_id, other_job_id, kind, suite, metric)
      ) WITHOUT ROWID;
      CREATE INDEX compare_stats_other ON compare_stats(other_job_id);
      CREATE TRIGGER compare_stats_other_removed AFTER DELETE ON eval_jobs BEGIN
        DELETE FROM compare_stats WHERE other_job_id = old.id;
      END;
    `);
  },
};
