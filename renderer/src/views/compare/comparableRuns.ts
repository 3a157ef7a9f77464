import type { Run } from "../../../../electron/shared/contract.js";
import type { EvalJob } from "../../../../electron/shared/evalContract.js";
import type { Experiment } from "../../../../electron/shared/experimentContract.js";

/** The picker's filter ("" = any). */
export interface ComparePickerFilter {
  experiment: string;
  mix: string;
  method: string;
}

/** A run that can be compared: it has a completed evaluation (its latest one is what compare.runs draws). */
export interface ComparableRun {
  run: Run;
  /** The latest completed evaluation of the run. */
  evalJob: EvalJob;
  /** Experiments the run is an item of (ids). */
  experiments: string[];
}

/** The runs with a completed evaluation, newest first, with the experiments they belong to (for the picker's filter). */
export function comparableRuns(runs: readonly Run[], jobs: readonly EvalJob[], experiments: readonly Experiment[]): ComparableRun[] {
  const latest = new Map<string, EvalJob>();
  for (const job of jobs) {
    if (job.status !== "completed" || !job.run) continue;
    const known = latest.get(job.run);
    if (!known || (job.finishedAt ?? job.createdAt) > (known.finishedAt ?? known.createdAt)) latest.set(job.run, job);
  }
  const experimentsOf = new Map<string, string[]>();
  for (const e of experiments) for (const item of e.items) if (item.run) experimentsOf.set(item.run, [...(experimentsOf.get(item.run) ?? []), e.id]);
  return runs
    .flatMap((run) => {
      const evalJob = latest.get(run.id) ?? latest.get(run.name);
      return evalJob ? [{ run, evalJob, experiments: experimentsOf.get(run.id) ?? [] }] : [];
    })
    .sort((a, b) => (b.evalJob.finishedAt ?? b.evalJob.createdAt).localeCompare(a.evalJob.finishedAt ?? a.evalJob.createdAt));
}

/** The picker's filter: by experiment, mix name and training method. */
export function filterComparable(list: readonly ComparableRun[], filter: ComparePickerFilter): ComparableRun[] {
  return list.filter(
    (c) =>
      (!filter.experiment || c.experiments.includes(filter.experiment)) &&
      (!filter.mix || (c.run.mix?.name ?? "") === filter.mix) &&
      (!filter.method || c.run.config.method === filter.method),
  );
}
