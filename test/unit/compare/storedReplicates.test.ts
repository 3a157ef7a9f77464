// The stored-replicate path (m0012) against the direct computations it replaces: the paired bootstrap
// on the same items gives the same interval and p, a non-English average of one language the plain
// bootstrap of its items; replicates are written with the scores, made lazily for older jobs; a corpus
// metric's non-English average is the mean of its cells, with no interval.
import { afterEach, describe, expect, it } from "vitest";
import { compareRuns } from "../../../electron/engine/compare/compareRuns.js";
import { aggregate } from "../../../electron/engine/eval/aggregate.js";
import { EvalStore } from "../../../electron/engine/eval/job/EvalStore.js";
import { bootstrapMean } from "../../../electron/engine/eval/statistics/bootstrap.js";
import { meanReplicates, pairedFromReplicates, stratifiedInterval } from "../../../electron/engine/eval/statistics/meanReplicates.js";
import { pairedBootstrap } from "../../../electron/engine/eval/statistics/pairedBootstrap.js";
import { seededRandom } from "../../../electron/engine/random/seededRandom.js";
import { makeTempDir } from "../../support/tempDir.js";
import { bootstrapSeed, buildCompareFixture, itemIds, resamples, scores, type CompareFixture } from "./compareFixture.js";

let tmp = makeTempDir();
let fx: CompareFixture | undefined;
afterEach(() => {
  fx?.db.close();
  fx = undefined;
  tmp.cleanup();
  tmp = makeTempDir();
});

const expectCiClose = (got: [number, number] | null, want: [number, number] | null) => {
  expect(got === null).toBe(want === null);
  if (got && want) for (const k of [0, 1]) expect(got[k]).toBeCloseTo(want[k]!, 9);
};

/** Items of one language with ids in shuffled order (the replicates sort them), values from `value`. */
function items(language: string, n: number, value: (i: number) => number) {
  return Array.from({ length: n }, (_, i) => ({ id: `${language}-${String(i).padStart(4, "0")}`, language, scores: { m: value(i) } })).reverse();
}

describe("stored replicates", () => {
  it("give the paired bootstrap's interval and p on the same items, and the plain and stratified bootstraps", () => {
    const rand = seededRandom(3);
    const a = items("de", 300, () => 40 * rand());
    const b = items("de", 300, () => 45 * rand());
    const options = { resamples: 500, seed: 11 };
    const [ra] = meanReplicates(a, ["m"], () => 1, options).get("m")!;
    const [rb] = meanReplicates(b, ["m"], () => 1, options).get("m")!;
    const sorted = (xs: typeof a) => xs.slice().sort((x, y) => (x.id < y.id ? -1 : 1)).map((x) => x.scores.m);
    const direct = pairedBootstrap(sorted(a), sorted(b), options);
    const stored = pairedFromReplicates(ra!, rb!);
    expect(stored.difference).toBe(direct.difference);
    expect(stored.p).toBe(direct.p);
    expectCiClose(stored.ci, direct.ci);
    expect(direct.p).toBeGreaterThan(0);
    expect(direct.p).toBeLessThan(1);

    // One language: exactly bootstrapMean's interval. Two of equal size share their draws, so the
    // stratified average is the plain bootstrap of the per-position average.
    expect(stratifiedInterval([ra!])).toEqual(bootstrapMean(sorted(a), options).ci);
    const c = items("fr", 300, (i) => (i % 3 === 0 ? 100 : 0));
    const [rc] = meanReplicates(c, ["m"], () => 1, options).get("m")!;
    const perPosition = sorted(a).map((v, i) => (v + sorted(c)[i]!) / 2);
    expectCiClose(stratifiedInterval([ra!, rc!]), bootstrapMean(perPosition, options).ci);
  });

  it("are written with the scores, used for the pairs, and made lazily (the same) for a job scored before them", () => {
    fx = buildCompareFixture(tmp.dir);
    const rows = (job: string) => fx!.db.prepare("SELECT metric, language, ids_hash, length(replicates_blob) AS bytes FROM eval_replicates WHERE job_id = ? AND system = 'tuned' ORDER BY metric, language").all(job) as Array<{ metric: string; language: string; ids_hash: string; bytes: number }>;
    const stored = rows(fx.jobs.B);
    expect(stored.map((r) => `${r.metric}:${r.language}`)).toEqual(["language_correctness:", "language_correctness:en", "language_correctness:fr", "spelling:", "spelling:en", "spelling:fr"]);
    expect(stored.every((r) => r.bytes === 8 * resamples)).toBe(true);
    // A and B scored the same items for language correctness (equal hashes): paired from the replicates,
    // the interval of the direct paired bootstrap over the items sorted by id.
    expect(rows(fx.jobs.A).find((r) => r.metric === "language_correctness" && r.language === "fr")!.ids_hash).toBe(stored.find((r) => r.metric === "language_correctness" && r.language === "fr")!.ids_hash);
    const deps = { runs: fx.runs, experimentOf: () => null };
    const first = compareRuns(fx.db, { runs: ["run-a", "run-b"] }, deps);
    const lc = (run: "A" | "B", language: string) => scores[run].filter((_, i) => itemIds[i]!.startsWith(language)).map((x) => x.language_correctness * 100);
    const fr = first.pairs.find((p) => p.metric === "language_correctness" && p.language === "fr")!;
    expectCiClose(fr.ci95, pairedBootstrap(lc("A", "fr"), lc("B", "fr"), { resamples, seed: bootstrapSeed }).ci);
    // A job scored before m0012 has no rows: the first comparison makes and keeps them, the same numbers.
    fx.db.prepare("DELETE FROM eval_replicates").run();
    fx.db.prepare("DELETE FROM compare_stats").run();
    expect(compareRuns(fx.db, { runs: ["run-a", "run-b"] }, deps)).toEqual(first);
    expect(rows(fx.jobs.B)).toEqual(stored);
    // The language-correctness pairs come from the replicates alone: without the item rows' scores
    // (and the kept statistics) they are the same.
    fx.db.prepare("DELETE FROM compare_stats").run();
    fx.db.prepare("UPDATE eval_items SET scores_json = NULL").run();
    const lcPairs = (r: typeof first) => r.pairs.filter((p) => p.metric === "language_correctness");
    expect(lcPairs(compareRuns(fx.db, { runs: ["run-a", "run-b"], metrics: ["language_correctness"] }, deps))).toEqual(lcPairs(first));
  });

  it("average a corpus metric's non-English cells as they are, with no interval", () => {
    fx = buildCompareFixture(tmp.dir);
    // Job B rescored with spelling as a corpus statistic (here the best item of the group): its cells
    // are not means of their items, so no stored replicates resample them.
    const best = (values: Array<number | null>) => (idx: readonly number[]) => Math.max(...idx.map((i) => values[i]!));
    const scored = itemIds.map((id, i) => ({ id, language: id.slice(0, 2), scores: scores.B[i]! }));
    const spelling = scored.map((x) => x.scores.spelling);
    const aggregates = aggregate(scored, [{ metric: "language_correctness", perItem: "fraction" }, { metric: "spelling", perItem: "percent", corpus: best(spelling) }], { resamples, seed: bootstrapSeed });
    new EvalStore(fx.db).saveScore(fx.jobs.B, "open", "tuned", { suite: "open", items: scored, aggregates, excluded: [], notes: [] }, []);
    const result = compareRuns(fx.db, { runs: ["run-a", "run-b"] }, { runs: fx.runs, experimentOf: () => null });
    const heat = (metric: string) => result.heatmap.find((h) => h.run === fx!.ids.B && h.metric === metric)!;
    const cell = (language: string) => aggregates.find((a) => a.metric === "spelling" && a.language === language)!;
    expect(cell("fr").mean).toBe(70);
    expect(heat("spelling").english).toEqual({ mean: cell("en").mean, ci95: cell("en").ci95, n: 4 });
    expect(heat("spelling").nonEnglish).toEqual({ mean: 70, ci95: null, n: 4 });
    // A per-item metric of the same job keeps its stratified interval.
    const frB = scores.B.slice(4).map((x) => x.language_correctness * 100);
    expect(heat("language_correctness").nonEnglish).toEqual({ mean: 75, ci95: bootstrapMean(frB, { resamples, seed: bootstrapSeed }).ci, n: 4 });
  });
});
