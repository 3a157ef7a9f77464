// A run's checkpoints folder: `step-N.gguf` files written by the trainer (each through `step-N.gguf.tmp`,
// renamed into place). A full run's checkpoint holds the weights and both Adam moments (12 bytes a
// parameter), so only the newest few are kept (decision 0034).
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Checkpoints kept while a run goes: the newest, and one before it should the newest be unreadable. */
export const checkpointsKept = 2;

/** The steps of the checkpoints in `dir`, oldest first. */
export function checkpointSteps(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^step-(\d+)\.gguf$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Deletes all but the newest `keep` checkpoints in `dir`, and any `.tmp` left by a write that a kill cut
 * short. Call it only between writes: a `.tmp` being written would go too.
 */
export function pruneCheckpoints(dir: string, keep = checkpointsKept): void {
  if (!existsSync(dir)) return;
  const steps = checkpointSteps(dir);
  for (const step of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(join(dir, `step-${step}.gguf`), { force: true });
  for (const f of readdirSync(dir)) if (f.endsWith(".tmp")) rmSync(join(dir, f), { force: true });
}
