import type { PrismaClient } from "../../generated/prisma/client";

// The history's queries (src/server/orchestrator/run-view.ts builds stored runs' views from them).

/** The run history, newest first, with the totals stored at the last sample or stop (`runId`: that run only). */
export async function listRuns(db: PrismaClient, limit: number, runId?: string) {
  return db.run.findMany({
    ...(runId !== undefined ? { where: { id: runId } } : {}),
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
      id: true,
      topic: true,
      slug: true,
      state: true,
      startedAt: true,
      stoppedAt: true,
      stopReason: true,
      totalUnique: true,
      totalCandidates: true,
      totalDupExact: true,
      totalDupNear: true,
      totalJunk: true,
      stretches: true,
    },
  });
}

/** Calls, tokens and spend per run, summed from their rows (the history's figures). */
export async function callTotalsByRun(
  db: PrismaClient,
  runIds: readonly string[],
): Promise<Map<string, { calls: number; promptTokens: number; completionTokens: number; costUsd: number }>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.llmCall.groupBy({
    by: ["runId"],
    where: { runId: { in: [...runIds] } },
    _count: { _all: true },
    _sum: { promptTokens: true, completionTokens: true, costUsd: true },
  });
  return new Map(
    rows.map((r) => [
      r.runId,
      { calls: r._count._all, promptTokens: r._sum.promptTokens ?? 0, completionTokens: r._sum.completionTokens ?? 0, costUsd: r._sum.costUsd ?? 0 },
    ]),
  );
}

/** Committed entries per run, counted from their rows (a merge or restore on a stored run changes them). */
export async function entryCountsByRun(db: PrismaClient, runIds: readonly string[]): Promise<Map<string, number>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.entry.groupBy({ by: ["runId"], where: { runId: { in: [...runIds] } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.runId, r._count._all]));
}

/** Each run's newest metric sample with a coverage estimate (its last word on coverage), as stored. */
export async function lastCoverageSamples(db: PrismaClient, runIds: readonly string[]): Promise<Map<string, unknown>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<{ run_id: string; data: unknown }>>`
    SELECT DISTINCT ON ("run_id") "run_id", "data" FROM "metric_samples"
    WHERE "run_id" = ANY(${[...runIds]}::text[]) AND "data"->>'coverage' IS NOT NULL ORDER BY "run_id", "at" DESC`;
  return new Map(rows.map((r) => [r.run_id, r.data]));
}
