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

export async function insertEntries(db: PrismaClient, runId: string, rows: EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.entry.createMany({ data: rows.map((r) => ({ ...r, runId })) });
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
