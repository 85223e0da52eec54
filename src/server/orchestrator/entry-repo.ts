import { Prisma, type PrismaClient } from "../../generated/prisma/client";
import type { Support } from "../../lib/trust/support";
import { decisionsInsert, type DecisionRow } from "./decision-repo";

// ---- entries and their support ----------------------------------------------------------
// Small named DB functions, like repo.ts (which re-exports them); each receives the client.

const words = (s: string): string[] => s.split(" ").filter((w) => w.length > 0);

export type EntryRow = {
  seq: number;
  text: string;
  normalisedKey: string;
  producer: string;
  provider: string;
  model: string;
  batchId: string;
  createdAt: Date;
  /** The tree branch whose call found it (tree runs). */
  branchId?: number | null;
  /** Read back only: the verification verdict (src/lib/trust/policy.ts), null when not verified. */
  verdict?: string | null;
};

/** The columns an entry is listed and exported with (the entries panel adds its branch); its support counts come from withSupportCounts. */
export const ENTRY_LISTING_SELECT = {
  seq: true,
  text: true,
  producer: true,
  provider: true,
  model: true,
  createdAt: true,
  verdict: true,
} as const satisfies Prisma.EntrySelect;

/** An entry's support as it is now (absolute, so a later write simply wins). */
export type SupportRow = { seq: number } & Support;

/**
 * `ON CONFLICT DO NOTHING`: a retry after a commit whose reply was lost must not fail
 * forever on the rows it already wrote (the writer retries until the insert succeeds).
 * One statement per batch, columns as arrays: about 8x faster than `createMany`, which
 * binds every value separately (measured: 5,000 rows in ~0.3 s vs ~3 s, PGlite and PostgreSQL).
 * The rows' support is their own proposal (support of more: commitEntries).
 */
export async function insertEntries(db: PrismaClient, runId: string, rows: EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRaw`${entriesInsert(runId, rows)}`;
}

function entriesInsert(runId: string, rows: readonly EntryRow[]): Prisma.Sql {
  const col = <K extends keyof EntryRow>(k: K) => rows.map((r) => r[k]);
  return Prisma.sql`
    INSERT INTO "entries" ("run_id", "seq", "text", "normalised_key", "producer", "provider", "model", "batch_id", "created_at", "branch_id")
    SELECT ${runId}, * FROM unnest(
      ${col("seq")}::int[], ${col("text")}::text[], ${col("normalisedKey")}::text[], ${col("producer")}::text[],
      ${col("provider")}::text[], ${col("model")}::text[], ${col("batchId")}::text[], ${col("createdAt")}::timestamp(3)[],
      ${rows.map((r) => r.branchId ?? null)}::int[])
    ON CONFLICT DO NOTHING`;
}

/**
 * Sets the support of entries (the table holds entries proposed more than once). An upsert by
 * key: probed per row whatever the planner's statistics say (an UPDATE ... FROM unnest of the
 * entries hashed the whole run's rows on PGlite, whose statistics are never refreshed).
 */
function supportUpsert(runId: string, rows: readonly SupportRow[]): Prisma.Sql {
  // One row per seq (an upsert may not touch a row twice); the last wins: rows carry absolute values in the order they were made.
  const last = [...new Map(rows.map((r) => [r.seq, r])).values()];
  return Prisma.sql`
    INSERT INTO "entry_support" ("run_id", "seq", "calls", "producers", "models", "producer_list", "model_list")
    SELECT ${runId}, * FROM unnest(${last.map((r) => r.seq)}::int[], ${last.map((r) => r.calls)}::int[], ${last.map((r) => r.producers)}::int[],
      ${last.map((r) => r.models)}::int[], ${last.map((r) => r.producerList.join(" "))}::text[], ${last.map((r) => r.modelList.join(" "))}::text[])
    ON CONFLICT ("run_id", "seq") DO UPDATE SET "calls" = EXCLUDED."calls", "producers" = EXCLUDED."producers", "models" = EXCLUDED."models",
      "producer_list" = EXCLUDED."producer_list", "model_list" = EXCLUDED."model_list"`;
}

/**
 * A flush of the entry writer in one statement: its rows, the dedup decisions made on them and
 * the support of entries proposed more than once, this flush's rows included. Each statement
 * costs a few ms through Prisma and PGlite before any row is touched (bench/pipeline.ts: three
 * per flush held every batch's acknowledgement back).
 */
export async function commitEntries(
  db: PrismaClient,
  runId: string,
  rows: readonly EntryRow[],
  decisions: readonly DecisionRow[],
  supports: readonly SupportRow[],
): Promise<void> {
  const parts: Prisma.Sql[] = [];
  if (rows.length > 0) parts.push(Prisma.sql`"new_entries" AS (${entriesInsert(runId, rows)})`);
  if (decisions.length > 0) parts.push(Prisma.sql`"new_decisions" AS (${decisionsInsert(runId, decisions)})`);
  if (supports.length > 0) parts.push(Prisma.sql`"new_support" AS (${supportUpsert(runId, supports)})`);
  if (parts.length === 0) return;
  await db.$executeRaw`WITH ${Prisma.join(parts, ", ")} SELECT 1`;
}

/** Support counts of listed entries: an entry without a support row was proposed once. */
export async function withSupportCounts<T extends { seq: number }>(
  db: PrismaClient,
  runId: string,
  rows: readonly T[],
): Promise<Array<T & { supportCalls: number; supportProducers: number; supportModels: number }>> {
  const stored =
    rows.length === 0
      ? []
      : await db.entrySupport.findMany({
          where: { runId, seq: { in: rows.map((r) => r.seq) } },
          select: { seq: true, calls: true, producers: true, models: true },
        });
  const bySeq = new Map(stored.map((s) => [s.seq, s]));
  return rows.map((r) => {
    const s = bySeq.get(r.seq);
    return { ...r, supportCalls: s?.calls ?? 1, supportProducers: s?.producers ?? 1, supportModels: s?.models ?? 1 };
  });
}

/** What a restart needs of each stored entry (who found it is counted by entrySources). */
export type StoredEntry = { seq: number; text: string; branchId: number | null; support: Support; verdict: string | null };

type StoredRow = Omit<StoredEntry, "support"> & { calls: number; producers: number; models: number; producerList: string; modelList: string };

/**
 * All entries of a run in acceptance order, streamed in pages to bound memory spikes. Only the
 * columns a restart reads: parsing PGlite's answer is most of the read, per column (keys,
 * batch ids and dates were 3 of 15).
 */
export async function* readEntries(db: PrismaClient, runId: string, pageSize = 20_000): AsyncGenerator<StoredEntry[]> {
  let after = -1;
  for (;;) {
    const page = await db.$queryRaw<StoredRow[]>`
      SELECT e."seq", e."text", e."branch_id" AS "branchId", COALESCE(s."calls", 1) AS "calls", COALESCE(s."producers", 1) AS "producers",
        COALESCE(s."models", 1) AS "models", COALESCE(s."producer_list", e."producer") AS "producerList",
        COALESCE(s."model_list", e."provider" || ':' || e."model") AS "modelList", e."verdict"
      FROM "entries" e LEFT JOIN "entry_support" s ON s."run_id" = e."run_id" AND s."seq" = e."seq"
      WHERE e."run_id" = ${runId} AND e."seq" > ${after} ORDER BY e."seq" LIMIT ${pageSize}`;
    if (page.length === 0) return;
    yield page.map(({ calls, producers, models, producerList, modelList, ...r }) => ({
      ...r,
      support: { calls, producers, models, producerList: words(producerList), modelList: words(modelList) },
    }));
    after = page[page.length - 1]!.seq;
    if (page.length < pageSize) return;
  }
}

/** A run's entries counted per producer and provider/model, in the order each first found one. */
export async function entrySources(db: PrismaClient, runId: string): Promise<{ producer: string; provider: string; model: string; entries: number }[]> {
  const rows = await db.$queryRaw<{ producer: string; provider: string; model: string; entries: number }[]>`
    SELECT "producer", "provider", "model", COUNT(*)::int AS "entries" FROM "entries" WHERE "run_id" = ${runId}
    GROUP BY "producer", "provider", "model" ORDER BY MIN("seq")`;
  return rows;
}
