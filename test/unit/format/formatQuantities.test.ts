import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatDuration, formatInteger, formatRate } from "../../../electron/shared/formatQuantities.js";

// One formatter for the CLI and the UI: these are the strings both show.
const grouped = (n: number): string => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }).format(n);

describe("formatBytes", () => {
  it("writes binary units with three significant digits", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(15 * 1024 + 512)).toBe("15.5 KiB");
    expect(formatBytes(150 * 1024 * 1024)).toBe("150 MiB");
    expect(formatBytes(7.24 * 1024 ** 3)).toBe("7.24 GiB");
    expect(formatBytes(3 * 1024 ** 5)).toBe("3.00 PiB");
    expect(formatBytes(2048 * 1024 ** 5)).toBe("2048 PiB");
    expect(formatBytes(-1536)).toBe("-1.50 KiB");
  });
  it("writes a dash for what is not known", () => {
    for (const v of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) expect(formatBytes(v)).toBe("—");
  });
});

describe("formatCount and formatInteger", () => {
  it("speaks of large counts as model sizes are spoken of, and writes small ones out", () => {
    expect(formatCount(7_241_732_096)).toBe("7.24B");
    expect(formatCount(4_610_000)).toBe("4.61M");
    expect(formatCount(125_000_000)).toBe("125M");
    expect(formatCount(12_500)).toBe("12.5K");
    expect(formatCount(9_999)).toBe(grouped(9_999));
    expect(formatCount(42)).toBe("42");
    expect(formatCount(-4_610_000)).toBe("-4.61M");
    expect(formatCount(null)).toBe("—");
    expect(formatInteger(32_000)).toBe(grouped(32_000));
    expect(formatInteger(undefined)).toBe("—");
  });
});

describe("formatRate", () => {
  it("keeps two decimals below 10 so slow rates still move", () => {
    expect(formatRate(123.456)).toBe("123.5");
    expect(formatRate(3.14159)).toBe("3.14");
    expect(formatRate(null)).toBe("—");
  });
});

describe("formatDuration", () => {
  it("writes two units at most, to the second", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(59.6)).toBe("1 min 0 s");
    expect(formatDuration(5 * 60 + 3)).toBe("5 min 3 s");
    expect(formatDuration(3600 + 5 * 60 + 59)).toBe("1 h 5 min");
    expect(formatDuration(30 * 3600)).toBe("30 h 0 min");
  });
  it("writes a dash for an unknown or negative span", () => {
    for (const v of [null, undefined, Number.NaN, -1]) expect(formatDuration(v)).toBe("—");
  });
});
