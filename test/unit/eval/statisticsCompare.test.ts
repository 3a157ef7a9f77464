import { describe, expect, it } from "vitest";
import { aggregate, type MetricSpec } from "../../../electron/engine/eval/aggregate.js";
import { compareScores } from "../../../electron/engine/eval/compareScores.js";
import type { ItemScore, SuiteScore } from "../../../electron/engine/eval/SuiteScore.js";

const metrics: MetricSpec[] = [{ metric: "exact_match", perItem: "fraction" }, { metric: "f1", perItem: "fraction" }];

function suite(items: ItemScore[]): SuiteScore {
  return { suite: "qa", items, aggregates: aggregate(items, metrics, { resamples: 100 }), excluded: [], notes: [] };
}

describe("comparing two systems on the same items", () => {
  // 30 items (q0–q19 German, q20–q29 French). The baseline is right on q0, q1 and q12–q29; the system is
  // wrong on q0, q1 and right on everything else. Discordant pairs: b = 2 (baseline right only: q0, q1),
  // c = 10 (system right only: q2–q11) — McNemar's textbook case b = 10, c = 2 mirrored.
  const n = 30;
  const baseline = suite(Array.from({ length: n }, (_, i) => ({ id: `q${i}`, language: i < 20 ? "de" : "fr", scores: { exact_match: i < 2 || i >= 12 ? 1 : 0, f1: i < 2 || i >= 12 ? 1 : 0.5 } })));
  // System: wrong on q0, q1 (the two the baseline alone gets), right on q2–q11 (the ten it alone gets), same elsewhere.
  const system = suite(Array.from({ length: n }, (_, i) => ({ id: `q${i}`, language: i < 20 ? "de" : "fr", scores: { exact_match: i < 2 ? 0 : 1, f1: i < 2 ? 0.5 : 1 } })));

  it("pairs by id and gives McNemar's exact p for a 0/1 metric (b = 2, c = 10 → 158/4096)", () => {
    const out = compareScores(system, baseline, { resamples: 2000 });
    const em = out.find((c) => c.language === null && c.metric === "exact_match")!;
    // Baseline right on 2 + 18 = 20 of 30 → 66.67; system right on 28 → 93.33; difference 26.67.
    expect(em.n).toBe(30);
    expect(em.baseline).toBeCloseTo(200 / 3, 10);
    expect(em.system).toBeCloseTo(280 / 3, 10);
    expect(em.difference).toBeCloseTo(80 / 3, 10);
    expect(em.mcnemar).toMatchObject({ b: 2, c: 10 });
    expect(em.mcnemar!.p).toBeCloseTo(158 / 4096, 12);
    expect(em.p).toBeLessThan(0.05);
    expect(em.ci95![0]).toBeGreaterThan(0);
  });

  it("puts fractional per-item values on 0–100 as the suite's aggregate does, without McNemar", () => {
    const out = compareScores(system, baseline, { resamples: 500 });
    const f1 = out.find((c) => c.language === null && c.metric === "f1")!;
    // Baseline: 20 items at 1 and 10 at 0.5 → (20 + 5)/30 = 83.33; system: 28 at 1 and 2 at 0.5 → 29/30 = 96.67.
    expect(f1.baseline).toBeCloseTo(2500 / 30, 10);
    expect(f1.system).toBeCloseTo(2900 / 30, 10);
    expect(f1.mcnemar).toBeNull();
  });

  it("compares per language and only items both scored", () => {
    const partial = suite(system.items.filter((i) => i.id !== "q25").map((i) => (i.id === "q24" ? { ...i, scores: { exact_match: null, f1: null } } : i)));
    const out = compareScores(partial, baseline, { resamples: 200 });
    expect(out.map((c) => c.language)).toEqual([null, null, "de", "de", "fr", "fr"]);
    const fr = out.find((c) => c.language === "fr" && c.metric === "exact_match")!;
    // fr items q20–q29, minus q25 (absent) and q24 (null): 8 pairs, all right in both → no difference.
    expect(fr).toMatchObject({ n: 8, baseline: 100, system: 100, difference: 0, p: 1 });
    expect(fr.mcnemar).toMatchObject({ b: 0, c: 0, p: 1 });
  });
});
