import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import { ExperimentSpecSchema, type Experiment, type ExperimentItem, type ExperimentSpecParsed } from "../../shared/experimentContract.js";
import type { PolytuneErrorShape } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { LrDecision } from "./chooseLearningRate.js";

interface ExperimentRow {
  id: string;
  name: string;
  status: Experiment["status"];
  spec_json: string;
  baseline_job: string | null;
  decisions_json: string;
  error_json: string | null;
  created_at: string;
  finished_at: string | null;
}

interface ItemRow {
  id: string;
  experiment_id: string;
  position: number;
  configuration: string;
  label: string;
  mix_id: string;
  mix_name: string;
  method: ExperimentItem["method"];
  lr: number;
  settings_json: string;
  state: ExperimentItem["state"];
  run_id: string | null;
  eval_job: string | null;
  done: number;
  total: number;
  error_json: string | null;
  chosen: number | null;
}

export type NewExperimentItem = Pick<ExperimentItem, "configuration" | "label" | "mix" | "method" | "lr" | "settings">;
export type ItemFields = Partial<{ state: ExperimentItem["state"]; run: string | null; evalJob: string | null; done: number; total: number; error: PolytuneErrorShape | null }>;

const toItem = (r: ItemRow): ExperimentItem => ({
  id: r.id,
  position: r.position,
  configuration: r.configuration,
  label: r.label,
  mix: { id: r.mix_id, name: r.mix_name },
  method: r.method,
  lr: r.lr,
  settings: JSON.parse(r.settings_json) as Record<string, unknown>,
  state: r.state,
  run: r.run_id,
  evalJob: r.eval_job,
  done: r.done,
  total: r.total,
  etaSeconds: null,
  error: r.error_json ? (JSON.parse(r.error_json) as PolytuneErrorShape) : null,
  chosen: r.chosen === null ? null : r.chosen === 1,
});

/** Experiments and their queued items in SQLite (m0010). */
export class ExperimentStore {
  constructor(readonly db: Database) {}

  /** The experiment and every item, in one transaction: a crash leaves all of it or none. */
  create(name: string, spec: ExperimentSpecParsed, items: readonly NewExperimentItem[], status: Experiment["status"]): string {
    const id = randomUUID().replace(/-/g, "").slice(0, 10);
    const insertItem = this.db.prepare(
      "INSERT INTO experiment_items (id, experiment_id, position, configuration, label, mix_id, mix_name, method, lr, settings_json, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
    );
    this.db.transaction(() => {
      this.db.prepare("INSERT INTO experiments (id, name, status, spec_json, created_at) VALUES (?, ?, ?, ?, ?)").run(id, name, status, JSON.stringify(spec), new Date().toISOString());
      items.forEach((item, position) => insertItem.run(`${id}-${position + 1}`, id, position, item.configuration, item.label, item.mix.id, item.mix.name, item.method, item.lr, JSON.stringify(item.settings)));
    })();
    return id;
  }

  private row(ref: string): ExperimentRow {
    const row = (this.db.prepare("SELECT * FROM experiments WHERE id = ?").get(ref) ?? this.db.prepare("SELECT * FROM experiments WHERE name = ? ORDER BY created_at DESC").get(ref)) as ExperimentRow | undefined;
    if (!row) throw new PolytuneError("experiment-not-found", `No experiment "${ref}".`, { where: "experiment", hint: "See `polytune experiment list`." });
    return row;
  }

  /** The id of an experiment given by id or name (the newest of that name). */
  resolve(ref: string): string {
    return this.row(ref).id;
  }

  get(ref: string): Experiment {
    const r = this.row(ref);
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      spec: ExperimentSpecSchema.parse(JSON.parse(r.spec_json)),
      items: this.items(r.id),
      baselineJob: r.baseline_job,
      decisions: JSON.parse(r.decisions_json) as LrDecision[],
      error: r.error_json ? (JSON.parse(r.error_json) as PolytuneErrorShape) : null,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    };
  }

  list(): Experiment[] {
    return (this.db.prepare("SELECT id FROM experiments ORDER BY created_at DESC, rowid DESC").all() as Array<{ id: string }>).map((r) => this.get(r.id));
  }

  items(experiment: string): ExperimentItem[] {
    return (this.db.prepare("SELECT * FROM experiment_items WHERE experiment_id = ? ORDER BY position").all(experiment) as ItemRow[]).map(toItem);
  }

  item(experiment: string, item: string): ExperimentItem {
    const row = this.db.prepare("SELECT * FROM experiment_items WHERE experiment_id = ? AND (id = ? OR id = ?)").get(experiment, item, `${experiment}-${item}`) as ItemRow | undefined;
    if (!row) throw new PolytuneError("experiment-item-not-found", `Experiment ${experiment} has no item "${item}".`, { where: "item", hint: "See `polytune experiment show ID` for its items." });
    return toItem(row);
  }

  /** Experiments the queue works through, oldest first. */
  pending(): string[] {
    return (this.db.prepare("SELECT id FROM experiments WHERE status IN ('queued', 'running') ORDER BY created_at, rowid").all() as Array<{ id: string }>).map((r) => r.id);
  }

  withStatus(status: Experiment["status"]): string[] {
    return (this.db.prepare("SELECT id FROM experiments WHERE status = ?").all(status) as Array<{ id: string }>).map((r) => r.id);
  }

  setStatus(id: string, status: Experiment["status"], error?: PolytuneErrorShape | null): void {
    const finished = ["completed", "failed", "cancelled"].includes(status) ? new Date().toISOString() : null;
    this.db.prepare("UPDATE experiments SET status = ?, finished_at = ?, error_json = CASE WHEN ? THEN ? ELSE error_json END WHERE id = ?").run(status, finished, error !== undefined ? 1 : 0, error ? JSON.stringify(error) : null, id);
  }

  setBaselineJob(id: string, job: string | null): void {
    this.db.prepare("UPDATE experiments SET baseline_job = ? WHERE id = ?").run(job, id);
  }

  /** The decisions and each item's `chosen`, together. */
  setDecisions(id: string, decisions: readonly LrDecision[]): void {
    const decided = new Map(decisions.map((d) => [d.configuration, d.chosenItem]));
    this.db.transaction(() => {
      this.db.prepare("UPDATE experiments SET decisions_json = ? WHERE id = ?").run(JSON.stringify(decisions), id);
      for (const item of this.items(id)) {
        const chosen = decided.has(item.configuration) ? (decided.get(item.configuration) === item.id ? 1 : 0) : null;
        this.db.prepare("UPDATE experiment_items SET chosen = ? WHERE id = ?").run(chosen, item.id);
      }
    })();
  }

  updateItem(id: string, fields: ItemFields): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    const put = (column: string, value: unknown): void => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (fields.state !== undefined) put("state", fields.state);
    if (fields.run !== undefined) put("run_id", fields.run);
    if (fields.evalJob !== undefined) put("eval_job", fields.evalJob);
    if (fields.done !== undefined) put("done", fields.done);
    if (fields.total !== undefined) put("total", fields.total);
    if (fields.error !== undefined) put("error_json", fields.error ? JSON.stringify(fields.error) : null);
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE experiment_items SET ${sets.join(", ")} WHERE id = ?`).run(...values, id);
  }

  /** Moves an item to `position` among its experiment's items, the others keeping their order. */
  move(experiment: string, item: string, position: number): void {
    const ids = this.items(experiment).map((i) => i.id);
    const from = ids.indexOf(item);
    ids.splice(from, 1);
    ids.splice(Math.min(position, ids.length), 0, item);
    this.db.transaction(() => ids.forEach((id, p) => this.db.prepare("UPDATE experiment_items SET position = ? WHERE id = ?").run(p, id)))();
  }

  remove(id: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM experiment_items WHERE experiment_id = ?").run(id);
      this.db.prepare("DELETE FROM experiments WHERE id = ?").run(id);
    })();
  }
}
