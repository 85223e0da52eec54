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
  /** Support when written (default: this one proposal); later proposals update it (commitEntries). */
  support?: Support;
  /** Read back only: the verification verdict (src/lib/trust/policy.ts), null when not verified. */
  verdict?: string | null;
};

/** The columns an entry is listed and exported with (the entries panel adds its branch). */
export const ENTRY_LISTING_SELECT = {
  seq: true,
  text: true,
  producer: true,
  provider: true,
  model: true,
  createdAt: true,
  supportCalls: true,
  supportProducers: true,
  supportModels: true,
  verdict: true,
} as const satisfies Prisma.EntrySelect;

/** An entry's support as it is now (absolute, so a later update simply wins). */
export type SupportRow = { seq: number } & Support;

/**
 * `ON CONFLICT DO NOTHING`: a retry after a commit whose reply was lost must not fail
 * forever on the rows it already wrote (the writer retries until the insert succeeds).
 * One statement per batch, columns as arrays: about 8x faster than `createMany`, which
 * binds every value separately (measured: 5,000 rows in ~0.3 s vs ~3 s, PGlite and PostgreSQL).
 */
export async function insertEntries(db: PrismaClient, runId: string, rows: EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.$executeRaw`${entriesInsert(runId, rows)}`;
}

function entriesInsert(runId: string, rows: readonly EntryRow[]): Prisma.Sql {
  const col = <K extends keyof EntryRow>(k: K) => rows.map((r) => r[k]);
  const support = rows.map((r) => r.support ?? { calls: 1, producers: 1, models: 1, producerList: [r.producer], modelList: [`${r.provider}:${r.model}`] });
  return Prisma.sql`
    INSERT INTO "entries" ("run_id", "seq", "text", "normalised_key", "producer", "provider", "model", "batch_id", "created_at", "branch_id",
      "support_calls", "support_producers", "support_models", "producer_list", "model_list")
    SELECT ${runId}, * FROM unnest(
      ${col("seq")}::int[], ${col("text")}::text[], ${col("normalisedKey")}::text[], ${col("producer")}::text[],
      ${col("provider")}::text[], ${col("model")}::text[], ${col("batchId")}::text[], ${col("createdAt")}::timestamp(3)[],
      ${rows.map((r) => r.branchId ?? null)}::int[], ${support.map((s) => s.calls)}::int[], ${support.map((s) => s.producers)}::int[],
      ${support.map((s) => s.models)}::int[], ${support.map((s) => s.producerList.join(" "))}::text[], ${support.map((s) => s.modelList.join(" "))}::text[])
    ON CONFLICT DO NOTHING`;
}

/** Sets the support of entries already written; a missing seq is a no-op. */
function supportUpdate(runId: string, rows: readonly SupportRow[]): Prisma.Sql {
  // The last update of a seq wins: rows carry absolute values in the order they were made.
  const last = [...new Map(rows.map((r) => [r.seq, r])).values()];
  return Prisma.sql`
    UPDATE "entries" AS e SET "support_calls" = u.c, "support_producers" = u.p, "support_models" = u.m, "producer_list" = u.pl, "model_list" = u.ml
    FROM unnest(${last.map((r) => r.seq)}::int[], ${last.map((r) => r.calls)}::int[], ${last.map((r) => r.producers)}::int[],
      ${last.map((r) => r.models)}::int[], ${last.map((r) => r.producerList.join(" "))}::text[], ${last.map((r) => r.modelList.join(" "))}::text[])
      AS u(seq, c, p, m, pl, ml)
    WHERE e."run_id" = ${runId} AND e."seq" = u.seq`;
}

/**
 * A flush of the entry writer in one statement: its rows, the dedup decisions made on them and
 * the new support of entries written earlier. Each statement costs a few ms through Prisma and
 * PGlite before any row is touched (bench/pipeline.ts: three per flush held every batch's
 * acknowledgement back). The parts all see the table as it was before the statement, so support
 * rows naming this flush's own rows are left out: `rows` must carry their support as it is now
 * (ActiveRun reads it when the flush starts, after every support row it queued).
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
  const seqs = new Set(rows.map((r) => r.seq));
  const earlier = supports.filter((s) => !seqs.has(s.seq));
  if (earlier.length > 0) parts.push(Prisma.sql`"new_support" AS (${supportUpdate(runId, earlier)})`);
  if (parts.length === 0) return;
  await db.$executeRaw`WITH ${Prisma.join(parts, ", ")} SELECT 1`;
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
      SELECT "seq", "text", "branch_id" AS "branchId", "support_calls" AS "calls", "support_producers" AS "producers",
        "support_models" AS "models", "producer_list" AS "producerList", "model_list" AS "modelList", "verdict"
      FROM "entries" WHERE "run_id" = ${runId} AND "seq" > ${after} ORDER BY "seq" LIMIT ${pageSize}`;
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
