import { describe, expect, it } from "vitest";
import { chao1, estimateCoverage, ReproposalCounter, sampleCoverage, YieldCurve, yieldCurveEstimate, zipfEstimate } from "./coverage";
import { StopMonitor } from "./stop-rules";
import { seededRng } from "./stats/math";
import { sampleUniverse, zipf } from "../../test/helpers/universe-sample";

describe("ReproposalCounter", () => {
  it("maintains the frequency-of-frequencies as entries are re-proposed", () => {
    const c = new ReproposalCounter();
    c.onNew(); // a:1
    c.onNew(); // b:1
    c.onRepeat(1); // a:2
    c.onRepeat(2); // a:3
    c.onNew(); // c:1
    c.onRepeat(1); // b:2
    expect([...c.frequencies]).toEqual([0, 1, 1, 1]);
    expect(c.observed).toBe(3);
    expect(c.samples).toBe(6);
  });

  it("refuses a repeat of a count nobody has", () => {
    const c = new ReproposalCounter();
    c.onNew();
    expect(() => c.onRepeat(2)).toThrow(/no entry/);
    expect(() => c.onRepeat(0)).toThrow(/positive integer/);
  });
});

describe("chao1", () => {
  it("matches the bias-corrected formula", () => {
    // f1 = 10, f2 = 5, f3 = 5: S_obs 20, n 35.
    const est = chao1([0, 10, 5, 5]);
    expect(est.estimatedTotal).toBeCloseTo(20 + ((34 / 35) * 10 * 9) / 12, 6);
    expect(est.low).toBeGreaterThanOrEqual(20);
    expect(est.low).toBeLessThan(est.estimatedTotal);
    expect(est.high).toBeGreaterThan(est.estimatedTotal);
  });

  it("stays finite when nothing was proposed twice (f2 = 0)", () => {
    const est = chao1([0, 8, 0, 1]);
    expect(Number.isFinite(est.estimatedTotal)).toBe(true);
    expect(est.estimatedTotal).toBeGreaterThan(9);
    expect(Number.isFinite(est.high)).toBe(true);
  });

  it("accepts a Map as well as an array", () => {
    expect(
      chao1(
        new Map([
          [1, 10],
          [2, 5],
          [3, 5],
        ]),
      ).estimatedTotal,
    ).toBeCloseTo(chao1([0, 10, 5, 5]).estimatedTotal, 9);
  });

  it("is accurate when proposals really are uniform draws", () => {
    const counter = sampleUniverse(zipf(2_000, 0), 1_000, 5);
    const est = chao1(counter.frequencies);
    expect(Math.abs(est.estimatedTotal / 2_000 - 1)).toBeLessThan(0.1);
    expect(est.low).toBeLessThan(2_000);
    expect(est.high).toBeGreaterThan(2_000);
  });
});

describe("estimateCoverage", () => {
  it("handles no data and no repeats", () => {
    expect(estimateCoverage([])).toMatchObject({ observed: 0, estimatedTotal: 0, coverage: 0 });
    const fresh = estimateCoverage([0, 30]);
    expect(fresh.coverage).toBeLessThan(0.1);
    expect(fresh.sampleCoverage).toBe(0);
  });

  it("reports nearly full coverage once every entry was proposed many times", () => {
    const est = estimateCoverage([0, 0, 0, 0, 0, 50]);
    expect(est.coverage).toBe(1);
    expect(est.sampleCoverage).toBe(1);
  });

  it("corrects the skew bias: Zipf over 2,000 entries, stopped at half found, lands within 20%", () => {
    const counter = sampleUniverse(zipf(2_000, 1), 1_000, 1);
    const est = estimateCoverage(counter.frequencies);
    expect(est.method).toBe("zipf");
    expect(Math.abs(est.estimatedTotal / 2_000 - 1)).toBeLessThan(0.2);
    expect(est.low).toBeLessThanOrEqual(2_000);
    expect(est.high).toBeGreaterThanOrEqual(2_000);
    expect(est.coverage).toBeGreaterThan(0.4);
    expect(est.coverage).toBeLessThan(0.6);
    expect(est.zipfExponent).toBeCloseTo(1, 1);
  });

  it.each([0.8, 1.0, 1.2])("stays accurate over many runs with Zipf exponent %s (RMS error, band coverage)", (s) => {
    const seeds = 12;
    const errors: number[] = [];
    let inBand = 0;
    for (let seed = 100; seed < 100 + seeds; seed++) {
      const est = estimateCoverage(sampleUniverse(zipf(2_000, s), 1_000, seed).frequencies);
      errors.push(est.estimatedTotal / 2_000 - 1);
      if (est.low <= 2_000 && est.high >= 2_000) inBand++;
    }
    const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / seeds);
    expect(rms).toBeLessThan(0.1);
    // About 1 run in 100 misses by more than 20% at s = 1.2 (sampling noise, not bias).
    expect(errors.filter((e) => Math.abs(e) < 0.2).length).toBeGreaterThanOrEqual(seeds - 1);
    expect(inBand).toBeGreaterThanOrEqual(seeds - 2);
  });

  it("Chao1 alone is biased low on Zipf data (the reason for the correction)", () => {
    const counter = sampleUniverse(zipf(2_000, 1), 1_000, 1);
    expect(chao1(counter.frequencies).estimatedTotal).toBeLessThan(0.9 * 2_000);
  });

  it("agrees with Chao1 on uniform data", () => {
    const counter = sampleUniverse(zipf(2_000, 0), 1_000, 6);
    const est = estimateCoverage(counter.frequencies);
    expect(Math.abs(est.estimatedTotal / 2_000 - 1)).toBeLessThan(0.1);
    expect(est.zipfExponent ?? 0).toBeLessThan(0.3);
  });

  it("falls back to Chao1 when popularity drops faster than a power law", () => {
    const steep = Array.from({ length: 2_000 }, (_, i) => Math.exp(-i / 400));
    const counter = sampleUniverse(steep, 1_700, 7);
    const est = estimateCoverage(counter.frequencies);
    expect(est.method).toBe("chao1");
    expect(est.estimatedTotal).toBeGreaterThanOrEqual(chao1(counter.frequencies).estimatedTotal);
  });

  it("uses Chao1 until there are enough repeats to fit", () => {
    expect(estimateCoverage([0, 40, 5, 2]).method).toBe("chao1");
  });

  // Its speed is measured by bench/timings.ts (`npm run bench:timings`), not asserted here.
  it("fits a large run", () => {
    const counter = sampleUniverse(zipf(60_000, 1), 20_000, 8);
    const z = zipfEstimate(counter.frequencies);
    expect(Math.abs(z.estimatedTotal / 60_000 - 1)).toBeLessThan(0.25);
  });

  it("computes Good-Turing sample coverage", () => {
    // n = 35, f1 = 10, f2 = 5: 1 - 10/35 · (34·10 / (34·10 + 10)).
    expect(sampleCoverage([0, 10, 5, 5])).toBeCloseTo(1 - (10 / 35) * (340 / 350), 9);
  });
});

/**
 * Two models calling in turn on a universe of `size`: the broad one knows all of it, the narrow
 * one the first `narrow` entries; each call asks for 40 and draws uniformly from what its model
 * knows, so the narrow model runs dry first.
 */
function twoModelRun(size: number, narrow: number, calls: number, seed: number): { curve: YieldCurve; found: number } {
  const rng = seededRng(seed);
  const seen = new Uint8Array(size);
  const curve = new YieldCurve();
  let found = 0;
  for (let i = 0; i < calls; i++) {
    const [target, known] = i % 2 === 0 ? (["broad", size] as const) : (["narrow", narrow] as const);
    const before = found;
    let fresh = 0;
    for (let k = 0; k < 40; k++) {
      const r = Math.floor(rng() * known);
      if (seen[r] === 0) {
        seen[r] = 1;
        fresh++;
        found++;
      }
    }
    curve.add(target, before, fresh, 40);
  }
  return { curve, found };
}

describe("yield curve", () => {
  it("extrapolates the broadest target's discovery rate to where it runs dry", () => {
    const { curve, found } = twoModelRun(4_000, 1_000, 110, 3);
    expect(found).toBeGreaterThan(1_700);
    expect(found).toBeLessThan(2_300);
    const est = yieldCurveEstimate(curve, found)!;
    expect(est.target).toBe("broad");
    // A uniform draw decays like (1 - U/S), not (1 - U/S)²: the fit sits above the truth, not below it.
    expect(est.estimatedTotal).toBeGreaterThan(4_000);
    expect(est.estimatedTotal).toBeLessThan(4_000 * 2);
    // The narrow model alone says the topic is nearly done.
    const narrowOnly = new YieldCurve();
    for (const p of curve.points("narrow")) narrowOnly.add("narrow", p.found, p.rate * p.weight, p.weight);
    expect(yieldCurveEstimate(narrowOnly, found)!.estimatedTotal).toBeLessThan(1.5 * found);
  });

  it("waits for a few calls of a target before trusting its curve", () => {
    const curve = new YieldCurve();
    curve.add("a", 0, 40, 40);
    expect(yieldCurveEstimate(curve, 40)).toBeNull();
  });

  it("blends with the re-proposal estimate as their geometric mean, inside a band spanning both", () => {
    const freqs = sampleUniverse(zipf(2_000, 1.3), 1_000, 2).frequencies;
    const alone = estimateCoverage(freqs);
    const { curve } = twoModelRun(4_000, 1_000, 110, 3);
    const blended = estimateCoverage(freqs, { yieldCurve: curve });
    const fromCurve = yieldCurveEstimate(curve, 1_000)!.estimatedTotal;
    expect(fromCurve).toBeGreaterThan(alone.estimatedTotal);
    expect(blended.method).toBe("blend");
    expect(blended.estimatedTotal).toBeCloseTo(Math.sqrt(alone.estimatedTotal * fromCurve), 6);
    expect(blended.parts).toMatchObject({ reproposals: alone.estimatedTotal, yieldCurve: fromCurve });
    expect(blended.low).toBe(alone.low);
    expect(blended.high).toBeGreaterThanOrEqual(fromCurve);
    expect(blended.coverage).toBeCloseTo(1_000 / blended.estimatedTotal, 9);
  });

  it("ignores a curve that runs dry below the re-proposal estimate", () => {
    const freqs = sampleUniverse(zipf(2_000, 1), 1_000, 1).frequencies;
    const curve = new YieldCurve();
    for (let i = 0; i < 10; i++) curve.add("a", 900 + 10 * i, 0, 40);
    expect(estimateCoverage(freqs, { yieldCurve: curve })).toEqual(estimateCoverage(freqs));
  });

  // Fit time: bench/timings.ts.
  it("keeps memory bounded on a 100k-entry run", () => {
    const curve = new YieldCurve();
    for (let i = 0; i < 20_000; i++) curve.add(i % 3 === 0 ? "a" : i % 3 === 1 ? "b" : "c", i * 5, 5, 40);
    for (const t of curve.targets()) expect(curve.points(t).length).toBeLessThanOrEqual(YieldCurve.MAX_BINS);
    expect(curve.calls().a).toBe(6_667);
    expect(yieldCurveEstimate(curve, 100_000)).not.toBeNull();
  });
});

describe("StopMonitor", () => {
  const est = (coverage: number, high = 2_000) => ({
    observed: 1_000,
    samples: 3_000,
    estimatedTotal: 1_000 / coverage,
    low: 1_000,
    high,
    coverage,
    sampleCoverage: 0.9,
    method: "zipf" as const,
  });

  it("stops at the requested estimated coverage", () => {
    const m = new StopMonitor({ stopAtCoverage: 0.8 });
    expect(m.check(0, { coverage: est(0.7), uniquePerMinute: 50 }).stop).toBe(false);
    expect(m.check(1, { coverage: est(0.81), uniquePerMinute: 50 })).toMatchObject({ stop: true, reason: "coverage" });
  });

  it("can judge coverage by the upper end of the band", () => {
    const m = new StopMonitor({ stopAtCoverage: 0.8, conservative: true });
    expect(m.check(0, { coverage: est(0.85, 1_400), uniquePerMinute: 50 }).stop).toBe(false);
    expect(m.check(0, { coverage: est(0.9, 1_200), uniquePerMinute: 50 }).stop).toBe(true);
  });

  it("stops when the yield stays below the threshold for the whole window, not after a dip", () => {
    const m = new StopMonitor({ minUniquePerMinute: 5, lowYieldWindowMs: 600_000 });
    expect(m.check(0, { uniquePerMinute: 2 }).stop).toBe(false);
    expect(m.check(300_000, { uniquePerMinute: 2 }).stop).toBe(false);
    expect(m.check(400_000, { uniquePerMinute: 9 }).stop).toBe(false); // recovered: the clock restarts
    expect(m.check(500_000, { uniquePerMinute: 1 }).stop).toBe(false);
    expect(m.check(1_000_000, { uniquePerMinute: 1 }).stop).toBe(false);
    expect(m.check(1_100_000, { uniquePerMinute: 1 })).toMatchObject({ stop: true, reason: "low_yield" });
  });

  it("does not treat missing data as low yield", () => {
    const m = new StopMonitor({ minUniquePerMinute: 5, lowYieldWindowMs: 1_000 });
    expect(m.check(0, { uniquePerMinute: null }).stop).toBe(false);
    expect(m.check(5_000, { uniquePerMinute: null }).stop).toBe(false);
  });

  it("validates its target", () => {
    expect(() => new StopMonitor({ stopAtCoverage: 80 })).toThrow(/stopAtCoverage/);
  });
});
