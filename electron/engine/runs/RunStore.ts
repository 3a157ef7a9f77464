import type { Database } from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { TrainConfigSchema, type PolytuneErrorShape, type Run, type RunMetric, type RunStatus, type TrainConfig } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";

interface RunRow {
  id: string;
  name: string;
  kind: "train";
  model_id: string | null;
  status: RunStatus;
  config_json: string;
  step: number;
  total_steps: number;
  adapter_path: string | null;
  run_dir: string;
  error_json: string | null;
  summary_json: string | null;
  pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const now = (): string => new Date().toISOString();

/**
 * A stored run's settings, with fields added since it was written filled in: those that change the
 * numerics as the older trainer ran them (CPU, base in F32), so a resumed run continues as it began.
 */
function readConfig(json: string): TrainConfig {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const parsed = TrainConfigSchema.safeParse({ backend: "cpu", baseWeights: "f32", ...raw });
  return parsed.success ? parsed.data : (raw as TrainConfig);
}

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    modelId: r.model_id,
    status: r.status,
    config: readConfig(r.config_json),
    step: r.step,
    totalSteps: r.total_steps,
    adapterPath: r.adapter_path,
    error: r.error_json ? (JSON.parse(r.error_json) as PolytuneErrorShape) : null,
    summary: r.summary_json ? (JSON.parse(r.summary_json) as Run["summary"]) : null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Runs and their metrics in SQLite; the engine is the only writer. */
export class RunStore {
  constructor(private readonly db: Database) {}

  create(config: TrainConfig, modelId: string, runDir: (id: string) => string, totalSteps: number): Run {
    const id = randomUUID().slice(0, 8);
    const name = config.name ?? `${config.format} r${config.rank} lr${config.lr}`;
    this.db
      .prepare("INSERT INTO runs (id, name, kind, model_id, status, config_json, total_steps, run_dir, created_at) VALUES (?, ?, 'train', ?, 'queued', ?, ?, ?, ?)")
      .run(id, name, modelId, JSON.stringify(config), totalSteps, runDir(id), now());
    return this.get(id);
  }

  list(): Run[] {
    return (this.db.prepare("SELECT * FROM runs ORDER BY created_at DESC").all() as RunRow[]).map(toRun);
  }

  get(id: string): Run {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
    if (!row) throw new PolytuneError("run-not-found", `No run "${id}".`, { hint: "List runs with `polytune runs list`." });
    return toRun(row);
  }

  runDir(id: string): string {
    return (this.db.prepare("SELECT run_dir FROM runs WHERE id = ?").get(id) as { run_dir: string }).run_dir;
  }

  pid(id: string): number | null {
    return (this.db.prepare("SELECT pid FROM runs WHERE id = ?").get(id) as { pid: number | null } | undefined)?.pid ?? null;
  }

  setStatus(id: string, status: RunStatus, fields: { error?: PolytuneErrorShape | null; pid?: number | null; adapterPath?: string; summary?: Run["summary"]; totalSteps?: number } = {}): Run {
    const finished = status === "completed" || status === "failed" || status === "cancelled";
    this.db
      .prepare(
        `UPDATE runs SET status = ?,
           error_json = CASE WHEN ? THEN ? ELSE error_json END,
           pid = CASE WHEN ? THEN ? ELSE pid END,
           adapter_path = COALESCE(?, adapter_path),
           summary_json = COALESCE(?, summary_json),
           total_steps = COALESCE(?, total_steps),
           started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END
         WHERE id = ?`,
      )
      .run(
        status,
        fields.error !== undefined ? 1 : 0, fields.error ? JSON.stringify(fields.error) : null,
        fields.pid !== undefined ? 1 : 0, fields.pid ?? null,
        fields.adapterPath ?? null,
        fields.summary ? JSON.stringify(fields.summary) : null,
        fields.totalSteps ?? null,
        status, now(),
        finished ? 1 : 0, now(),
        id,
      );
    return this.get(id);
  }

  /** Records one optimizer step; a resumed run overwrites the steps it repeats. */
  addMetric(id: string, m: RunMetric): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT OR REPLACE INTO run_metrics (run_id, step, loss, lr, tokens, tokens_per_second, memory_bytes, val_loss, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(id, m.step, m.loss, m.lr, m.tokens, m.tokensPerSecond, m.memoryBytes, m.valLoss, m.elapsedMs);
      this.db.prepare("UPDATE runs SET step = MAX(step, ?) WHERE id = ?").run(m.step, id);
    })();
  }

  /** After a resume from an earlier checkpoint, steps past it will be recomputed. */
  truncateMetrics(id: string, afterStep: number): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM run_metrics WHERE run_id = ? AND step > ?").run(id, afterStep);
      this.db.prepare("UPDATE runs SET step = ? WHERE id = ?").run(afterStep, id);
    })();
  }

  metrics(id: string): RunMetric[] {
    const rows = this.db.prepare("SELECT * FROM run_metrics WHERE run_id = ? ORDER BY step").all(id) as Array<{
      step: number; loss: number; lr: number; tokens: number; tokens_per_second: number; memory_bytes: number | null; val_loss: number | null; elapsed_ms: number;
    }>;
    return rows.map((r) => ({ step: r.step, loss: r.loss, lr: r.lr, tokens: r.tokens, tokensPerSecond: r.tokens_per_second, memoryBytes: r.memory_bytes, valLoss: r.val_loss, elapsedMs: r.elapsed_ms }));
  }

  /** Runs left "running" by a process that is gone (a crash, a kill, a power cut). */
  markInterrupted(isAlive: (pid: number) => boolean): Run[] {
    const stale = (this.db.prepare("SELECT * FROM runs WHERE status IN ('running', 'queued')").all() as RunRow[]).filter((r) => r.pid === null || !isAlive(r.pid));
    for (const r of stale) {
      this.setStatus(r.id, "interrupted", { pid: null, error: { code: "interrupted", message: "Polytune stopped while this run was going.", hint: "Resume it: training continues from its last checkpoint." } });
    }
    return stale.map((r) => this.get(r.id));
  }
}
