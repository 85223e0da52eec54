import { describe, expect, it } from "vitest";
import { StatsEngine } from "../stats/engine";
import { seededRng } from "../stats/math";
import type { CallObservation } from "../stats/types";
import { adaptiveWeights, discountedEvidence } from "./adaptive";
import { createRouter, type RouterConfig } from "./router";
import { simulateRouting, type SimTargetModel } from "./simulate";

const MIN = 60_000;
const STRONG = "sim:sim-strong";
const WEAK = "sim:sim-weak";

function run(models: SimTargetModel[], durationMs: number, config: Partial<RouterConfig> = {}, seed = 1) {
  const router = createRouter({ strategy: "adaptive", targets: models.map((m) => ({ target: m.target })), ...config }, seededRng(seed));
  const sim = simulateRouting({ router, models, producers: 8, durationMs, rng: seededRng(seed + 100) });
  return { router, sim };
}

const strong: SimTargetModel = { target: STRONG, yieldPerCall: 8, latencyMs: 4_000, costPerCallUsd: 0.004 };
const weak: SimTargetModel = { target: WEAK, yieldPerCall: 3, latencyMs: 4_000, costPerCallUsd: 0.002 };

describe("adaptive routing (simulation)", () => {
  it("shifts most traffic to the strong target and keeps exploring the weak one", () => {
    const { router, sim } = run([strong, weak], 20 * MIN);
    const late = sim.shares(5 * MIN, 20 * MIN);
    expect(late[STRONG]).toBeGreaterThan(0.85);
    expect(late[WEAK]).toBeGreaterThanOrEqual(0.04);
    expect(sim.shares(0, 2 * MIN)[STRONG]).toBeGreaterThan(0.7);
    expect(router.weights()[WEAK]).toBeGreaterThanOrEqual(0.05);
    const pool = router.assign(8);
    expect(pool[STRONG]).toBe(7);
    expect(pool[WEAK]).toBe(1);
  });

  it("moves away from a target that degrades mid-run, and back when it recovers", () => {
    const flaky: SimTargetModel = { ...strong, yieldPerCall: (t) => (t >= 8 * MIN && t < 16 * MIN ? 1 : 8) };
    const steady: SimTargetModel = { ...weak, yieldPerCall: 4 };
    const { sim } = run([flaky, steady], 24 * MIN);
    expect(sim.shares(2 * MIN, 8 * MIN)[STRONG]).toBeGreaterThan(0.85);
    expect(sim.shares(11 * MIN, 16 * MIN)[STRONG]).toBeLessThan(0.2);
    // Only the exploration share kept it in view; it must win the traffic back within a few minutes.
    expect(sim.shares(18 * MIN, 24 * MIN)[STRONG]).toBeGreaterThan(0.85);
  });

  it("takes weight from a target whose calls are rate limited", () => {
    const limited: SimTargetModel = { ...strong, yieldPerCall: 5, costPerCallUsd: 0.002, errorRate: 0.4, errorKind: "rate_limit", errorLatencyMs: 300 };
    const fine: SimTargetModel = { ...weak, yieldPerCall: 5 };
    const { sim } = run([limited, fine], 10 * MIN);
    expect(sim.shares(3 * MIN, 10 * MIN)[STRONG]).toBeLessThan(0.25);
  });

  it("optimises the configured objective: per minute favours the fast target, per dollar the cheap one", () => {
    const fast: SimTargetModel = { target: "fast", yieldPerCall: 6, latencyMs: 2_000, costPerCallUsd: 0.01 };
    const cheap: SimTargetModel = { target: "cheap", yieldPerCall: 6, latencyMs: 8_000, costPerCallUsd: 0.001 };
    const perMinute = run([fast, cheap], 10 * MIN, { adaptive: { objective: "per_minute" } }).sim.shares(3 * MIN, 10 * MIN);
    const perDollar = run([fast, cheap], 10 * MIN, { adaptive: { objective: "per_dollar" } }).sim.shares(3 * MIN, 10 * MIN);
    expect(perMinute.fast).toBeGreaterThan(0.8);
    expect(perDollar.cheap).toBeGreaterThan(0.8);
  });

  it("is deterministic for a seed", () => {
    const a = run([strong, weak], 5 * MIN, {}, 3);
    const b = run([strong, weak], 5 * MIN, {}, 3);
    expect(a.sim.updates.map((u) => u.update.weights)).toEqual(b.sim.updates.map((u) => u.update.weights));
  });

  it("records few decisions once settled, each with its reason and inputs", () => {
    const { sim } = run([strong, weak], 20 * MIN);
    const settled = sim.updates.filter((u) => u.at >= 5 * MIN);
    expect(settled.filter((u) => u.update.changed).length).toBeLessThan(settled.length * 0.1);
    const first = sim.updates.find((u) => u.update.changed)!;
    expect(first.update.reason).toMatch(/sim:sim-strong is best by blend/);
    expect(first.update.inputs).toHaveProperty("posterior");
    expect(first.update.inputs).toHaveProperty(["posterior", STRONG, "pBest"]);
  });
});

describe("adaptiveWeights", () => {
  const obs = (target: string, at: number, itemsNew: number, error?: CallObservation["error"]): CallObservation => ({
    at,
    producer: "p1",
    target,
    promptTokens: 100,
    completionTokens: 100,
    costUsd: error ? 0 : 0.001,
    latencyMs: 3_000,
    itemsParsed: itemsNew,
    itemsNew,
    dupExact: 0,
    dupNear: 0,
    junk: 0,
    ...(error ? { error } : {}),
  });

  it("gives equal weights before any evidence", () => {
    const r = adaptiveWeights(new StatsEngine().snapshot(0), ["a", "b"], {}, seededRng(1));
    expect(r).toMatchObject({ informed: false, weights: { a: 0.5, b: 0.5 } });
  });

  it("floors every target at the exploration share", () => {
    const engine = new StatsEngine();
    for (let i = 1; i <= 50; i++) {
      engine.add(obs("a", i * 1_000, 10));
      engine.add(obs("b", i * 1_000, 0));
      engine.add(obs("c", i * 1_000, 0));
    }
    const r = adaptiveWeights(engine.snapshot(51_000), ["a", "b", "c"], { minShare: 0.1 }, seededRng(1));
    expect(r.weights.b).toBeCloseTo(0.1, 5);
    expect(r.weights.a).toBeCloseTo(0.8, 5);
    expect(r.best).toBe("a");
  });

  it("is unsure with little evidence", () => {
    const engine = new StatsEngine();
    engine.add(obs("a", 1_000, 6));
    engine.add(obs("b", 1_000, 4));
    const r = adaptiveWeights(engine.snapshot(2_000), ["a", "b"], {}, seededRng(1));
    expect(r.summary.a!.pBest).toBeGreaterThan(0.4);
    expect(r.summary.a!.pBest).toBeLessThan(0.85);
  });

  it("discounts older rings of the window by the half-life", () => {
    const engine = new StatsEngine();
    engine.add(obs("a", 10 * MIN - 30_000, 10)); // last minute: weight 1
    engine.add(obs("a", 10 * MIN - 3 * MIN, 10)); // 1-5 min ring, 2.5 min older: 2^-2.5
    const ev = discountedEvidence(engine.snapshot(10 * MIN), "a", MIN);
    expect(ev.itemsNew).toBeCloseTo(10 + 10 * 2 ** -2.5, 6);
    expect(ev.calls).toBeCloseTo(1 + 2 ** -2.5, 6);
  });
});
