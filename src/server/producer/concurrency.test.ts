import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCountingProxy } from "../../../test/helpers/counting-proxy";
import { FakeClock } from "../../../test/helpers/fake-clock";
import { MemoryOrchestrator } from "../../../test/helpers/memory-orchestrator";
import type { ProviderId } from "../../lib/providers";
import { startSimulator, type SimParamsOverride, type SimulatorHandle } from "../simulator";
import { systemClock, type Clock } from "./clock";
import { createLlmResolver, type LlmResolution } from "./llm/factory";
import { Producer } from "./producer";

type Target = { provider: ProviderId; model: string };

let sim: SimulatorHandle;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
beforeAll(async () => {
  // Calls long enough to overlap: answers stream for a few hundred ms.
  sim = await startSimulator({
    params: {
      latencyScale: 1,
      latencyJitter: 0,
      errorRate500: 0,
      overloadRate: 0,
      rateLimits: false,
      models: { "sim-strong": { ttftMs: 150, tokensPerSecond: 400 } },
    },
  });
  proxy = await startCountingProxy(sim.url);
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

function resolver(params?: SimParamsOverride): (t: Target) => LlmResolution {
  return createLlmResolver({ simulatorUrl: proxy.url, callTimeoutMs: 10_000, defaultHeaders: params ? { "x-sim-params": JSON.stringify(params) } : undefined });
}

function run(orch: MemoryOrchestrator, llmFor: (t: Target) => LlmResolution, maxCalls: number, clock: Clock = systemClock, submitIntervalMs = 0) {
  return new Producer({
    channel: orch.channelFor("p1"),
    llmFor,
    clock,
    stopSignal: new AbortController().signal,
    random: () => 0.5,
    options: { maxCalls, backoff: { baseMs: 50, maxMs: 500 }, channelBackoff: { baseMs: 20, maxMs: 200 }, submitIntervalMs },
  }).run();
}

const orchestrator = (concurrency: number) =>
  new MemoryOrchestrator({
    topic: "Rivers of Europe",
    target: { provider: "sim", model: "sim-strong" },
    requestSize: 40,
    promptBudgetTokens: 1000,
    concurrency,
  });

describe("a producer with concurrency N", () => {
  it("keeps N calls in flight at the simulator, never more; every candidate applied once, in order per call", async () => {
    const orch = orchestrator(4);
    proxy.stats.maxInFlight = 0;
    const summary = await run(orch, resolver(), 12);
    expect(summary).toMatchObject({ exit: "max-calls", calls: 12, failedCalls: 0, unacknowledged: 0 });
    expect(proxy.stats.maxInFlight).toBe(4);
    expect(proxy.stats.inFlight).toBe(0);
    expect(orch.calls).toHaveLength(12);
    expect(orch.candidates).toBe(orch.calls.reduce((n, c) => n + c.itemsParsed, 0));
    expect(new Set(orch.batches.map((b) => b.batchId)).size).toBe(orch.batches.length);
    // Each call's record comes with its last batch: nothing of a call arrives after it.
    for (const c of orch.calls) {
      const batches = orch.batches.filter((b) => b.callId === c.callId);
      expect(batches.at(-1)!.call?.callId).toBe(c.callId);
      expect(batches.filter((b) => b.call)).toHaveLength(1);
    }
    // The producer says how many calls it had in flight.
    const reported = orch.batches.map((b) => b.callsInFlight ?? -1);
    expect(Math.min(...reported)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...reported)).toBe(4);
  });

  it("with submits spaced out (the default 200 ms), fewer requests and still every candidate once", async () => {
    const spaced = orchestrator(4);
    await run(spaced, resolver(), 8, systemClock, 200);
    const eager = orchestrator(4);
    await run(eager, resolver(), 8, systemClock, 0);
    expect(spaced.candidates).toBe(spaced.calls.reduce((n, c) => n + c.itemsParsed, 0));
    expect(spaced.batches.length).toBeLessThan(eager.batches.length);
  });

  it("without concurrency in the assignment, one call at a time", async () => {
    const orch = new MemoryOrchestrator({
      topic: "Rivers of Europe",
      target: { provider: "sim", model: "sim-strong" },
      requestSize: 40,
      promptBudgetTokens: 1000,
    });
    proxy.stats.maxInFlight = 0;
    await run(orch, resolver(), 3);
    expect(proxy.stats.maxInFlight).toBe(1);
  });

  it("a 429 pauses the whole producer: no call starts before its retry-after (injected clock)", async () => {
    const orch = orchestrator(4);
    const clock = new FakeClock();
    let n = 0;
    const limited = resolver({ forceStatus: 429, forceRetryAfterMs: 1000 });
    const normal = resolver();
    // The first four calls (all in flight together) are refused.
    await run(orch, (t) => (n++ < 4 ? limited(t) : normal(t)), 8, clock);
    const refused = orch.calls.filter((c) => c.error?.kind === "rate_limit");
    const ok = orch.calls.filter((c) => !c.error);
    expect(refused).toHaveLength(4);
    expect(ok).toHaveLength(4);
    const firstRefusal = Math.min(...refused.map((c) => c.startedAt + c.latencyMs));
    for (const c of ok) expect(c.startedAt).toBeGreaterThanOrEqual(firstRefusal + 1000);
  });

  it("follows a change of concurrency in the orchestrator's answers", async () => {
    const orch = orchestrator(1);
    proxy.stats.maxInFlight = 0;
    orch.fault = (op, producer, batch) => {
      if (op === "submit" && batch?.call) orch.setAssignment(producer, { concurrency: 3 });
      return undefined;
    };
    await run(orch, resolver(), 10);
    expect(proxy.stats.maxInFlight).toBe(3);
  });
});
