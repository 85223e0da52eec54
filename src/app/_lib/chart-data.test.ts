import { describe, expect, it } from "vitest";
import {
  buildChartData,
  downsample,
  finalTargets,
  parseSample,
  sampleFromSnapshot,
  splitSessions,
  trailingDupRates,
  withLiveSample,
  type Sample,
} from "./chart-data";

const T0 = 1_700_000_000_000;

function sample(sec: number, over: Partial<Sample> = {}): Sample {
  return {
    at: T0 + sec * 1000,
    totalUnique: 0,
    uniqueLastMinute: 0,
    candidates: 0,
    candidatesLastMinute: 0,
    dupExact: 0,
    dupNear: 0,
    costUsd: 0,
    tokens: 0,
    targets: {},
    weights: {},
    coverage: null,
    estimatedTotal: null,
    coverageMethod: null,
    ...over,
  };
}

describe("reading stored samples", () => {
  it("reads every field and tolerates missing ones", () => {
    const s = parseSample({ at: T0, data: { totalUnique: 10, dupExact: 2, targets: { "sim:a": { unique: 4, uniqueLastMinute: 3 }, bad: 7 } } });
    expect(s).toMatchObject({
      at: T0,
      totalUnique: 10,
      dupExact: 2,
      dupNear: 0,
      costUsd: 0,
      targets: { "sim:a": { unique: 4, uniqueLastMinute: 3, candidatesLastMinute: 0 } },
    });
    expect(Object.keys(s!.targets)).toEqual(["sim:a"]);
  });

  it("drops a sample without a time and survives data that is not an object", () => {
    expect(parseSample({ at: "yesterday", data: {} })).toBeNull();
    expect(parseSample({ at: T0, data: null })?.totalUnique).toBe(0);
  });

  it("reads routing weights and the coverage estimate, skipping bad weights", () => {
    const s = parseSample({ at: T0, data: { weights: { "sim:a": 0.7, "sim:b": 0.3, "sim:c": "x", "sim:d": -1 }, coverage: 0.42, estimatedTotal: 1200 } });
    expect(s).toMatchObject({ weights: { "sim:a": 0.7, "sim:b": 0.3 }, coverage: 0.42, estimatedTotal: 1200 });
    // Samples from before routing have neither.
    expect(parseSample({ at: T0, data: {} })).toMatchObject({ weights: {}, coverage: null, estimatedTotal: null });
  });

  it("turns a live snapshot into a sample with tokens summed", () => {
    const tally = {
      key: "all",
      unique: 5,
      uniqueLastMinute: 5,
      candidates: 9,
      candidatesLastMinute: 9,
      dupExact: 3,
      dupNear: 1,
      costUsd: 0.1,
      promptTokens: 100,
      completionTokens: 50,
    };
    const s = sampleFromSnapshot({ at: T0, totals: tally, targets: [{ ...tally, key: "sim:x" }] });
    expect(s.tokens).toBe(150);
    expect(s.targets["sim:x"]?.unique).toBe(5);
    expect(s).toMatchObject({ weights: {}, coverage: null });
    const routed = sampleFromSnapshot({
      at: T0,
      totals: tally,
      targets: [],
      routing: { weights: { "sim:x": 1 } },
      run: { coverage: { coverage: 0.5, estimatedTotal: 10, method: "zipf" } },
    });
    expect(routed).toMatchObject({ weights: { "sim:x": 1 }, coverage: 0.5, estimatedTotal: 10, coverageMethod: "zipf" });
  });

  it("appends the live sample only when it is newer than the last stored one", () => {
    const stored = [sample(5), sample(0)];
    expect(withLiveSample(stored, sample(5.2)).map((s) => s.at)).toEqual([T0, T0 + 5000]);
    expect(withLiveSample(stored, sample(6)).map((s) => s.at)).toEqual([T0, T0 + 5000, T0 + 6000]);
    expect(withLiveSample([], null)).toEqual([]);
  });
});

describe("sessions", () => {
  it("starts a new session after a long gap or when counters restart", () => {
    const samples = [sample(0, { candidates: 10 }), sample(5, { candidates: 20 }), sample(100, { candidates: 30 }), sample(105, { candidates: 5 })];
    expect(splitSessions(samples).map((s) => s.length)).toEqual([2, 1, 1]);
  });
});

describe("duplicate rate", () => {
  it("is measured over the trailing minute, from zero at the session start", () => {
    const session = [
      sample(0, { candidates: 100, dupExact: 10 }),
      sample(30, { candidates: 200, dupExact: 40 }),
      sample(60, { candidates: 300, dupExact: 90, dupNear: 10 }),
      sample(90, { candidates: 300, dupExact: 90, dupNear: 10 }),
    ];
    const rates = trailingDupRates(session, 60_000);
    expect(rates[0]).toBeCloseTo(0.1);
    expect(rates[1]).toBeCloseTo(0.2);
    // window (0, 60]: 200 candidates, 90 duplicates
    expect(rates[2]).toBeCloseTo(0.45);
    // window (30, 90]: 100 candidates, 60 duplicates
    expect(rates[3]).toBeCloseTo(0.6);
  });

  it("is unknown when no candidates arrived in the window", () => {
    expect(trailingDupRates([sample(0), sample(5)])).toEqual([null, null]);
  });
});

describe("chart rows", () => {
  it("has one series per provider/model with stable ids, safe for keys with dots", () => {
    const data = buildChartData([
      sample(0, {
        totalUnique: 5,
        uniqueLastMinute: 5,
        candidates: 5,
        targets: { "openai:gpt-4.1-mini": { unique: 5, uniqueLastMinute: 5, candidatesLastMinute: 5 } },
      }),
      sample(5, {
        totalUnique: 9,
        uniqueLastMinute: 9,
        candidates: 12,
        dupExact: 3,
        targets: {
          "sim:sim-strong": { unique: 4, uniqueLastMinute: 4, candidatesLastMinute: 4 },
          "openai:gpt-4.1-mini": { unique: 5, uniqueLastMinute: 5, candidatesLastMinute: 5 },
        },
      }),
    ]);
    expect(data.series).toEqual([
      { id: "t0", weightId: "w0", key: "openai:gpt-4.1-mini" },
      { id: "t1", weightId: "w1", key: "sim:sim-strong" },
    ]);
    expect(data.hasWeights).toBe(false);
    expect(data.points).toHaveLength(2);
    expect(data.points[0]).toMatchObject({ totalUnique: 5, uniquePerMinute: 5, dupRate: 0, t0: 5, t1: null });
    expect(data.points[1]).toMatchObject({ totalUnique: 9, t0: 5, t1: 4 });
    expect(data.points[1]!.dupRate).toBeCloseTo(0.25);
  });

  it("charts routing weights per provider/model, 0 for a target left out, a gap before routing existed", () => {
    const data = buildChartData([
      sample(0, { candidates: 1 }),
      sample(5, { candidates: 2, weights: { "sim:a": 0.5, "sim:b": 0.5 } }),
      sample(10, { candidates: 3, weights: { "sim:a": 1 }, targets: { "sim:a": { unique: 1, uniqueLastMinute: 1, candidatesLastMinute: 1 } } }),
    ]);
    expect(data.hasWeights).toBe(true);
    // A routed target with no finished call yet still has a series.
    expect(data.series.map((s) => s.key)).toEqual(["sim:a", "sim:b"]);
    expect(data.points.map((p) => [p.w0, p.w1])).toEqual([
      [null, null],
      [0.5, 0.5],
      [1, 0],
    ]);
  });

  it("breaks the weight lines between sessions too", () => {
    const data = buildChartData([sample(0, { candidates: 1, weights: { "sim:a": 1 } }), sample(600, { candidates: 1, weights: { "sim:a": 1 } })]);
    expect(data.points.map((p) => p.w0)).toEqual([1, null, 1]);
  });

  it("breaks the lines between sessions with a row of nulls", () => {
    const data = buildChartData([sample(0, { totalUnique: 1, candidates: 1 }), sample(600, { totalUnique: 2, candidates: 1 })]);
    expect(data.sessions).toBe(2);
    expect(data.points.map((p) => p.totalUnique)).toEqual([1, null, 2]);
  });

  it("keeps at most the maximum number of points, the last one included", () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({ at: i, totalUnique: i, uniquePerMinute: i }));
    const out = downsample(points, 100);
    expect(out.length).toBeLessThanOrEqual(101);
    expect(out[out.length - 1]!.at).toBe(999);
    expect(out[0]!.at).toBe(0);
  });
});

describe("final targets", () => {
  it("lists the provider/models of the last sample, most productive first", () => {
    const samples = [
      sample(0, {
        targets: { "sim:a": { unique: 3, uniqueLastMinute: 0, candidatesLastMinute: 0 }, "sim:b": { unique: 9, uniqueLastMinute: 0, candidatesLastMinute: 0 } },
      }),
    ];
    expect(finalTargets(samples)).toEqual([
      { key: "sim:b", unique: 9 },
      { key: "sim:a", unique: 3 },
    ]);
    expect(finalTargets([])).toEqual([]);
  });
});
