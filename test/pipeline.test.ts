import fs from "node:fs";
import path from "node:path";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/server/api/root";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { testDatabases } from "./helpers/databases";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * The whole pipeline for real: tRPC over HTTP, the orchestrator, pm2 running producer
 * processes, the simulator through the official SDKs, and the database.
 */
describe.each(testDatabases())("pipeline on $name", (target) => {
  let h: Harness;
  let api: ReturnType<typeof createTRPCClient<AppRouter>>;

  beforeAll(async () => {
    h = await startHarness({ db: await target.open(), env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
    api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl })] });
  });
  afterAll(async () => {
    await h?.close();
    await connect(true); // the app disconnected from pm2; look for leftovers ourselves
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });

  const dbEntries = async (runId: string) =>
    await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { seq: true, text: true, normalisedKey: true } });

  const outputLines = (slug: string) => {
    const raw = fs.readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8");
    return raw === "" ? [] : raw.replace(/\n$/, "").split("\n");
  };

  it("rejects bad input with a clear error and changes nothing", async () => {
    const err = await api.topic.start.mutate({ topic: "", producers: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe("BAD_REQUEST");
    expect((err as TRPCClientError<AppRouter>).data?.zodError?.fieldErrors).toHaveProperty("topic");
    expect(await h.app.db.prisma.run.count()).toBe(0);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
  });

  it("runs a topic: entries accumulate identically in the DB and output.txt, then stop leaves no producer", async () => {
    const started = await api.topic.start.mutate({ topic: "Paris attractions", producers: 3, requestSize: 20 });
    expect(started.resumed).toBe(false);
    const procs = await waitFor("3 producers online", async () => {
      const ps = await list(PRODUCER_PREFIX);
      return ps.length === 3 && ps.every((p) => p.status === "online") && ps;
    });
    expect(procs.map((p) => p.name).sort()).toEqual(["p1", "p2", "p3"].map((p) => PRODUCER_PREFIX + p));
    // Producers get provider settings and their run's identity, not the server's environment.
    const environ = fs.readFileSync(`/proc/${procs[0]!.pid}/environ`, "utf8").split("\0");
    expect(environ.some((v) => v.startsWith("IGENTAI_RUN_SECRET="))).toBe(true);
    expect(environ.some((v) => v.startsWith("DATABASE_URL=") || v.startsWith("IGENTAI_TEST_PM2_HOME="))).toBe(false);

    await waitFor("60 entries", async () => (await api.topic.status.query()).totals.unique >= 60);
    const status = await api.topic.status.query();
    expect(status.state).toBe("running");
    expect(status.targets.length).toBeGreaterThan(0);
    expect(status.producers.some((p) => p.unique > 0)).toBe(true);

    await api.topic.stop.mutate();
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    const run = await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: started.runId } });
    expect(run.state).toBe("stopped");

    const rows = await dbEntries(started.runId);
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(new Set(rows.map((r) => r.normalisedKey)).size).toBe(rows.length);
    const lines = outputLines(run.slug);
    expect(lines).toEqual(rows.map((r) => r.text));
    expect(new Set(lines.map((l) => l.toLowerCase())).size).toBe(lines.length);
  });

  it("resumes a topic from its stored entries, survives SIGKILL of a producer and a web-app restart", async () => {
    const first = await api.topic.start.mutate({ topic: "Paris attractions", producers: 2, requestSize: 20 });
    expect(first.resumed).toBe(true);
    const before = first.entries;
    expect(before).toBeGreaterThanOrEqual(60);
    await waitFor("new entries after resume", async () => (await api.topic.status.query()).totals.unique > before + 10);

    // A producer killed with SIGKILL is restarted by pm2 and resumes.
    const victim = (await list(PRODUCER_PREFIX)).find((p) => p.name.endsWith("p1"))!;
    process.kill(victim.pid!, "SIGKILL");
    const restarted = await waitFor("p1 restarted by pm2", async () => {
      const p = (await list(PRODUCER_PREFIX)).find((x) => x.name.endsWith("p1"));
      return p && p.status === "online" && p.pid !== victim.pid && p;
    });
    expect(restarted.restarts).toBeGreaterThan(victim.restarts);

    // The web app restarts while producers run: it re-attaches to the same processes.
    const pidsBefore = (await list(PRODUCER_PREFIX)).map((p) => p.pid).sort();
    await h.restart();
    const afterRestart = await api.topic.status.query();
    expect(afterRestart.state).toBe("running");
    const n = afterRestart.totals.unique;
    await waitFor("entries after restart", async () => (await api.topic.status.query()).totals.unique > n + 10);
    expect((await list(PRODUCER_PREFIX)).map((p) => p.pid).sort()).toEqual(pidsBefore);

    await api.topic.stop.mutate();
    const rows = await dbEntries(first.runId);
    const run = await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: first.runId } });
    expect(outputLines(run.slug)).toEqual(rows.map((r) => r.text));
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(new Set(rows.map((r) => r.normalisedKey)).size).toBe(rows.length);
  });

  it("refuses producer calls without the run's secret", async () => {
    const started = await api.topic.start.mutate({ topic: "enzymes", producers: 1 });
    const err = await api.producer.submit
      .mutate({ runId: started.runId, producer: "p1", batchId: "x", candidates: ["Lactase"], sinceSeq: 0 })
      .catch((e: unknown) => e);
    expect((err as TRPCClientError<AppRouter>).data?.code).toBe("UNAUTHORIZED");
    await api.topic.stop.mutate();
    expect(await h.app.db.prisma.entry.count({ where: { runId: started.runId, text: "Lactase", producer: "p1", batchId: "x" } })).toBe(0);
  });
});
