import { describe, expect, it } from "vitest";
import { aggregate } from "../../../electron/engine/eval/aggregate.js";
import type { ItemScore } from "../../../electron/engine/eval/SuiteScore.js";
import { bootstrapMean, bootstrapNestedMean, bootstrapOverSeeds, bootstrapStatistic, quantileSorted } from "../../../electron/engine/eval/statistics/bootstrap.js";
import { mcnemar, mcnemarFromCounts } from "../../../electron/engine/eval/statistics/mcnemar.js";
import { pairedBootstrap } from "../../../electron/engine/eval/statistics/pairedBootstrap.js";
import { seededRandom } from "../../../electron/engine/random/seededRandom.js";

/** n Bernoulli(p) draws from a seeded generator: a sample whose true mean is known. */
function bernoulli(n: number, p: number, seed: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => (rand() < p ? 1 : 0));
}

describe("quantileSorted (numpy's linear percentile)", () => {
  it("interpolates between closest ranks as np.percentile does", () => {
    // h = (n − 1)·q: for [1, 2, 3, 4], q = 0.25 → h = 0.75 → 1 + 0.75·(2 − 1) = 1.75 (np.percentile(…, 25) = 1.75).
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    // q = 0.975 of [0, 10]: h = 0.975 → 9.75.
    expect(quantileSorted([0, 10], 0.975)).toBeCloseTo(9.75, 12);
    expect(quantileSorted([5], 0.5)).toBe(5);
    expect(quantileSorted([1, 2, 3], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3], 1)).toBe(3);
  });
});

describe("bootstrap over items (percentile method)", () => {
  it("covers a known Bernoulli p with the width the normal approximation predicts", () => {
    // p = 0.3, n = 2000: standard error √(0.3·0.7/2000) = 0.010247; a 95% interval is ±1.96·SE, width ≈ 0.0402.
    const values = bernoulli(2000, 0.3, 7);
    const { estimate, ci } = bootstrapMean(values, { resamples: 2000, seed: 3 });
    expect(ci).not.toBeNull();
    expect(ci![0]).toBeLessThan(0.3);
    expect(ci![1]).toBeGreaterThan(0.3);
    expect(ci![0]).toBeLessThanOrEqual(estimate);
    expect(ci![1]).toBeGreaterThanOrEqual(estimate);
    expect(ci![1] - ci![0]).toBeGreaterThan(0.0402 * 0.85);
    expect(ci![1] - ci![0]).toBeLessThan(0.0402 * 1.15);
  });

  it("covers p in about 95% of repeated experiments", { timeout: 120_000 }, () => {
    // 300 samples of n = 150 from Bernoulli(0.6); the percentile interval should contain 0.6 in ≈ 95% of them
    // (binomial spread over 300 experiments: ±2.5 points; percentile intervals run slightly narrow at small n).
    let covered = 0;
    for (let e = 0; e < 300; e++) {
      const { ci } = bootstrapMean(bernoulli(150, 0.6, 1000 + e), { resamples: 400, seed: e + 1 });
      if (ci![0] <= 0.6 && 0.6 <= ci![1]) covered++;
    }
    expect(covered / 300).toBeGreaterThan(0.9);
    expect(covered / 300).toBeLessThan(0.99);
  });

  it("is deterministic for a seed and changes with it", () => {
    const values = bernoulli(300, 0.5, 11);
    const a = bootstrapMean(values, { resamples: 500, seed: 42 });
    const b = bootstrapMean(values, { resamples: 500, seed: 42 });
    const c = bootstrapMean(values, { resamples: 500, seed: 43 });
    expect(a).toEqual(b);
    expect(c.estimate).toBe(a.estimate);
    expect(c.ci).not.toEqual(a.ci);
  });

  it("gives the percentiles a two-point sample's resampling distribution implies", () => {
    // Values {0, 1}: a resample's mean is 0, 0.5 or 1 with probability 1/4, 1/2, 1/4. The 2.5th percentile falls
    // inside the block of zeros (25% ≫ 2.5%) and the 97.5th inside the block of ones: the interval is [0, 1].
    const { estimate, ci } = bootstrapMean([0, 1], { resamples: 1000, seed: 5 });
    expect(estimate).toBe(0.5);
    expect(ci).toEqual([0, 1]);
  });

  it("has no interval for fewer than two items, and a degenerate one for constant values", () => {
    expect(bootstrapMean([0.7]).ci).toBeNull();
    expect(bootstrapMean([2, 2, 2, 2]).ci).toEqual([2, 2]);
    expect(() => bootstrapMean([])).toThrow(RangeError);
    expect(() => bootstrapMean([1, 2], { resamples: 0 })).toThrow(RangeError);
  });

  it("recomputes a corpus statistic on each resample", () => {
    // A ratio of sums (as corpus-level metrics are): Σ hits / Σ totals over items. On the full sample:
    // (1 + 2 + 3) / (2 + 4 + 6) = 0.5; every item has ratio 0.5, so every resample gives exactly 0.5.
    const hits = [1, 2, 3];
    const totals = [2, 4, 6];
    const ratio = (idx: readonly number[]) => idx.reduce((s, i) => s + hits[i]!, 0) / idx.reduce((s, i) => s + totals[i]!, 0);
    expect(bootstrapStatistic(3, ratio, { resamples: 200 })).toEqual({ estimate: 0.5, ci: [0.5, 0.5] });
  });
});

describe("bootstrap over seeds", () => {
  it("carries the spread between seeds", () => {
    // Seed 0 scores every item 0, seed 1 scores every item 100: a resample's mean is 0, 50 or 100 with
    // probability 1/4, 1/2, 1/4 (two seeds drawn with replacement), so the 95% interval is [0, 100].
    const r = bootstrapOverSeeds([[0, 0, 0, 0], [100, 100, 100, 100]], { resamples: 1000, seed: 2 });
    expect(r.estimate).toBe(50);
    expect(r.ci).toEqual([0, 100]);
    expect(r).toMatchObject({ seeds: 2, items: 4 });
  });

  it("with identical seeds, is as wide as the bootstrap over items alone", () => {
    const items = bernoulli(400, 0.4, 9).map((v) => v * 100);
    const seeds = bootstrapOverSeeds([items, items, items], { resamples: 2000, seed: 4 });
    const plain = bootstrapMean(items, { resamples: 2000, seed: 4 });
    expect(seeds.estimate).toBeCloseTo(plain.estimate, 10);
    const w = (ci: [number, number] | null) => ci![1] - ci![0];
    expect(w(seeds.ci)).toBeGreaterThan(0.85 * w(plain.ci));
    expect(w(seeds.ci)).toBeLessThan(1.15 * w(plain.ci));
  });

  it("refuses runs that scored different items", () => {
    expect(() => bootstrapOverSeeds([[1, 2], [1]])).toThrow(/same items/);
  });
});

describe("two-level bootstrap (items, then each drawn item's seeds)", () => {
  it("carries the spread within items that the item means hide", () => {
    // Two items, each scored 0 under one seed and 1 under the other: both item means are 0.5, so the
    // bootstrap over items alone gives [50, 50]. Drawing each item's two seeds again, a resample's mean is
    // k/4 with k ~ Binomial(4, 1/2): P(0) = P(100) = 1/16 = 6.25% > 2.5%, so the 95% interval is [0, 100].
    const items: ItemScore[] = [
      { id: "a", language: "en", scores: { accuracy: 0.5 }, detail: {} },
      { id: "b", language: "en", scores: { accuracy: 0.5 }, detail: {} },
    ];
    const replicates = [[{ accuracy: 0 }, { accuracy: 1 }], [{ accuracy: 1 }, { accuracy: 0 }]];
    const metric = [{ metric: "accuracy", perItem: "fraction" as const }];
    expect(aggregate(items, metric, { resamples: 1000, seed: 3 })[0]).toMatchObject({ mean: 50, ci95: [50, 50] });
    const [overall] = aggregate(items, metric, { resamples: 1000, seed: 3, replicates });
    expect(overall).toMatchObject({ language: null, n: 2, mean: 50, ci95: [0, 100] });
    // The nested bootstrap's values directly: the same distribution on the 0–1 scale.
    expect(bootstrapNestedMean([[0, 1], [1, 0]], { resamples: 1000, seed: 3 })).toEqual({ estimate: 0.5, ci: [0, 1] });
  });

  it("with one replicate per item is the bootstrap over items, draw for draw", () => {
    const values = bernoulli(60, 0.4, 5);
    expect(bootstrapNestedMean(values.map((v) => [v]), { resamples: 300, seed: 8 })).toEqual(bootstrapMean(values, { resamples: 300, seed: 8 }));
    const items: ItemScore[] = values.map((v, i) => ({ id: String(i), language: i % 2 ? "fr" : "de", scores: { accuracy: v } }));
    const metric = [{ metric: "accuracy", perItem: "fraction" as const }];
    expect(aggregate(items, metric, { resamples: 300, seed: 8, replicates: values.map((v) => [{ accuracy: v }]) })).toEqual(aggregate(items, metric, { resamples: 300, seed: 8 }));
  });

  it("leaves a seed's missing value out of its item and keeps the estimate the item scores' mean", () => {
    // Item a: seeds 1 and null → replicates [1]; item b: seeds 0 and 1 → [0, 1], mean 0.5. Estimate (1 + 0.5) / 2.
    const items: ItemScore[] = [
      { id: "a", language: "en", scores: { em: 1 } },
      { id: "b", language: "en", scores: { em: 0.5 } },
    ];
    const [overall] = aggregate(items, [{ metric: "em", perItem: "fraction" }], { resamples: 200, seed: 1, replicates: [[{ em: 1 }, { em: null }], [{ em: 0 }, { em: 1 }]] });
    expect(overall!.mean).toBeCloseTo(75, 12);
    // A resample's mean is one of (x + y) / 2 with x, y each 1, 0.5, 0 or 1: never outside [0, 100].
    expect(overall!.ci95![0]).toBeGreaterThanOrEqual(0);
    expect(overall!.ci95![1]).toBeLessThanOrEqual(100);
    expect(bootstrapNestedMean([[1], [0, 1]], { resamples: 200, seed: 1 }).estimate).toBe(0.75);
    expect(bootstrapNestedMean([[0, 1]]).ci).toBeNull();
    expect(() => bootstrapNestedMean([])).toThrow(RangeError);
    expect(() => bootstrapNestedMean([[1], []])).toThrow(RangeError);
  });
});

describe("paired bootstrap", () => {
  it("finds no difference between identical runs (p = 1)", () => {
    const a = bernoulli(50, 0.5, 1);
    const r = pairedBootstrap(a, a, { resamples: 500 });
    expect(r.difference).toBe(0);
    expect(r.ci).toEqual([0, 0]);
    // Every resampled difference is 0, and |0 − 0| ≥ |0|: p = (1 + 500) / 501 = 1.
    expect(r.p).toBe(1);
  });

  it("gives the smallest p a finite resampling can show for a constant gain", () => {
    // B is better by exactly 5 on every item: every resampled difference is 5, |5 − 5| ≥ 5 never holds,
    // so p = (1 + 0) / (1000 + 1).
    const a = [10, 20, 30, 40];
    const r = pairedBootstrap(a, a.map((x) => x + 5), { resamples: 1000 });
    expect(r).toMatchObject({ n: 4, meanA: 25, meanB: 30, difference: 5, ci: [5, 5] });
    expect(r.p).toBeCloseTo(1 / 1001, 12);
  });

  it("matches the p-value derived from the resampling distribution of two items", () => {
    // Differences (0, 10), observed d = 5. A resample's mean difference is 0, 5 or 10 with probability
    // 1/4, 1/2, 1/4; |d* − 5| ≥ 5 holds for 0 and 10: p → 1/2 as resamples grow.
    const r = pairedBootstrap([0, 0], [0, 10], { resamples: 8000, seed: 9 });
    expect(r.difference).toBe(5);
    expect(r.p).toBeGreaterThan(0.47);
    expect(r.p).toBeLessThan(0.53);
    expect(r.ci).toEqual([0, 10]);
  });

  it("is significant for a real gain on many items and not for noise", () => {
    const a = bernoulli(500, 0.5, 21);
    const better = a.map((v, i) => (i % 5 === 0 ? 1 : v)); // about 10 points better
    expect(pairedBootstrap(a, better, { resamples: 2000 }).p).toBeLessThan(0.01);
    const other = bernoulli(500, 0.5, 22);
    expect(pairedBootstrap(a, other, { resamples: 2000 }).p).toBeGreaterThan(0.05);
  });
});

describe("McNemar's test", () => {
  it("b = 10, c = 2: exact binomial and continuity-corrected χ² as derived by hand", () => {
    // Exact: n = b + c = 12 discordant items, X ~ Binomial(12, 1/2).
    //   P[X ≤ 2] = (C(12,0) + C(12,1) + C(12,2)) / 2^12 = (1 + 12 + 66) / 4096 = 79/4096;
    //   two-sided p = 2 · 79/4096 = 158/4096 = 0.038574…
    // χ² (Edwards): (|10 − 2| − 1)² / 12 = 49/12 = 4.0833; for 1 degree of freedom the tail is
    //   erfc(√(χ²/2)) = erfc(1.42887) = 0.043308.
    const r = mcnemarFromCounts(10, 2);
    expect(r.p).toBeCloseTo(158 / 4096, 12);
    expect(r.chiSquare).toBeCloseTo(49 / 12, 12);
    expect(r.chiSquareP).toBeCloseTo(0.043308, 5);
  });

  it("is symmetric, gives p = 1 without disagreement, and counts paired outcomes", () => {
    expect(mcnemarFromCounts(2, 10).p).toBeCloseTo(mcnemarFromCounts(10, 2).p, 15);
    expect(mcnemarFromCounts(0, 0)).toMatchObject({ p: 1, chiSquare: null, chiSquareP: null });
    // b = c = 3: P[X ≤ 3], X ~ Bin(6, 1/2) = 42/64, doubled > 1 → 1; χ² corrected to max(0, 0 − 1)² / 6 = 0.
    expect(mcnemarFromCounts(3, 3)).toMatchObject({ p: 1, chiSquare: 0, chiSquareP: 1 });
    // b = 5, c = 0: p = 2 · (1/2)^5 = 0.0625 — five one-sided disagreements are not yet significant.
    expect(mcnemarFromCounts(5, 0).p).toBeCloseTo(0.0625, 12);
    const r = mcnemar([1, 1, 0, 0, 1, 0, 1], [1, 0, 1, 0, 0, 0, 1]);
    expect(r).toMatchObject({ b: 2, c: 1, bothRight: 2, bothWrong: 2 });
    // n = 3, P[X ≤ 1] = (1 + 3)/8 = 1/2, doubled: p = 1.
    expect(r.p).toBe(1);
    expect(() => mcnemar([1], [1, 0])).toThrow(/same items/);
    expect(() => mcnemarFromCounts(-1, 2)).toThrow(RangeError);
  });
});

describe("aggregate", () => {
  const item = (id: string, language: string | null, scores: Record<string, number | null>): ItemScore => ({ id, language, scores });
  const items = [
    item("1", "de", { accuracy: 1, f1: 50 }),
    item("2", "de", { accuracy: 0, f1: 100 }),
    item("3", "fr", { accuracy: 1, f1: null }),
    item("4", "fr", { accuracy: 1 }),
    item("5", null, { accuracy: 0, f1: 0 }),
  ];

  it("gives the overall then per-language means on 0–100, leaving nulls out of n", () => {
    const out = aggregate(items, [{ metric: "accuracy", perItem: "fraction" }, "f1"], { resamples: 200 });
    const get = (language: string | null, metric: string) => out.find((a) => a.language === language && a.metric === metric);
    // accuracy: all (1+0+1+1+0)/5 = 60; de 1/2 = 50; fr 2/2 = 100.
    expect(get(null, "accuracy")).toMatchObject({ n: 5, mean: 60 });
    expect(get("de", "accuracy")).toMatchObject({ n: 2, mean: 50 });
    expect(get("fr", "accuracy")).toMatchObject({ n: 2, mean: 100, ci95: [100, 100] });
    // f1 is per-item 0–100: all (50+100+0)/3 = 50 (items 3 and 4 have none); fr has no f1 at all → no row.
    expect(get(null, "f1")).toMatchObject({ n: 3, mean: 50 });
    expect(get("de", "f1")).toMatchObject({ n: 2, mean: 75 });
    expect(get("fr", "f1")).toBeUndefined();
    expect(out[0]!.language).toBeNull();
    expect(out.map((a) => a.language)).toEqual([null, null, "de", "de", "fr"]);
  });

  it("has no interval for a single item and can skip the per-language rows", () => {
    const out = aggregate([item("x", "de", { accuracy: 1 })], [{ metric: "accuracy", perItem: "fraction" }], { perLanguage: false });
    expect(out).toEqual([{ language: null, metric: "accuracy", n: 1, mean: 100, ci95: null }]);
  });

  it("uses a corpus statistic on the scored items when given one", () => {
    // Corpus statistic: 100 · Σ hits / Σ totals over the items taking part (items 4 and 5 are null, so out).
    // all: (1 + 3 + 2)/(4 + 4 + 4) = 50; de: (1 + 3)/(4 + 4) = 50; fr: 2/4 = 50. Not the mean of the item
    // values (10, 20, 30, whose mean is 20): the item value only marks participation.
    const hits = [1, 3, 2, 0, 0];
    const totals = [4, 4, 4, 0, 0];
    const corpus = (idx: readonly number[]) => (100 * idx.reduce((s, i) => s + hits[i]!, 0)) / idx.reduce((s, i) => s + totals[i]!, 0);
    const scored = [item("1", "de", { sari: 10 }), item("2", "de", { sari: 20 }), item("3", "fr", { sari: 30 }), item("4", "fr", { sari: null }), item("5", "fr", { sari: null })];
    const out = aggregate(scored, [{ metric: "sari", perItem: "percent", corpus }], { resamples: 100 });
    expect(out.find((a) => a.language === null)).toMatchObject({ n: 3, mean: (100 * 6) / 12 });
    expect(out.find((a) => a.language === "de")).toMatchObject({ n: 2, mean: 50 });
    expect(out.find((a) => a.language === "fr")).toMatchObject({ n: 1, mean: 50, ci95: null });
  });
});
