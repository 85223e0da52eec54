import type { Prisma, PrismaClient } from "../../generated/prisma/client";
import type { RunMode } from "../../lib/run-modes";
import type { RunTotals } from "./repo";

// Statements of the history's own changes (stored-runs.ts): a run deleted, a run imported.
// Small named functions like repo.ts; each receives the client (or a transaction's).

type Tx = Prisma.TransactionClient;

/** What deleting or importing needs to know about a stored run. */
export async function findStoredRun(db: PrismaClient, runId: string) {
  return db.run.findUnique({
    where: { id: runId },
    select: { id: true, topic: true, slug: true, state: true, stopReason: true, stretches: true, totalUnique: true },
  });
}

/** Runs sharing a slug (output folder): normally one per topic. */
export async function runsWithSlug(db: PrismaClient, slug: string): Promise<number> {
  return db.run.count({ where: { slug } });
}

/**
 * Every row of a run, in one transaction: its entries, checks, support, decisions, branches, calls,
 * samples and events, then the run. (The foreign keys cascade too; naming the tables keeps
 * the deletion explicit and its counts.) Returns how many entries went.
 */
export async function deleteRunRows(db: PrismaClient, runId: string): Promise<number> {
  const where = { runId };
  const [, , , , , , , entries] = await db.$transaction([
    db.entryCheck.deleteMany({ where }),
    db.entrySupport.deleteMany({ where }),
    db.dedupDecision.deleteMany({ where }),
    db.branch.deleteMany({ where }),
    db.llmCall.deleteMany({ where }),
    db.metricSample.deleteMany({ where }),
    db.event.deleteMany({ where }),
    db.entry.deleteMany({ where }),
    db.run.delete({ where: { id: runId } }),
  ]);
  return entries.count;
}

/** The row of an imported run: `stopped`, never started, its config the start input (resumable), its reason the source. */
export async function createImportedRun(tx: Tx, r: { id: string; topic: string; slug: string; source: string }): Promise<void> {
  await tx.run.create({
    data: { id: r.id, topic: r.topic, slug: r.slug, state: "stopped" satisfies RunMode, config: { topic: r.topic }, stopReason: r.source },
  });
}

/** Adds an import's counts to the run's totals. */
export async function addImportTotals(tx: Tx, runId: string, add: RunTotals): Promise<void> {
  await tx.run.update({
    where: { id: runId },
    data: {
      totalUnique: { increment: add.totalUnique },
      totalCandidates: { increment: add.totalCandidates },
      totalDupExact: { increment: add.totalDupExact },
      totalDupNear: { increment: add.totalDupNear },
      totalJunk: { increment: add.totalJunk },
    },
  });
}
