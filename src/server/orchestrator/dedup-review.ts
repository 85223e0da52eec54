import { canonicalKey } from "../../lib/dedup";
import { DomainError, isDomainError } from "../../lib/errors";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ActiveRun } from "./active-run";
import type { EventLog } from "./event-log";
import { OutputFile } from "./output-file";
import * as repo from "./repo";
import type { DecisionKind, DecisionRow } from "./repo";

export type ReviewDeps = {
  prisma: () => PrismaClient;
  activeRun: () => ActiveRun | undefined;
  outputDir: string;
  eventLog: EventLog;
  clock: () => number;
};

const MERGED_KINDS: ReadonlySet<string> = new Set<DecisionKind>(["merged", "judged-same", "user-merged"]);

/**
 * The review actions on a run's near-duplicates: the lists, a merge (the user's or the
 * judge's "same") and a restore. One merge path for both deciders.
 *
 * Removal keeps seqs: the later entry's row is deleted and its seq is never reused, so a
 * producer's delta ("entries after seq N") stays valid; output.txt is the remaining entries in
 * seq order, rewritten atomically. On the active run a change runs inside the writer's
 * exclusive slot (no append in flight, the ledger changes with the DB); on a stored run the
 * file is rebuilt from the DB. Changes to stored runs are serialised here.
 */
export class DedupReview {
  private storedChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReviewDeps) {}

  async review(q: { runId: string; kind: "possible" | "merged"; limit: number; cursor?: number }) {
    await this.requireRun(q.runId);
    const rows = await repo.reviewDecisions(this.deps.prisma(), { ...q, cursor: q.cursor === undefined ? undefined : BigInt(q.cursor) });
    const items = rows.map(({ id, resolvedBy: _settled, at, ...r }) => ({ ...r, id: Number(id), at: at.getTime() }));
    const last = items[items.length - 1];
    const judge = await repo.judgeSpend(this.deps.prisma(), q.runId);
    // What "merge all of this kind" would merge: the open possible duplicates by evidence.
    const groups = q.kind === "possible" ? await repo.possibleGroups(this.deps.prisma(), q.runId) : [];
    return { items, nextCursor: items.length === q.limit && last ? last.id : null, judge, groups };
  }

  /**
   * Review at scale: merges the open possible duplicates of one kind (evidence `reason`, or the
   * judge's `verdict`, or all), oldest first, each through merge() (the later entry into the
   * earlier). A pair whose entry was merged away by an earlier merge of the same call is
   * skipped: A~B and B~C never merge C into A. Returns the merge decisions, for an undo.
   */
  async mergeMany(input: {
    runId: string;
    reason?: string;
    verdict?: string;
    limit: number;
  }): Promise<{ merged: { decisionId: number; candidate: string; entryText: string }[]; skipped: number }> {
    await this.requireRun(input.runId);
    const rows = await repo.possibleOfKind(this.deps.prisma(), input);
    const gone = new Set<number>();
    const merged: { decisionId: number; candidate: string; entryText: string }[] = [];
    let skipped = 0;
    for (const d of rows) {
      const seq = d.candidateSeq;
      const intoSeq = d.entrySeq;
      if (seq === null || intoSeq === null || seq <= intoSeq || gone.has(seq) || gone.has(intoSeq)) {
        skipped++;
        continue;
      }
      try {
        const r = await this.merge({ runId: input.runId, seq, intoSeq }, { kind: "user-merged", ...(d.verdict ? { verdict: d.verdict } : {}) });
        gone.add(seq);
        merged.push({ decisionId: r.decisionId, candidate: d.candidate, entryText: d.entryText });
      } catch (err) {
        // An entry removed since the list was read (another decision of this batch): skipped.
        if (isDomainError(err) && err.code === "NOT_FOUND") skipped++;
        else throw err;
      }
    }
    return { merged, skipped };
  }

  /** Undo of a bulk merge: restores each merge decision; one already restored or conflicting is skipped. */
  async restoreMany(input: {
    runId: string;
    decisionIds: number[];
  }): Promise<{ restored: { decisionId: number; seq: number; text: string }[]; skipped: number }> {
    const restored: { decisionId: number; seq: number; text: string }[] = [];
    let skipped = 0;
    for (const decisionId of input.decisionIds) {
      try {
        restored.push(await this.restore({ runId: input.runId, decisionId }));
      } catch (err) {
        if (isDomainError(err) && (err.code === "CONFLICT" || err.code === "NOT_FOUND")) skipped++;
        else throw err;
      }
    }
    return { restored, skipped };
  }

  /** Merges entry `seq` into the earlier entry `intoSeq`: the later one is removed from the DB and output.txt. */
  async merge(
    input: { runId: string; seq: number; intoSeq: number },
    by: { kind: "user-merged" | "judged-same"; verdict?: string } = { kind: "user-merged" },
  ): Promise<{ decisionId: number; removedSeq: number; intoSeq: number }> {
    if (input.seq === input.intoSeq) throw new DomainError("BAD_REQUEST", "seq: must differ from intoSeq", "seq");
    if (input.seq < input.intoSeq) throw new DomainError("BAD_REQUEST", "seq: must be the later entry (greater than intoSeq)", "seq");
    await this.requireRun(input.runId);
    const db = this.deps.prisma();
    const decision = (from: { text: string }, into: { text: string }, who?: { producer: string; provider: string; model: string }): DecisionRow => ({
      origin: `${by.kind}:${input.seq}`,
      kind: by.kind,
      candidate: from.text,
      candidateSeq: input.seq,
      entrySeq: input.intoSeq,
      entryText: into.text,
      reason: by.kind === "judged-same" ? "judged" : "user",
      edit: null,
      cost: null,
      sources: null,
      verdict: by.verdict ?? null,
      producer: who?.producer ?? null,
      provider: who?.provider ?? null,
      model: who?.model ?? null,
      at: new Date(this.deps.clock()),
    });
    const run = this.deps.activeRun();
    const result = await this.onRun(input.runId, run, async (active) => {
      const from = await repo.findEntry(db, input.runId, input.seq);
      const into = await repo.findEntry(db, input.runId, input.intoSeq);
      if (!from) throw new DomainError("NOT_FOUND", `seq: run has no entry ${input.seq}`, "seq");
      if (!into) throw new DomainError("NOT_FOUND", `intoSeq: run has no entry ${input.intoSeq}`, "intoSeq");
      const id = await repo.removeMergedEntry(db, input.runId, input.seq, decision(from, into, from));
      if (active) await active.forgetMerged(from.text, into.text);
      else await this.rebuildFile(input.runId);
      return { id, from: from.text, into: into.text };
    });
    await this.deps.eventLog.add(
      input.runId,
      "dedup.merged",
      `"${result.from}" (#${input.seq}) merged into "${result.into}" (#${input.intoSeq}) by ${by.kind === "judged-same" ? "the judge" : "the user"}`,
      {
        seq: input.seq,
        intoSeq: input.intoSeq,
        kind: by.kind,
      },
    );
    return { decisionId: Number(result.id), removedSeq: input.seq, intoSeq: input.intoSeq };
  }

  /** A merged candidate becomes a new entry at the end. */
  async restore(input: { runId: string; decisionId: number }): Promise<{ decisionId: number; seq: number; text: string }> {
    await this.requireRun(input.runId);
    const db = this.deps.prisma();
    const merged = await repo.findDecision(db, input.runId, BigInt(input.decisionId));
    if (!merged) throw new DomainError("NOT_FOUND", `decisionId: run has no decision ${input.decisionId}`, "decisionId");
    if (!MERGED_KINDS.has(merged.kind))
      throw new DomainError("BAD_REQUEST", `decisionId: decision ${input.decisionId} is "${merged.kind}", not a merge`, "decisionId");
    if (merged.resolvedBy !== null) throw new DomainError("CONFLICT", `decisionId: decision ${input.decisionId} was already restored`, "decisionId");
    const who = { producer: merged.producer ?? "user", provider: merged.provider ?? "user", model: merged.model ?? "user" };
    const now = this.deps.clock();
    const conflict = () => new DomainError("CONFLICT", `decisionId: "${merged.candidate}" is already an entry`, "decisionId");
    const active = this.deps.activeRun();
    let seq: number;
    if (active?.id === input.runId) {
      // Like a classified candidate: into the dedup index now, committed by the writer (DB, file, ledger).
      const row = active.restoredRow(merged.candidate, who, now);
      if (row === null) throw conflict();
      await active.writer.write([row]);
      seq = row.seq;
    } else {
      seq = await this.onRun(input.runId, undefined, async () => {
        const key = canonicalKey(merged.candidate);
        if (key === "" || (await db.entry.findFirst({ where: { runId: input.runId, normalisedKey: key }, select: { seq: true } }))) throw conflict();
        const row = {
          seq: (await repo.maxUsedSeq(db, input.runId)) + 1,
          text: merged.candidate,
          normalisedKey: key,
          ...who,
          batchId: "restore",
          createdAt: new Date(now),
        };
        await repo.insertEntries(db, input.runId, [row]);
        await this.rebuildFile(input.runId);
        return row.seq;
      });
    }
    const id = await repo.recordRestore(db, input.runId, BigInt(input.decisionId), {
      origin: `restored:${input.decisionId}`,
      kind: "restored",
      candidate: merged.candidate,
      candidateSeq: seq,
      entrySeq: merged.entrySeq,
      entryText: merged.entryText,
      reason: "user",
      edit: null,
      cost: null,
      sources: null,
      verdict: null,
      ...who,
      at: new Date(now),
    });
    await this.deps.eventLog.add(input.runId, "dedup.restored", `"${merged.candidate}" restored as entry #${seq}`, { seq, decisionId: input.decisionId });
    return { decisionId: Number(id), seq, text: merged.candidate };
  }

  private async requireRun(runId: string): Promise<void> {
    if (!(await repo.runExists(this.deps.prisma(), runId))) throw new DomainError("NOT_FOUND", `runId: no run ${runId}`, "runId");
  }

  /** `fn` in the active run's exclusive writer slot, or serialised with other changes to stored runs. */
  private onRun<T>(runId: string, run: ActiveRun | undefined, fn: (active: ActiveRun | undefined) => Promise<T>): Promise<T> {
    if (run?.id === runId) return run.writer.exclusive(() => fn(run));
    const next = this.storedChain.then(() => fn(undefined));
    this.storedChain = next.catch(() => undefined);
    return next;
  }

  private rebuildFile(runId: string): Promise<void> {
    return rebuildOutputFile(this.deps.prisma(), this.deps.outputDir, runId);
  }
}

/** output.txt of a stored run = its entries not rejected by verification, in seq order. */
export async function rebuildOutputFile(db: PrismaClient, outputDir: string, runId: string): Promise<void> {
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { slug: true } });
  const texts: string[] = [];
  for await (const page of repo.readEntries(db, runId)) for (const r of page) if (r.verdict !== "rejected") texts.push(r.text);
  const file = OutputFile.forSlug(outputDir, run.slug);
  await file.reconcile(texts);
  await file.close();
}
