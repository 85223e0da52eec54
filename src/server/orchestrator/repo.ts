import { parseStretches, startStretch, stopStretch, type Stretch } from "../../lib/stretches";
import type { CallRecord } from "../../lib/protocol";
import type { Branch } from "../../lib/tree/branch";
import type { Prisma, PrismaClient } from "../../generated/prisma/client";
import type { MetricSampleData } from "../../lib/metric-sample";
import { ACTIVE_MODES, type RunMode } from "../../lib/run-modes";
import { ENTRY_LISTING_SELECT, withSupportCounts } from "./entry-repo";

/** Small named DB functions; each receives the client. */

export async function addEvent(
  db: PrismaClient,
  e: { runId: string | null; kind: string; message: string; data?: Prisma.InputJsonValue; at?: Date },
): Promise<bigint> {
  const row = await db.event.create({
    data: { runId: e.runId, kind: e.kind, message: e.message, data: e.data, at: e.at ?? new Date() },
    select: { id: true },
  });
  return row.id;
}

export async function scoreEvent(db: PrismaClient, id: bigint, score: number, data?: Prisma.InputJsonValue): Promise<void> {
  await db.event.update({ where: { id }, data: { score, scoredAt: new Date(), ...(data ? { data } : {}) } });
}

/** The run's counters that have no rows of their own (entries, calls and spend are summed from theirs). */
export type RunTotals = { totalUnique: number; totalCandidates: number; totalDupExact: number; totalDupNear: number; totalJunk: number };

/** Saves a run's totals (every sample and at each mode change), so the history never lags far. */
export async function saveRunTotals(db: PrismaClient, runId: string, totals: RunTotals): Promise<void> {
  await db.run.update({ where: { id: runId }, data: totals });
}

/**
 * Written only by the run state machine (run-state.ts). `starting` opens a stretch, a terminal
 * mode closes it: an interrupted run's at its last sample (the server died; the time since
 * was not spent running).
 */
export async function saveRunState(db: PrismaClient, runId: string, change: { to: RunMode; reason?: string; at: number }, totals: RunTotals): Promise<void> {
  const terminal = change.to === "stopped" || change.to === "failed" || change.to === "interrupted";
  const row = await db.run.findUnique({ where: { id: runId }, select: { stretches: true } });
  let stretches = parseStretches(row?.stretches);
  if (change.to === "starting") stretches = startStretch(stretches, change.at);
  else if (terminal) {
    const lastSample =
      change.to === "interrupted" ? await db.metricSample.findFirst({ where: { runId }, orderBy: { at: "desc" }, select: { at: true } }) : null;
    stretches = stopStretch(stretches, lastSample ? Math.min(change.at, lastSample.at.getTime()) : change.at, change.reason ?? null);
  }
  await db.run.update({
    where: { id: runId },
    data: {
      ...totals,
      stretches,
      state: change.to,
      ...(change.to === "starting" ? { startedAt: new Date(change.at), stoppedAt: null, stopReason: null } : {}),
      ...(terminal ? { stoppedAt: new Date(change.at), stopReason: change.reason?.slice(0, 300) ?? null } : {}),
    },
  });
}

/** The run a server was holding when it went away (newest first). */
export async function findActiveRun(db: PrismaClient) {
  return db.run.findFirst({
    where: { state: { in: [...ACTIVE_MODES] } },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      slug: true,
      state: true,
      config: true,
      totalUnique: true,
      totalCandidates: true,
      totalDupExact: true,
      totalDupNear: true,
      totalJunk: true,
    },
  });
}

export async function findRunBySlug(db: PrismaClient, slug: string) {
  return db.run.findFirst({ where: { slug }, orderBy: { createdAt: "desc" }, select: { id: true, state: true } });
}

export async function findRunConfig(db: PrismaClient, runId: string) {
  return db.run.findUnique({ where: { id: runId }, select: { id: true, config: true } });
}

/**
 * A new run's row, written before the active run is stopped so that a row the DB refuses
 * rejects the start with nothing changed. It is `stopped` (never started) until the state
 * machine moves it to `starting`.
 */
export async function createPreparedRun(db: PrismaClient, r: { id: string; topic: string; slug: string; config: Prisma.InputJsonValue }): Promise<void> {
  await db.run.create({ data: { id: r.id, topic: r.topic, slug: r.slug, state: "stopped" satisfies RunMode, config: r.config } });
}

export async function saveRunConfig(db: PrismaClient, runId: string, config: Prisma.InputJsonValue): Promise<void> {
  await db.run.update({ where: { id: runId }, data: { config } });
}

/** A run's stored LLM calls summed per caller (a producer, "tree", "judge") and model. */
export type StoredCalls = {
  producer: string;
  provider: string;
  model: string;
  calls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMsTotal: number;
};

/** What a resumed run carries over: the counters that are not per entry, and its calls summed. */
export async function storedProgress(
  db: PrismaClient,
  runId: string,
): Promise<{ totals: Omit<RunTotals, "totalUnique">; startedAt: Date | null; costUsd: number; calls: StoredCalls[]; stretches: Stretch[] }> {
  const [run, calls] = await Promise.all([
    db.run.findUnique({
      where: { id: runId },
      select: { totalCandidates: true, totalDupExact: true, totalDupNear: true, totalJunk: true, startedAt: true, stretches: true },
    }),
    storedCalls(db, runId),
  ]);
  return {
    totals: {
      totalCandidates: run?.totalCandidates ?? 0,
      totalDupExact: run?.totalDupExact ?? 0,
      totalDupNear: run?.totalDupNear ?? 0,
      totalJunk: run?.totalJunk ?? 0,
    },
    startedAt: run?.startedAt ?? null,
    costUsd: calls.reduce((sum, c) => sum + c.costUsd, 0),
    calls,
    stretches: parseStretches(run?.stretches),
  };
}

async function storedCalls(db: PrismaClient, runId: string): Promise<StoredCalls[]> {
  const rows = await db.$queryRaw<Array<Record<string, unknown>>>`
    SELECT "producer", "provider", "model", COUNT(*) AS "calls", COUNT("error") AS "failed",
      COALESCE(SUM("prompt_tokens"), 0) AS "prompt", COALESCE(SUM("completion_tokens"), 0) AS "completion",
      COALESCE(SUM("cost_usd"), 0) AS "cost", COALESCE(SUM(CASE WHEN "error" IS NULL THEN "latency_ms" ELSE 0 END), 0) AS "latency"
    FROM "llm_calls" WHERE "run_id" = ${runId} GROUP BY "producer", "provider", "model"`;
  return rows.map((r) => ({
    producer: String(r.producer),
    provider: String(r.provider),
    model: String(r.model),
    calls: Number(r.calls),
    failedCalls: Number(r.failed),
    promptTokens: Number(r.prompt),
    completionTokens: Number(r.completion),
    costUsd: Number(r.cost),
    latencyMsTotal: Number(r.latency),
  }));
}

/**
 * Stores a finished call once (`ON CONFLICT DO NOTHING` on its id): after a server restart
 * the batch map is gone, and a re-sent last batch must not count or cost the call twice.
 * Returns whether the row is new.
 */
export async function insertLlmCall(
  db: PrismaClient,
  runId: string,
  call: CallRecord,
  /** Who made the call (a producer, or "tree"/"judge" for the server's own calls), what it found, what it cost. */
  account: { producer: string; itemsNew: number; costUsd: number },
): Promise<boolean> {
  const at = new Date(call.startedAt + call.latencyMs);
  const error = call.error ? `${call.error.kind}: ${call.error.message}`.slice(0, 500) : null;
  const stored = await db.$executeRaw`
    INSERT INTO "llm_calls" ("run_id", "call_id", "at", "producer", "provider", "model", "prompt_tokens", "completion_tokens",
      "latency_ms", "items_parsed", "items_new", "cost_usd", "error")
    VALUES (${runId}, ${call.callId}, ${at}, ${account.producer}, ${call.provider}, ${call.model},
      ${call.promptTokens}, ${call.completionTokens}, ${call.latencyMs}, ${call.itemsParsed}, ${account.itemsNew}, ${account.costUsd}, ${error})
    ON CONFLICT ("run_id", "call_id") DO NOTHING`;
  return stored > 0;
}

/** A metric sample and the run's totals at that moment (the history's figures follow the samples). */
export async function saveSample(db: PrismaClient, runId: string, at: Date, data: MetricSampleData, totals: RunTotals): Promise<void> {
  await db.metricSample.create({ data: { runId, at, data } });
  await saveRunTotals(db, runId, totals);
}

// ---- read side (the API's queries) ----------------------------------------------------

/** Prisma passes `contains` to LIKE unescaped: a search for "100%" or "_" must be literal. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function runExists(db: PrismaClient, runId: string): Promise<boolean> {
  return (await db.run.findUnique({ where: { id: runId }, select: { id: true } })) !== null;
}

/** A page of a run's entries, newest first: seq < before, optionally containing `search` (any case), optionally with one verdict. */
export async function entriesPage(
  db: PrismaClient,
  q: { runId: string; before?: number; limit: number; search?: string; branchId?: number; verdict?: EntryVerdictFilter },
) {
  const rows = await db.entry.findMany({
    where: {
      runId: q.runId,
      ...(q.branchId !== undefined ? { branchId: q.branchId } : {}),
      ...(q.verdict !== undefined ? { verdict: q.verdict === "unverified" ? null : q.verdict } : {}),
      ...(q.before ? { seq: { lt: q.before } } : {}),
      ...(q.search ? { text: { contains: escapeLike(q.search), mode: "insensitive" as const } } : {}),
    },
    orderBy: { seq: "desc" },
    take: q.limit,
    select: { ...ENTRY_LISTING_SELECT, branchId: true },
  });
  return withSupportCounts(db, q.runId, rows);
}

/** The entry list's verdict filter: a stored verdict, or none yet. */
export type EntryVerdictFilter = "verified" | "unsure" | "rejected" | "unverified";

/** The newest `limit` samples of a run (a long run keeps its recent curve), oldest first. */
export async function recentSamples(db: PrismaClient, runId: string, limit: number) {
  const rows = await db.metricSample.findMany({ where: { runId }, orderBy: { at: "desc" }, take: limit, select: { at: true, data: true } });
  return rows.reverse();
}

/** A run's events, newest first; `kind` matches as a prefix ("routing." for every routing event). */
export async function runEvents(db: PrismaClient, q: { runId: string; limit: number; kind?: string }) {
  return db.event.findMany({
    where: { runId: q.runId, ...(q.kind ? { kind: { startsWith: escapeLike(q.kind) } } : {}) },
    orderBy: { at: "desc" },
    take: q.limit,
    select: { id: true, at: true, kind: true, message: true, data: true, score: true, scoredAt: true },
  });
}

/** A run's topic tree as stored (ids in order; the root is 0). */
export async function readBranches(db: PrismaClient, runId: string) {
  return db.branch.findMany({ where: { runId }, orderBy: { id: "asc" } });
}

/** Inserts or updates branches of a run's tree (label, path and parent never change). */
export async function saveBranches(db: PrismaClient, runId: string, branches: readonly Branch[]): Promise<void> {
  if (branches.length === 0) return;
  const now = new Date();
  await db.$transaction(
    branches.map((b) => {
      const fields = {
        state: b.state,
        calls: b.counters.calls,
        candidates: b.counters.candidates,
        newEntries: b.counters.newEntries,
        reproposals: b.counters.reproposals,
        tokens: BigInt(Math.round(b.counters.tokens)),
        costUsd: b.counters.costUsd,
        updatedAt: now,
      };
      return db.branch.upsert({
        where: { runId_id: { runId, id: b.id } },
        create: { runId, id: b.id, parentId: b.parentId, label: b.label, path: b.path, proposedBy: b.proposedBy, ...fields },
        update: fields,
      });
    }),
  );
}

// ---- dedup decisions: decision-repo.ts ----------------------------------------------

export * from "./decision-repo";
export * from "./entry-repo";
export * from "./trust-repo";
