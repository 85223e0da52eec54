import { DomainError } from "../../lib/errors";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ActiveRun } from "./active-run";
import { rebuildOutputFile } from "./dedup-review";
import type { EventLog } from "./event-log";
import * as repo from "./repo";

export type TrustReviewDeps = {
  prisma: () => PrismaClient;
  activeRun: () => ActiveRun | undefined;
  outputDir: string;
  eventLog: EventLog;
  clock: () => number;
};

/**
 * What verification decided, for the page, the CLI and scripts: counts by verdict, the
 * rejected entries with the opinions that rejected them, and the user's restore (a rejected
 * entry back into output.txt, verified by the user), like a merge's restore.
 */
export class TrustReview {
  private storedChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: TrustReviewDeps) {}

  async summary(runId: string) {
    await this.requireRun(runId);
    const db = this.deps.prisma();
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { config: true } });
    const config = run.config as { verify?: { enabled: boolean; maxShare: number } } | null;
    const [counts, verify, judge, spent] = await Promise.all([
      repo.trustCounts(db, runId),
      repo.verifySpend(db, runId),
      repo.judgeSpend(db, runId),
      db.llmCall.aggregate({ where: { runId }, _sum: { costUsd: true } }),
    ]);
    const totalUsd = spent._sum.costUsd ?? 0;
    return {
      counts,
      verify: { ...verify, enabled: config?.verify?.enabled ?? false, maxShare: config?.verify?.maxShare ?? null },
      /** Side calls (verification and the dedup judge) as a share of the run's spend. */
      sideShare: totalUsd > 0 ? (verify.costUsd + judge.costUsd) / totalUsd : 0,
      costUsd: totalUsd,
    };
  }

  async rejected(q: { runId: string; limit: number; before?: number }) {
    await this.requireRun(q.runId);
    const items = await repo.rejectedEntries(this.deps.prisma(), q);
    const last = items[items.length - 1];
    return { items: items.map((r) => ({ ...r, verdictAt: r.verdictAt?.getTime() ?? null })), nextBefore: items.length === q.limit && last ? last.seq : null };
  }

  /** A rejected entry back into output.txt: the user says it is real (verdict "verified", an opinion by "user"). */
  async restore(input: { runId: string; seq: number }): Promise<{ seq: number; text: string }> {
    await this.requireRun(input.runId);
    const db = this.deps.prisma();
    const entry = await db.entry.findUnique({ where: { runId_seq: { runId: input.runId, seq: input.seq } }, select: { text: true, verdict: true } });
    if (!entry) throw new DomainError("NOT_FOUND", `seq: run has no entry ${input.seq}`, "seq");
    if (entry.verdict !== "rejected") throw new DomainError("CONFLICT", `seq: entry ${input.seq} is not rejected`, "seq");
    const at = new Date(this.deps.clock());
    const persist = async () => {
      await repo.insertChecks(db, input.runId, [{ seq: input.seq, provider: "user", model: "user", opinion: "yes", callId: null, at }]);
      return repo.setVerdict(db, input.runId, input.seq, "verified", at);
    };
    const active = this.deps.activeRun();
    if (active?.id === input.runId) {
      await active.setTrust(entry.text, false, persist);
    } else {
      const next = this.storedChain.then(async () => {
        await persist();
        await rebuildOutputFile(db, this.deps.outputDir, input.runId);
      });
      this.storedChain = next.catch(() => undefined);
      await next;
    }
    await this.deps.eventLog.add(input.runId, "trust.restored", `"${entry.text}" (#${input.seq}) restored by the user`, { seq: input.seq });
    return { seq: input.seq, text: entry.text };
  }

  private async requireRun(runId: string): Promise<void> {
    if (!(await repo.runExists(this.deps.prisma(), runId))) throw new DomainError("NOT_FOUND", `runId: no run ${runId}`, "runId");
  }
}
