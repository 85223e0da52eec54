import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunConfig } from "../src/lib/run-config";
import { startSimulator, type SimulatorHandle } from "../src/server/simulator";
import { runRouting } from "./helpers/routing-run";

/**
 * Adaptive routing against the real simulator: real SDK calls with the producer's prompts,
 * the optimiser choosing every call's target, and the orchestrator's own accounting (ActiveRun:
 * dedup ledger, writer, per-call tallies, the optimiser's observations); test/helpers/routing-run.ts.
 *
 * Time: the simulator answers at 1/50 of its modelled latency so the test is short, and the
 * injected clock advances by the modelled latency of each call (the simulator's own model,
 * from the token counts it reports). Scaling the wall clock instead would multiply every
 * millisecond of CPU contention by 50 on a busy machine.
 *
 * One producer: the simulated topic (about 2,000 entries) runs dry within ~300 calls, and the
 * router's evidence has a half-life of a minute, so more producers would compress the whole
 * story into less simulated time than the router needs to follow it. One producer also makes
 * the run deterministic (seeded simulator, seeded Thompson draws).
 */
const LATENCY_SCALE = 0.02;
const TOPIC = "Birds of the world";
const CALLS = 300;
const STRONG = "sim:sim-strong";
const WEAK = "sim:sim-weak";

const config: RunConfig = {
  topic: TOPIC,
  producers: 1,
  providers: [
    { provider: "sim", model: "sim-strong", weight: 1 },
    { provider: "sim", model: "sim-weak", weight: 1 },
  ],
  requestSize: 50,
  promptBudgetTokens: 1_000,
  concurrency: 1,
  strategy: "adaptive",
  stop: {},
};

describe("adaptive routing on the simulator", () => {
  let sim: SimulatorHandle | undefined;

  beforeAll(async () => {
    // Rate limits count wall-clock minutes, which this compressed run would overrun.
    sim = await startSimulator({ params: { latencyScale: LATENCY_SCALE, errorRate500: 0, overloadRate: 0, rateLimits: false, seed: 3 } });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("moves most of the traffic to the stronger model once the weaker one runs dry", async () => {
    const t0 = 1_700_000_000_000;
    const logged: string[] = [];
    const {
      optimizer,
      run,
      calls,
      decisions: events,
      end: now,
    } = await runRouting({
      config,
      simulatorUrl: sim!.url,
      calls: CALLS,
      start: t0,
      seed: 1,
      log: (level, m) => logged.push(`${level}: ${m}`),
    });
    const decisions = events.map((e) => e.message);

    const share = (from: number, to: number) => {
      const slice = calls.slice(from, to);
      return slice.filter((c) => c.target === STRONG).length / slice.length;
    };
    const yieldPerCall = (target: string, from: number, to: number) => {
      const slice = calls.slice(from, to).filter((c) => c.target === target);
      return slice.reduce((n, c) => n + c.itemsNew, 0) / Math.max(1, slice.length);
    };
    const third = CALLS / 3;
    // Simulated minutes, not seconds: the router's windows and half-life had time to act.
    expect((now - t0) / 60_000).toBeGreaterThan(6);
    // Early on both models are tried; the cheap, fast weak one even gets more calls while it still knows new entries.
    expect(share(0, third)).toBeGreaterThan(0.2);
    expect(share(0, third)).toBeLessThan(0.8);
    // Its narrower knowledge runs dry first; then the strong model takes most of the traffic.
    expect(yieldPerCall(WEAK, 2 * third, CALLS)).toBeLessThan(yieldPerCall(STRONG, 2 * third, CALLS) / 3);
    // "Most": measured 0.70-0.80 across runs (call latencies are wall-clock, so not bit-exact).
    expect(share(2 * third, CALLS)).toBeGreaterThan(0.6);
    const snap = optimizer.snapshot(now);
    // The weights at the last instant are one Thompson decision and swing; the traffic share
    // over the last third (above) is what the routing achieved. Both stay explored:
    expect(snap.weights[STRONG]).toBeGreaterThanOrEqual(0.05);
    expect(snap.weights[WEAK]).toBeGreaterThanOrEqual(0.05);
    expect(decisions.some((m) => m.startsWith(`${STRONG} is best`))).toBe(true);
    // Re-proposals feed the coverage estimate (refitted every 30 simulated seconds).
    expect(snap.coverage!.observed).toBeGreaterThan(run.totalUnique * 0.95);
    expect(snap.coverage!.estimatedTotal).toBeGreaterThanOrEqual(snap.coverage!.observed);
    expect(logged.filter((e) => !e.startsWith("info"))).toEqual([]);
  }, 60_000);
});
