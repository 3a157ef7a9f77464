// The import worker thread: parses, identifies and stores one import off the engine's thread, so the
// UI stays responsive. It writes through its own connection to the same database (WAL lets the engine
// read meanwhile) and answers with typed messages (ImportWorkerProtocol.ts).
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { toErrorShape } from "../../shared/PolytuneError.js";
import type { ImportWorkerEvent, ImportWorkerInput, ImportWorkerRequest } from "./ImportWorkerProtocol.js";
import { tuneForImport } from "./DatasetStore.js";
import { runImport } from "./runImport.js";

const port = parentPort;
if (!port) throw new Error("importWorker.js runs as a worker thread of the Polytune engine.");
const input = workerData as ImportWorkerInput;
const send = (event: ImportWorkerEvent): void => port.postMessage(event);
const cancel = new AbortController();
port.on("message", (message: ImportWorkerRequest) => {
  if (message.type === "cancel") cancel.abort();
});

const db = new Database(input.databasePath);
db.pragma("busy_timeout = 10000");
db.pragma("foreign_keys = ON");
tuneForImport(db);
try {
  const datasetId = await runImport(db, input, {
    signal: cancel.signal,
    onStarted: (id) => send({ type: "started", datasetId: id }),
    onProgress: (progress) => send({ type: "progress", progress }),
  });
  send({ type: "done", datasetId });
} catch (error) {
  send(cancel.signal.aborted ? { type: "cancelled" } : { type: "failed", error: toErrorShape(error) });
} finally {
  db.close();
  port.close();
}
