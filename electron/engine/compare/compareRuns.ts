// Any set of evaluated runs side by side, the way the papers draw them: per-language means with their
// CIs and zero-shot marks, 002's English against non-English heatmap, each run against the reference
// on the same items with the paired test, per task category, metric against learning rate, and the
// settings that differ. A run's numbers are its latest completed evaluation job's; a run without one
// is listed in `missing`, never drawn as zero.
import type { Database } from "better-sqlite3";
import type { Run } from "../../shared/contract.js";
import type { CompareRunsInput, CompareRunsResult } from "../../shared/compareContract.js";
import type { EvalSuiteName } from "../../shared/evalContract.js";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { compareScores, itemScale } from "../eval/compareScores.js";
import { bootstrapMean } from "../eval/statistics/bootstrap.js";
import { ReplicateStore, scoreReplicates } from "../eval/job/ReplicateStore.js";
import { mcnemar } from "../eval/statistics/mcnemar.js";
import { pairedFromReplicates, stratifiedInterval, type MeanReplicates } from "../eval/statistics/meanReplicates.js";
import type { Aggregate, SuiteScore } from "../eval/SuiteScore.js";
import type { RunStore } from "../runs/RunStore.js";
import { CompareStats } from "./CompareStats.js";
import { completedJob, itemCategories, itemScores, latestJob, resolveRun, type ComparedJob } from "./resolveComparedRuns.js";
import { configurationLabels, runLabels, settingsDiff } from "./settingsDiff.js";

/** What compare knows of a run's experiment, read by the engine's root from the experiments' tables. */
export interface ExperimentLink {
  id: string;
  name: string;
  /** The configuration (mix × method × rank × steps) the run is one learning rate of. */
  configuration: string;
  /** Whether its rate is the configuration's chosen one (null until decided). */
  chosen: boolean | null;
  /** The experiment's base-model evaluation job, shared by its runs as their "base" rows. */
  baselineJob: string | null;
}

export interface CompareDeps {
  runs: RunStore;
  experimentOf(runId: string): ExperimentLink | null;
}

type Result = CompareRunsResult;
type Cell = Result["cells"][number];
type Pair = Result["pairs"][number];
type Part = Result["heatmap"][number]["english"];

interface Compared {
  run: Run;
  job: ComparedJob | null;
  /** Where the base rows come from: the job's own baseline, or the experiment's shared baseline job. */
  base: { job: ComparedJob; system: "base" | "tuned" } | null;
  experiment: ExperimentLink | null;
}

const english = "en";
// In the stored statistics' stamps: values of version 2 come from the jobs' replicates (m0012) and
// average corpus metrics as their cells do; rows an older version stored are made again.
const statsVersion = "2";

export function compareRuns(db: Database, input: CompareRunsInput, deps: CompareDeps): CompareRunsResult {
  const stats = new CompareStats(db);
  const replicates = new ReplicateStore(db);
  const wanted = {
    suite: (s: string) => !input.suites || input.suites.includes(s as EvalSuiteName),
    metric: (m: string) => !input.metrics || input.metrics.includes(m),
    language: (l: string | null) => l === null || !input.languages || input.languages.includes(l),
  };

  // Every name resolved before anything is computed: a typo is reported with its position.
  const resolved: Run[] = [];
  input.runs.forEach((ref, i) => {
    const run = resolveRun(db, deps.runs, ref, `runs[${i}]`);
    if (!resolved.some((r) => r.id === run.id)) resolved.push(run);
  });
  const reference = input.reference === undefined ? resolved[0]! : resolveRun(db, deps.runs, input.reference, "reference");
  if (!resolved.some((r) => r.id === reference.id)) {
    throw new PolytuneError("compare-reference-not-compared", `The reference run "${input.reference}" is not among the compared runs.`, { where: "reference", hint: "Add it to the runs, or leave the reference out to test against the first run." });
  }

  const missing: Result["missing"] = [];
  const baselines = new Map<string, ComparedJob | null>();
  const compared: Compared[] = resolved.map((run) => {
    const experiment = deps.experimentOf(run.id);
    const latest = latestJob(db, run.id);
    if ("reason" in latest) {
      missing.push({ run: run.id, reason: latest.reason });
      return { run, job: null, base: null, experiment };
    }
    const job = latest.job;
    const suites = [...job.results.keys()].filter(wanted.suite);
    if (suites.length === 0) missing.push({ run: run.id, reason: `its evaluation ${job.id} has no result for ${input.suites?.join(", ") ?? "any suite"}` });
    let base: Compared["base"] = [...job.results.values()].some((r) => r.has("base")) ? { job, system: "base" } : null;
    if (!base && experiment?.baselineJob) {
      const id = experiment.baselineJob;
      if (!baselines.has(id)) baselines.set(id, completedJob(db, id));
      const shared = baselines.get(id);
      if (shared) base = { job: shared, system: "tuned" };
    }
    return { run, job, base, experiment };
  });

  const diff = settingsDiff(resolved);
  const labels = runLabels(resolved, diff);
  const configurations = configurationLabels(resolved, diff);

  // Per-language and overall cells: the jobs' stored aggregates, the numbers the Evaluate area shows.
  const cells: Cell[] = [];
  for (const c of compared) {
    if (!c.job) continue;
    for (const [suite, systems] of c.job.results) {
      if (!wanted.suite(suite)) continue;
      const push = (aggregates: readonly Aggregate[] | undefined, system: Cell["system"]) => {
        for (const a of aggregates ?? []) {
          if (wanted.metric(a.metric) && wanted.language(a.language)) cells.push({ run: c.run.id, suite: suite as EvalSuiteName, metric: a.metric, language: a.language, system, mean: a.mean, ci95: a.ci95, n: a.n });
        }
      };
      push(systems.get("tuned"), "tuned");
      if (c.base) push(c.base.job.results.get(suite)?.get(c.base.system), "base");
    }
  }

  const evaluated = [...new Set(cells.map((c) => c.language).filter((l): l is string => l !== null))].sort();
  const languages = evaluated.map((language) => ({
    language,
    tuning: compared.map((c) => c.job?.languages.find((l) => l.language === language)?.tuning ?? "unknown"),
  }));

  const heatmap: Result["heatmap"] = [];
  const categories: Result["categories"] = [];
  for (const c of compared) {
    const job = c.job;
    if (!job) continue;
    for (const [suite, systems] of job.results) {
      if (!wanted.suite(suite)) continue;
      const aggregates = systems.get("tuned") ?? [];
      for (const metric of metricsOf(aggregates).filter(wanted.metric)) {
        const en = aggregates.find((a) => a.language === english && a.metric === metric);
        const nonEnglishKey = `${metric}\u0000${input.languages?.join(",") ?? ""}`;
        const nonEnglish = aggregates.some((a) => a.metric === metric && a.language !== null && a.language !== english && wanted.language(a.language))
          ? stats.get({ job: job.id, other: "", kind: "heatmap", suite, metric: nonEnglishKey, stamp: `${job.finishedAt}|${statsVersion}` }, () => nonEnglishPart(db, replicates, job, suite, metric, aggregates, wanted.language))
          : null;
        heatmap.push({ run: c.run.id, suite: suite as EvalSuiteName, metric, english: en && wanted.language(english) ? { mean: en.mean, ci95: en.ci95, n: en.n } : null, nonEnglish });
        // Over the chosen languages' items only, so the key names them as the heatmap's does.
        const categoriesKey = `${metric}\u0000${input.languages?.join(",") ?? ""}`;
        const byCategory = stats.get({ job: job.id, other: "", kind: "categories", suite, metric: categoriesKey, stamp: job.finishedAt }, () => categoryMeans(db, job, suite, metric, aggregates, wanted.language));
        for (const x of byCategory) categories.push({ run: c.run.id, suite: suite as EvalSuiteName, metric, ...x });
      }
    }
  }

  const pairs: Pair[] = [];
  const ref = compared.find((c) => c.run.id === reference.id)!;
  if (ref.job) {
    const refJob = ref.job;
    for (const c of compared) {
      const job = c.job;
      if (!job || c === ref) continue;
      for (const [suite, systems] of job.results) {
        const refAggregates = refJob.results.get(suite)?.get("tuned");
        const aggregates = systems.get("tuned");
        if (!wanted.suite(suite) || !refAggregates || !aggregates) continue;
        const shared = metricsOf(aggregates).filter((m) => wanted.metric(m) && refAggregates.some((a) => a.metric === m));
        for (const metric of shared) {
          const stamp = `${job.finishedAt}|${refJob.finishedAt}|${statsVersion}`;
          const found = stats.get({ job: job.id, other: refJob.id, kind: "pairs", suite, metric, stamp }, () => pairedComparisons(db, replicates, job, refJob, suite, metric, aggregates, refAggregates));
          for (const p of found) if (wanted.language(p.language)) pairs.push({ run: c.run.id, reference: reference.id, suite: suite as EvalSuiteName, ...p });
        }
      }
    }
  }

  const learningRates: Result["learningRates"] = [];
  compared.forEach((c, i) => {
    for (const cell of cells) {
      if (cell.run !== c.run.id || cell.system !== "tuned" || cell.language !== null) continue;
      learningRates.push({ configuration: c.experiment?.configuration ?? configurations[i]!, run: c.run.id, lr: c.run.config.lr, suite: cell.suite, metric: cell.metric, mean: cell.mean, ci95: cell.ci95, chosen: c.experiment?.chosen ?? null });
    }
  });

  return {
    runs: compared.map((c, i) => ({
      id: c.run.id,
      name: c.run.name,
      label: labels[i]!,
      method: c.run.config.method,
      lr: c.run.config.lr,
      mix: c.run.mix ? { id: c.run.mix.id, name: c.run.mix.name } : null,
      evalJob: c.job?.id ?? null,
      experiment: c.experiment ? { id: c.experiment.id, name: c.experiment.name, configuration: c.experiment.configuration, chosen: c.experiment.chosen } : null,
    })),
    settingsDiff: diff,
    languages,
    cells,
    heatmap,
    pairs,
    categories,
    learningRates,
    missing,
  };
}

const metricsOf = (aggregates: readonly Aggregate[]): string[] => [...new Set(aggregates.map((a) => a.metric))];

/** A job's items of one metric as a SuiteScore (what compareScores and itemScale read). */
function suiteScore(db: Database, job: ComparedJob, suite: string, metric: string, aggregates: readonly Aggregate[]): SuiteScore {
  const items = itemScores(db, job.id, suite, "tuned", metric).map((r) => ({ id: r.id, language: r.language, scores: { [metric]: r.value } }));
  return { suite, items, aggregates: aggregates.filter((a) => a.metric === metric), excluded: [], notes: [] };
}

/** The per-item values' scale to the aggregates' 0–100, as compareScores reads it (0/1 items: ×100). */
function scaleOf(score: SuiteScore, metric: string): number {
  const values = score.items.map((i) => i.scores[metric]).filter((v): v is number => typeof v === "number");
  return itemScale(score, metric) ?? (values.every((v) => v === 0 || v === 1) ? 100 : 1);
}

/**
 * 002's non-English average: the mean of the languages' cells (what the heatmap's other cells show,
 * a corpus statistic's per-language values included), n their items. Its interval is the stratified
 * bootstrap (each language resampled within itself) from the job's stored replicates, where every cell
 * is the mean of its items; a corpus statistic (SARI) is not, and no stored replicates resample it, so
 * its interval is null.
 */
function nonEnglishPart(db: Database, replicates: ReplicateStore, job: ComparedJob, suite: string, metric: string, aggregates: readonly Aggregate[], wanted: (l: string) => boolean): Part {
  const parts = aggregates.filter((a) => a.metric === metric && a.language !== null && a.language !== english && wanted(a.language));
  if (parts.length === 0) return null;
  const mean = parts.reduce((s, a) => s + a.mean, 0) / parts.length;
  const n = parts.reduce((s, a) => s + a.n, 0);
  const rows = replicatesOf(db, replicates, job, suite, metric, aggregates);
  const groups = parts.map((a) => rows.find((r) => r.language === a.language));
  const itemMeans = groups.every((g, k): g is MeanReplicates => g !== undefined && g.values.length === parts[k]!.n && Math.abs(g.values.reduce((s, v) => s + v, 0) / g.values.length - parts[k]!.mean) <= 1e-9 * Math.max(1, Math.abs(parts[k]!.mean)));
  return { mean, ci95: itemMeans ? stratifiedInterval(groups as MeanReplicates[]) : null, n };
}

/** A job's stored replicates of one metric's tuned items; computed from its item rows and stored for a job scored before m0012. */
function replicatesOf(db: Database, replicates: ReplicateStore, job: ComparedJob, suite: string, metric: string, aggregates: readonly Aggregate[]): MeanReplicates[] {
  const stored = replicates.get(job.id, suite, "tuned", metric);
  if (stored.length > 0) return stored;
  const computed = scoreReplicates(suiteScore(db, job, suite, metric, aggregates), { resamples: job.resamples, seed: job.seed });
  replicates.put(job.id, suite, "tuned", computed);
  return computed.get(metric) ?? [];
}

function categoryMeans(db: Database, job: ComparedJob, suite: string, metric: string, aggregates: readonly Aggregate[], wanted: (l: string | null) => boolean): Array<{ category: string; mean: number; ci95: [number, number] | null; n: number }> {
  const categoryOf = itemCategories(db, job.id, suite, "tuned");
  if (categoryOf.size === 0) return [];
  const score = suiteScore(db, job, suite, metric, aggregates);
  const scale = scaleOf(score, metric);
  const groups = new Map<string, number[]>();
  for (const item of score.items) {
    const category = categoryOf.get(item.id);
    const v = item.scores[metric];
    if (category === undefined || typeof v !== "number" || !wanted(item.language)) continue;
    if (!groups.has(category)) groups.set(category, []);
    groups.get(category)!.push(v * scale);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, values]) => {
      const r = bootstrapMean(values, { resamples: job.resamples, seed: job.seed });
      return { category, mean: r.estimate, ci95: r.ci, n: values.length };
    });
}

/**
 * The run against the reference on the items both scored: compareScores's paired bootstrap, McNemar's p
 * for 0/1 metrics. Where both jobs stored replicates over the same items (equal id hashes, seeds,
 * resamples and scales, per language), the bootstrap is their difference, no resampling; otherwise
 * compareScores resamples the item rows.
 */
function pairedComparisons(db: Database, replicates: ReplicateStore, job: ComparedJob, refJob: ComparedJob, suite: string, metric: string, aggregates: readonly Aggregate[], refAggregates: readonly Aggregate[]): Array<Omit<Pair, "run" | "reference" | "suite">> {
  const stored = pairedFromStored(metric, replicatesOf(db, replicates, job, suite, metric, aggregates), replicatesOf(db, replicates, refJob, suite, metric, refAggregates));
  if (stored) return stored;
  const system = suiteScore(db, job, suite, metric, aggregates);
  const baseline = suiteScore(db, refJob, suite, metric, refAggregates);
  return compareScores(system, baseline, { resamples: job.resamples, seed: job.seed }).map((c) => ({
    metric: c.metric,
    language: c.language,
    n: c.n,
    difference: c.difference,
    ci95: c.ci95,
    p: c.mcnemar ? c.mcnemar.p : c.p,
    test: c.mcnemar ? "McNemar (exact)" : "paired bootstrap",
  }));
}

/** compareScores's rows from two jobs' replicates (overall first, then languages), or null where they were not drawn over the same items. */
function pairedFromStored(metric: string, rows: readonly MeanReplicates[], refRows: readonly MeanReplicates[]): Array<Omit<Pair, "run" | "reference" | "suite">> | null {
  const same = (r: MeanReplicates, q: MeanReplicates | undefined): boolean => q !== undefined && q.language === r.language && q.idsHash === r.idsHash && q.seed === r.seed && q.scale === r.scale && q.replicates.length === r.replicates.length;
  if (rows.length === 0 || rows.length !== refRows.length || !rows.every((r, k) => same(r, refRows[k]))) return null;
  // compareScores's condition: every value of both jobs is 0 or 1 (the overall rows hold them all).
  const binary = rows[0]!.binary && refRows[0]!.binary;
  return rows.map((r, k) => {
    const q = refRows[k]!;
    const boot = pairedFromReplicates(q, r);
    const m = binary ? mcnemar(Array.from(q.values), Array.from(r.values)) : null;
    return { metric, language: r.language, n: boot.n, difference: boot.difference, ci95: boot.ci, p: m ? m.p : boot.p, test: m ? "McNemar (exact)" : "paired bootstrap" };
  });
}
