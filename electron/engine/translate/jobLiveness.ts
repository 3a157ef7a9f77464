import { resolve } from "node:path";
import { holdLiveness, livenessPath, probeLiveness } from "../runs/processLiveness.js";

// A translation job runs inside the engine that started it (a CLI, the app, `serve`). It is going
// exactly while that process holds a socket named after the database and the job
// (runs/processLiveness.ts, decision 0015): a job left "running" by a killed process reads as
// interrupted, and a job another live process is translating is never started twice.

/** The socket the engine translating `job` of this database holds. */
export function jobLivenessPath(databasePath: string, job: string): string {
  return livenessPath("translate", `${resolve(databasePath)}\n${job}`);
}

/** Holds the job's socket until `close()` or the process ends. */
export const holdJobLiveness = holdLiveness;

/** Whether a process holds the job's socket now. */
export const probeJobLiveness = probeLiveness;
