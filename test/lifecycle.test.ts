import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/api/root";
import { createContext } from "../src/server/api/trpc";
import { connect, disconnect, list, remove } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * A run's lifecycle through the tRPC procedures (createCaller, no HTTP), with real pm2
 * producers and the simulator: rejected starts, boot after the producers are gone, and
 * one set of totals.
 */
describe.each(testDatabases())("run lifecycle on $name", (target) => {
  let h: Harness;
  const SECRET = "lifecycle-secret";
  const caller = (secret?: string) =>
    createCaller(createContext({ orchestrator: h.app.orchestrator, db: h.app.db }, new Headers(secret ? { "x-igentai-secret": secret } : {})));

  beforeAll(async () => {
    h = await startHarness({ db: await target.open(), newSecret: () => SECRET, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
  });
  afterAll(async () => {
    await h?.close();
    await connect(true);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });

  const runRows = () =>
    h.app.db.prisma.run.findMany({ orderBy: { id: "asc" }, select: { id: true, state: true, config: true, totalUnique: true, slug: true } });

  it("a rejected start leaves the active run running and the database unchanged", async () => {
    const { runId } = await caller().topic.start({ topic: "Rivers of Europe", producers: 2, requestSize: 20 });
    await waitFor("entries", async () => (await caller().topic.status()).totals.unique >= 10);
    const pids = (await list(PRODUCER_PREFIX)).map((p) => p.pid).sort();
    const before = await runRows();

    const rejected = [
      { topic: "Birds", providers: [{ provider: "anthropic" as const, model: "claude-sonnet-4-5" }] },
      // Text the database refuses (a lone surrogate in the stored config) must be turned away before the active run is touched.
      { topic: "Birds \ud800 of prey" },
    ];
    for (const input of rejected) {
      await expect(caller().topic.start(input)).rejects.toThrow();
      const status = await caller().topic.status();
      expect(status.state).toBe("running");
      expect(status.run?.id).toBe(runId);
    }
    const after = await runRows();
    expect(after.map(({ totalUnique: _, ...r }) => r)).toEqual(before.map(({ totalUnique: _, ...r }) => r));
    expect((await list(PRODUCER_PREFIX)).map((p) => p.pid).sort()).toEqual(pids);
  });

  it("topic.list gives the active run the same totals as topic.status", async () => {
    const { runId } = await caller().topic.start({ topic: "Rivers of Europe", producers: 1, requestSize: 20 });
    // Producers gone, run still active: the figures hold still while they are compared.
    // (The app's pm2 connection is this process's: it stays connected.)
    await connect(true);
    for (const p of await list(PRODUCER_PREFIX)) await remove(p.name);
    await caller(SECRET).producer.submit({
      runId,
      producer: "script",
      batchId: "totals-1",
      candidates: ["Zeta Alpha River", "Omega Beta River", "zeta alpha river"],
      sinceSeq: 0,
    });
    const status = await caller().topic.status();
    const listed = (await caller().topic.list()).find((r) => r.id === runId)!;
    expect(listed.active).toBe(true);
    expect({ unique: listed.totals.unique, candidates: listed.totals.candidates, state: listed.state }).toEqual({
      unique: status.totals.unique,
      candidates: status.totals.candidates,
      state: status.state,
    });
    expect(status.totals.uniqueLastMinute).toBeLessThanOrEqual(status.totals.unique);
    // The script's two new entries were accepted within the minute (the optimiser's counter, which the low-yield stop reads).
    expect(status.totals.uniqueLastMinute).toBeGreaterThanOrEqual(2);
    expect(status.totals.candidatesLastMinute).toBeLessThanOrEqual(status.totals.candidates);
    await caller().topic.stop();
    const stored = await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect({ unique: stored.totalUnique, candidates: stored.totalCandidates }).toEqual({ unique: status.totals.unique, candidates: status.totals.candidates });
  });

  it("boot marks a run whose producers are gone interrupted, starts nothing, and resumes it only when asked", async () => {
    const { runId } = await caller().topic.start({ topic: "Rivers of Europe", producers: 2, requestSize: 20 });
    await waitFor("new entries", async () => (await caller().topic.status()).totals.candidates > 0);
    expect((await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe("running");
    // The web app goes away, and so do its producers (e.g. `pm2 delete all`).
    await h.app.close({ keepProducers: true });
    await connect(true);
    for (const p of await list(PRODUCER_PREFIX)) await remove(p.name);
    disconnect();

    await h.restart();
    const run = await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.state).toBe("interrupted");
    expect((await caller().topic.status()).state).toBe("idle");
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    expect((await caller().topic.list()).find((r) => r.id === runId)).toMatchObject({ state: "interrupted", active: false });
    await waitFor("interruption logged", async () => (await h.app.db.prisma.event.count({ where: { runId, kind: "run.interrupted" } })) === 1);

    const resumed = await caller().topic.resume({ runId });
    expect(resumed).toMatchObject({ runId, resumed: true, entries: run.totalUnique });
    const status = await caller().topic.status();
    expect(status.state).toBe("running");
    // Candidate totals carry over across the restart.
    expect(status.totals.candidates).toBeGreaterThanOrEqual(run.totalCandidates);
    await waitFor("producers back", async () => (await list(PRODUCER_PREFIX)).length === 2);
    await caller().topic.stop();
  });
});
