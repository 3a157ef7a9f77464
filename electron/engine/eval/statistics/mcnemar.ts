// McNemar's test for two systems' binary outcomes on the same items: only the discordant items
// count — b (A right, B wrong) and c (A wrong, B right). Under "no difference" each discordant item
// falls either way with probability 1/2, so b ~ Binomial(b + c, 1/2).
import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";

export interface McNemar {
  /** Items A got right and B wrong. */
  b: number;
  /** Items A got wrong and B right. */
  c: number;
  /** Items both got right / both got wrong (reported, not used by the test). */
  bothRight: number;
  bothWrong: number;
  /** Exact two-sided p: min(1, 2 · P[X ≤ min(b, c)]), X ~ Binomial(b + c, 1/2). The p-value reported. */
  p: number;
  /** Edwards' continuity-corrected statistic max(0, |b − c| − 1)² / (b + c); null when b + c = 0. */
  chiSquare: number | null;
  /** Its p-value from χ² with one degree of freedom; null when b + c = 0. */
  chiSquareP: number | null;
}

/** McNemar from the discordant counts (concordant counts only reported). */
export function mcnemarFromCounts(b: number, c: number, concordant: { bothRight?: number; bothWrong?: number } = {}): McNemar {
  for (const [name, v] of [["b", b], ["c", c]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`McNemar count ${name} must be a non-negative integer, got ${v}`);
  }
  const n = b + c;
  const bothRight = concordant.bothRight ?? 0;
  const bothWrong = concordant.bothWrong ?? 0;
  if (n === 0) return { b, c, bothRight, bothWrong, p: 1, chiSquare: null, chiSquareP: null };
  const p = Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
  // The correction never pushes the statistic below 0 (b = c would otherwise give 1/n).
  const chiSquare = Math.max(0, Math.abs(b - c) - 1) ** 2 / n;
  return { b, c, bothRight, bothWrong, p, chiSquare, chiSquareP: 1 - chisquareCdf(chiSquare, 1) };
}

/** McNemar over paired binary outcomes (truthy = correct), item i of A paired with item i of B. */
export function mcnemar(a: readonly (boolean | number)[], b: readonly (boolean | number)[]): McNemar {
  if (a.length !== b.length) throw new RangeError(`paired runs must score the same items: ${a.length} vs ${b.length}`);
  let onlyA = 0;
  let onlyB = 0;
  let bothRight = 0;
  let bothWrong = 0;
  a.forEach((x, i) => {
    const ra = Boolean(x);
    const rb = Boolean(b[i]);
    if (ra && !rb) onlyA++;
    else if (!ra && rb) onlyB++;
    else if (ra) bothRight++;
    else bothWrong++;
  });
  return mcnemarFromCounts(onlyA, onlyB, { bothRight, bothWrong });
}
