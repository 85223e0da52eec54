import type { PrismaClient } from "../../generated/prisma/client";
import type { TrustVerdict } from "../../lib/trust/policy";
import type { Opinion } from "../../lib/trust/verify-prompt";
import { withSupportCounts } from "./entry-repo";

// ---- verification (prisma/migrations/0006_entry_trust) --------------------------------
// Small named DB functions, like repo.ts (which re-exports them); each receives the client.

/** The producer name of the verifier's llm_calls rows. */
export const VERIFY_PRODUCER = "verify";

export type CheckRow = { seq: number; provider: string; model: string; opinion: Opinion; callId: string | null; at: Date };

/** One statement per call's opinions. */
export async function insertChecks(db: PrismaClient, runId: string, rows: readonly CheckRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof CheckRow>(k: K) => rows.map((r) => r[k]);
  await db.$executeRaw`
    INSERT INTO "entry_checks" ("run_id", "seq", "provider", "model", "opinion", "call_id", "at")
    SELECT ${runId}, * FROM unnest(${col("seq")}::int[], ${col("provider")}::text[], ${col("model")}::text[], ${col("opinion")}::text[],
      ${col("callId")}::text[], ${col("at")}::timestamp(3)[])`;
}

/** An entry's verdict; false when the entry is gone (merged away). */
export async function setVerdict(db: PrismaClient, runId: string, seq: number, verdict: TrustVerdict, at: Date): Promise<boolean> {
  const r = await db.entry.updateMany({ where: { runId, seq }, data: { verdict, verdictAt: at } });
  return r.count > 0;
}

/** The verdicts one verification call reached: one statement per verdict. */
export async function setVerdicts(db: PrismaClient, runId: string, verdicts: ReadonlyArray<{ seq: number; verdict: TrustVerdict }>, at: Date): Promise<void> {
  const bySeq = new Map<TrustVerdict, number[]>();
  for (const v of verdicts) bySeq.set(v.verdict, [...(bySeq.get(v.verdict) ?? []), v.seq]);
  for (const [verdict, seqs] of bySeq) await db.entry.updateMany({ where: { runId, seq: { in: seqs } }, data: { verdict, verdictAt: at } });
}

export type TrustCounts = Record<TrustVerdict | "unverified", number>;

/** How many of a run's entries are verified, unsure, rejected, not verified yet. */
export async function trustCounts(db: PrismaClient, runId: string): Promise<TrustCounts> {
  const groups = await db.entry.groupBy({ by: ["verdict"], where: { runId }, _count: { _all: true } });
  const out: TrustCounts = { verified: 0, unsure: 0, rejected: 0, unverified: 0 };
  for (const g of groups) {
    const k = g.verdict === null ? "unverified" : (g.verdict as TrustVerdict);
    if (k in out) out[k] += g._count._all;
  }
  return out;
}

/** The verifier's calls of a run: count, entries checked and spend. */
export async function verifySpend(db: PrismaClient, runId: string): Promise<{ calls: number; checked: number; costUsd: number }> {
  const r = await db.llmCall.aggregate({ where: { runId, producer: VERIFY_PRODUCER }, _count: true, _sum: { costUsd: true, itemsParsed: true } });
  return { calls: r._count, checked: r._sum.itemsParsed ?? 0, costUsd: r._sum.costUsd ?? 0 };
}

/** Rejected entries, newest first, paged by seq (`before`), with the opinions that rejected them. */
export async function rejectedEntries(db: PrismaClient, q: { runId: string; limit: number; before?: number }) {
  const rows = await db.entry.findMany({
    where: { runId: q.runId, verdict: "rejected", ...(q.before ? { seq: { lt: q.before } } : {}) },
    orderBy: { seq: "desc" },
    take: q.limit,
    select: { seq: true, text: true, producer: true, provider: true, model: true, verdictAt: true },
  });
  const checks = await db.entryCheck.findMany({
    where: { runId: q.runId, seq: { in: rows.map((r) => r.seq) } },
    orderBy: { id: "asc" },
    select: { seq: true, provider: true, model: true, opinion: true },
  });
  return (await withSupportCounts(db, q.runId, rows)).map((r) => ({
    ...r,
    checks: checks.filter((c) => c.seq === r.seq).map((c) => ({ model: `${c.provider}:${c.model}`, opinion: c.opinion })),
  }));
}
