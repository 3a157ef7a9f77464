import type { Database } from "better-sqlite3";
import { itemScale } from "../compareScores.js";
import type { SuiteScore } from "../SuiteScore.js";
import { meanReplicates, type MeanReplicates } from "../statistics/meanReplicates.js";

interface Row {
  language: string;
  ids_hash: string;
  scale: number;
  binary: number;
  seed: number;
  values_blob: Buffer;
  replicates_blob: Buffer;
}

/** A suite score's replicates (m0012), each metric on the scale compareScores gives it. */
export function scoreReplicates(score: SuiteScore, options: { resamples: number; seed: number }): Map<string, MeanReplicates[]> {
  const metrics = [...new Set(score.items.flatMap((i) => Object.keys(i.scores)))];
  return meanReplicates(score.items, metrics, (metric, binary) => itemScale(score, metric) ?? (binary ? 100 : 1), options);
}

const blob = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
// A copy: SQLite's buffer need not be 8-byte aligned.
const floats = (b: Buffer): Float64Array => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** The stored bootstrap replicates of a job's per-language means (m0012). */
export class ReplicateStore {
  private readonly clear;
  private readonly insert;
  private readonly select;

  constructor(db: Database) {
    this.clear = db.prepare("DELETE FROM eval_replicates WHERE job_id = ? AND suite = ? AND system = ?");
    this.insert = db.prepare("INSERT OR REPLACE INTO eval_replicates (job_id, suite, system, metric, language, ids_hash, scale, binary, seed, values_blob, replicates_blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    this.select = db.prepare("SELECT language, ids_hash, scale, binary, seed, values_blob, replicates_blob FROM eval_replicates WHERE job_id = ? AND suite = ? AND system = ? AND metric = ? ORDER BY language");
  }

  /** A suite × system's rows replaced by the score's (the caller's transaction keeps them with the scores). */
  save(job: string, suite: string, system: string, score: SuiteScore, options: { resamples: number; seed: number }): void {
    this.clear.run(job, suite, system);
    this.put(job, suite, system, scoreReplicates(score, options));
  }

  put(job: string, suite: string, system: string, byMetric: ReadonlyMap<string, readonly MeanReplicates[]>): void {
    for (const [metric, rows] of byMetric) {
      for (const r of rows) this.insert.run(job, suite, system, metric, r.language ?? "", r.idsHash, r.scale, r.binary ? 1 : 0, r.seed, blob(r.values), blob(r.replicates));
    }
  }

  /** The overall row ('' stored) first, then languages in code order; empty when none is stored. */
  get(job: string, suite: string, system: string, metric: string): MeanReplicates[] {
    const rows = this.select.all(job, suite, system, metric) as Row[];
    return rows.map((r) => ({ language: r.language === "" ? null : r.language, idsHash: r.ids_hash, scale: r.scale, binary: r.binary === 1, seed: r.seed, values: floats(r.values_blob), replicates: floats(r.replicates_blob) }));
  }
}
