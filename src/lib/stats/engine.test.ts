import { describe, expect, it } from "vitest";
import { StatsEngine, summarizeCalls } from "./engine";
import type { CallObservation } from "./types";

const MIN = 60_000;
const T0 = 1_700_000_000_000;

function call(over: Partial<CallObservation> & { at: number }): CallObservation {
  return {
    producer: "p1",
    target: "sim:sim-strong",
    promptTokens: 400,
    completionTokens: 100,
    costUsd: 0.001,
    latencyMs: 2_000,
    itemsParsed: 10,
    itemsNew: 6,
    dupExact: 2,
    dupNear: 1,
    junk: 1,
    ...over,
  };
}

/** One call every `everyMs` from `from` to `to`, yield given by a function of minutes since T0. */
function series(from: number, to: number, everyMs: number, over: (minute: number) => Partial<CallObservation>): CallObservation[] {
  const out: CallObservation[] = [];
  for (let at = from + everyMs; at <= to; at += everyMs) out.push(call({ at, ...over((at - T0) / MIN) }));
  return out;
}

describe("summarizeCalls", () => {
  it("computes yields per minute, call, 1k tokens and dollar, and duplicate/junk/error rates", () => {
    const calls = [
      call({ at: T0 + 10_000 }),
      call({ at: T0 + 20_000, itemsNew: 4, itemsParsed: 8, dupExact: 3, dupNear: 0, junk: 1 }),
      call({
        at: T0 + 30_000,
        error: "rate_limit",
        itemsParsed: 0,
        itemsNew: 0,
        dupExact: 0,
        dupNear: 0,
        junk: 0,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        latencyMs: 100,
      }),
      call({
        at: T0 + 40_000,
        error: "server",
        itemsParsed: 0,
        itemsNew: 0,
        dupExact: 0,
        dupNear: 0,
        junk: 0,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        latencyMs: 500,
      }),
    ];
    const s = summarizeCalls(calls, T0, T0 + MIN);
    expect(s).toMatchObject({ calls: 4, okCalls: 2, errors: 2, rateLimits: 1, itemsNew: 10, itemsParsed: 18, costUsd: 0.002, callMs: 4_600 });
    expect(s.errorsByKind).toEqual({ rate_limit: 1, server: 1 });
    expect(s.uniquePerMinute).toBeCloseTo(10);
    expect(s.uniquePerCall).toBeCloseTo(2.5);
    expect(s.uniquePerCallMinute).toBeCloseTo((10 * MIN) / 4_600);
    expect(s.uniquePer1kTokens).toBeCloseTo(10);
    expect(s.uniquePerDollar).toBeCloseTo(5_000);
    expect(s.duplicateRate).toBeCloseTo(6 / 18);
    expect(s.junkRate).toBeCloseTo(2 / 18);
    expect(s.errorRate).toBe(0.5);
    expect(s.rateLimitRate).toBe(0.25);
    expect(s.latencyP50Ms).toBe(1_250);
    expect(s.latencyMeanMs).toBe(1_150);
  });

  it("reports null rates, not zeros, when there is no data", () => {
    const s = summarizeCalls([], T0, T0 + MIN, T0 + 2 * MIN);
    expect(s).toMatchObject({ calls: 0, spanMs: 0, uniquePerMinute: null, uniquePerCall: null, uniquePerDollar: null, errorRate: null, latencyP95Ms: null });
  });

  it("counts junk outside itemsParsed in the candidate total", () => {
    const s = summarizeCalls([call({ at: T0 + 1, itemsParsed: 5, itemsNew: 5, dupExact: 0, dupNear: 0, junk: 5 })], T0, T0 + MIN);
    expect(s.junkRate).toBe(0.5);
  });

  it("gives an unpriced target a null per-dollar yield", () => {
    expect(summarizeCalls([call({ at: T0 + 1, costUsd: 0 })], T0, T0 + MIN).uniquePerDollar).toBeNull();
  });
});

describe("StatsEngine", () => {
  it("keeps 1, 5 and 15 minute windows per target, per producer and overall", () => {
    const engine = new StatsEngine();
    for (const c of series(T0, T0 + 15 * MIN, 10_000, () => ({ target: "a", producer: "p1" }))) engine.add(c);
    for (const c of series(T0 + 14 * MIN, T0 + 15 * MIN, 5_000, () => ({ target: "b", producer: "p2", itemsNew: 2 }))) engine.add(c);
    const snap = engine.snapshot(T0 + 15 * MIN);
    expect(snap.windows.map((w) => w.windowMs)).toEqual([MIN, 5 * MIN, 15 * MIN]);
    const [w1, w5, w15] = snap.windows;
    expect(w1!.byTarget.a!.calls).toBe(6);
    expect(w5!.byTarget.a!.calls).toBe(30);
    expect(w15!.byTarget.a!.calls).toBe(90);
    expect(w15!.byProducer.p2!.calls).toBe(12);
    expect(w15!.overall.calls).toBe(102);
    expect(w1!.byTarget.a!.uniquePerMinute).toBeCloseTo(36);
    // b started just under a minute ago (first call ended at +5 s after 2 s): its rate is not diluted over the 15-minute window.
    expect(w15!.byTarget.b!.spanMs).toBe(MIN - 3_000);
    expect(w15!.byTarget.b!.uniquePerMinute).toBeGreaterThan(20);
  });

  it("forgets calls once they leave every window and the retention horizon", () => {
    const engine = new StatsEngine({ windowsMs: [MIN, 5 * MIN], retainMs: 5 * MIN });
    engine.add(call({ at: T0 }));
    engine.add(call({ at: T0 + 3 * MIN }));
    let snap = engine.snapshot(T0 + 4 * MIN);
    expect(snap.windows[0]!.overall.calls).toBe(0);
    expect(snap.windows[1]!.overall.calls).toBe(2);
    snap = engine.snapshot(T0 + 6 * MIN);
    expect(snap.windows[1]!.overall.calls).toBe(1);
    expect(engine.size).toBe(1);
  });

  it("accepts calls that arrive out of order", () => {
    const engine = new StatsEngine();
    engine.add(call({ at: T0 + 50_000 }));
    engine.add(call({ at: T0 + 10_000, itemsNew: 1 }));
    engine.add(call({ at: T0 + 30_000, itemsNew: 2 }));
    expect(engine.between(T0, T0 + 20_000).itemsNew).toBe(1);
    expect(engine.between(T0 + 20_000, T0 + 40_000).itemsNew).toBe(2);
  });

  it("filters between() by target or producer", () => {
    const engine = new StatsEngine();
    engine.add(call({ at: T0 + 1_000, target: "a", producer: "p1", itemsNew: 3 }));
    engine.add(call({ at: T0 + 2_000, target: "b", producer: "p1", itemsNew: 5 }));
    engine.add(call({ at: T0 + 3_000, target: "b", producer: "p2", itemsNew: 7 }));
    expect(engine.between(T0, T0 + MIN, { target: "b" }).itemsNew).toBe(12);
    expect(engine.between(T0, T0 + MIN, { producer: "p1" }).itemsNew).toBe(8);
    expect(engine.between(T0, T0 + MIN).itemsNew).toBe(15);
  });

  it("rejects an empty window list", () => {
    expect(() => new StatsEngine({ windowsMs: [] })).toThrow(/windowsMs/);
  });
});

describe("trends", () => {
  const snapshotOf = (calls: CallObservation[], now: number) => {
    const engine = new StatsEngine();
    for (const c of calls) engine.add(c);
    return engine.snapshot(now);
  };
  const jitter = (minute: number) => Math.round(Math.sin(minute * 7.3) * 1.5);

  it("sees a provider that degrades mid-run as falling, confidently, with the short window below the long", () => {
    const now = T0 + 15 * MIN;
    const snap = snapshotOf(
      series(T0, now, 5_000, (m) => ({ itemsNew: Math.max(0, (m < 8 ? 10 : 3) + jitter(m)) })),
      now,
    );
    const trend = snap.trends.byTarget["sim:sim-strong"]!;
    expect(trend.direction).toBe("falling");
    expect(trend.confidence).toBeGreaterThan(0.99);
    expect(trend.slopePerMin).toBeLessThan(0);
    expect(trend.shortVsLong).toBeLessThan(0.6);
  });

  it("sees a provider that recovers as rising", () => {
    const now = T0 + 15 * MIN;
    const snap = snapshotOf(
      series(T0, now, 5_000, (m) => ({ itemsNew: Math.max(0, (m < 10 ? 1 : 8) + jitter(m)) })),
      now,
    );
    const trend = snap.trends.byTarget["sim:sim-strong"]!;
    expect(trend.direction).toBe("rising");
    expect(trend.shortVsLong).toBeGreaterThan(1.5);
  });

  it("calls a noisy but steady provider flat", () => {
    const now = T0 + 15 * MIN;
    const snap = snapshotOf(
      series(T0, now, 5_000, (m) => ({ itemsNew: 6 + jitter(m) })),
      now,
    );
    expect(snap.trends.overall.direction).toBe("flat");
    expect(snap.trends.overall.confidence).toBeLessThan(0.9);
  });

  it("has zero confidence with too few calls", () => {
    const now = T0 + MIN;
    const snap = snapshotOf([call({ at: T0 + 1_000 }), call({ at: T0 + 2_000, itemsNew: 1 })], now);
    expect(snap.trends.overall).toMatchObject({ n: 2, confidence: 0, direction: "flat" });
  });
});
