import type { Prisma, PrismaClient } from "../../generated/prisma/client";

/** Small named DB functions; each receives the client. */

export type EntryRow = {
  seq: number;
  text: string;
  normalisedKey: string;
  producer: string;
  provider: string;
  model: string;
  batchId: string;
  createdAt: Date;
};

/**
 * `ON CONFLICT DO NOTHING`: a retry after a commit whose reply was lost must not fail
 * forever on the rows it already wrote (the writer retries until the insert succeeds).
 * One statement per batch, columns as arrays: about 8x faster than `createMany`, which
 * binds every value separately (measured: 5,000 rows in ~0.3 s vs ~3 s, PGlite and PostgreSQL).
 */
export async function insertEntries(db: PrismaClient, runId: string, rows: EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof EntryRow>(k: K) => rows.map((r) => r[k]);
  await db.$executeRaw`
    INSERT INTO "entries" ("run_id", "seq", "text", "normalised_key", "producer", "provider", "model", "batch_id", "created_at")
    SELECT ${runId}, * FROM unnest(
      ${col("seq")}::int[], ${col("text")}::text[], ${col("normalisedKey")}::text[], ${col("producer")}::text[],
      ${col("provider")}::text[], ${col("model")}::text[], ${col("batchId")}::text[], ${col("createdAt")}::timestamp(3)[])
    ON CONFLICT DO NOTHING`;
}

/** All entries of a run in acceptance order, streamed in pages to bound memory spikes. */
export async function* readEntries(db: PrismaClient, runId: string, pageSize = 20_000): AsyncGenerator<EntryRow[]> {
  let after = -1;
  for (;;) {
    const page = await db.entry.findMany({
      where: { runId, seq: { gt: after } },
      orderBy: { seq: "asc" },
      take: pageSize,
      select: { seq: true, text: true, normalisedKey: true, producer: true, provider: true, model: true, batchId: true, createdAt: true },
    });
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.seq;
    if (page.length < pageSize) return;
  }
}

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

export async function saveRunProgress(
  db: PrismaClient,
  runId: string,
  p: { totalUnique: number; totalCandidates: number; state?: string; stopReason?: string | null; stoppedAt?: Date | null; startedAt?: Date },
): Promise<void> {
  await db.run.update({ where: { id: runId }, data: p });
}
