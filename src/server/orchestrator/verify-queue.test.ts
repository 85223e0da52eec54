import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord } from "../../lib/protocol";
import type { TrustVerdict } from "../../lib/trust/policy";
import { MAX_VERIFY_ITEMS, type Opinion } from "../../lib/trust/verify-prompt";
import { resolveLlm } from "../producer/llm/factory";
import type { LlmClient } from "../producer/llm/types";
import { startSimulator } from "../simulator";
import { SideCalls } from "./side-calls";
import { VerifyQueue } from "./verify-queue";

/** The verifier's queue against the real simulator through the producers' SDK clients. */
const TOPIC = "medieval castles of Europe";
let sim: Awaited<ReturnType<typeof startSimulator>>;
/** The same simulator answering at 5 times realistic latency: a drain's bounds are reached with calls in flight. */
let slowSim: Awaited<ReturnType<typeof startSimulator>>;
beforeAll(async () => {
  sim = await startSimulator({ params: { seed: 5, latencyScale: 0.01, errorRate500: 0, overloadRate: 0, rateLimits: false } });
  slowSim = await startSimulator({ params: { seed: 5, latencyScale: 5, errorRate500: 0, overloadRate: 0, rateLimits: false } });
});
afterAll(async () => {
  await sim.close();
  await slowSim.close();
});

const LABELS = ["sim:sim-strong", "sim:sim-claude", "sim:sim-weak"];

function setup(
  opts: {
    affordable?: (usd: number) => boolean;
    proposers?: (text: string) => string[];
    calls?: (text: string) => number;
    priceOf?: (label: string, p: number, c: number) => number;
    costOf?: (c: CallRecord) => number;
    textOf?: (seq: number, text: string) => string | undefined;
    clock?: () => number;
    simUrl?: string;
    /** Simulator parameters (x-sim-params) per verifier. */
    simParams?: Record<string, unknown>;
  } = {},
) {
  const clients = new Map<string, LlmClient>();
  for (const label of LABELS) {
    const params = opts.simParams?.[label];
    const headers = params ? { defaultHeaders: { "x-sim-params": JSON.stringify(params) } } : {};
    const r = resolveLlm({ provider: "sim", model: label.slice(4) }, { simulatorUrl: opts.simUrl ?? sim.url, callTimeoutMs: 30_000, ...headers });
    if (!("client" in r)) throw new Error(r.unavailable);
    clients.set(label, r.client);
  }
  const side = new SideCalls({ gatherMs: 20, log: () => undefined });
  const calls: Array<{ call: CallRecord; costUsd: number }> = [];
  const opinions: Array<{ label: string; seq: number; opinion: Opinion }> = [];
  const verdicts = new Map<number, TrustVerdict>();
  const q = new VerifyQueue({
    topic: TOPIC,
    side,
    client: (l) => clients.get(l),
    verifiers: () => LABELS,
    priceOf: opts.priceOf ?? ((_l, p, c) => (p + c) / 1e6),
    support: (text) => ({ models: (opts.proposers ?? (() => ["sim:sim-weak"]))(text), calls: opts.calls?.(text) ?? 1 }),
    pathOf: () => [],
    affordable: opts.affordable ?? (() => true),
    textOf: opts.textOf ?? ((_seq, text) => text),
    costOf: opts.costOf ?? ((c) => (c.promptTokens + c.completionTokens) / 1e6),
    onCall: async (call, costUsd) => void calls.push({ call, costUsd }),
    onOpinions: async (_id, label, given) => void opinions.push(...given.map((g) => ({ label, seq: g.item.seq, opinion: g.opinion }))),
    onVerdicts: async (vs) => {
      for (const { item, verdict } of vs) verdicts.set(item.seq, verdict);
    },
    settleMs: 0,
    timeoutMs: 20_000,
    clock: opts.clock ?? Date.now,
    log: () => undefined,
  });
  return { q, side, calls, opinions, verdicts };
}

/** Names no universe holds ("Zorvath Keep 7"): what the verifiers' truth calls inventions. */
function invented(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `Zorvath Keep ${i + 1}`);
}

async function universe(): Promise<string[]> {
  const res = await fetch(`${sim.url}/sim/universe?items=1&topic=${encodeURIComponent(TOPIC)}`);
  return ((await res.json()) as { items: string[] }).items;
}

describe("VerifyQueue", () => {
  it("checks entries in batches by models other than the proposer, asks again until a verdict, costs every call", async () => {
    const items = await universe();
    const entries = [
      ...items.slice(0, 100).map((text, i) => ({ seq: i + 1, text })),
      ...["Qwertzu Castle", "Blorfinax Keep", "Pizza", "The Beatles"].map((text, i) => ({ seq: 200 + i, text })),
    ];
    const { q, side, calls, opinions, verdicts } = setup();
    q.enqueue(entries);
    await q.drain(60_000);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((c) => c.costUsd > 0 && c.call.itemsParsed <= MAX_VERIFY_ITEMS && c.call.error === undefined)).toBe(true);
    expect(opinions.every((o) => o.label !== "sim:sim-weak")).toBe(true);
    // Every entry reached a verdict; a second opinion came from another model first.
    expect(verdicts.size).toBe(entries.length);
    for (const seq of new Set(opinions.map((o) => o.seq))) {
      const by = opinions.filter((o) => o.seq === seq).map((o) => o.label);
      if (by.length >= 2) expect(by[1]).not.toBe(by[0]);
    }
    expect(verdicts.get(202)).toBe("rejected"); // Pizza
    expect(verdicts.get(203)).toBe("rejected"); // The Beatles
    expect([...verdicts].filter(([seq, v]) => seq <= 100 && v === "verified").length).toBeGreaterThan(90);
    expect(q.stats.calls).toBe(calls.length);
    await side.close();
  });

  it("decides a rejected entry again once its model proposed it in 3 calls: restored unless two verifiers said no and it is likely invented", async () => {
    // The universe's long tail, which the verifiers mostly do not know, and inventions among it, as a run has; one model, one call each.
    const items = await universe();
    const entries = [...items.slice(-600), ...invented(150)].map((text, i) => ({ seq: i + 1, text }));
    let calls = 1;
    let shift = 0;
    const { q, side, opinions, verdicts } = setup({ calls: () => calls, clock: () => Date.now() + shift });
    q.enqueue(entries);
    await q.drain(60_000);
    const rejected = [...verdicts].filter(([, v]) => v === "rejected").map(([seq]) => seq);
    expect(rejected.length).toBeGreaterThan(0);
    // Proposed again in two more calls; the rejected entries are looked at again (every 5 s).
    calls = 3;
    shift = 6_000;
    await q.drain(60_000);
    const noes = (seq: number) => opinions.filter((o) => o.seq === seq && o.opinion === "no").length;
    for (const seq of rejected) if (verdicts.get(seq) === "rejected") expect(noes(seq)).toBeGreaterThanOrEqual(2);
    expect(q.stats.restored).toBeGreaterThanOrEqual(rejected.filter((seq) => noes(seq) < 2).length);
    await side.close();
  });

  it("decides a rejected entry again when its model proposes it in another call or another model does, and not before", async () => {
    // The long tail (other names than the test above asks about), one model; half of it proposed in 2 calls already (the 2-call kind's share of inventions is learnt from them).
    const items = await universe();
    const entries = [...items.slice(-1200, -600), ...invented(150)].map((text, i) => ({ seq: i + 1, text }));
    const twice = new Set(entries.filter((e) => e.seq % 2 === 0).map((e) => e.text));
    let later = false;
    let shift = 0;
    // Later, a second model proposes a quarter of the entries, and the first model each of them in a second call.
    const second = new Set(entries.filter((e) => e.seq % 4 === 1).map((e) => e.text));
    const { q, side, verdicts } = setup({
      calls: (text) => (later || twice.has(text) ? 2 : 1),
      proposers: (text) => (later && second.has(text) ? ["sim:sim-weak", "sim:sim-claude"] : ["sim:sim-weak"]),
      clock: () => Date.now() + shift,
    });
    q.enqueue(entries);
    await q.drain(60_000);
    expect([...verdicts].filter(([seq, v]) => seq % 2 === 1 && v === "rejected").length).toBeGreaterThan(0);
    shift = 6_000;
    await q.drain(60_000);
    expect(q.stats.restored).toBe(0); // no new call: nothing to decide again
    // A second call of its model for every entry, a second model for some.
    later = true;
    shift = 12_000;
    await q.drain(60_000);
    expect(q.stats.restored).toBeGreaterThan(0);
    await side.close();
  });

  it("asks each model at most once about an entry, and settles it once no model is left to ask", async () => {
    const items = await universe();
    const entries = items.slice(-300).map((text, i) => ({ seq: i + 1, text }));
    const { q, side, opinions, verdicts } = setup();
    q.enqueue(entries);
    const report = await q.drain(60_000);
    expect(report).toMatchObject({ left: 0, ended: "done" });
    expect(q.pending).toBe(0);
    for (const { seq } of entries) {
      const asked = opinions.filter((o) => o.seq === seq).map((o) => o.label);
      expect(new Set(asked).size).toBe(asked.length);
      expect(asked).not.toContain("sim:sim-weak"); // the proposer
      expect(verdicts.has(seq)).toBe(true);
    }
    await side.close();
  });

  it("sends nothing the budget does not allow, and checks an entry every model proposed with one of them", async () => {
    const poor = setup({ affordable: () => false });
    poor.q.enqueue([{ seq: 1, text: "Qwertzu Castle" }]);
    await poor.q.drain(2_000);
    expect(poor.calls).toEqual([]);
    expect(poor.q.stats.budgetWaits).toBeGreaterThan(0);
    await poor.side.close();

    // Every model proposed it: one of them still checks it (the on-topic guard).
    const everyone = setup({ proposers: () => LABELS });
    everyone.q.enqueue([{ seq: 1, text: "Pizza" }]);
    await everyone.q.drain(60_000);
    expect(everyone.calls.length).toBe(1);
    expect(everyone.verdicts.get(1)).toBe("rejected");
    await everyone.side.close();
  });

  it("keeps an entry several models proposed on its first opinion, then checks it once more, last, for the on-topic guard alone", async () => {
    const items = await universe();
    const entries = [...items.slice(0, 40).map((text, i) => ({ seq: i + 1, text })), { seq: 100, text: "Pizza" }];
    // The first verifier calls every off-topic line a member; the second says what it is.
    const { q, side, opinions, verdicts } = setup({
      proposers: () => ["sim:sim-weak", "sim:sim-claude"],
      simParams: { "sim:sim-strong": { verifier: { offTopicAccept: 1 } } },
    });
    q.enqueue(entries);
    await q.drain(60_000);
    const by = (seq: number) => opinions.filter((o) => o.seq === seq).map((o) => o.label);
    // Two opinions each, from two models, the first given to every entry before any second.
    for (const e of entries) expect(new Set(by(e.seq)).size).toBe(2);
    const firstOfSecond = opinions.findIndex((o, i) => opinions.findIndex((p) => p.seq === o.seq) !== i);
    expect(opinions.slice(0, firstOfSecond).length).toBe(entries.length);
    expect(opinions.find((o) => o.seq === 100)).toMatchObject({ label: "sim:sim-strong", opinion: "yes" });
    expect(verdicts.get(100)).toBe("rejected");
    // A real member keeps its verdict whatever its second opinion says (only "off" rejects).
    expect([...verdicts].filter(([seq, v]) => seq <= 40 && v !== "rejected").length).toBe(40);
    expect(q.stats.verdicts.rejected).toBe(1);
    expect(q.stats.verdicts.verified + q.stats.verdicts.unsure).toBe(40);
    await side.close();
  });

  it("in the stop's drain, what is left of the budget goes to a batch that fits, past one that does not", async () => {
    // sim-strong is dear: its batch never fits; the cheapest model's on-topic check does.
    const { q, side, calls, verdicts } = setup({
      priceOf: (label, p, c) => ((label === "sim:sim-strong" ? 100 : 1) * (p + c)) / 1e6,
      affordable: (usd) => usd < 0.001,
      proposers: (text) => (text === "Pizza" ? LABELS : ["sim:sim-weak"]),
    });
    q.enqueue([
      { seq: 1, text: "Qwertzu Castle" },
      { seq: 2, text: "Pizza" },
    ]);
    const report = await q.drain(30_000);
    expect(calls.map((c) => c.call.model)).not.toContain("sim-strong");
    expect(verdicts.get(2)).toBe("rejected");
    expect(verdicts.has(1)).toBe(false);
    expect(q.stats.budgetWaits).toBeGreaterThan(0);
    expect(report).toMatchObject({ checked: 1, left: 1, ended: "budget" });
    await side.close();
  });

  it("follows an entry renamed to its display form since it was queued, and drops one merged away", async () => {
    const items = await universe();
    // Entry 1 was queued all in capitals and is shown cased now; entry 2 was merged into another.
    const { q, side, opinions, verdicts } = setup({ textOf: (seq, text) => (seq === 1 ? items[0] : seq === 2 ? undefined : text) });
    q.enqueue([
      { seq: 1, text: items[0]!.toUpperCase() },
      { seq: 2, text: items[1]! },
      { seq: 3, text: "Pizza" },
    ]);
    const report = await q.drain(60_000);
    expect(verdicts.get(1)).toBe("verified");
    expect(verdicts.get(3)).toBe("rejected");
    expect(opinions.some((o) => o.seq === 2)).toBe(false);
    expect(report).toMatchObject({ left: 0, ended: "done" });
    await side.close();
  });

  it("counts calls in flight against the budget: two verifiers' batches that fit only one at a time are not sent together", async () => {
    // Every call is priced and billed 1; the budget takes 1.5. Entries of two proposers make two verifiers' batches at once.
    const { q, side, calls } = setup({
      priceOf: () => 1,
      costOf: () => 1,
      affordable: (usd) => calls.length + usd <= 1.5,
      proposers: (text) => [text.startsWith("A") ? "sim:sim-strong" : "sim:sim-weak"],
    });
    const items = await universe();
    q.enqueue(items.slice(0, 60).map((text, i) => ({ seq: i + 1, text: `${i % 2 ? "A" : "B"}${text}` })));
    const report = await q.drain(60_000);
    expect(calls.length).toBe(1);
    expect(report.ended).toBe("budget");
    expect(report.left).toBeGreaterThanOrEqual(30);
    await side.close();
  });

  it("the stop's drain ends at its time limit, when no call answers for a while, or at once when cut", async () => {
    const items = await universe();
    const entries = items.slice(0, 50).map((text, i) => ({ seq: i + 1, text }));
    for (const [end, after] of [
      ["time", 2_000],
      ["stalled", 1_000],
      ["cut", 0],
    ] as const) {
      // A fake clock: moved past the bound while the slow simulator's first calls are still in flight.
      let now = 1_000_000;
      const { q, side, calls } = setup({ simUrl: slowSim.url, clock: () => now });
      q.enqueue(entries);
      const drained = q.drain(2_000, 1_000);
      if (end === "cut") q.cut();
      else now += after;
      const report = await drained;
      // Ended before any call answered (the side calls' close aborts them): the entries in flight are left.
      expect(report).toMatchObject({ ended: end, checked: 0, left: 50 });
      expect(calls).toEqual([]);
      await side.close();
    }
    // Stopped again before the drain began (producers still shutting down): nothing is sent.
    const { q, side, calls } = setup({ simUrl: slowSim.url });
    q.enqueue(entries);
    q.cut();
    expect(await q.drain(2_000)).toMatchObject({ ended: "cut", checked: 0, left: 50 });
    await side.close();
    expect(calls).toEqual([]);
  });
});
