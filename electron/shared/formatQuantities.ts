// How Polytune writes sizes, counts, rates and durations, in the CLI and the UI alike. No Node, no
// DOM: Intl only, which both have.

const byteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
const unknown = "—";

/** Three significant digits: "1.50", "15.0", "150". */
function significant(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** Bytes in binary units with three significant digits ("1.50 KiB", "7.24 GiB"), as memory is sized. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return unknown;
  if (Math.abs(bytes) < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 0 ? "-" : ""}${significant(Math.abs(value))} ${byteUnits[unit]}`;
}

// The reader's own digit grouping, in the terminal as on the page.
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** An exact integer with digit grouping ("32,000"). */
export function formatInteger(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return unknown;
  return integer.format(n);
}

/** Large counts the way model sizes are spoken of ("7.24B", "4.61M", "12.5K"); small ones written out. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return unknown;
  const abs = Math.abs(n);
  const sign = n < 0 ? "-" : "";
  if (abs >= 1e9) return `${sign}${significant(abs / 1e9)}B`;
  if (abs >= 1e6) return `${sign}${significant(abs / 1e6)}M`;
  if (abs >= 1e4) return `${sign}${significant(abs / 1e3)}K`;
  return formatInteger(n);
}

/** Tokens per second with one decimal; rates below 10 keep two so slow CPUs still read as moving. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return unknown;
  return perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2);
}

/** A time span to the second, two units at most ("1 h 5 min", "5 min 3 s", "42 s"). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return unknown;
  const t = Math.round(seconds);
  if (t >= 3600) return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
  if (t >= 60) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${t} s`;
}
