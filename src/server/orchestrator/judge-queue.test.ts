import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JudgeDecision } from "../../lib/dedup/judge";
import type { CallRecord } from "../../lib/protocol";
import type { SimParamsOverride } from "../../lib/sim/params";
import { resolveLlm } from "../producer/llm/factory";
import { startSimulator } from "../simulator";
import { JudgeQueue, pendingPairs, type PendingPair } from "./judge-queue";

/** The judge queue against the real simulator through the producers' SDK clients. */
const TOPIC = "famous bridges";
let sim: Awaited<ReturnType<typeof startSimulator>>;
beforeAll(async () => {
  sim = await startSimulator({ params: { seed: 5, latencyScale: 0.01, errorRate500: 0, overloadRate: 0, rateLimits: false } });
});
afterAll(() => sim.close());

/** The simulated universe's items (what its judge knows). */
async function universeItems(topic: string): Promise<string[]> {
  const res = await fetch(`${sim.url}/sim/universe?items=1&topic=${encodeURIComponent(topic)}`);
  return ((await res.json()) as { items: string[] }).items;
}

function queue(opts: { timeoutMs?: number; params?: SimParamsOverride; model?: string } = {}) {
  const r = resolveLlm(
    { provider: "sim", model: opts.model ?? "sim-strong" },
    { simulatorUrl: sim.url, callTimeoutMs: 30_000, defaultHeaders: opts.params ? { "x-sim-params": JSON.stringify(opts.params) } : undefined },
  );
  if (!("client" in r)) throw new Error(r.unavailable);
  const calls: Array<{ call: CallRecord; costUsd: number; same: number }> = [];
  const verdicts: Array<[PendingPair, JudgeDecision]> = [];
  const q = new JudgeQueue({
    topic: TOPIC,
    client: r.client,
    timeoutMs: opts.timeoutMs ?? 20_000,
    gatherMs: 50,
    costOf: (c) => (c.promptTokens + c.completionTokens) / 1e6,
    onCall: async (call, costUsd, same) => void calls.push({ call, costUsd, same }),
    onVerdict: async (pair, d) => void verdicts.push([pair, d]),
    log: () => undefined,
  });
  return { q, calls, verdicts };
}

describe("JudgeQueue", () => {
  it("sends candidates in batches of many, costs each call and reports verdicts (mostly right)", async () => {
    const items = await universeItems(TOPIC);
    // Even pairs: an item and its "The ..." variant (same); odd pairs: two different items.
    const pairs: PendingPair[] = Array.from({ length: 45 }, (_, i) => ({
      origin: `b:${i}`,
      candidate: i % 2 === 0 ? `The ${items[i]!}` : items[i]!,
      candidateSeq: 100 + i,
      entryText: items[i % 2 === 0 ? i : i + 1]!,
      entrySeq: i + 1,
    }));
    const { q, calls, verdicts } = queue();
    q.enqueue(pairs);
    await q.idle();
    expect(calls.map((c) => c.call.itemsParsed).sort((a, b) => b - a)).toEqual([20, 20, 5]);
    expect(calls.every((c) => c.costUsd > 0 && c.call.promptTokens > 0 && c.call.error === undefined)).toBe(true);
    expect(verdicts.length).toBe(45);
    const right = verdicts.filter(([p, d]) => d === ((p.candidateSeq - 100) % 2 === 0 ? "same" : "different")).length;
    expect(right).toBeGreaterThanOrEqual(41);
    expect(q.stats).toMatchObject({ calls: 3, failedCalls: 0, pairs: 45 });
    await q.close();
  });

  it("is a selector: picks the one entry among the candidate's entries, or settles them all as different", async () => {
    const items = await universeItems(TOPIC);
    const decisions = [
      // candidate 100: shown with two other items first, its own item third
      ...[items[1]!, items[2]!, items[0]!].map((entryText, j) => ({
        origin: `b:0:${j}`,
        candidateSeq: 100,
        candidate: `The ${items[0]!}`,
        entryText,
        entrySeq: j + 1,
      })),
      // candidate 101: no entry shown names it
      ...[items[3]!, items[4]!].map((entryText, j) => ({ origin: `b:1:${j}`, candidateSeq: 101, candidate: items[5]!, entryText, entrySeq: j + 4 })),
    ].map((d) => ({
      ...d,
      kind: "kept-apart" as const,
      reason: "slip",
      edit: null,
      cost: null,
      sources: 1,
      verdict: null,
      producer: null,
      provider: null,
      model: null,
      at: new Date(0),
    }));
    const pending = pendingPairs(decisions);
    expect(pending.map((p) => [p.candidateSeq, 1 + (p.alternatives?.length ?? 0)])).toEqual([
      [100, 3],
      [101, 2],
    ]);
    const { q, calls, verdicts } = queue({ params: { seed: 11 } });
    q.enqueue(pending);
    await q.idle();
    expect(calls).toHaveLength(1);
    // seed 11: the simulated judge (2 % errors) is right on both
    expect(verdicts.map(([p, d]) => [p.candidateSeq, p.entryText, p.origin, d])).toEqual([
      [100, items[0], "b:0:2", "same"],
      [101, items[3], "b:1:0", "different"],
      [101, items[4], "b:1:1", "different"],
    ]);
    await q.close();
  });

  it("a call that times out gives no verdict: its pairs stay apart, the call is still counted", async () => {
    const { q, calls, verdicts } = queue({ timeoutMs: 100, params: { latencyScale: 200 } });
    q.enqueue([{ origin: "t:0", candidate: "Shaanxi", candidateSeq: 2, entryText: "Shanxi", entrySeq: 1 }]);
    await q.idle();
    expect(verdicts).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.call.error?.kind).toBeDefined();
    expect(q.stats).toMatchObject({ calls: 1, failedCalls: 1, unanswered: 1 });
    await q.close();
  });
});
