import type { PrismaClient } from "../../generated/prisma/client";
import { readMetricSample } from "../../lib/metric-sample";
import { runView, type CoverageFit, type RunCounters, type RunView } from "../../lib/run-view";
import { parseStretches } from "../../lib/stretches";
import type { ActiveRun } from "./active-run";
import { callTotalsByRun, entryCountsByRun, lastCoverageSamples, listRuns } from "./history-repo";

// Where a RunView's counters come from: the active run's memory, or the database. Both go
// through the one builder (src/lib/run-view.ts).

/** The active run's view: its counters as they are now (seeded from the database when it opened). */
export function liveRunView(run: ActiveRun, now: number): RunView {
  const t = run.metrics.overallTally();
  const counters: RunCounters = {
    unique: run.totalUnique,
    candidates: run.totalCandidates,
    dupExact: t.dupExact,
    dupNear: t.dupNear,
    junk: t.junk,
    calls: t.calls,
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    costUsd: t.costUsd,
  };
  const fit = run.optimizer.coverageEstimate();
  return runView({
    identity: {
      id: run.id,
      topic: run.config.topic,
      slug: run.slug,
      state: run.mode,
      startedAt: run.startedAt,
      stoppedAt: null,
      stopReason: null,
    },
    active: true,
    stretches: [...run.earlier.stretches, { startedAt: run.startedAt, stoppedAt: null, reason: null }],
    counters,
    coverage: fit && fit.observed > 0 ? fit : null,
    now,
  });
}

/**
 * The history, newest first: each stored run from its rows (entries counted, calls summed; the
 * counters without rows from the run's row) and its last coverage sample; the run this server
 * holds is `live`, its view from memory, the very one topic.status shows.
 */
export async function listRunViews(prisma: PrismaClient, limit: number, live: RunView | null, now: number, runId?: string): Promise<RunView[]> {
  const rows = await listRuns(prisma, limit, runId);
  const stored = rows.filter((r) => r.id !== live?.id).map((r) => r.id);
  const [entries, calls, samples] = await Promise.all([entryCountsByRun(prisma, stored), callTotalsByRun(prisma, stored), lastCoverageSamples(prisma, stored)]);
  return rows.map((r) => {
    if (live && r.id === live.id) return live;
    const c = calls.get(r.id);
    const sample = samples.get(r.id);
    const s = sample ? readMetricSample(sample) : null;
    const fit: CoverageFit | null =
      s && s.coverage !== null && s.estimatedTotal !== null && s.totalUnique > 0
        ? { observed: s.totalUnique, estimatedTotal: s.estimatedTotal, method: s.coverageMethod }
        : null;
    return runView({
      identity: {
        id: r.id,
        topic: r.topic,
        slug: r.slug,
        state: r.state,
        startedAt: r.startedAt?.getTime() ?? null,
        stoppedAt: r.stoppedAt?.getTime() ?? null,
        stopReason: r.stopReason,
      },
      active: false,
      stretches: parseStretches(r.stretches),
      counters: {
        unique: entries.get(r.id) ?? 0,
        candidates: r.totalCandidates,
        dupExact: r.totalDupExact,
        dupNear: r.totalDupNear,
        junk: r.totalJunk,
        calls: c?.calls ?? 0,
        promptTokens: c?.promptTokens ?? 0,
        completionTokens: c?.completionTokens ?? 0,
        costUsd: c?.costUsd ?? 0,
      },
      coverage: fit,
      now,
    });
  });
}

/** One run's view: `live` when it is that run (the held run's, from memory), else from the database; null for no such run. */
export async function findRunView(prisma: PrismaClient, live: RunView | null, runId: string, now: number): Promise<RunView | null> {
  if (live?.id === runId) return live;
  return (await listRunViews(prisma, 1, null, now, runId))[0] ?? null;
}
