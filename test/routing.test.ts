import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EntryLedger } from "../src/lib/entry-ledger";
import { parseItems } from "../src/lib/parse-items";
import { callCostUsd, createPriceTable } from "../src/lib/pricing";
import { buildPrompt, KnownEntries, maxTokensFor } from "../src/lib/prompt";
import type { RunConfig } from "../src/lib/run-config";
import { isSimModelId, SIM_MODEL_PROFILES } from "../src/lib/sim/models";
import { seededRng } from "../src/lib/stats/math";
import { Optimizer, type CallObservation } from "../src/lib/routing/optimizer";
import { createLlmResolver } from "../src/server/producer/llm/factory";
import { LlmCallError } from "../src/server/producer/llm/types";
import { startSimulator, type SimulatorHandle } from "../src/server/simulator";

/**
 * Adaptive routing against the real simulator: real SDK calls with the producer's prompts,
 * the dedup engine in process, and the optimiser choosing every call's target.
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

/** What the call takes at latencyScale 1 (the simulator's latency model without its jitter). */
function modelledLatencyMs(model: string, promptTokens: number, completionTokens: number): number {
  if (!isSimModelId(model)) throw new Error(`not a simulated model: ${model}`);
  const p = SIM_MODEL_PROFILES[model];
  return p.ttftMs + (p.prefillMsPer1kTokens * promptTokens) / 1000 + (1000 / p.tokensPerSecond) * Math.max(0, completionTokens - 1);
}

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
    let now = t0;
    const clock = () => now;
    const logged: string[] = [];
    const optimizer = new Optimizer(config, { clock, rng: seededRng(1), log: (level, m) => logged.push(`${level}: ${m}`) });
    const llmFor = createLlmResolver({ simulatorUrl: sim!.url, callTimeoutMs: 30_000 });
    const prices = createPriceTable();
    const ledger = new EntryLedger();
    const known = new KnownEntries();
    const calls: Array<{ at: number; target: string; itemsNew: number }> = [];
    const decisions: string[] = [];

    /** One producer call, accounted as the orchestrator does: dedup tallies, cost, observation. */
    async function oneCall(): Promise<void> {
      const producer = "p1";
      const startedAt = now;
      const target = optimizer.targetFor(producer, startedAt);
      const label = `${target.provider}:${target.model}`;
      const resolution = llmFor(target);
      if (!("client" in resolution)) throw new Error(resolution.unavailable);
      const prompt = buildPrompt({ topic: TOPIC, requestSize: config.requestSize, known, budgetTokens: config.promptBudgetTokens });
      let promptTokens = 0;
      let completionTokens = 0;
      let items: string[] = [];
      let error: CallObservation["error"];
      try {
        const res = await resolution.client.stream({ system: prompt.system, user: prompt.user, maxTokens: maxTokensFor(config.requestSize), signal: AbortSignal.timeout(30_000), onText: () => {} });
        items = parseItems(res.text, { truncated: res.truncated });
        promptTokens = res.promptTokens ?? prompt.promptTokens;
        completionTokens = res.completionTokens ?? 0;
      } catch (err) {
        if (!(err instanceof LlmCallError)) throw err;
        error = err.kind;
      }
      const latencyMs = Math.round(error ? 200 : modelledLatencyMs(target.model, promptTokens, completionTokens));
      const at = startedAt + latencyMs;
      now = at;
      const tally = { new: 0, dupExact: 0, dupNear: 0, junk: 0 };
      for (const raw of items) {
        // Classified exactly as the orchestrator does (src/lib/entry-ledger.ts).
        const c = ledger.classify(raw);
        if (c.outcome === "unique") {
          known.add(ledger.record(c.text), c.text);
          tally.new++;
          optimizer.observeCandidate("unique");
        } else if (c.outcome === "junk") {
          tally.junk++;
          optimizer.observeCandidate("junk");
        } else {
          tally[c.outcome]++;
          optimizer.observeCandidate(c.outcome, c.previousProposals);
        }
      }
      const costUsd = callCostUsd(prices, { ...target, promptTokens, completionTokens }) ?? 0;
      optimizer.observeCall({
        at,
        producer,
        target: label,
        promptTokens,
        completionTokens,
        costUsd,
        latencyMs,
        itemsParsed: items.length,
        itemsNew: tally.new,
        dupExact: tally.dupExact,
        dupNear: tally.dupNear,
        junk: tally.junk,
        ...(error ? { error } : {}),
      });
      calls.push({ at, target: label, itemsNew: tally.new });
      for (const e of optimizer.tick(at).events) decisions.push(e.message);
    }

    for (let i = 0; i < CALLS; i++) await oneCall();

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
    expect(snap.coverage!.observed).toBeGreaterThan(ledger.texts.length * 0.95);
    expect(snap.coverage!.estimatedTotal).toBeGreaterThanOrEqual(snap.coverage!.observed);
    expect(logged.filter((e) => !e.startsWith("info"))).toEqual([]);
  }, 60_000);
});
