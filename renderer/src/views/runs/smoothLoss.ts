/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled
 * towards zero: weight 0 returns the values unchanged, 0.99 follows only the trend.
 */
export function smoothLoss(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let n = 0;
  return values.map((v) => {
    last = last * w + (1 - w) * v;
    n += 1;
    return w === 0 ? v : last / (1 - w ** n);
  });
}

/** Whole-number ticks for a step axis: 1, 2 or 5 × 10^k apart, never fractional steps. */
export function stepTicks(maxStep: number, wanted = 8): number[] {
  if (!(maxStep > 0)) return [0];
  const raw = Math.max(1, maxStep / wanted);
  const power = 10 ** Math.floor(Math.log10(raw));
  const gap = [1, 2, 5, 10].map((m) => m * power).find((g) => g >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t <= maxStep; t += gap) ticks.push(t);
  return ticks;
}
