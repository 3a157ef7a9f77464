// How a mean, its CI, a difference and a p-value are written, in the CLI, the reports and the UI alike:
// one decimal on the 0–100 scale (the Evaluate area's precision), p as papers print it.

const one = (n: number): string => n.toFixed(1);

/** "62.5 [41.7, 83.3]" (a mean carries its 95% CI); the mean alone when there is no interval. */
export function formatMeanCi(mean: number, ci95: readonly [number, number] | null): string {
  return ci95 ? `${one(mean)} [${one(ci95[0])}, ${one(ci95[1])}]` : one(mean);
}

/** "+12.5" / "−3.0": the sign always written, a true minus sign. */
export function formatDifference(difference: number): string {
  const text = one(Math.abs(difference));
  return text === "0.0" ? "0.0" : `${difference > 0 ? "+" : "−"}${text}`;
}

/** A p-value as papers print it: three decimals, "< 0.001" below that. */
export function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

/** "+37.5 (p = 0.250)", "−3.0 (p < 0.001)", "+1.0" where no test was made. */
export function formatDelta(difference: number, p: number | null): string {
  return `${formatDifference(difference)}${p === null ? "" : ` (p ${p < 0.001 ? "" : "= "}${formatP(p)})`}`;
}
