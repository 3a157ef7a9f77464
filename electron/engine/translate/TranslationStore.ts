import type { Database } from "better-sqlite3";
import { randomUUID } from "node:crypto";
import type { TurnShape } from "../../shared/datasetContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import type { TranslationFlag, TranslationItem, TranslationJob, TranslationJobStatus, TranslationTemplateId } from "../../shared/translateContract.js";

interface JobRow {
  id: string;
  status: TranslationJobStatus;
  source_kind: "dataset" | "mix";
  source_id: string;
  source_name: string;
  source_fingerprint: string;
  from_language: string;
  languages_json: string;
  limit_count: number | null;
  model_id: string;
  model_name: string;
  model_path: string;
  model_fingerprint: string;
  template: TranslationTemplateId;
  prompt_hash: string;
  format: "chat" | "completion";
  max_tokens_factor: number;
  context_size: number;
  gpu: "auto" | "cpu";
  threads: number | null;
  output_name: string;
  output_dataset_id: string | null;
  error_json: string | null;
  seconds: number;
  created_at: string;
  finished_at: string | null;
}

interface ItemRow {
  job_id: string;
  ordinal: number;
  source_example_id: number;
  language: string;
  status: "pending" | "kept" | "flagged";
  flags_json: string;
  raw_output: string | null;
  turns_json: string | null;
  identified_language: string | null;
  confidence: number | null;
  tokens: number | null;
  seconds: number | null;
}

/** What a new job stores: everything its items and its output depend on. */
export interface NewJob {
  source: { kind: "dataset" | "mix"; id: string; name: string; fingerprint: string };
  from: string;
  languages: string[];
  limit: number | null;
  model: { id: string; name: string; path: string; fingerprint: string };
  template: TranslationTemplateId;
  promptHash: string;
  format: "chat" | "completion";
  maxTokensFactor: number;
  contextSize: number;
  gpu: "auto" | "cpu";
  threads: number | null;
  outputName: string;
  /** (source example, language) in the order they are translated. */
  items: Array<{ sourceExample: number; language: string }>;
}

/** An item's result, written the moment it is decoded. */
export interface ItemResult {
  kept: boolean;
  flags: TranslationFlag[];
  raw: string;
  turns: TurnShape[] | null;
  identifiedLanguage: string | null;
  confidence: number | null;
  tokens: number;
  seconds: number;
}

export interface PendingItem {
  ordinal: number;
  sourceExample: number;
  language: string;
}

const now = (): string => new Date().toISOString();

/** The translation jobs and their per-item results (m0007). */
export class TranslationStore {
  constructor(
    private readonly db: Database,
    /** The label of a template (kept out of the row: it is the code's, not the job's). */
    private readonly templateLabel: (template: TranslationTemplateId) => string,
  ) {}

  create(job: NewJob): string {
    const id = randomUUID().replace(/-/g, "").slice(0, 12);
    const insertItem = this.db.prepare("INSERT INTO translation_items (job_id, ordinal, source_example_id, language, status) VALUES (?, ?, ?, ?, 'pending')");
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO translation_jobs (id, status, source_kind, source_id, source_name, source_fingerprint, from_language, languages_json, limit_count,
             model_id, model_name, model_path, model_fingerprint, template, prompt_hash, format, max_tokens_factor, context_size, gpu, threads, output_name, created_at)
           VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id, job.source.kind, job.source.id, job.source.name, job.source.fingerprint, job.from, JSON.stringify(job.languages), job.limit,
          job.model.id, job.model.name, job.model.path, job.model.fingerprint, job.template, job.promptHash, job.format, job.maxTokensFactor, job.contextSize, job.gpu, job.threads, job.outputName, now(),
        );
      job.items.forEach((item, ordinal) => insertItem.run(id, ordinal, item.sourceExample, item.language));
    })();
    return id;
  }

  exists(id: string): boolean {
    return this.db.prepare("SELECT 1 FROM translation_jobs WHERE id = ?").get(id) !== undefined;
  }

  row(id: string): JobRow {
    const row = this.db.prepare("SELECT * FROM translation_jobs WHERE id = ?").get(id) as JobRow | undefined;
    if (!row) throw new PolytuneError("translation-not-found", `There is no translation job "${id}".`, { where: `job ${id}`, hint: "List the jobs with `polytune data translate --list`." });
    return row;
  }

  get(id: string): TranslationJob {
    return this.toJob(this.row(id));
  }

  list(): TranslationJob[] {
    const rows = this.db.prepare("SELECT * FROM translation_jobs ORDER BY created_at DESC, id").all() as JobRow[];
    return rows.map((r) => this.toJob(r));
  }

  /** Ids of jobs whose row says running: after a crash, some of them are not. */
  runningIds(): string[] {
    return (this.db.prepare("SELECT id FROM translation_jobs WHERE status = 'running'").all() as Array<{ id: string }>).map((r) => r.id);
  }

  pending(id: string): PendingItem[] {
    return (this.db.prepare("SELECT ordinal, source_example_id, language FROM translation_items WHERE job_id = ? AND status = 'pending' ORDER BY ordinal").all(id) as ItemRow[]).map((r) => ({
      ordinal: r.ordinal,
      sourceExample: r.source_example_id,
      language: r.language,
    }));
  }

  /** One item's result and the time spent on it, in one transaction: the unit a kill can lose. */
  recordItem(id: string, ordinal: number, result: ItemResult): void {
    this.db.transaction(() => {
      const changed = this.db
        .prepare(
          `UPDATE translation_items SET status = ?, flags_json = ?, raw_output = ?, turns_json = ?, identified_language = ?, confidence = ?, tokens = ?, seconds = ?
           WHERE job_id = ? AND ordinal = ? AND status = 'pending'`,
        )
        .run(result.kept ? "kept" : "flagged", JSON.stringify(result.flags), result.raw, result.turns ? JSON.stringify(result.turns) : null, result.identifiedLanguage, result.confidence, result.tokens, result.seconds, id, ordinal).changes;
      if (changed !== 1) throw new PolytuneError("translation-item-done", `Item ${ordinal} of translation job ${id} already has a result.`, { where: `job ${id}` });
      this.db.prepare("UPDATE translation_jobs SET seconds = seconds + ? WHERE id = ?").run(result.seconds, id);
    })();
  }

  setStatus(id: string, status: TranslationJobStatus, fields: { error?: unknown; outputDataset?: string | null } = {}): void {
    const finished = status === "completed" || status === "cancelled" || status === "failed" ? now() : null;
    this.db
      .prepare("UPDATE translation_jobs SET status = ?, error_json = ?, finished_at = ?, output_dataset_id = COALESCE(?, output_dataset_id) WHERE id = ?")
      .run(status, fields.error === undefined || fields.error === null ? null : JSON.stringify(fields.error), finished, fields.outputDataset ?? null, id);
  }

  /** The kept items in order, with what each output example records. */
  keptItems(id: string): Array<{ ordinal: number; sourceExample: number; language: string; turns: TurnShape[]; identifiedLanguage: string; confidence: number }> {
    const rows = this.db.prepare("SELECT * FROM translation_items WHERE job_id = ? AND status = 'kept' ORDER BY ordinal").all(id) as ItemRow[];
    return rows.map((r) => ({
      ordinal: r.ordinal,
      sourceExample: r.source_example_id,
      language: r.language,
      turns: JSON.parse(r.turns_json ?? "[]") as TurnShape[],
      identifiedLanguage: r.identified_language ?? r.language,
      confidence: r.confidence ?? 0,
    }));
  }

  items(id: string, query: { status?: "pending" | "kept" | "flagged"; offset: number; limit: number }): { items: TranslationItem[]; total: number } {
    const where = query.status ? "job_id = ? AND status = ?" : "job_id = ?";
    const args: unknown[] = query.status ? [id, query.status] : [id];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM translation_items WHERE ${where}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM translation_items WHERE ${where} ORDER BY ordinal LIMIT ? OFFSET ?`).all(...args, query.limit, query.offset) as ItemRow[];
    return {
      total,
      items: rows.map((r) => ({
        ordinal: r.ordinal,
        sourceExample: r.source_example_id,
        language: r.language,
        status: r.status,
        flags: JSON.parse(r.flags_json) as TranslationFlag[],
        raw: r.raw_output,
        turns: r.turns_json ? (JSON.parse(r.turns_json) as TurnShape[]) : null,
        identifiedLanguage: r.identified_language,
        confidence: r.confidence,
        tokens: r.tokens,
        seconds: r.seconds,
      })),
    };
  }

  private toJob(r: JobRow): TranslationJob {
    const perLanguage = this.db
      .prepare(
        `SELECT language, COUNT(*) AS total, SUM(status != 'pending') AS done, SUM(status = 'kept') AS kept, SUM(status = 'flagged') AS flagged
         FROM translation_items WHERE job_id = ? GROUP BY language`,
      )
      .all(r.id) as Array<{ language: string; total: number; done: number; kept: number; flagged: number }>;
    const languages = JSON.parse(r.languages_json) as string[];
    perLanguage.sort((a, b) => languages.indexOf(a.language) - languages.indexOf(b.language));
    const flagCounts: Record<string, number> = {};
    const flagged = this.db.prepare("SELECT flags_json FROM translation_items WHERE job_id = ? AND status = 'flagged'").all(r.id) as Array<{ flags_json: string }>;
    for (const row of flagged) {
      for (const flag of JSON.parse(row.flags_json) as TranslationFlag[]) flagCounts[flag.code] = (flagCounts[flag.code] ?? 0) + 1;
    }
    const sum = (key: "total" | "done" | "kept" | "flagged"): number => perLanguage.reduce((n, l) => n + (l[key] ?? 0), 0);
    return {
      id: r.id,
      status: r.status,
      source: { kind: r.source_kind, id: r.source_id, name: r.source_name, fingerprint: r.source_fingerprint },
      from: r.from_language,
      languages,
      limit: r.limit_count,
      model: { id: r.model_id, name: r.model_name, fingerprint: r.model_fingerprint },
      prompt: { template: r.template, hash: r.prompt_hash, label: this.templateLabel(r.template) },
      format: r.format,
      maxTokensFactor: r.max_tokens_factor,
      contextSize: r.context_size,
      gpu: r.gpu,
      threads: r.threads,
      total: sum("total"),
      done: sum("done"),
      kept: sum("kept"),
      flagged: sum("flagged"),
      perLanguage: perLanguage.map((l) => ({ language: l.language, total: l.total, done: l.done ?? 0, kept: l.kept ?? 0, flagged: l.flagged ?? 0 })),
      flagCounts,
      outputDataset: r.output_dataset_id,
      outputName: r.output_name,
      error: r.error_json ? (JSON.parse(r.error_json) as TranslationJob["error"]) : null,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      seconds: r.seconds,
    };
  }
}
