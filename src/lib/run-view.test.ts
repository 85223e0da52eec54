import { describe, expect, it } from "vitest";
import { coverageFigures, coverageNow, runView, type RunCounters } from "./run-view";

const counters: RunCounters = {
  unique: 100,
  candidates: 400,
  dupExact: 250,
  dupNear: 40,
  junk: 10,
  calls: 12,
  promptTokens: 900,
  completionTokens: 300,
  costUsd: 0.25,
};
const identity = {
  id: "r1",
  topic: "Rivers",
  slug: "rivers",
  state: "stopped",
  startedAt: 5_000,
  stoppedAt: 9_000,
  stopReason: "stopped by user",
};

describe("one coverage estimate", () => {
  it.each([
    // [fit observed, fit total, found now, expected total]
    [1512, 1812, 1512, 1812],
    // Entries found since the fit add to the total: the unseen part is what the fit estimated.
    [1512, 1812, 1600, 1900],
    // A fit that put the total at what was found then is still not below what is found now.
    [1946, 1946, 1947, 1947],
    // A resumed run found more than a stale stored fit: never below what has been found.
    [100, 120, 5_000, 5_020],
  ])("fit %d of ~%d, %d found now: an estimated %d", (observed, total, found, expected) => {
    const c = coverageNow({ observed, estimatedTotal: total }, found);
    expect(c.estimatedTotal).toBe(expected);
    expect(c.estimatedTotal).toBeGreaterThanOrEqual(found);
    expect(c.coverage).toBeCloseTo(found / expected, 9);
    expect(c.coverage).toBeLessThanOrEqual(1);
  });

  it("moves the band with the entries found since the fit, never below them", () => {
    const c = coverageNow({ observed: 100, estimatedTotal: 150, low: 90, high: 300, method: "zipf" }, 130);
    expect(c).toMatchObject({ found: 130, estimatedTotal: 180, low: 130, high: 330, method: "zipf", fittedOn: 100 });
    expect(coverageNow({ observed: 10, estimatedTotal: 20, low: 15, high: Number.POSITIVE_INFINITY }, 10).high).toBeNull();
  });

  it("prints a percent and a grouped total", () => {
    expect(coverageFigures({ coverage: 0.8344, estimatedTotal: 1812 })).toEqual({ percent: "83%", estimatedTotal: "1,812" });
    expect(coverageFigures({ coverage: 0.001, estimatedTotal: 50_000 }).percent).toBe("under 1%");
  });
});

describe("a run's view", () => {
  const stretches = [
    { startedAt: 1_000, stoppedAt: 2_000, reason: "stopped by user" },
    { startedAt: 3_000, stoppedAt: 4_000, reason: "stopped by user" },
    { startedAt: 5_000, stoppedAt: null, reason: null },
  ];

  it("keeps the first start and sums the active time over the stretches", () => {
    const live = runView({ identity, active: true, stretches, counters, coverage: null, now: 7_000 });
    expect(live).toMatchObject({ firstStartedAt: 1_000, activeMs: 4_000, active: true });
    expect(live.totals).toEqual({ ...counters, tokens: 1_200 });
  });

  it("claims no time for an open stretch no server holds", () => {
    expect(runView({ identity, active: false, stretches, counters, coverage: null, now: 7_000 }).activeMs).toBe(2_000);
  });

  it("takes its coverage from the one estimate, on its own entries", () => {
    const v = runView({ identity, active: false, stretches, counters, coverage: { observed: 80, estimatedTotal: 160 }, now: 0 });
    expect(v.coverage).toEqual(coverageNow({ observed: 80, estimatedTotal: 160 }, 100));
    expect(v.coverage!.estimatedTotal).toBe(180);
  });
});
