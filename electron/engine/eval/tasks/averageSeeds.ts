// One item's score from its outputs over several seeds (paper 003 §3.3 samples three and averages):
// each metric's mean over the seeds where it has a value; null when no seed has one (missing, never 0).
import type { ItemScore } from "../SuiteScore.js";

export interface SeedScore {
  seed: number | null;
  scores: Record<string, number | null>;
  detail: Record<string, unknown>;
}

export function averageSeeds(perSeed: readonly SeedScore[]): Record<string, number | null> {
  const metrics = [...new Set(perSeed.flatMap((s) => Object.keys(s.scores)))];
  const out: Record<string, number | null> = {};
  for (const metric of metrics) {
    const values = perSeed.map((s) => s.scores[metric]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    out[metric] = values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
  }
  return out;
}

/** Each item's per-seed scores as kept in `detail.seeds`, for aggregate()'s two-level bootstrap. */
export function seedReplicates(items: readonly ItemScore[]): Array<Array<Record<string, number | null>> | undefined> {
  return items.map((item) => (item.detail?.seeds as SeedScore[] | undefined)?.map((s) => s.scores));
}
