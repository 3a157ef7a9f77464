import { PolytuneError } from "../../shared/PolytuneError.js";

/**
 * Splits `total` into whole counts proportional to `weights` (Hamilton's largest-remainder method):
 * each gets the floor of its exact share, and the units left go to the largest fractional parts, ties
 * to the earlier entry, so the counts always sum to `total` and the split is the same on every machine.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0 || !(sum > 0)) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map((x) => Math.floor(x));
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i]! += 1;
    left -= 1;
  }
  return counts;
}

/**
 * Counts proportional to `weights` but never above what each entry has (`available`): an entry whose
 * share exceeds its supply is given all of it and the rest is shared among the others again (water
 * filling), then rounded by largest remainder. Refuses when the supply cannot reach the total.
 */
export function cappedShares(total: number, weights: readonly number[], available: readonly number[], names: readonly string[]): number[] {
  const supply = available.reduce((a, b) => a + b, 0);
  if (supply < total) {
    throw new PolytuneError("mix-too-few", `The languages together have ${supply} examples; the mix needs ${total}.`, {
      where: names.join(", "),
      hint: "Lower the total, add languages or data, or include low-confidence examples.",
    });
  }
  const counts = weights.map(() => 0);
  const open = new Set(weights.map((_, i) => i).filter((i) => available[i]! > 0 && weights[i]! > 0));
  let left = total;
  for (;;) {
    const idx = [...open];
    const shares = idx.map((i) => weights[i]!);
    const sum = shares.reduce((a, b) => a + b, 0);
    const over = idx.filter((i) => (left * weights[i]!) / sum > available[i]!);
    if (over.length === 0) {
      largestRemainder(left, shares).forEach((n, k) => (counts[idx[k]!] = n));
      return counts;
    }
    for (const i of over) {
      counts[i] = available[i]!;
      left -= available[i]!;
      open.delete(i);
    }
  }
}
