import { describe, expect, it } from "vitest";
import { activeMs, firstStartedAt, parseStretches, startStretch, stopStretch } from "./stretches";

const MIN = 60_000;

describe("a run's stretches", () => {
  it("keep the first start and sum the active time over stop and resume", () => {
    let s = startStretch([], 0);
    s = stopStretch(s, 2 * MIN, "stopped by user");
    s = startStretch(s, 5 * MIN);
    s = stopStretch(s, 6 * MIN, "max entries reached");
    s = startStretch(s, 10 * MIN);
    expect(firstStartedAt(s)).toBe(0);
    expect(activeMs(s, 13 * MIN)).toBe(6 * MIN);
    expect(s.map((x) => x.reason)).toEqual(["stopped by user", "max entries reached", null]);
    expect(activeMs(stopStretch(s, 12 * MIN, "stopped by user"), 99 * MIN)).toBe(5 * MIN);
  });

  it.each([
    [
      "stopping with nothing open changes nothing",
      stopStretch([{ startedAt: 0, stoppedAt: 5, reason: "x" }], 9, "y"),
      [{ startedAt: 0, stoppedAt: 5, reason: "x" }],
    ],
    [
      "a stop before the start (a clock step) counts no time",
      stopStretch([{ startedAt: 10, stoppedAt: null, reason: null }], 4, "x"),
      [{ startedAt: 10, stoppedAt: 10, reason: "x" }],
    ],
    [
      "a stretch whose end was never recorded claims no time when the next starts",
      startStretch([{ startedAt: 10, stoppedAt: null, reason: null }], 50),
      [
        { startedAt: 10, stoppedAt: 10, reason: "end not recorded" },
        { startedAt: 50, stoppedAt: null, reason: null },
      ],
    ],
  ])("%s", (_, got, want) => {
    expect(got).toEqual(want);
  });

  it("reads what it can: a stored value of another shape is no stretches, not a failure", () => {
    expect(parseStretches([{ startedAt: 1, stoppedAt: null, reason: null }])).toHaveLength(1);
    expect(parseStretches("garbage")).toEqual([]);
    expect(parseStretches([{ startedAt: "x" }])).toEqual([]);
    expect(firstStartedAt([])).toBeNull();
  });
});
