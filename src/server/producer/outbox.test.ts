import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/helpers/fake-clock";
import { MemoryOrchestrator, unreachable } from "../../../test/helpers/memory-orchestrator";
import type { CallRecord } from "../../lib/protocol";
import type { Channel } from "./channel";
import { Outbox } from "./outbox";

const record = (callId: string, itemsParsed: number): CallRecord => ({
  callId,
  provider: "sim",
  model: "sim-strong",
  startedAt: 0,
  latencyMs: 10,
  promptTokens: 10,
  completionTokens: 10,
  itemsParsed,
});

/** An outbox over an in-memory orchestrator; `wrap` may stand between them (to hold submits). */
function setup(opts: { minIntervalMs?: number; maxInFlight?: number; wrap?: (inner: Channel) => Channel } = {}) {
  const orch = new MemoryOrchestrator({
    topic: "Rivers of Europe",
    target: { provider: "sim", model: "sim-strong" },
    requestSize: 10,
    promptBudgetTokens: 100,
  });
  let n = 0;
  const inner = orch.channelFor("p1");
  const outbox = new Outbox({
    channel: opts.wrap ? opts.wrap(inner) : inner,
    clock: new FakeClock(),
    cursor: () => 0,
    onResult: () => {},
    onRejected: () => {},
    newBatchId: () => `b${++n}`,
    minIntervalMs: opts.minIntervalMs ?? 200,
    random: () => 0.5,
    retry: { baseMs: 10, maxMs: 10 },
    ...(opts.maxInFlight !== undefined ? { maxInFlight: opts.maxInFlight } : {}),
  });
  const sent = () => orch.batches.map((b) => `${b.callId}:${b.candidates.join(",")}${b.call ? "!" : ""}`);
  return { orch, outbox, sent };
}

describe("Outbox", () => {
  it("sends an ended call's last batch before other calls' streaming lines (order within a call holds)", async () => {
    const { outbox, sent } = setup();
    // A's first lines go at once; B's and C's wait out the submit interval behind them.
    outbox.add("A", ["Rhine"]);
    outbox.add("B", ["Danube"]);
    outbox.add("C", ["Elbe"]);
    outbox.add("A", ["Oder"]);
    // C ends: its waiting lines and its record go next, ahead of B's and of A's second lines.
    outbox.finishCall("C", ["Loire"], record("C", 2));
    let cDone = false;
    const c = outbox.drained(undefined, "C").then(() => (cDone = true));
    await c;
    expect(cDone).toBe(true);
    expect(sent()).toEqual(["A:Rhine", "C:Elbe,Loire!"]);
    outbox.finishCall("A", [], record("A", 2));
    await outbox.drained();
    expect(sent()).toEqual(["A:Rhine", "C:Elbe,Loire!", "A:Oder!", "B:Danube"]);
  });

  it("sends every batch of an ended call at once, also one split off before its record", async () => {
    const { orch, outbox, sent } = setup();
    outbox.add("A", ["Rhine"]);
    // B streams more lines than a batch holds: they are split, the first part has no record.
    const lines = Array.from({ length: 501 }, (_, i) => `Brook ${i}`);
    outbox.add("B", lines);
    outbox.finishCall("B", [], record("B", 501));
    outbox.finishCall("C", ["Elbe"], record("C", 1));
    // B's first part and C's batch go at once, beside A's first lines, without waiting out the 200 ms.
    expect(sent().map((b) => b.slice(0, 9))).toEqual(["A:Rhine", "B:Brook 0", "C:Elbe!"]);
    await outbox.drained();
    expect(sent().filter((b) => b.startsWith("B:"))).toEqual([expect.stringMatching(/^B:Brook 0,.*Brook 499$/), "B:Brook 500!"]);
    expect(orch.candidates).toBe(503);
  });

  it("retries a failed batch under its batchId while other calls' batches go on", async () => {
    const { orch, outbox, sent } = setup();
    let failures = 1;
    orch.fault = (op, _p, batch) => (op === "submit" && batch?.callId === "A" && failures-- > 0 ? unreachable("submit") : undefined);
    outbox.add("A", ["Rhine"]);
    outbox.finishCall("B", ["Danube"], record("B", 1));
    await outbox.drained();
    expect(sent()).toEqual(["B:Danube!", "A:Rhine"]);
    expect(orch.batches.find((b) => b.callId === "A")!.batchId).toBe("b1");
    expect(orch.candidates).toBe(2);
  });

  it("sends one batch of a call at a time, and at most maxInFlight batches at once", async () => {
    const open: Array<{ callId: string | undefined; release: () => void }> = [];
    let most = 0;
    let overlapSameCall = false;
    const { orch, outbox } = setup({
      minIntervalMs: 0,
      maxInFlight: 3,
      wrap: (inner) => ({
        ...inner,
        submit: async (batch, signal) => {
          if (open.some((o) => o.callId === batch.callId)) overlapSameCall = true;
          const entry = { callId: batch.callId, release: () => {} };
          const gate = new Promise<void>((r) => (entry.release = r));
          open.push(entry);
          most = Math.max(most, open.length);
          await gate;
          open.splice(open.indexOf(entry), 1);
          return inner.submit(batch, signal);
        },
      }),
    });
    const calls = ["A", "B", "C", "D", "E"];
    // A, B and C go at once; their next lines wait for them, D and E for a free slot.
    for (const call of calls) outbox.add(call, [`${call} river`]);
    expect(open.map((o) => o.callId)).toEqual(["A", "B", "C"]);
    for (const call of calls) outbox.add(call, [`${call} brook`]);
    for (const call of calls) outbox.finishCall(call, [`${call} creek`], record(call, 3));
    const all = outbox.drained();
    // Release whatever is open, oldest first, until everything is acknowledged.
    for (let i = 0; i < 100 && outbox.size > 0; i++) {
      await new Promise((r) => setImmediate(r));
      open[0]?.release();
    }
    await all;
    expect(most).toBe(3);
    expect(overlapSameCall).toBe(false);
    expect(orch.candidates).toBe(15);
    expect(orch.calls.map((c) => c.callId).sort()).toEqual(calls);
    // Within a call, lines arrive in the order they were proposed.
    for (const call of calls)
      expect(orch.entries.filter((e) => e.text.startsWith(call)).map((e) => e.text)).toEqual([`${call} river`, `${call} brook`, `${call} creek`]);
  });
});
