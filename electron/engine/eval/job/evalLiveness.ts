import { resolve } from "node:path";
import { holdLiveness, livenessPath, probeLiveness } from "../../runs/processLiveness.js";

// An evaluation job runs inside the engine that started it (a CLI, the app, `serve`), going exactly while
// that process holds a socket named after the database and the job (runs/processLiveness.ts, decision
// 0015): a job left "running" by a killed process reads as interrupted, and no job is decoded twice at once.

/** The socket the engine evaluating `job` of this database holds. */
export function evalLivenessPath(databasePath: string, job: string): string {
  return livenessPath("eval", `${resolve(databasePath)}\n${job}`);
}

export const holdEvalLiveness = holdLiveness;
export const probeEvalLiveness = probeLiveness;
