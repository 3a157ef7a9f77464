import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EventName, EventPayload } from "../../shared/contract.js";
import type { Dataset, ImportInput } from "../../shared/datasetContract.js";
import { ImportInputSchema } from "../../shared/datasetContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { unpackedPath } from "../install/unpackedPath.js";
import type { DatasetStore } from "./DatasetStore.js";
import { baseLanguage } from "../data/languageCodes.js";
import type { ImportWorkerEvent, ImportWorkerInput, ImportWorkerRequest } from "./ImportWorkerProtocol.js";

/** How long a worker asked to cancel may take to clean up before it is stopped and cleaned up here. */
const cancelGraceMs = 10_000;

interface RunningImport {
  worker: Worker;
  datasetId: string | null;
  cancelling: boolean;
  finished: Promise<void>;
}

/**
 * Imports, each in its own worker thread (importWorker.js). The engine's thread only starts workers,
 * forwards progress and reads the finished dataset; when a worker ends without finishing, whatever
 * dataset it began is removed here (decision 0023).
 */
export class ImportJobs {
  private readonly running = new Map<string, RunningImport>();

  constructor(
    private readonly store: DatasetStore,
    private readonly databasePath: string,
    private readonly emit: <E extends EventName>(name: E, payload: EventPayload<E>) => void,
    private readonly workerEntry = unpackedPath(fileURLToPath(new URL("./importWorker.js", import.meta.url))),
  ) {}

  async start(request: ImportInput): Promise<Dataset> {
    const input = ImportInputSchema.parse(request);
    if (this.running.has(input.importId)) {
      throw new PolytuneError("data-import-running", `An import with id "${input.importId}" is already going.`, { where: input.importId, hint: "Give each import its own id." });
    }
    const workerData: ImportWorkerInput = {
      databasePath: this.databasePath,
      importId: input.importId,
      files: input.files,
      format: input.format,
      provenance: input.provenance,
      ...(input.mapping ? { mapping: input.mapping } : {}),
      ...(input.languages ? { languages: input.languages } : {}),
      ...(input.language ? { language: input.language } : {}),
      ...(input.name ? { name: input.name } : {}),
    };
    if (input.language !== undefined && baseLanguage(input.language) === undefined) {
      throw new PolytuneError("data-language", `"${input.language}" is not a language Polytune knows (the language the file claims).`, {
        where: "language",
        hint: "Use an ISO 639 code such as en, de, zh or pt (three-letter codes such as deu and names such as German work too).",
      });
    }
    if (!existsSync(this.workerEntry)) {
      throw new PolytuneError("data-import-unavailable", "The import worker is missing from this installation.", { where: this.workerEntry, hint: "Reinstall Polytune; from a source checkout, run `npm run build` first." });
    }
    const worker = new Worker(this.workerEntry, { workerData });
    let settle!: () => void;
    const job: RunningImport = { worker, datasetId: null, cancelling: false, finished: new Promise<void>((r) => (settle = r)) };
    this.running.set(input.importId, job);

    try {
      const outcome = await new Promise<ImportWorkerEvent>((resolve, reject) => {
        let last: ImportWorkerEvent | null = null;
        worker.on("message", (event: ImportWorkerEvent) => {
          if (event.type === "started") job.datasetId = event.datasetId;
          else if (event.type === "progress") this.emit("data.importProgress", event.progress);
          else last = event;
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (last) resolve(last);
          else reject(new PolytuneError("data-import-crashed", `The import stopped unexpectedly (worker exit code ${code}); nothing of it was kept.`, { where: input.files.join(", ") }));
        });
      });
      if (outcome.type === "done") return this.store.get(outcome.datasetId);
      if (outcome.type === "cancelled") throw cancelledError();
      if (outcome.type === "failed") throw PolytuneError.fromShape(outcome.error);
      throw new PolytuneError("internal", `Unexpected message from the import worker: ${outcome.type}.`);
    } catch (error) {
      // The worker cleans up after itself; one that died before it could leaves its rows here.
      this.discardIfLeft(job.datasetId);
      if (job.cancelling && !(error instanceof PolytuneError && error.code === "data-import-cancelled")) throw cancelledError();
      throw error;
    } finally {
      this.running.delete(input.importId);
      settle();
    }
  }

  /** Asks an import to stop; it removes what it wrote. False when no import has this id. */
  cancel(importId: string): boolean {
    const job = this.running.get(importId);
    if (!job) return false;
    if (!job.cancelling) {
      job.cancelling = true;
      job.worker.postMessage({ type: "cancel" } satisfies ImportWorkerRequest);
      // A worker stuck in a long parse is stopped; `start` then removes its rows.
      const timer = setTimeout(() => void job.worker.terminate(), cancelGraceMs);
      timer.unref();
      void job.finished.then(() => clearTimeout(timer));
    }
    return true;
  }

  /** Cancels every import and waits until each has cleaned up. */
  async shutdown(): Promise<void> {
    const jobs = [...this.running.entries()];
    for (const [id] of jobs) this.cancel(id);
    await Promise.all(jobs.map(([, job]) => job.finished));
  }

  private discardIfLeft(datasetId: string | null): void {
    if (datasetId === null) return;
    try {
      this.store.discardDataset(datasetId);
    } catch {
      // Left for the sweep at the next start; the error the user sees is the import's own.
    }
  }
}

function cancelledError(): PolytuneError {
  return new PolytuneError("data-import-cancelled", "The import was cancelled; nothing of it was kept.");
}
