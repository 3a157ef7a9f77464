import type { PolytuneErrorShape } from "../../shared/contract.js";
import type { FieldMapping, ImportProgress, Provenance } from "../../shared/datasetContract.js";

/** What an import worker is started with (its `workerData`). */
export interface ImportWorkerInput {
  databasePath: string;
  importId: string;
  files: string[];
  format: string;
  mapping?: FieldMapping;
  languages?: { source?: string; target?: string };
  language?: string;
  provenance: Provenance;
  name?: string;
}

/** Engine → worker. */
export type ImportWorkerRequest = { type: "cancel" };

/** Worker → engine. */
export type ImportWorkerEvent =
  /** The dataset row exists (status importing): the engine removes it if the worker dies without a word. */
  | { type: "started"; datasetId: string }
  | { type: "progress"; progress: ImportProgress }
  | { type: "done"; datasetId: string }
  /** Cancelled and cleaned up: nothing of the import is left. */
  | { type: "cancelled" }
  /** Failed and cleaned up. */
  | { type: "failed"; error: PolytuneErrorShape };
