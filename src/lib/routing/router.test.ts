import { describe, expect, it } from "vitest";
import { StatsEngine } from "../stats/engine";
import { seededRng } from "../stats/math";
import type { CallObservation } from "../stats/types";
import type { StrategyName } from "../run-config";
import { createRouter, NoUsableTargetError } from "./router";
import { simulateRouting, type SimTargetModel } from "./simulate";

const MIN = 60_000;

function obs(target: string, at: number, over: Partial<CallObservation> = {}): CallObservation {
  return {
    at,
    producer: "p1",
    target,
    promptTokens: 500,
    completionTokens: 200,
    costUsd: 0.001,
    latencyMs: 1_000,
    itemsParsed: 10,
    itemsNew: 5,
    dupExact: 5,
    dupNear: 0,
    junk: 0,
    ...over,
  };
}
const fail = (target: string, at: number, error: CallObservation["error"] = "server", latencyMs = 100) =>
  obs(target, at, { error, latencyMs, itemsParsed: 0, itemsNew: 0, dupExact: 0, costUsd: 0 });

/** Target "a" fails every call between minutes 5 and 10, then recovers; "b" is steady. */
const outage: SimTargetModel[] = [
  { target: "a", yieldPerCall: 5, latencyMs: 4_000, costPerCallUsd: 0.002, errorRate: (t) => (t >= 5 * MIN && t < 10 * MIN ? 1 : 0) },
  { target: "b", yieldPerCall: 5, latencyMs: 4_000, costPerCallUsd: 0.002 },
];

function runOutage(strategy: StrategyName, weights?: { a: number; b: number }) {
  const router = createRouter(
    {
      strategy,
      targets: [
        { target: "a", weight: weights?.a },
        { target: "b", weight: weights?.b },
      ],
    },
    seededRng(11),
  );
  return simulateRouting({ router, models: outage, producers: 6, durationMs: 16 * MIN, rng: seededRng(5) });
}

describe("roundrobin", () => {
  it("rotates each producer through the targets, producers starting at different ones", () => {
    const r = createRouter({ strategy: "roundrobin", targets: [{ target: "a" }, { target: "b" }, { target: "c" }] });
    expect([0, 1, 2].map((p) => r.pick(p, 0))).toEqual(["a", "b", "c"]);
    expect([r.pick(0, 0), r.pick(0, 0), r.pick(0, 0)]).toEqual(["b", "c", "a"]);
  });

  it("skips a target while it fails and shares evenly again once it recovers", () => {
    const sim = runOutage("roundrobin");
    expect(sim.shares(0, 5 * MIN).a).toBeCloseTo(0.5, 1);
    expect(sim.shares(6 * MIN, 10 * MIN).a).toBeLessThan(0.15);
    expect(sim.shares(13 * MIN, 16 * MIN).a).toBeCloseTo(0.5, 1);
  });
});

describe("weighted", () => {
  it("follows fixed weights exactly over any stretch of picks", () => {
    const r = createRouter({
      strategy: "weighted",
      targets: [
        { target: "a", weight: 3 },
        { target: "b", weight: 1 },
      ],
    });
    const picks = Array.from({ length: 40 }, (_, i) => r.pick(i % 5, 0));
    expect(picks.filter((t) => t === "a")).toHaveLength(30);
    expect(picks.slice(0, 4).filter((t) => t === "b")).toHaveLength(1);
    expect(r.weights()).toEqual({ a: 0.75, b: 0.25 });
  });

  it("passes over a failing target and returns to its weights after recovery", () => {
    const sim = runOutage("weighted", { a: 3, b: 1 });
    expect(sim.shares(0, 5 * MIN).a).toBeCloseTo(0.75, 1);
    expect(sim.shares(6 * MIN, 10 * MIN).a).toBeLessThan(0.15);
    expect(sim.shares(13 * MIN, 16 * MIN).a).toBeCloseTo(0.75, 1);
  });

  it("does not react to yield, only to failures (that is adaptive's job)", () => {
    const router = createRouter({ strategy: "weighted", targets: [{ target: "a" }, { target: "b" }] });
    const sim = simulateRouting({
      router,
      producers: 4,
      durationMs: 10 * MIN,
      rng: seededRng(2),
      models: [
        { target: "a", yieldPerCall: (t) => (t < 5 * MIN ? 8 : 0), latencyMs: 3_000, costPerCallUsd: 0.001 },
        { target: "b", yieldPerCall: 4, latencyMs: 3_000, costPerCallUsd: 0.001 },
      ],
    });
    expect(sim.shares(6 * MIN, 10 * MIN).a).toBeCloseTo(0.5, 1);
  });
});

describe("priority", () => {
  it("uses the first target, falls back while it fails, and returns when it recovers", () => {
    const sim = runOutage("priority");
    expect(sim.shares(0, 5 * MIN).a).toBe(1);
    expect(sim.shares(6 * MIN, 10 * MIN).b).toBeGreaterThan(0.85);
    expect(sim.shares(13 * MIN, 16 * MIN).a).toBeGreaterThan(0.95);
  });

  it("passes over a target whose error rate in the short window is too high, until the window forgets it", () => {
    const r = createRouter({ strategy: "priority", targets: [{ target: "a" }, { target: "b" }], maxErrorRate: 0.5 });
    const engine = new StatsEngine();
    // Alternating failures never reach two in a row, but half the calls fail.
    for (let i = 0; i < 10; i++) {
      const c = i % 2 === 0 ? fail("a", 1_000 * (i + 1)) : obs("a", 1_000 * (i + 1));
      engine.add(c);
      r.observe(c);
    }
    expect(r.pick(0, 11_000)).toBe("a");
    const u = r.update(engine.snapshot(12_000), 12_000);
    expect(u).toMatchObject({ changed: true, weights: { a: 0, b: 1 } });
    expect(u.reason).toMatch(/error rate/);
    expect(r.pick(0, 12_000)).toBe("b");
    // A minute later the short window has forgotten: try "a" again.
    expect(r.update(engine.snapshot(75_000), 75_000).weights).toEqual({ a: 1, b: 0 });
  });
});

describe("backoff", () => {
  const targets = [{ target: "a" }, { target: "b" }];

  it("waits with growing delays on its provider, then falls over, then probes it again", () => {
    const r = createRouter({ strategy: "backoff", targets, fallOverAfter: 3, health: { backoffBaseMs: 2_000 } });
    expect(r.pick(0, 0)).toBe("a");
    r.observe(fail("a", 1_000));
    expect(r.pick(0, 1_000)).toBe("a");
    expect(r.waitMs("a", 1_000)).toBe(2_000);
    r.observe(fail("a", 3_200));
    expect(r.waitMs("a", 3_200)).toBe(4_000);
    r.observe(fail("a", 7_300));
    expect(r.pick(0, 7_300)).toBe("b");
    expect(r.waitMs("b", 7_300)).toBe(0);
    expect(r.weights()).toEqual({ a: 0, b: 1 });
    expect(r.pick(0, 7_300 + 8_000)).toBe("a");
    r.observe(obs("a", 17_000));
    expect(r.pick(0, 17_000)).toBe("a");
    expect(r.waitMs("a", 17_000)).toBe(0);
  });

  it("counts a burst of concurrent failures once", () => {
    const r = createRouter({ strategy: "backoff", targets, fallOverAfter: 3 });
    // Six producers' calls all started before the first failure came back.
    for (let i = 0; i < 6; i++) r.observe(fail("a", 10_000 + i * 10, "rate_limit", 5_000));
    expect(r.pick(0, 10_100)).toBe("a");
    expect(r.waitMs("a", 10_050)).toBe(2_000);
  });

  it("falls over in the outage simulation and comes back afterwards", () => {
    const sim = runOutage("backoff");
    expect(sim.shares(0, 5 * MIN).a).toBe(1);
    expect(sim.shares(6 * MIN, 10 * MIN).b).toBeGreaterThan(0.85);
    expect(sim.shares(13 * MIN, 16 * MIN).a).toBeGreaterThan(0.95);
  });
});

describe("all strategies", () => {
  it.each(["roundrobin", "priority", "weighted", "backoff", "adaptive"] as const)("%s never picks a target disabled by an auth error", (strategy) => {
    const r = createRouter({ strategy, targets: [{ target: "a" }, { target: "b" }] });
    r.observe(fail("a", 1_000, "no_key"));
    for (let i = 0; i < 20; i++) expect(r.pick(i % 3, 2_000 + i)).toBe("b");
    expect(r.waitMs("a", 2_000)).toBe(Infinity);
    expect(r.assign(4)).toEqual({ a: 0, b: 4 });
  });

  it("throws NoUsableTargetError when every target is disabled", () => {
    const r = createRouter({ strategy: "roundrobin", targets: [{ target: "a" }, { target: "b" }] });
    r.observe(fail("a", 1, "auth"));
    r.observe(fail("b", 2, "no_key"));
    expect(() => r.pick(0, 3)).toThrow(NoUsableTargetError);
  });

  it("waits for the target that frees first when all are cooling down", () => {
    const r = createRouter({ strategy: "roundrobin", targets: [{ target: "a" }, { target: "b" }] });
    r.observe(fail("a", 1_000, "rate_limit"));
    r.observe(fail("b", 1_500, "rate_limit"));
    expect(r.pick(0, 1_600)).toBe("a");
    expect(r.waitMs("a", 1_600)).toBe(1_400);
  });

  it("reports no change when nothing changed", () => {
    const r = createRouter({ strategy: "weighted", targets: [{ target: "a", weight: 2 }, { target: "b" }] });
    const u = r.update(new StatsEngine().snapshot(0), 0);
    expect(u.changed).toBe(false);
    expect(u.weights).toEqual({ a: 0.6667, b: 0.3333 });
  });

  it("rejects duplicate or missing targets", () => {
    expect(() => createRouter({ strategy: "roundrobin", targets: [] })).toThrow(/at least one/);
    expect(() => createRouter({ strategy: "roundrobin", targets: [{ target: "a" }, { target: "a" }] })).toThrow(/duplicate/);
  });
});
