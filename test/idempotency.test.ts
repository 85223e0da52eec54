import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/server/api/root";
import { testDatabases } from "./helpers/databases";
import { startHarness, storedEntries, type Harness } from "./helpers/harness";

/**
 * A producer whose acknowledgement was lost re-sends the same batch. Within a server's
 * life the batch id makes that a replay; across a restart (the batch map is gone) the
 * dedup index and the call id keep entries and costs from being counted twice.
 */
describe("re-sent batches", () => {
  let h: Harness;
  const SECRET = "test-secret";
  beforeAll(async () => {
    h = await startHarness({
      db: await testDatabases()[0]!.open(),
      newSecret: () => SECRET,
      env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) },
    });
  });
  afterAll(async () => h?.close());

  it("are applied once, before and after a server restart", async () => {
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl, headers: { "x-igentai-secret": SECRET } })] });
    const { runId } = await api.topic.start.mutate({ topic: "Rivers of Europe", producers: 1, requestSize: 20 });
    const batch = {
      runId,
      producer: "script1",
      batchId: "batch-1",
      callId: "11111111-2222-3333-4444-555555555555",
      candidates: ["Danube Zeta River", "Rhine Omega River", "danube zeta river"],
      call: {
        callId: "11111111-2222-3333-4444-555555555555",
        provider: "sim",
        model: "sim-strong",
        startedAt: Date.now() - 500,
        latencyMs: 500,
        promptTokens: 1000,
        completionTokens: 100,
        itemsParsed: 3,
      },
      sinceSeq: 0,
    };
    const first = await api.producer.submit.mutate(batch);
    expect(first).toMatchObject({ accepted: 2, duplicates: 1, replay: false });
    expect(await api.producer.submit.mutate(batch)).toMatchObject({ accepted: 2, replay: true });

    await h.restart();
    const again = await api.producer.submit.mutate(batch);
    expect(again).toMatchObject({ accepted: 0, replay: false });

    const prisma = h.app.db.prisma;
    expect(await prisma.entry.count({ where: { runId, batchId: "batch-1" } })).toBe(2);
    expect(await prisma.llmCall.count({ where: { runId, callId: batch.callId } })).toBe(1);
    await api.topic.stop.mutate();
  }, 120_000);

  it("leave the producer's latest calls in flight in the live snapshot, per producer and per model", async () => {
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl, headers: { "x-igentai-secret": SECRET } })] });
    const { runId } = await api.topic.start.mutate({ topic: "Lakes of Europe", producers: 1, requestSize: 20 });
    const call = {
      callId: "21111111-2222-3333-4444-555555555555",
      provider: "sim",
      model: "sim-weak",
      startedAt: Date.now() - 500,
      latencyMs: 500,
      promptTokens: 10,
      completionTokens: 10,
      itemsParsed: 1,
    };
    const base = { runId, producer: "script1", callId: call.callId, sinceSeq: 0 };
    await api.producer.submit.mutate({ ...base, batchId: "b-1", candidates: ["Lake Zeta One"], callsInFlight: 5 });
    await api.producer.submit.mutate({ ...base, batchId: "b-2", candidates: ["Lake Zeta Two"], call, callsInFlight: 3 });
    const live = await api.topic.status.query();
    expect(live.producers.find((p) => p.key === "script1")?.callsInFlight).toBe(3);
    // p1 (a real producer on the simulator) may have calls open to the same model.
    expect(live.targets.find((t) => t.key === "sim:sim-weak")?.callsInFlight).toBeGreaterThanOrEqual(3);
    await api.topic.stop.mutate();
  }, 120_000);
});

/** Support per entry (src/lib/trust/support.ts) on each database: exact with every acknowledgement, and durable. */
describe.each(testDatabases())("support on $name", (target) => {
  let h: Harness;
  const SECRET = "test-secret";
  beforeAll(async () => {
    h = await startHarness({ db: await target.open(), newSecret: () => SECRET, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
  });
  afterAll(async () => h?.close());

  it("is stored for every acknowledged proposal, with repeats in one flush and across flushes, and read back by a restart and the entry list", async () => {
    const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl, headers: { "x-igentai-secret": SECRET } })] });
    const { runId } = await api.topic.start.mutate({ topic: "Ponds of Europe", producers: 1, requestSize: 20 });
    // 24 batches sent together (so several share a flush), each its own call, over 10 names:
    // an entry's later proposals land in the flush that writes it, or in later ones.
    const names = ["Qorvath", "Belmiruk", "Tsandole", "Quimbery", "Faxonel", "Hurdwick", "Zepolian", "Mornavay", "Glistrum", "Oblendor"].map(
      (w) => `${w} Pond`,
    );
    const batches = Array.from({ length: 24 }, (_, b) => ({
      producer: `script${b % 3}`,
      callId: `3${String(b).padStart(7, "0")}-2222-3333-4444-555555555555`,
      candidates: names.filter((_, i) => (i * 7 + b) % 3 !== 0),
    }));
    await Promise.all(batches.map((b, k) => api.producer.submit.mutate({ runId, batchId: `s-${k}`, sinceSeq: 0, ...b })));
    const expected = (name: string) => {
      const by = batches.filter((b) => b.candidates.includes(name));
      return { calls: by.length, producers: new Set(by.map((b) => b.producer)).size };
    };
    // As stored, read the way a restart reads it, and as the entry list shows it.
    const stored = async () => [...(await storedEntries(h.app.db.prisma, runId)).values()].filter((e) => names.includes(e.text));
    for (const e of await stored())
      expect({ text: e.text, calls: e.support.calls, producers: e.support.producers }).toEqual({ text: e.text, ...expected(e.text) });
    expect((await stored()).length).toBe(names.length);
    const listed = (await api.topic.entries.query({ runId, limit: 1000 })).items.filter((e) => names.includes(e.text));
    expect(listed.map((e) => ({ text: e.text, calls: e.supportCalls, producers: e.supportProducers }))).toEqual(
      listed.map((e) => ({ text: e.text, ...expected(e.text) })),
    );
    // An entry proposed once has no support row: its own proposal is its support.
    await api.producer.submit.mutate({ runId, batchId: "s-once", sinceSeq: 0, producer: "script5", candidates: ["Vendrakel Pond"] });
    expect((await storedEntries(h.app.db.prisma, runId)).get("Vendrakel Pond")?.support).toEqual({
      calls: 1,
      producers: 1,
      models: 1,
      producerList: ["script5"],
      modelList: [expect.stringMatching(/^sim:/)],
    });
    // After a restart, one more proposal of each counts from the stored support.
    await h.restart();
    await api.producer.submit.mutate({
      runId,
      batchId: "s-after",
      sinceSeq: 0,
      producer: "script9",
      callId: "49999999-2222-3333-4444-555555555555",
      candidates: names,
    });
    for (const e of await stored())
      expect({ text: e.text, calls: e.support.calls, producers: e.support.producers }).toEqual({
        text: e.text,
        calls: expected(e.text).calls + 1,
        producers: expected(e.text).producers + 1,
      });
    expect((await api.topic.entries.query({ runId, search: "Vendrakel" })).items[0]).toMatchObject({ supportCalls: 1, supportProducers: 1, supportModels: 1 });
    await api.topic.stop.mutate();
  }, 120_000);
});
