import { describe, expect, it } from "vitest";
import { DASH, formatAgo, formatCompact, formatDuration, formatElapsed, formatInt, formatMb, formatPercent, formatRate, formatUsd } from "./format";

describe("number formatting", () => {
  it.each([
    [0, "0"],
    [12345, "12,345"],
    [12.6, "13"],
    [null, DASH],
    [undefined, DASH],
    [Number.NaN, DASH],
    [Number.POSITIVE_INFINITY, DASH],
  ])("formatInt(%s) = %s", (n, out) => expect(formatInt(n)).toBe(out));

  it.each([
    [9_999, "9,999"],
    [12_345, "12.3k"],
    [123_456, "123k"],
    [5_600_000, "5.6M"],
    [250_000_000, "250M"],
    [2_000_000_000, "2B"],
  ])("formatCompact(%s) = %s", (n, out) => expect(formatCompact(n)).toBe(out));

  it.each([
    [0, "$0.00"],
    [0.00421, "$0.0042"],
    [0.42, "$0.42"],
    [12.3, "$12.30"],
    [1234.5, "$1,235"],
    [null, DASH],
  ])("formatUsd(%s) = %s", (n, out) => expect(formatUsd(n)).toBe(out));

  it("formats ratios as percentages and tolerates a missing ratio", () => {
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatPercent(1)).toBe("100.0%");
    expect(formatPercent(null)).toBe(DASH);
  });

  it.each([
    [0, "0"],
    [0.01234, "0.0123"],
    [0.5, "0.5"],
    [1.234, "1.23"],
    [12.34, "12.3"],
    [123.4, "123"],
    [12345, "12,345"],
  ])("formatRate(%s) = %s", (n, out) => expect(formatRate(n)).toBe(out));
});

describe("time formatting", () => {
  it.each([
    [0, "0:00"],
    [65_000, "1:05"],
    [3_725_000, "1:02:05"],
    [2 * 86_400_000 + 3 * 3_600_000, "2d 03:00:00"],
    [-1, DASH],
  ])("formatElapsed(%s) = %s", (ms, out) => expect(formatElapsed(ms)).toBe(out));

  it.each([
    [950, "950 ms"],
    [4_200, "4.2 s"],
    [42_000, "42 s"],
    [125_000, "2m 5s"],
    [3 * 3_600_000, "3h 0m"],
    [26 * 3_600_000, "1d 2h"],
  ])("formatDuration(%s) = %s", (ms, out) => expect(formatDuration(ms)).toBe(out));

  it("says how long ago, in coarse units", () => {
    const now = 1_000_000_000_000;
    expect(formatAgo(now - 1_000, now)).toBe("just now");
    expect(formatAgo(now - 30_000, now)).toBe("30 s ago");
    expect(formatAgo(now - 5 * 60_000, now)).toBe("5 min ago");
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe("3 h ago");
  });

  it("formats memory in MB and GB", () => {
    expect(formatMb(48.25)).toBe("48.3 MB");
    expect(formatMb(1536)).toBe("1.5 GB");
    expect(formatMb(null)).toBe(DASH);
  });
});
