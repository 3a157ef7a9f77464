/** Tokens per second with one decimal; rates below 10 keep two so slow CPUs still read as moving. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return "—";
  return perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}
