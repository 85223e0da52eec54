import { describe, expect, it } from "vitest";
import { MarginalYield, StopMonitor, stopReason } from "./stop-rules";

describe("stop rules", () => {
  const running = { totalUnique: 10, costUsd: 0.5, elapsedMs: 60_000 };
  it.each([
    [{ maxEntries: 10 }, "reached 10 entries"],
    [{ maxCostUsd: 0.5 }, "reached the $0.5 budget"],
    [{ maxMinutes: 1 }, "ran 1 minute(s)"],
  ])("stops at the user's limit %j", (limits, reason) => {
    expect(stopReason(limits, running)).toBe(reason);
  });

  it("keeps going below every limit and without an optimiser verdict", () => {
    expect(stopReason({ maxEntries: 11, maxCostUsd: 1, maxMinutes: 2 }, running)).toBeNull();
  });

  it("gives the user's limit precedence over the optimiser's verdict", () => {
    expect(stopReason({ maxEntries: 5 }, { ...running, optimizerVerdict: "coverage reached" })).toBe("reached 5 entries");
    expect(stopReason({}, { ...running, optimizerVerdict: "coverage reached" })).toBe("coverage reached");
  });
});

describe("stop by marginal cost", () => {
  const options = { earlyCalls: 10, recentCalls: 20, floorShare: 0.02 };
  const feed = (m: MarginalYield, calls: number, fresh: number, costUsd: number) => {
    for (let i = 0; i < calls; i++) m.observe(fresh, costUsd);
  };

  it.each([
    { name: "calls still finding entries", early: [40, 0.01], recent: [5, 0.01], stop: false },
    { name: "fast calls that find almost nothing (0.11 new a call after 40)", early: [40, 0.01], recent: [0.11, 0.01], stop: true },
    { name: "the same yield at a tenth of the price", early: [40, 0.01], recent: [0.5, 0.001], stop: false },
    { name: "an unpriced local model, judged per call", early: [40, 0], recent: [0.5, 0], stop: true },
  ])("$name: stop $stop", ({ early, recent, stop }) => {
    const m = new MarginalYield(options);
    feed(m, 10, early[0]!, early[1]!);
    feed(m, 20, recent[0]!, recent[1]!);
    expect(m.verdict() !== null).toBe(stop);
  });

  it("waits for its window of recent calls, and says why it stops", () => {
    const m = new MarginalYield(options);
    feed(m, 10, 40, 0.01);
    feed(m, 19, 0, 0.01);
    expect(m.verdict()).toBeNull();
    m.observe(0, 0.01);
    expect(m.verdict()).toMatch(
      /new entries per dollar \(an answer that repeats its prompt's list counts at its trust\) fell to 0.00 over the last 20 calls, under 2% of the run's first 10 calls \(4000.00 per dollar\)/,
    );
  });

  it("counts only the new entries verification does not reject: a run that finds inventions stops", () => {
    // After exhaustion every call still "finds" 5 new entries, but 95 % of them are rejected.
    const m = new MarginalYield(options);
    feed(m, 10, 40, 0.01);
    feed(m, 20, 5, 0.01);
    expect(m.verdict()).toBeNull();
    for (let i = 0; i < 29; i++) m.observeVerdict(i % 20 !== 0);
    expect(m.realShare).toBe(1); // too few verdicts to judge
    m.observeVerdict(true);
    for (let i = 0; i < 170; i++) m.observeVerdict(i % 20 !== 0);
    expect(m.realShare).toBeCloseTo(0.05, 1);
    expect(m.verdict()).toMatch(/counting the \d+% that verification did not reject\), under 2% of the run/);
    // The stricter floor once most verdicts are rejections: 12.5 % of the early yield, 40 % of it likely real.
    const strict = new MarginalYield({ ...options, verifiedFloorShare: 0.1 });
    feed(strict, 10, 40, 0.01);
    feed(strict, 20, 5, 0.01);
    for (let i = 0; i < 100; i++) strict.observeVerdict(i % 5 < 3);
    expect(strict.verdict()).toMatch(/counting the 40% .*under 10% of the run/);
    // Verdicts that keep most entries change nothing.
    const kept = new MarginalYield(options);
    feed(kept, 10, 40, 0.01);
    feed(kept, 20, 5, 0.01);
    for (let i = 0; i < 200; i++) kept.observeVerdict(i % 10 === 0);
    expect(kept.verdict()).toBeNull();
  });

  it("stops the run through the monitor", () => {
    const monitor = new StopMonitor({ marginal: options });
    for (let i = 0; i < 10; i++) monitor.observeCall(40, 0.01);
    for (let i = 0; i < 20; i++) monitor.observeCall(0, 0.01);
    expect(monitor.check(0, { uniquePerMinute: 100 })).toMatchObject({ stop: true, reason: "marginal_cost" });
  });
});
