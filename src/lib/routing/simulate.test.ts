import { describe, expect, it } from "vitest";
import { seededRng } from "../stats/math";
import { createRouter } from "./router";
import { poisson, simulateRouting } from "./simulate";

describe("simulateRouting", () => {
  it("runs producers back to back and feeds every finished call to the engine", () => {
    const router = createRouter({ strategy: "roundrobin", targets: [{ target: "a" }, { target: "b" }] });
    const sim = simulateRouting({
      router,
      producers: 2,
      durationMs: 60_000,
      rng: seededRng(1),
      models: [
        { target: "a", yieldPerCall: 5, latencyMs: 1_000, costPerCallUsd: 0.001 },
        { target: "b", yieldPerCall: 5, latencyMs: 1_000, costPerCallUsd: 0.001 },
      ],
    });
    // Two producers, ~1 s per call, for a minute.
    expect(sim.calls.length).toBeGreaterThan(100);
    expect(sim.calls.length).toBeLessThan(130);
    expect(sim.updates).toHaveLength(11);
    expect(sim.engine.between(0, 60_000).calls).toBe(sim.calls.length);
    expect(sim.shares(0, 60_000).a).toBeCloseTo(0.5, 1);
    for (let i = 1; i < sim.calls.length; i++) expect(sim.calls[i]!.at).toBeGreaterThanOrEqual(sim.calls[i - 1]!.at);
  });

  it("draws Poisson counts with the right mean", () => {
    const rng = seededRng(9);
    for (const mean of [0.5, 4, 50]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += poisson(mean, rng);
      expect(sum / 20_000).toBeCloseTo(mean, 0);
    }
  });
});
