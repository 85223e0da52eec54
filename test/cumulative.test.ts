import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../src/lib/run-view";
import { activeMs, parseStretches } from "../src/lib/stretches";
import { createCaller } from "../src/server/api/root";
import { createContext } from "../src/server/api/trpc";
import { connect, disconnect, list, remove } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * One truth for a run across resumes: after a stop and two resumes, with the tree and the
 * judge on, every figure of topic.status and topic.list is the whole run's and equals the
 * database's sums; the history keeps the first start and the active time of every stretch.
 */
describe.each(testDatabases())("whole-run figures across resumes on $name", (target) => {
  let h: Harness;
  const SECRET = "cumulative-secret";
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

  /** What the database holds for the run: rows summed, and the counters that have no rows. */
  async function databaseSums(runId: string) {
    const prisma = h.app.db.prisma;
    const [entries, calls, run] = await Promise.all([
      prisma.entry.count({ where: { runId } }),
      prisma.llmCall.aggregate({ where: { runId }, _count: { _all: true }, _sum: { promptTokens: true, completionTokens: true, costUsd: true } }),
      prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { totalCandidates: true, totalDupExact: true, stretches: true } }),
    ]);
    return {
      entries,
      calls: calls._count._all,
      tokens: (calls._sum.promptTokens ?? 0) + (calls._sum.completionTokens ?? 0),
      costUsd: round(calls._sum.costUsd ?? 0),
      candidates: run.totalCandidates,
      dupExact: run.totalDupExact,
      stretches: parseStretches(run.stretches),
    };
  }
  const round = (usd: number) => Math.round(usd * 1e9) / 1e9;
  const execCli = promisify(execFile);

  /** A RunView's figures (topic.status's run, a topic.list row: the same shape). */
  const figures = (t: RunView["totals"]) => ({
    entries: t.unique,
    calls: t.calls,
    tokens: t.tokens,
    costUsd: round(t.costUsd),
    candidates: t.candidates,
    dupExact: t.dupExact,
  });
  async function statusFigures() {
    const s = await caller().topic.status();
    // The snapshot's tally row carries the same counters as its run view.
    expect(s.totals).toMatchObject({ unique: s.run!.totals.unique, calls: s.run!.totals.calls, costUsd: s.run!.totals.costUsd });
    return figures(s.run!.totals);
  }
  async function listedFigures(runId: string) {
    return figures((await caller().topic.list()).find((x) => x.id === runId)!.totals);
  }
  /** What `igentai status` prints, read back (its cost has 4 decimals). */
  async function cliFigures() {
    const url = h.apiUrl.replace(/\/api\/trpc$/, "");
    const { stdout } = await execCli(process.execPath, [path.join(process.cwd(), "bin", "igentai.js"), "--url", url, "status"], { timeout: 30_000 });
    const n = (label: string) => Number(new RegExp(`([\\d,]+) ${label}`).exec(stdout)![1]!.replace(/,/g, ""));
    return {
      entries: n("unique"),
      calls: n("calls"),
      tokens: n("tokens"),
      costUsd: Number(/\$([\d.]+)/.exec(stdout)![1]),
      candidates: n("candidates"),
      dupExact: n("exact duplicates"),
    };
  }

  it("keeps every total cumulative and equal to the database's sums through two resumes", async () => {
    const { runId } = await caller().topic.start({ topic: "Rivers of Europe", producers: 2, requestSize: 40, judge: { enabled: true } });
    const firstStart = (await caller().topic.status()).run!.startedAt;
    const stopped: Array<Awaited<ReturnType<typeof databaseSums>>> = [];
    let minimum = 0;
    for (let stretch = 1; stretch <= 2; stretch++) {
      minimum += 25;
      await waitFor("entries", async () => (await caller().topic.status()).totals.unique >= minimum);
      await waitFor("exact duplicates", async () => (await caller().topic.status()).totals.dupExact > 0);
      // The server's own calls (the judge's; the tree's breakdowns) are among the run's calls before the first stop.
      if (stretch === 1)
        await waitFor(
          "a call of the judge or the tree",
          async () => (await h.app.db.prisma.llmCall.count({ where: { runId, producer: { in: ["judge", "tree"] } } })) > 0,
        );
      const live = await statusFigures();
      await caller().topic.stop();
      const db = await databaseSums(runId);
      stopped.push(db);
      // Stored: topic.list says what the database says.
      expect(await listedFigures(runId)).toEqual({
        entries: db.entries,
        calls: db.calls,
        tokens: db.tokens,
        costUsd: db.costUsd,
        candidates: db.candidates,
        dupExact: db.dupExact,
      });
      // Nothing went back from the live figures at the stop (the judge or a last batch may add).
      expect(db.calls).toBeGreaterThanOrEqual(live.calls);
      expect(db.dupExact).toBeGreaterThanOrEqual(live.dupExact);
      expect(db.stretches).toHaveLength(stretch);
      expect(db.stretches.at(-1)!.reason).toBe("stopped by user");
      await caller().topic.resume({ runId });
    }

    // The third stretch: its figures start from the whole run's, not from 0.
    const resumed = await statusFigures();
    const before = stopped.at(-1)!;
    expect(resumed.calls).toBeGreaterThanOrEqual(before.calls);
    expect(resumed.costUsd).toBeGreaterThanOrEqual(before.costUsd);
    expect(resumed.dupExact).toBeGreaterThanOrEqual(before.dupExact);
    expect(resumed.candidates).toBeGreaterThanOrEqual(before.candidates);
    // The duplicate rate carries on: it is the whole run's.
    expect(resumed.dupExact / resumed.candidates).toBeGreaterThan(0);
    // While the third stretch runs, topic.list shows the view topic.status shows: read between
    // two status reads, every listed figure lies between them (the figures only grow).
    for (let i = 0; i < 3; i++) {
      const earlier = await statusFigures();
      const listed = await listedFigures(runId);
      const later = await statusFigures();
      for (const k of Object.keys(listed) as Array<keyof typeof listed>) {
        expect(listed[k]).toBeGreaterThanOrEqual(earlier[k]);
        expect(listed[k]).toBeLessThanOrEqual(later[k]);
      }
    }

    // Producers gone, run still active: the figures settle and are compared, live and listed.
    await connect(true);
    for (const p of await list(PRODUCER_PREFIX)) await remove(p.name);
    const settled = await waitFor("live figures equal to the database's sums", async () => {
      const live = await statusFigures();
      const db = await databaseSums(runId);
      const sums = { entries: db.entries, calls: db.calls, tokens: db.tokens, costUsd: db.costUsd };
      const { candidates: _c, dupExact: _d, ...figures } = live;
      return JSON.stringify(figures) === JSON.stringify(sums) ? live : undefined;
    });
    expect(await listedFigures(runId)).toEqual(settled);

    // A scripted batch with a call and an exact duplicate moves both views and the sums alike.
    await caller(SECRET).producer.submit({
      runId,
      producer: "script",
      batchId: "cumulative-1",
      candidates: ["Zeta Alpha River", "zeta alpha river"],
      sinceSeq: 0,
      call: {
        callId: "cumulative-call-1",
        provider: "sim",
        model: "sim-strong",
        startedAt: Date.now(),
        latencyMs: 5,
        promptTokens: 100,
        completionTokens: 20,
        itemsParsed: 2,
      },
    });
    const after = await statusFigures();
    expect(after).toMatchObject({
      entries: settled.entries + 1,
      calls: settled.calls + 1,
      tokens: settled.tokens + 120,
      candidates: settled.candidates + 2,
      dupExact: settled.dupExact + 1,
    });
    expect(await listedFigures(runId)).toEqual(after);
    // The CLI prints the same view.
    expect(await cliFigures()).toEqual({ ...after, costUsd: Number(after.costUsd.toFixed(4)) });
    const db = await databaseSums(runId);
    expect({ entries: db.entries, calls: db.calls, tokens: db.tokens, costUsd: db.costUsd }).toEqual({
      entries: after.entries,
      calls: after.calls,
      tokens: after.tokens,
      costUsd: after.costUsd,
    });

    // The history: the first start and the active time of the three stretches.
    const status = await caller().topic.status();
    expect(status.run!.firstStartedAt).toBe(firstStart);
    const listed = (await caller().topic.list()).find((x) => x.id === runId)!;
    expect(listed.firstStartedAt).toBe(firstStart);
    expect(listed.stretches).toHaveLength(3);
    const closed = activeMs(db.stretches.slice(0, 2), 0);
    expect(listed.activeMs).toBeGreaterThanOrEqual(closed);
    // A bound, not a timing: the third stretch's share cannot exceed the wall time since it began.
    const sinceThirdStart = Date.now() - db.stretches[2]!.startedAt;
    expect(listed.activeMs).toBeLessThanOrEqual(closed + sinceThirdStart);

    await caller().topic.stop();
    const final = await databaseSums(runId);
    expect(final.candidates).toBe(after.candidates);
    expect(final.dupExact).toBe(after.dupExact);
    const stored = (await caller().topic.list()).find((x) => x.id === runId)!;
    expect(stored).toMatchObject({ active: false, firstStartedAt: firstStart, activeMs: activeMs(final.stretches, 0) });
  }, 180_000);
});
