import { resolve } from "node:path";
import { holdLiveness, livenessPath, probeLiveness } from "../runs/processLiveness.js";

// A run is going exactly while its training process holds the run's socket (runs/processLiveness.ts,
// decision 0015).

/** The socket a run's training process listens on while it is going. */
export function runLivenessPath(runDir: string): string {
  return livenessPath("run", resolve(runDir));
}

/** In the training process: holds the run's socket until the process ends. */
export const holdRunLiveness = holdLiveness;

/** Whether a process holds the run's socket now. */
export const probeRunLiveness = probeLiveness;
