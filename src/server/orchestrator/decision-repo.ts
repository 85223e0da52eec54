import { Prisma, type PrismaClient } from "../../generated/prisma/client";

// ---- dedup decisions (prisma/migrations/0003_dedup_decisions) -------------------------
// Small named DB functions, like repo.ts (which re-exports them); each receives the client.

export const DECISION_KINDS = ["merged", "kept-apart", "judged-same", "judged-different", "user-merged", "restored"] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

export type DecisionRow = {
  /** Unique per run: a retried write stores the decision once. */
  origin: string;
  kind: DecisionKind;
  candidate: string;
  candidateSeq: number | null;
  entrySeq: number | null;
  entryText: string;
  reason: string | null;
  edit: string | null;
  cost: number | null;
  sources: number | null;
  verdict: string | null;
  producer: string | null;
  provider: string | null;
  model: string | null;
  at: Date;
};

/** One statement per batch, like insertEntries; `ON CONFLICT DO NOTHING` on (run, origin). */
export async function insertDecisions(db: PrismaClient, runId: string, rows: readonly DecisionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRaw`${decisionsInsert(runId, rows)}`;
}

/** The INSERT of insertDecisions, to run alone or inside a larger statement (entry-repo.ts, commitEntries). */
export function decisionsInsert(runId: string, rows: readonly DecisionRow[]): Prisma.Sql {
  const col = <K extends keyof DecisionRow>(k: K) => rows.map((r) => r[k]);
  return Prisma.sql`
    INSERT INTO "dedup_decisions" ("run_id", "origin", "kind", "candidate", "candidate_seq", "entry_seq", "entry_text", "reason", "edit",
      "cost", "sources", "verdict", "producer", "provider", "model", "at")
    SELECT ${runId}, * FROM unnest(
      ${col("origin")}::text[], ${col("kind")}::text[], ${col("candidate")}::text[], ${col("candidateSeq")}::int[], ${col("entrySeq")}::int[],
      ${col("entryText")}::text[], ${col("reason")}::text[], ${col("edit")}::text[], ${col("cost")}::int[], ${col("sources")}::int[],
      ${col("verdict")}::text[], ${col("producer")}::text[], ${col("provider")}::text[], ${col("model")}::text[], ${col("at")}::timestamp(3)[])
    ON CONFLICT DO NOTHING`;
}

const decisionSelect = {
  id: true,
  kind: true,
  candidate: true,
  candidateSeq: true,
  entrySeq: true,
  entryText: true,
  reason: true,
  edit: true,
  cost: true,
  sources: true,
  verdict: true,
  producer: true,
  provider: true,
  model: true,
  resolvedBy: true,
  at: true,
} as const;

export async function findDecision(db: PrismaClient, runId: string, id: bigint) {
  return db.dedupDecision.findFirst({ where: { runId, id }, select: decisionSelect });
}

/**
 * The review lists, newest first, paged by id (`cursor`: ids below it). "possible": pairs kept
 * apart (by the string engine, the judge or a restore) and not settled since; "merged": candidates merged
 * into an entry, not restored since.
 */
export async function reviewDecisions(db: PrismaClient, q: { runId: string; kind: "possible" | "merged"; limit: number; cursor?: bigint }) {
  // A restored candidate stays close to the entry it was merged into: the user kept them apart, and may merge them again.
  const kinds: DecisionKind[] = q.kind === "possible" ? ["kept-apart", "judged-different", "restored"] : ["merged", "judged-same", "user-merged"];
  return db.dedupDecision.findMany({
    where: { runId: q.runId, kind: { in: kinds }, resolvedBy: null, ...(q.cursor !== undefined ? { id: { lt: q.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: q.limit,
    select: decisionSelect,
  });
}

/**
 * The judge's and the user's merges not restored since, oldest first: the run's alias memory
 * (EntryLedger.loadAliases). The string engine's own merges are not needed: it finds them again.
 */
export async function activeMerges(db: PrismaClient, runId: string): Promise<{ text: string; into: string }[]> {
  const rows = await db.dedupDecision.findMany({
    where: { runId, kind: { in: ["judged-same", "user-merged"] }, resolvedBy: null },
    orderBy: { id: "asc" },
    select: { candidate: true, entryText: true },
  });
  return rows.map((r) => ({ text: r.candidate, into: r.entryText }));
}

/** Entries shown under another text (their display form: same key, or the bare name of a described entry); one transaction. */
export async function renameEntries(db: PrismaClient, runId: string, changes: readonly { seq: number; text: string; normalisedKey: string }[]): Promise<void> {
  if (changes.length === 0) return;
  await db.$transaction(
    changes.map((c) => db.entry.update({ where: { runId_seq: { runId, seq: c.seq } }, data: { text: c.text, normalisedKey: c.normalisedKey } })),
  );
}

const POSSIBLE_KINDS: DecisionKind[] = ["kept-apart", "judged-different", "restored"];

/**
 * Open possible duplicates of one kind, oldest first (a bulk merge): by `reason` (the evidence:
 * a guard like weak-evidence, or a blocking source like description), by the judge's `verdict`,
 * or all.
 */
export async function possibleOfKind(db: PrismaClient, q: { runId: string; reason?: string; verdict?: string; limit: number }) {
  return db.dedupDecision.findMany({
    where: {
      runId: q.runId,
      kind: { in: POSSIBLE_KINDS },
      resolvedBy: null,
      ...(q.reason !== undefined ? { reason: q.reason } : {}),
      ...(q.verdict !== undefined ? { verdict: q.verdict } : {}),
    },
    orderBy: { id: "asc" },
    take: q.limit,
    select: decisionSelect,
  });
}

/** The open possible duplicates counted by their evidence (the review's "merge all of this kind"). */
export async function possibleGroups(db: PrismaClient, runId: string): Promise<{ reason: string; count: number }[]> {
  const rows = await db.dedupDecision.groupBy({ by: ["reason"], where: { runId, kind: { in: POSSIBLE_KINDS }, resolvedBy: null }, _count: true });
  return rows.map((r) => ({ reason: r.reason ?? "unknown", count: r._count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** A run's entry by seq (null when absent or removed). */
export async function findEntry(db: PrismaClient, runId: string, seq: number) {
  return db.entry.findUnique({
    where: { runId_seq: { runId, seq } },
    select: { seq: true, text: true, normalisedKey: true, producer: true, provider: true, model: true },
  });
}

/**
 * Removes entry `seq` (merged into another by a judge or the user) and records the decision,
 * settling the open decisions about that pair; one transaction. Entry seqs are kept: the
 * removed one leaves a gap (producers' deltas are by seq, and output.txt is the remaining
 * entries in seq order).
 */
export async function removeMergedEntry(db: PrismaClient, runId: string, seq: number, decision: DecisionRow): Promise<bigint> {
  return db.$transaction(async (tx) => {
    await tx.entry.delete({ where: { runId_seq: { runId, seq } } });
    await tx.entrySupport.deleteMany({ where: { runId, seq } });
    const row = await tx.dedupDecision.create({ data: { runId, ...decision }, select: { id: true } });
    await tx.dedupDecision.updateMany({
      where: { runId, resolvedBy: null, kind: { in: ["kept-apart", "judged-different", "restored"] }, OR: [{ candidateSeq: seq }, { entrySeq: seq }] },
      data: { resolvedBy: row.id },
    });
    return row.id;
  });
}

/** Marks a merge decision restored (its candidate is an entry again) and records the restore. */
export async function recordRestore(db: PrismaClient, runId: string, mergedId: bigint, decision: DecisionRow): Promise<bigint> {
  return db.$transaction(async (tx) => {
    const row = await tx.dedupDecision.create({ data: { runId, ...decision }, select: { id: true } });
    await tx.dedupDecision.update({ where: { id: mergedId }, data: { resolvedBy: row.id } });
    return row.id;
  });
}

/** The judge called a kept-apart pair different: recorded, and the pair leaves the possible-duplicates list. */
export async function recordJudgedDifferent(db: PrismaClient, runId: string, decision: DecisionRow): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = await tx.dedupDecision.findUnique({ where: { runId_origin: { runId, origin: decision.origin } }, select: { id: true } });
    if (existing) return;
    const row = await tx.dedupDecision.create({ data: { runId, ...decision }, select: { id: true } });
    await tx.dedupDecision.updateMany({
      where: { runId, resolvedBy: null, kind: "kept-apart", candidateSeq: decision.candidateSeq, entryText: decision.entryText },
      data: { resolvedBy: row.id },
    });
  });
}

/** The judge's calls of a run (llm_calls with producer "judge"): count and spend. */
export async function judgeSpend(db: PrismaClient, runId: string): Promise<{ calls: number; pairs: number; costUsd: number }> {
  const r = await db.llmCall.aggregate({ where: { runId, producer: JUDGE_PRODUCER }, _count: true, _sum: { costUsd: true, itemsParsed: true } });
  return { calls: r._count, pairs: r._sum.itemsParsed ?? 0, costUsd: r._sum.costUsd ?? 0 };
}

/** The producer name of the judge's llm_calls rows. */
export const JUDGE_PRODUCER = "judge";

/**
 * The highest seq a run's entries ever had (0 when none): the live entries' and the removed
 * ones' (recorded in their decisions). A removed seq is never reused, also after a restart:
 * producers already hold it, and their deltas would skip a new entry under it.
 */
export async function maxUsedSeq(db: PrismaClient, runId: string): Promise<number> {
  const [e, d] = await Promise.all([
    db.entry.aggregate({ where: { runId }, _max: { seq: true } }),
    db.dedupDecision.aggregate({ where: { runId }, _max: { candidateSeq: true } }),
  ]);
  return Math.max(e._max.seq ?? 0, d._max.candidateSeq ?? 0);
}
