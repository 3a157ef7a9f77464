import type { Database } from "better-sqlite3";

export type StatKind = "pairs" | "heatmap" | "categories";

/** Which statistic of which job(s): `other` is the reference job of a paired comparison, "" otherwise. */
export interface StatKey {
  job: string;
  other: string;
  kind: StatKind;
  suite: string;
  metric: string;
  /** The jobs' finish times (and anything else the value depends on): a different stamp recomputes. */
  stamp: string;
}

/**
 * Bootstrap statistics derived from item rows, kept once computed (m0011): resampling costs resamples ×
 * items, reading a stored value one indexed row. Values depend only on the jobs' stored scores and
 * their resampling settings, all covered by the key and stamp.
 */
export class CompareStats {
  private readonly select;
  private readonly upsert;

  constructor(db: Database) {
    this.select = db.prepare("SELECT stamp, value_json FROM compare_stats WHERE job_id = ? AND other_job_id = ? AND kind = ? AND suite = ? AND metric = ?");
    this.upsert = db.prepare("INSERT OR REPLACE INTO compare_stats (job_id, other_job_id, kind, suite, metric, stamp, value_json) VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  get<T>(key: StatKey, compute: () => T): T {
    const row = this.select.get(key.job, key.other, key.kind, key.suite, key.metric) as { stamp: string; value_json: string } | undefined;
    if (row && row.stamp === key.stamp) return JSON.parse(row.value_json) as T;
    const value = compute();
    this.upsert.run(key.job, key.other, key.kind, key.suite, key.metric, key.stamp, JSON.stringify(value));
    return value;
  }
}
