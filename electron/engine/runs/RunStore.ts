import type { Database } from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { TrainConfigSchema, trainConfigVersion, type PolytuneErrorShape, type Run, type RunMetric, type RunStatus, type TrainConfig } from "../../shared/contract.js";
import { RunMixSchema, type RunMix } from "../../shared/mixContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";

interface RunRow {
  id: string;
  name: string;
  kind: "train";
  model_id: string | null;
  status: RunStatus;
  config_json: string;
  config_version: number;
  step: number;
  total_steps: number;
  adapter_path: string | null;
  /** The model a full-parameter run wrote (m0009). */
  model_path?: string | null;
  run_dir: string;
  error_json: string | null;
  summary_json: string | null;
  pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_loss?: number | null;
  last_val_loss?: number | null;
  /** The mix the run trained on (m0006); null for a data file and for runs from before mixes. */
  mix_json?: string | null;
}

// Each run with its last losses, so a list compares runs without loading their metrics.
const selectRuns = `SELECT runs.*,
  (SELECT loss FROM run_metrics m WHERE m.run_id = runs.id ORDER BY step DESC LIMIT 1) AS last_loss,
  (SELECT val_loss FROM run_metrics m WHERE m.run_id = runs.id AND val_loss IS NOT NULL ORDER BY step DESC LIMIT 1) AS last_val_loss
  FROM runs`;

type StatusFields = { error?: PolytuneErrorShape | null; pid?: number | null; adapterPath?: string; modelPath?: string; summary?: Run["summary"]; totalSteps?: number };

const now = (): string => new Date().toISOString();

const unreadableHint = "Its row in polytune.db was changed outside Polytune; start a new run with the settings you want.";

/**
 * A stored run's settings, checked as strictly as a new run's: older versions were upgraded by the
 * migrations, so a row that still does not parse is reported with its run, never passed on as is.
 */
function readConfig(r: RunRow): TrainConfig {
  const where = `run ${r.id}`;
  if (r.config_version !== trainConfigVersion) {
    // Older rows are upgraded when the database is opened; one left behind did not parse then.
    const why = r.config_version < trainConfigVersion ? "could not be upgraded from" : "come from a newer Polytune, in";
    throw new PolytuneError("run-config-version", `The stored settings of run ${r.id} ${why} version ${r.config_version} (this Polytune reads version ${trainConfigVersion}).`, { where, hint: unreadableHint });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(r.config_json);
  } catch (error) {
    throw new PolytuneError("run-config-invalid", `The stored settings of run ${r.id} are not JSON: ${(error as Error).message}.`, { where, hint: unreadableHint });
  }
  const parsed = TrainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`).join("; ");
    throw new PolytuneError("run-config-invalid", `The stored settings of run ${r.id} do not parse: ${issues}.`, { where, hint: unreadableHint });
  }
  return parsed.data;
}

function toRun(r: RunRow): Run {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    modelId: r.model_id,
    status: r.status,
    config: readConfig(r),
    step: r.step,
    totalSteps: r.total_steps,
    adapterPath: r.adapter_path,
    modelPath: r.model_path ?? null,
    error: r.error_json ? (JSON.parse(r.error_json) as PolytuneErrorShape) : null,
    summary: r.summary_json ? (JSON.parse(r.summary_json) as Run["summary"]) : null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lastLoss: r.last_loss ?? null,
    lastValLoss: r.last_val_loss ?? null,
    mix: readMix(r),
  };
}

/** The mix a run trained on, checked like its settings: a row that does not parse is reported, not guessed. */
function readMix(r: RunRow): RunMix | null {
  if (r.mix_json === null || r.mix_json === undefined) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(r.mix_json);
  } catch (error) {
    throw new PolytuneError("run-mix-invalid", `The stored mix of run ${r.id} is not JSON: ${(error as Error).message}.`, { where: `run ${r.id}`, hint: unreadableHint });
  }
  const parsed = RunMixSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "mix"}: ${i.message}`).join("; ");
    throw new PolytuneError("run-mix-invalid", `The stored mix of run ${r.id} does not parse: ${issues}.`, { where: `run ${r.id}`, hint: unreadableHint });
  }
  return parsed.data;
}

/** Runs and their metrics in SQLite; the engine is the only writer. */
export class RunStore {
  constructor(private readonly db: Database) {}

  create(config: TrainConfig, modelId: string, runDir: (id: string) => string, totalSteps: number): Run {
    const id = randomUUID().slice(0, 8);
    const name = config.name ?? `${config.text ? "text" : config.format} ${config.method === "full" ? "full" : `r${config.rank}`} lr${config.lr}`;
    this.db
      .prepare("INSERT INTO runs (id, name, kind, model_id, status, config_json, config_version, total_steps, run_dir, created_at) VALUES (?, ?, 'train', ?, 'queued', ?, ?, ?, ?, ?)")
      .run(id, name, modelId, JSON.stringify(config), trainConfigVersion, totalSteps, runDir(id), now());
    return this.get(id);
  }

  list(): Run[] {
    return (this.db.prepare(`${selectRuns} ORDER BY created_at DESC`).all() as RunRow[]).map(toRun);
  }

  get(id: string): Run {
    const row = this.db.prepare(`${selectRuns} WHERE id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new PolytuneError("run-not-found", `No run "${id}".`, { hint: "List runs with `polytune runs list`." });
    return toRun(row);
  }

  /** Records the mix a run trains on: its recipe, fingerprint and counts per language. */
  setMix(id: string, mix: RunMix): Run {
    this.get(id);
    this.db.prepare("UPDATE runs SET mix_json = ? WHERE id = ?").run(JSON.stringify(RunMixSchema.parse(mix)), id);
    return this.get(id);
  }

  rename(id: string, name: string): Run {
    this.get(id);
    this.db.prepare("UPDATE runs SET name = ? WHERE id = ?").run(name, id);
    return this.get(id);
  }

  /** Removes a run's row and metrics (its files are the caller's to remove). */
  delete(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare("DELETE FROM run_metrics WHERE run_id = ?").run(id);
      return this.db.prepare("DELETE FROM runs WHERE id = ?").run(id).changes > 0;
    })();
  }

  runDir(id: string): string {
    return (this.db.prepare("SELECT run_dir FROM runs WHERE id = ?").get(id) as { run_dir: string }).run_dir;
  }

  pid(id: string): number | null {
    return (this.db.prepare("SELECT pid FROM runs WHERE id = ?").get(id) as { pid: number | null } | undefined)?.pid ?? null;
  }

  setStatus(id: string, status: RunStatus, fields: StatusFields = {}): Run {
    this.writeStatus(id, status, fields);
    return this.get(id);
  }

  private writeStatus(id: string, status: RunStatus, fields: StatusFields): void {
    const finished = status === "completed" || status === "failed" || status === "cancelled";
    this.db
      .prepare(
        `UPDATE runs SET status = ?,
           error_json = CASE WHEN ? THEN ? ELSE error_json END,
           pid = CASE WHEN ? THEN ? ELSE pid END,
           adapter_path = COALESCE(?, adapter_path),
           model_path = COALESCE(?, model_path),
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
        fields.modelPath ?? null,
        fields.summary ? JSON.stringify(fields.summary) : null,
        fields.totalSteps ?? null,
        status, now(),
        finished ? 1 : 0, now(),
        id,
      );
  }

  /** Records one optimizer step; a resumed run overwrites the steps it repeats. */
  addMetric(id: string, m: RunMetric): void {
    this.db.transaction(() => {
      this.db
        .prepare("INSERT OR REPLACE INTO run_metrics (run_id, step, loss, scheduled_lr, tokens, tokens_per_second, memory_bytes, val_loss, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .run(id, m.step, m.loss, m.scheduledLr, m.tokens, m.tokensPerSecond, m.memoryBytes, m.valLoss, m.elapsedMs);
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
      step: number; loss: number; scheduled_lr: number; tokens: number; tokens_per_second: number; memory_bytes: number | null; val_loss: number | null; elapsed_ms: number;
    }>;
    return rows.map((r) => ({ step: r.step, loss: r.loss, scheduledLr: r.scheduled_lr, tokens: r.tokens, tokensPerSecond: r.tokens_per_second, memoryBytes: r.memory_bytes, valLoss: r.val_loss, elapsedMs: r.elapsed_ms }));
  }

  /** Runs recorded as going (running or queued), with their folders; their settings are not read. */
  recordedAsGoing(): Array<{ id: string; runDir: string }> {
    return (this.db.prepare("SELECT id, run_dir FROM runs WHERE status IN ('running', 'queued')").all() as Array<Pick<RunRow, "id" | "run_dir">>).map((r) => ({ id: r.id, runDir: r.run_dir }));
  }

  /**
   * Runs whose process is gone (a crash, a kill, a power cut) become interrupted: resumable or
   * cancellable. Their settings are not read here, so one unreadable row cannot keep the engine from starting.
   */
  markInterrupted(ids: readonly string[]): Array<Pick<Run, "id" | "status">> {
    const going = this.db.prepare("SELECT id FROM runs WHERE id = ? AND status IN ('running', 'queued')");
    const stale = ids.filter((id) => going.get(id) !== undefined);
    for (const id of stale) {
      this.writeStatus(id, "interrupted", { pid: null, error: { code: "interrupted", message: "The training process stopped while this run was going.", hint: "Resume it: training continues from its last checkpoint." } });
    }
    return stale.map((id) => ({ id, status: "interrupted" as const }));
  }
}
