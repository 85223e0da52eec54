import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Assignment } from "../../lib/protocol";
import type { ProviderId } from "../../lib/providers";
import { startSimulator, type SimParamsOverride, type SimulatorHandle } from "../simulator";
import type { Channel } from "./channel";
import { systemClock } from "./clock";
import { createLlmResolver, type LlmResolution } from "./llm/factory";
import { FakeClock } from "../../../test/helpers/fake-clock";
import { MemoryOrchestrator, unreachable } from "../../../test/helpers/memory-orchestrator";
import { leftOnSignal } from "../../../test/helpers/signals";
import type { ProducerDeps, ProducerOptions } from "./producer-options";
import { Producer } from "./producer";

let sim: SimulatorHandle;
beforeAll(async () => {
  sim = await startSimulator({ params: { latencyScale: 0, errorRate500: 0, overloadRate: 0, rateLimits: false, preambleRate: 0.5 } });
});
afterAll(() => sim.close());

type Target = { provider: ProviderId; model: string };

/** A resolver for the simulator; `params` go out as x-sim-params on every request. */
function simLlm(params?: SimParamsOverride, callTimeoutMs = 5000): (t: Target) => LlmResolution {
  return createLlmResolver({
    simulatorUrl: sim.url,
    callTimeoutMs,
    defaultHeaders: params ? { "x-sim-params": JSON.stringify(params) } : undefined,
  });
}

/** The first `n` calls go to `first`, the rest to `then`. */
function sequence(n: number, first: (t: Target) => LlmResolution, then: (t: Target) => LlmResolution): (t: Target) => LlmResolution {
  let calls = 0;
  return (t) => (calls++ < n ? first(t) : then(t));
}

function setup(opts: { assignment?: Partial<Omit<Assignment, "index" | "poolSize">>; maxDelta?: number } = {}) {
  const orch = new MemoryOrchestrator(
    {
      topic: "Rivers of Europe",
      target: { provider: "sim", model: "sim-strong" },
      requestSize: 20,
      promptBudgetTokens: 2000,
      ...opts.assignment,
    },
    { maxDelta: opts.maxDelta },
  );
  const stop = new AbortController();
  const logs: string[] = [];
  const run = (deps: Partial<ProducerDeps> & { options?: Partial<ProducerOptions> }) =>
    new Producer({
      channel: orch.channelFor("p1"),
      llmFor: simLlm(),
      clock: systemClock,
      stopSignal: stop.signal,
      log: (l) => logs.push(l),
      ...deps,
      options: { backoff: { baseMs: 50, maxMs: 500 }, channelBackoff: { baseMs: 20, maxMs: 200 }, submitIntervalMs: 0, ...deps.options },
    }).run();
  return { orch, stop, logs, run };
}

const callEnd = (c: { startedAt: number; latencyMs: number }) => c.startedAt + c.latencyMs;

describe("the producer against the simulator", () => {
  it("submits lines while the call is still streaming, with a call record at the end", async () => {
    const { orch, run } = setup();
    const summary = await run({
      llmFor: simLlm({ latencyScale: 1, latencyJitter: 0, preambleRate: 0, models: { "sim-strong": { ttftMs: 0, tokensPerSecond: 150 } } }),
      options: { maxCalls: 1 },
    });
    expect(summary).toMatchObject({ exit: "max-calls", calls: 1, failedCalls: 0, unacknowledged: 0 });
    const call = orch.calls[0]!;
    expect(call).toMatchObject({ provider: "sim", model: "sim-strong" });
    expect(call.error).toBeUndefined();
    expect(call.promptTokens).toBeGreaterThan(100);
    expect(call.completionTokens).toBeGreaterThan(20);
    expect(call.itemsParsed).toBeGreaterThanOrEqual(15);
    // Several batches for the one call; the first reached the orchestrator long before the call ended.
    const batches = orch.batches.filter((b) => b.callId === call.callId);
    expect(batches.length).toBeGreaterThan(3);
    expect(callEnd(call) - batches[0]!.at).toBeGreaterThan(300);
    expect(batches.reduce((n, b) => n + b.candidates.length, 0)).toBe(call.itemsParsed);
    expect(batches.at(-1)!.call?.callId).toBe(call.callId);
    expect(orch.entries.length).toBeGreaterThan(10);
  });

  it("honours retry-after on a 429 (on the injected clock), then carries on", async () => {
    const { orch, run } = setup();
    const clock = new FakeClock();
    const summary = await run({
      clock,
      llmFor: sequence(1, simLlm({ forceStatus: 429, forceRetryAfterMs: 1200 }), simLlm()),
      options: { maxCalls: 2 },
    });
    expect(summary.failedCalls).toBe(1);
    const [first, second] = orch.calls;
    expect(first!.error).toMatchObject({ kind: "rate_limit", status: 429 });
    expect(second!.error).toBeUndefined();
    const waited = second!.startedAt - callEnd(first!);
    expect(waited).toBeGreaterThanOrEqual(1200);
    expect(waited).toBeLessThanOrEqual(1200 * 1.1); // retry-after plus at most 10 % jitter
    expect(clock.sleeps).toEqual([waited]);
  });

  it("backs off exponentially with jitter on 5xx, counting every failure", async () => {
    const { orch, run } = setup();
    const clock = new FakeClock();
    await run({
      clock,
      llmFor: sequence(3, simLlm({ forceStatus: 500 }), simLlm()),
      random: () => 0.5,
      options: { maxCalls: 4, backoff: { baseMs: 200, maxMs: 5000 } },
    });
    expect(orch.calls.map((c) => c.error?.kind ?? "ok")).toEqual(["server", "server", "server", "ok"]);
    const gaps = orch.calls.slice(1).map((c, i) => c.startedAt - callEnd(orch.calls[i]!));
    // Equal jitter at random=0.5: 3/4 of 200, 400, 800 ms.
    expect(gaps).toEqual([150, 300, 600]);
    expect(clock.sleeps).toEqual([150, 300, 600]);
  });

  it("times out a call that does not answer, and records it", async () => {
    const { orch, run } = setup();
    await run({
      llmFor: sequence(1, simLlm({ latencyScale: 100 }, 400), simLlm(undefined, 400)),
      options: { maxCalls: 2 },
    });
    expect(orch.calls.map((c) => c.error?.kind ?? "ok")).toEqual(["timeout", "ok"]);
    // "timeout" then "ok": the call was cut at its timeout (no wall-clock upper bound: the machine is shared).
    expect(orch.calls[0]!.latencyMs).toBeGreaterThanOrEqual(390);
  });

  it("on a context overflow, shrinks the known-entries budget and retries", async () => {
    const { orch, run, logs } = setup({ assignment: { target: { provider: "sim", model: "sim-weak" }, promptBudgetTokens: 50_000 } });
    orch.preload(Array.from({ length: 3000 }, (_, i) => `Tributary ${i + 1} of the Danube`));
    await run({ llmFor: simLlm({ models: { "sim-weak": { contextWindow: 6000 } } }), options: { maxCalls: 6 } });
    const kinds = orch.calls.map((c) => c.error?.kind ?? "ok");
    expect(kinds[0]).toBe("context_overflow");
    expect(kinds.at(-1)).toBe("ok");
    expect(kinds.filter((k) => k === "ok").length).toBeGreaterThanOrEqual(2);
    expect(logs.some((l) => /context overflow .* budget now/.test(l))).toBe(true);
    // Once it fits, it keeps fitting: no overflow after the first success.
    expect(kinds.slice(kinds.indexOf("ok"))).not.toContain("context_overflow");
  });

  it("stops mid-call: aborts the stream, submits what it parsed, exits promptly", async () => {
    const { orch, run, stop } = setup({ assignment: { requestSize: 200 } });
    orch.fault = (op) => {
      if (op === "submit" && !stop.signal.aborted) setTimeout(() => stop.abort(), 50);
      return undefined;
    };
    // 200 items at 60 tokens/s would take over a minute: ending with one call, "stopped", shows the abort.
    const summary = await run({
      llmFor: simLlm({ latencyScale: 1, models: { "sim-strong": { ttftMs: 0, tokensPerSecond: 60 } } }),
    });
    expect(summary).toMatchObject({ exit: "stopped", calls: 1, unacknowledged: 0 });
    const call = orch.calls[0]!;
    expect(call.error).toBeUndefined(); // a stop is not a provider failure
    expect(call.itemsParsed).toBeGreaterThan(0);
    expect(call.itemsParsed).toBeLessThan(200);
    expect(orch.candidates).toBe(call.itemsParsed);
    expect(call.completionTokens).toBeGreaterThan(0);
  });

  it("close() stops as the stop signal does: one run, aborted mid-call, flushed; a second close() is harmless", async () => {
    const { orch } = setup({ assignment: { requestSize: 200 } });
    const producer = new Producer({
      channel: orch.channelFor("p1"),
      llmFor: simLlm({ latencyScale: 1, models: { "sim-strong": { ttftMs: 0, tokensPerSecond: 60 } } }),
      clock: systemClock,
      stopSignal: new AbortController().signal,
      options: { submitIntervalMs: 0 },
    });
    orch.fault = (op) => {
      if (op === "submit") setTimeout(() => producer.close(), 50);
      return undefined;
    };
    const run = producer.run();
    expect(producer.run()).toBe(run);
    const summary = await run;
    producer.close();
    expect(summary).toMatchObject({ exit: "stopped", calls: 1, unacknowledged: 0 });
    expect(orch.calls[0]!.error).toBeUndefined();
    expect(orch.candidates).toBe(orch.calls[0]!.itemsParsed);
  });

  it("exits cleanly when the run ends (keepGoing=false), even mid-call", async () => {
    const { orch, run } = setup({ assignment: { requestSize: 200 } });
    orch.fault = (op) => {
      if (op === "submit") orch.keepGoing = false;
      return undefined;
    };
    const summary = await run({ llmFor: simLlm({ latencyScale: 1, models: { "sim-strong": { ttftMs: 0, tokensPerSecond: 60 } } }) });
    expect(summary.exit).toBe("run-ended");
    expect(summary.calls).toBe(1);
  });

  it("without a key: one fatal status, no calls, polite idling, clean exit on stop", async () => {
    const { orch, run, stop } = setup({ assignment: { target: { provider: "openai", model: "gpt-4o-mini" } } });
    let syncs = 0;
    orch.fault = (op) => {
      if (op === "sync") syncs++;
      return undefined;
    };
    const clock = new FakeClock();
    // Stopped during the fifth idle wait: four waits were followed by a sync each.
    clock.onSleep = (_ms, i) => {
      if (i === 4) stop.abort();
    };
    const summary = await run({ clock, llmFor: createLlmResolver({ callTimeoutMs: 1000 }), options: { idleRecheckMs: 100 } });
    expect(summary).toMatchObject({ exit: "stopped", calls: 0 });
    expect(orch.reports).toEqual([{ producer: "p1", level: "fatal", message: expect.stringMatching(/no OPENAI_API_KEY set/) }]);
    expect(clock.sleeps).toEqual([100, 100, 100, 100, 100]);
    expect(syncs).toBe(4);
  });

  it("counts the items of each answer that its prompt listed as found: none at first, more as the model runs out", async () => {
    const { orch, run } = setup({ assignment: { requestSize: 40 } });
    await run({ llmFor: simLlm({ universeSize: 60, universeSizeJitter: 0, noiseRate: 0, latencyScale: 0 }), options: { maxCalls: 6 } });
    const calls = orch.calls;
    expect(calls).toHaveLength(6);
    expect(calls[0]!.itemsShown).toBe(0);
    for (const c of calls) expect(c.itemsShown!).toBeLessThanOrEqual(c.itemsParsed);
    // Every member of a 60-item topic is listed by the last calls: their answers repeat the list.
    expect(calls.at(-1)!.itemsShown!).toBeGreaterThan(calls.at(-1)!.itemsParsed / 2);
  });

  it("follows a new assignment from the orchestrator's answers", async () => {
    const { orch, run } = setup();
    orch.fault = (op, producer, batch) => {
      if (op === "submit" && batch?.call) orch.setAssignment(producer, { target: { provider: "sim", model: "sim-claude" }, requestSize: 5 });
      return undefined;
    };
    await run({ options: { maxCalls: 2 } });
    expect(orch.calls.map((c) => c.model)).toEqual(["sim-strong", "sim-claude"]);
    expect(orch.calls[1]!.itemsParsed).toBeLessThanOrEqual(5);
  });

  it("leaves nothing on the stop signal, call after call (no growth over a long run)", async () => {
    const { orch, run, stop } = setup();
    await run({ options: { maxCalls: 5 } });
    expect(orch.calls).toHaveLength(5);
    expect(leftOnSignal(stop.signal)).toEqual({ listeners: 0, dependants: 0 });
  });

  it("calls afterCall once per finished call, failed ones included (main.ts collects garbage there)", async () => {
    const { run } = setup();
    let after = 0;
    const summary = await run({
      llmFor: sequence(1, simLlm({ errorRate500: 1 }), simLlm()),
      afterCall: () => after++,
      options: { maxCalls: 3 },
    });
    expect(summary.calls).toBe(3);
    expect(summary.failedCalls).toBe(1);
    expect(after).toBe(3);
  });

  it("holds every accepted entry: syncs while the delta says more", async () => {
    const { orch, run } = setup({ maxDelta: 100 });
    orch.preload(Array.from({ length: 1050 }, (_, i) => `Stream ${i + 1}`));
    await run({ options: { maxCalls: 1 } });
    expect(orch.batches[0]!.sinceSeq).toBe(1050);
  });

  it("loses nothing when the orchestrator is unreachable or an acknowledgement is lost", async () => {
    const { orch, run, logs } = setup();
    const inner = orch.channelFor("p1");
    let lostAcks = 0;
    const downUntil = Date.now() + 400;
    orch.fault = (op) => (op === "submit" && Date.now() < downUntil ? unreachable(op) : undefined);
    const channel: Channel = {
      ...inner,
      submit: async (batch, signal) => {
        const result = await inner.submit(batch, signal);
        // Applied, but the answer never arrives: the producer must resend the same batchId.
        if (lostAcks++ === 0) throw unreachable("producer.submit");
        return result;
      },
    };
    const sent: string[] = [];
    const spy: Channel = {
      ...channel,
      submit: (batch, signal) => {
        sent.push(batch.batchId);
        return channel.submit(batch, signal);
      },
    };
    await run({ channel: spy, options: { maxCalls: 3 } });
    const parsed = orch.calls.reduce((n, c) => n + c.itemsParsed, 0);
    expect(orch.calls).toHaveLength(3);
    expect(orch.candidates).toBe(parsed); // every candidate applied exactly once
    expect(new Set(orch.batches.map((b) => b.batchId)).size).toBe(orch.batches.length);
    expect(sent.length).toBeGreaterThan(orch.batches.length); // retries reused batchIds
    expect(new Set(sent).size).toBe(orch.batches.length);
    expect(logs.some((l) => /submit failed/.test(l))).toBe(true);
  });
});
