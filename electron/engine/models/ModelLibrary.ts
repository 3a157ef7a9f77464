import type { Database } from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { AddModelsResult, Model, ModelDetail, ModelSource, ModelStatus, PolytuneErrorShape } from "../../shared/contract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { discoverModels, findGgufFiles, type DiscoveryEnv, defaultDiscoveryEnv } from "./discoverModelLocations.js";
import { fastFingerprint, sha256File } from "./fingerprintFile.js";
import { inspectModelFile, runtimeUnavailable, statError, type ModelFacts, type ModelInspection } from "./inspectModelFile.js";

interface ModelRow {
  id: string;
  path: string;
  name: string;
  source: ModelSource;
  status: ModelStatus;
  error_json: string | null;
  architecture: string | null;
  parameter_count: number | null;
  file_type: string | null;
  context_length: number | null;
  layers: number | null;
  embedding_size: number | null;
  vocab_size: number | null;
  tokenizer: string | null;
  has_chat_template: number | null;
  file_size: number;
  file_mtime_ms: number;
  fingerprint: string | null;
  sha256: string | null;
  gguf_version: number | null;
  details_json: string | null;
  added_at: string;
  checked_at: string;
}

type Details = Pick<ModelDetail, "headCount" | "headCountKv" | "feedForwardLength" | "tensorCount" | "tensorTypes" | "metadata">;

function toModel(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    source: row.source,
    status: row.status,
    error: row.error_json ? (JSON.parse(row.error_json) as PolytuneErrorShape) : null,
    architecture: row.architecture,
    parameterCount: row.parameter_count,
    fileType: row.file_type,
    contextLength: row.context_length,
    layers: row.layers,
    embeddingSize: row.embedding_size,
    vocabSize: row.vocab_size,
    tokenizer: row.tokenizer,
    hasChatTemplate: row.has_chat_template === null ? null : row.has_chat_template === 1,
    fileSize: row.file_size,
    fingerprint: row.fingerprint,
    sha256: row.sha256,
    ggufVersion: row.gguf_version,
    addedAt: row.added_at,
    checkedAt: row.checked_at,
  };
}

const now = (): string => new Date().toISOString();

/** The model library: GGUF files referenced in place (never copied), with what was read from them. */
export class ModelLibrary {
  constructor(
    private readonly db: Database,
    private readonly discoveryEnv: DiscoveryEnv = defaultDiscoveryEnv(),
  ) {}

  list(): Model[] {
    const rows = this.db.prepare("SELECT * FROM models ORDER BY name COLLATE NOCASE, path").all() as ModelRow[];
    return rows.map(toModel);
  }

  /** A model by id, exact name or path. */
  find(ref: string): Model | undefined {
    const byId = this.db.prepare("SELECT * FROM models WHERE id = ?").get(ref) as ModelRow | undefined;
    if (byId) return toModel(byId);
    const byPath = this.db.prepare("SELECT * FROM models WHERE path = ?").get(resolve(ref)) as ModelRow | undefined;
    if (byPath) return toModel(byPath);
    const byName = this.db.prepare("SELECT * FROM models WHERE name = ?").all(ref) as ModelRow[];
    if (byName.length > 1) {
      throw new PolytuneError("model-ambiguous", `${byName.length} models are named "${ref}".`, { hint: "Name it by id or path instead." });
    }
    return byName[0] ? toModel(byName[0]) : undefined;
  }

  get(ref: string): Model {
    const model = this.find(ref);
    if (!model) {
      throw new PolytuneError("model-not-found", `No model "${ref}" in the library.`, { hint: "List models with `polytune models list`, or add one with `polytune models add PATH`." });
    }
    return model;
  }

  detail(ref: string): ModelDetail {
    const model = this.get(ref);
    const row = this.db.prepare("SELECT details_json FROM models WHERE id = ?").get(model.id) as { details_json: string | null };
    const details: Details = row.details_json
      ? (JSON.parse(row.details_json) as Details)
      : { headCount: null, headCountKv: null, feedForwardLength: null, tensorCount: null, tensorTypes: {}, metadata: {} };
    return { ...model, ...details };
  }

  /** Adds a file, or every GGUF below a folder. Bad files are recorded with their reason, not skipped silently. */
  async add(path: string, source?: ModelSource, names?: Map<string, string>, onProgress?: (done: number, total: number) => void): Promise<AddModelsResult> {
    const abs = resolve(path);
    let st;
    try {
      st = statSync(abs);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        throw new PolytuneError("path-not-found", "No file or folder at this path.", { where: abs, hint: "Check the spelling; Polytune references models where they are." });
      }
      const why = statError(abs, error);
      throw new PolytuneError(why.code, why.message, { where: abs, hint: why.hint, details: why.details });
    }
    const files = st.isDirectory() ? findGgufFiles(abs) : [abs];
    const result: AddModelsResult = { added: [], updated: [], failed: [], scannedFiles: files.length };
    const kind: ModelSource = source ?? (st.isDirectory() ? "folder" : "file");
    for (const [i, file] of files.entries()) {
      const { model, isNew } = await this.upsert(file, kind, names?.get(file));
      if (model.status === "error") result.failed.push(model);
      else if (isNew) result.added.push(model);
      else result.updated.push(model);
      onProgress?.(i + 1, files.length);
    }
    return result;
  }

  /** Adds what LM Studio, Ollama and the Hugging Face cache hold. */
  async discover(onProgress?: (done: number, total: number) => void): Promise<AddModelsResult> {
    const { models } = discoverModels(this.discoveryEnv);
    const result: AddModelsResult = { added: [], updated: [], failed: [], scannedFiles: models.length };
    for (const [i, found] of models.entries()) {
      const { model, isNew } = await this.upsert(found.path, found.kind, found.name ?? undefined);
      if (model.status === "error") result.failed.push(model);
      else if (isNew) result.added.push(model);
      else result.updated.push(model);
      onProgress?.(i + 1, models.length);
    }
    return result;
  }

  discoveryLocations() {
    return discoverModels(this.discoveryEnv).locations;
  }

  remove(ref: string): boolean {
    const model = this.get(ref);
    return this.db.prepare("DELETE FROM models WHERE id = ?").run(model.id).changes > 0;
  }

  /** Notices moved, deleted and changed files; a changed file is read again. */
  async recheck(): Promise<Model[]> {
    for (const model of this.list()) {
      let st;
      try {
        st = statSync(model.path);
      } catch {
        this.setStatus(model.id, "missing", { code: "missing", message: "The file is no longer at this path (moved or deleted).", where: model.path, hint: "Add it again from its new place, or remove it from the library." });
        continue;
      }
      const row = this.db.prepare("SELECT file_mtime_ms FROM models WHERE id = ?").get(model.id) as { file_mtime_ms: number };
      // A model that could not be checked because llama.cpp failed to load is checked again, file unchanged or not.
      const notChecked = model.error?.code === runtimeUnavailable;
      if (!notChecked && st.size === model.fileSize && Math.floor(st.mtimeMs) === row.file_mtime_ms && model.status !== "missing") continue;
      const fingerprint = safeFingerprint(model.path);
      if (!notChecked && fingerprint && fingerprint === model.fingerprint) {
        if (model.status === "missing") this.setStatus(model.id, model.error && model.error.code !== "missing" ? "error" : "ok", null);
        this.db.prepare("UPDATE models SET file_mtime_ms = ?, checked_at = ? WHERE id = ?").run(Math.floor(st.mtimeMs), now(), model.id);
        continue;
      }
      const inspection = await inspectModelFile(model.path);
      this.write(model.id, model.path, model.source, inspection, fingerprint, inspection.error ? "error" : notChecked && fingerprint === model.fingerprint ? "ok" : "changed", model.name);
    }
    return this.list();
  }

  async hash(ref: string, onProgress?: (done: number, total: number) => void): Promise<Model> {
    const model = this.get(ref);
    let sha: string;
    try {
      sha = await sha256File(model.path, onProgress);
    } catch (error) {
      throw new PolytuneError("hash-failed", "The file could not be read to the end.", { where: model.path, details: String(error) });
    }
    this.db.prepare("UPDATE models SET sha256 = ?, checked_at = ? WHERE id = ?").run(sha, now(), model.id);
    return this.get(model.id);
  }

  private setStatus(id: string, status: ModelStatus, error: PolytuneErrorShape | null): void {
    this.db.prepare("UPDATE models SET status = ?, error_json = ?, checked_at = ? WHERE id = ?").run(status, error ? JSON.stringify(error) : null, now(), id);
  }

  private async upsert(path: string, source: ModelSource, name?: string): Promise<{ model: Model; isNew: boolean }> {
    const inspection = await inspectModelFile(path);
    const fingerprint = inspection.error?.code === "unreadable" ? null : safeFingerprint(path);
    const existing = this.db.prepare("SELECT id, name FROM models WHERE path = ?").get(path) as { id: string; name: string } | undefined;
    if (existing) {
      this.write(existing.id, path, source, inspection, fingerprint, inspection.error ? "error" : "ok", name ?? inspection.facts.name);
      return { model: this.get(existing.id), isNew: false };
    }
    // A file that moved keeps its id (and with it, later, its runs): same fingerprint, old path gone.
    if (fingerprint) {
      const moved = this.db.prepare("SELECT id FROM models WHERE fingerprint = ? AND status = 'missing'").get(fingerprint) as { id: string } | undefined;
      if (moved) {
        this.write(moved.id, path, source, inspection, fingerprint, inspection.error ? "error" : "ok", name ?? inspection.facts.name);
        return { model: this.get(moved.id), isNew: false };
      }
    }
    const id = randomUUID().slice(0, 8);
    this.db
      .prepare("INSERT INTO models (id, path, name, source, status, file_size, file_mtime_ms, added_at, checked_at) VALUES (?, ?, ?, ?, 'ok', 0, 0, ?, ?)")
      .run(id, path, name ?? inspection.facts.name, source, now(), now());
    this.write(id, path, source, inspection, fingerprint, inspection.error ? "error" : "ok", name ?? inspection.facts.name);
    return { model: this.get(id), isNew: true };
  }

  private write(id: string, path: string, source: ModelSource, ins: ModelInspection, fingerprint: string | null, status: ModelStatus, name: string): void {
    const f: ModelFacts = ins.facts;
    const details: Details = {
      headCount: f.headCount,
      headCountKv: f.headCountKv,
      feedForwardLength: f.feedForwardLength,
      tensorCount: f.tensorCount,
      tensorTypes: f.tensorTypes,
      metadata: f.metadata,
    };
    this.db
      .prepare(
        `UPDATE models SET path = ?, name = ?, source = ?, status = ?, error_json = ?, architecture = ?, parameter_count = ?, file_type = ?,
         context_length = ?, layers = ?, embedding_size = ?, vocab_size = ?, tokenizer = ?, has_chat_template = ?, file_size = ?,
         file_mtime_ms = ?, fingerprint = ?, sha256 = CASE WHEN fingerprint IS ? THEN sha256 ELSE NULL END, gguf_version = ?,
         details_json = ?, checked_at = ? WHERE id = ?`,
      )
      .run(
        path, name, source, status, ins.error ? JSON.stringify(ins.error) : null, f.architecture, f.parameterCount, f.fileType,
        f.contextLength, f.layers, f.embeddingSize, f.vocabSize, f.tokenizer, f.hasChatTemplate === null ? null : f.hasChatTemplate ? 1 : 0,
        ins.fileSize, ins.mtimeMs, fingerprint, fingerprint, f.ggufVersion, JSON.stringify(details), now(), id,
      );
  }
}

function safeFingerprint(path: string): string | null {
  try {
    return fastFingerprint(path);
  } catch {
    return null;
  }
}
