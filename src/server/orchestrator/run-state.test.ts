import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../db/client";
import { activeMs, firstStartedAt, parseStretches } from "../../lib/stretches";
import { saveRunState } from "./repo";
import { RunStateError, RunStates, storedRun, type ModeChange } from "./run-state";

/** The run state machine against a real (in-memory PGlite) database. */
describe("run state machine", () => {
  let db: Db;
  let now = 1_700_000_000_000;
  let states: RunStates;
  const changes: ModeChange[] = [];

  beforeAll(async () => {
    db = await openDb({ dataDir: "memory://" });
    states = new RunStates({ clock: () => now, save: (c) => saveRunState(db.prisma, c.runId, c, c.totals), log: () => undefined });
    states.events.on("mode", (c: ModeChange) => changes.push(c));
  });
  afterAll(async () => db?.close());

  const row = (id: string) =>
    db.prisma.run.findUniqueOrThrow({ where: { id }, select: { state: true, startedAt: true, stoppedAt: true, stopReason: true, totalUnique: true } });

  it("writes each mode to runs.state and announces it once", async () => {
    await db.prisma.run.create({ data: { id: "r1", topic: "Rivers", slug: "rivers", state: "stopped", config: {} } });
    const run = storedRun("r1", "stopped", () => ({ totalUnique: 7, totalCandidates: 9, totalDupExact: 2, totalDupNear: 0, totalJunk: 0 }));

    await states.setMode(run, "starting");
    expect(await row("r1")).toMatchObject({ state: "starting", startedAt: new Date(now), stoppedAt: null, totalUnique: 7 });
    await states.setMode(run, "running");
    now += 60_000;
    await states.setMode(run, "stopping", "stopped by user");
    await states.setMode(run, "stopped", "stopped by user");
    expect(await row("r1")).toMatchObject({ state: "stopped", stoppedAt: new Date(now), stopReason: "stopped by user" });
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(["stopped->starting", "starting->running", "running->stopping", "stopping->stopped"]);
    expect(changes.at(-1)).toMatchObject({ runId: "r1", reason: "stopped by user", totals: { totalUnique: 7, totalCandidates: 9 } });
  });

  it("refuses an illegal transition, changing neither the database nor the run", async () => {
    await db.prisma.run.create({ data: { id: "r2", topic: "Lakes", slug: "lakes", state: "interrupted", config: {} } });
    const run = storedRun("r2", "interrupted", () => ({ totalUnique: 0, totalCandidates: 0, totalDupExact: 0, totalDupNear: 0, totalJunk: 0 }));
    const before = changes.length;
    await expect(states.setMode(run, "running")).rejects.toThrow(RunStateError);
    expect(run.mode).toBe("interrupted");
    expect((await row("r2")).state).toBe("interrupted");
    expect(changes.length).toBe(before);
    // An interrupted run is resumed only through a new start.
    await states.setMode(run, "starting");
    expect((await row("r2")).state).toBe("starting");
  });

  it("keeps every stretch: the first start, the active time, and an interrupted one ends at its last sample", async () => {
    const t0 = now;
    await db.prisma.run.create({ data: { id: "r3", topic: "Seas", slug: "seas", state: "stopped", config: {} } });
    const run = storedRun("r3", "stopped", () => ({ totalUnique: 1, totalCandidates: 3, totalDupExact: 1, totalDupNear: 1, totalJunk: 0 }));
    for (const [runFor, pause] of [
      [120_000, 300_000],
      [60_000, 240_000],
    ] as const) {
      await states.setMode(run, "starting");
      await states.setMode(run, "running");
      now += runFor;
      await states.setMode(run, "stopping", "stopped by user");
      await states.setMode(run, "stopped", "stopped by user");
      now += pause;
    }
    // The third stretch: the server dies 30 s after its last sample and is found at the next boot.
    await states.setMode(run, "starting");
    await states.setMode(run, "running");
    await db.prisma.metricSample.create({ data: { runId: "r3", at: new Date(now + 90_000), data: {} } });
    now += 120_000;
    await states.setMode(run, "interrupted", "the server went away");
    const stored = await db.prisma.run.findUniqueOrThrow({ where: { id: "r3" }, select: { stretches: true, startedAt: true, totalDupExact: true } });
    const stretches = parseStretches(stored.stretches);
    expect(stretches).toHaveLength(3);
    expect(firstStartedAt(stretches)).toBe(t0);
    expect(activeMs(stretches, now + 1_000_000)).toBe(120_000 + 60_000 + 90_000);
    expect(stretches.map((x) => x.reason)).toEqual(["stopped by user", "stopped by user", "the server went away"]);
    // started_at stays the latest stretch's (the stop rules' "minutes since this start").
    expect(stored.startedAt?.getTime()).toBe(stretches[2]!.startedAt);
    expect(stored.totalDupExact).toBe(1);
  });
});
