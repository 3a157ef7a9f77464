import type { Migration } from "../Migration.js";

/**
 * Version 1 of a stored run configuration (rows written before the version column) as the engine read
 * it until now: missing fields took these values. Backend and base weights are the older trainer's
 * (CPU, base in F32), so a resumed run continues as it began; the rest were the schema's defaults.
 * Written out here, not taken from the contract, so this step upgrades the same way whatever the
 * schema becomes later.
 */
const version1Defaults: Readonly<Record<string, unknown>> = {
  backend: "cpu",
  baseWeights: "f32",
  validationFraction: 0,
  format: "alpaca",
  maskPrompt: true,
  targets: ["q", "k", "v", "o", "gate", "up", "down"],
  rank: 64,
  alpha: 16,
  rslora: false,
  dropout: 0,
  lr: 1e-5,
  schedule: "constant",
  warmupSteps: 0,
  batchSize: 4,
  gradAccum: 1,
  seqLen: 1024,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  gradClip: 1,
  seed: 1,
  device: 0,
  mergedType: "source",
  checkpointEvery: 100,
  evalEvery: 50,
};

function parseObject(json: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// Stored run settings carry the version of the configuration they were written in; rows from before
// are upgraded to version 2 (every setting present). The per-step rate column is named for what it is:
// the rate the schedule gave that step, not the configured peak.
export const m0004_run_config_version: Migration = {
  version: 4,
  name: "run config version",
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN config_version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE run_metrics RENAME COLUMN lr TO scheduled_lr;
    `);
    const rows = db.prepare("SELECT id, config_json FROM runs").all() as Array<{ id: string; config_json: string }>;
    const upgrade = db.prepare("UPDATE runs SET config_json = ?, config_version = 2 WHERE id = ?");
    for (const row of rows) {
      const config = parseObject(row.config_json);
      // Unreadable JSON stays at version 1, untouched: the engine reports that run instead of guessing.
      if (config) upgrade.run(JSON.stringify({ ...version1Defaults, ...config }), row.id);
    }
  },
};
