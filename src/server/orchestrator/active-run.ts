import { cleanCandidate } from "../../lib/candidate";
import { canonicalKey } from "../../lib/dedup";
import type { CandidateOutcome, EntryLedger } from "../../lib/entry-ledger";
import { errorMessage } from "../../lib/errors";
import { MAX_DELTA_ENTRIES, type CallRecord, type Delta, type SubmitInput } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import type { RunConfig } from "../../lib/run-config";
import type { RunMode } from "../../lib/run-modes";
import { EntryWriter } from "./entry-writer";
import { pendingPairs, type JudgeQueue } from "./judge-queue";
import { SideCalls } from "./side-calls";
import type { VerifyQueue } from "./verify-queue";
import type { RunMetrics } from "./metrics";
import { callObservation, type Optimizer } from "../../lib/routing/optimizer";
import type { OutputFile } from "./output-file";
import type { DecisionRow, EntryRow, RunTotals, SupportRow } from "./repo";
import { SupportBook } from "../../lib/trust/support";
import { RunTree, type RunTreeDeps } from "./run-tree";

export type NewestEntry = { seq: number; text: string; producer: string; target: string; at: number };

/** `outcomes`: the verdicts of the batch's candidates, when it is first applied (not on a replay). */
export type BatchOutcome = { accepted: number; duplicates: number; outcomes?: Record<CandidateOutcome, number> };

// A settled outcome is kept as one number (accepted * 2^16 + duplicates; a batch holds at most
// MAX_CANDIDATES_PER_BATCH candidates); as two objects it took ~100 bytes (heap snapshot), ~2 MB for 20,000.
const packOutcome = (o: BatchOutcome): number => o.accepted * 0x10000 + o.duplicates;
const unpackOutcome = (n: number): BatchOutcome => ({ accepted: Math.floor(n / 0x10000), duplicates: n % 0x10000 });

type CallTally = { new: number; dupExact: number; dupNear: number; junk: number };

/** What a run is opened with (open-run.ts builds it from the DB); every part is final. */
export type ActiveRunParts = {
  id: string;
  slug: string;
  config: RunConfig;
  /** The mode stored for the run (a re-attached run is already `running`). */
  mode: RunMode;
  /** sha256 of the producers' secret. */
  secretHash: string;
  startedAt: number;
  /** Dedup index and committed entries, loaded from the DB. */
  ledger: EntryLedger;
  /** The highest seq ever used (repo.maxUsedSeq): new entries are numbered after it. */
  maxUsedSeq?: number;
  metrics: RunMetrics;
  totalCandidates: number;
  costUsd: number;
  /** Stretches before this one, all closed (open-run.ts); none for a new run. */
  earlier?: { firstStartedAt: number | null; activeMs: number; stretches: import("../../lib/stretches").Stretch[] };
  optimizer: Optimizer;
  output: OutputFile;
  /** Writes committed rows, the dedup decisions made on them and support changes of earlier rows to the DB (repo.commitEntries). */
  insert: (rows: EntryRow[], decisions: DecisionRow[], supports: SupportRow[]) => Promise<void>;
  /** Support per entry, loaded with the entries (a new run: empty). */
  support?: SupportBook;
  /** Told once rows are in the DB and the file: the live snapshot changes. */
  onCommitted: () => void;
  /** Stores entries shown under another text, their display form (repo.renameEntries). */
  rename?: (changes: { seq: number; text: string; normalisedKey: string }[]) => Promise<void>;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** Tree runs: the topic tree's parts (its spend is added to the run's). */
  tree: Omit<RunTreeDeps, "spent"> | null;
  /** Builds the run's dedup judge (it merges through the run), or undefined when it is off. */
  makeJudge?: (run: ActiveRun) => JudgeQueue | undefined;
  /** Builds the run's verifier (it rejects through the run), or undefined when it is off. */
  makeVerifier?: (run: ActiveRun) => VerifyQueue | undefined;
  /** Texts of entries rejected by verification: they stay out of output.txt. */
  rejected?: Set<string>;
  /** How long a partial side-call batch (judge, verifier) waits for more items. */
  sideGatherMs?: number;
};

/**
 * In-memory state of the run being produced. A batch goes one way through it:
 * the ledger classifies -> the writer commits (DB, then output.txt) -> the optimiser
 * observes. Committed entries are numbered in acceptance order and the writer never drops
 * one; an entry merged away later (dedup-review.ts) leaves a gap, the others keep their seq.
 */
export class ActiveRun {
  readonly id: string;
  readonly slug: string;
  readonly config: RunConfig;
  readonly secretHash: string;
  readonly startedAt: number;
  /** Changed only by the state machine (run-state.ts). */
  mode: RunMode;
  readonly ledger: EntryLedger;
  readonly metrics: RunMetrics;
  readonly optimizer: Optimizer;
  readonly output: OutputFile;
  readonly writer: EntryWriter;
  /** The topic tree (tree runs); null in flat runs. */
  readonly tree: RunTree | null;
  readonly newest: NewestEntry[] = [];
  totalCandidates: number;
  costUsd: number;
  /** The run's earlier stretches (stored): its first start, the time they ran, and the list. */
  readonly earlier: NonNullable<ActiveRunParts["earlier"]>;
  private nextSeq: number;
  /**
   * Outcome of each recent batch, for retries. Settled ones are kept as plain values: a
   * promise carries the async context it was created in (the submitting request's, with its
   * whole request and response), so 20,000 kept promises held ~780 MB.
   */
  private readonly batches = new Map<string, Promise<BatchOutcome> | number>();
  private readonly calls = new Map<string, CallTally>();
  /** Distinct calls, producers and models that proposed each entry (src/lib/trust/support.ts). */
  readonly support: SupportBook;
  /** Seqs of entries classified unique and not yet committed: a re-proposal in flight updates them by seq. */
  private readonly pendingSeqs = new Map<string, number>();
  /** The run's side calls (judge and verifier share concurrency, budget and shutdown). */
  readonly side: SideCalls;
  /** The run's dedup judge (judge-queue.ts), when it is on: told of committed kept-apart pairs. */
  readonly judge: JudgeQueue | undefined;
  /** The run's verifier (verify-queue.ts), when it is on: told of committed entries. */
  readonly verifier: VerifyQueue | undefined;
  /** Texts of rejected entries: still entries (and in the dedup index), not in output.txt. */
  readonly rejected: Set<string>;

  constructor(p: ActiveRunParts) {
    this.id = p.id;
    this.slug = p.slug;
    this.config = p.config;
    this.mode = p.mode;
    this.secretHash = p.secretHash;
    this.startedAt = p.startedAt;
    this.ledger = p.ledger;
    this.metrics = p.metrics;
    this.optimizer = p.optimizer;
    this.output = p.output;
    this.totalCandidates = p.totalCandidates;
    this.costUsd = p.costUsd;
    this.earlier = p.earlier ?? { firstStartedAt: null, activeMs: 0, stretches: [] };
    this.nextSeq = Math.max(p.ledger.lastSeq, p.maxUsedSeq ?? 0) + 1;
    this.support = p.support ?? new SupportBook();
    this.writer = new EntryWriter({
      // A row is written with its support at flush time (re-proposals may have come since it was classified).
      insert: (rows, decisions, supports) =>
        p.insert(
          rows.map((r) => ({ ...r, support: this.support.get(r.text) ?? r.support })),
          decisions,
          supports,
        ),
      append: (texts) => p.output.append(texts, () => [...this.outputLines(), ...texts]),
      onCommitted: (rows, decisions) => {
        this.recordCommitted(rows);
        if (this.judge) this.judge.enqueue(pendingPairs(decisions));
        this.verifier?.enqueue(rows);
        p.onCommitted();
      },
      onError: (err, attempt) => p.log("error", `writing entries (attempt ${attempt}): ${errorMessage(err)}`),
    });
    this.tree = p.tree
      ? new RunTree({
          ...p.tree,
          spent: (call, usd) => this.observeServerCall(call, usd),
        })
      : null;
    this.rejected = p.rejected ?? new Set();
    this.side = new SideCalls({ gatherMs: p.sideGatherMs ?? 2_000, log: p.log });
    this.judge = p.makeJudge?.(this);
    this.verifier = p.makeVerifier?.(this);
    this.rename = p.rename;
    this.log = p.log;
  }

  /** output.txt's lines: every committed entry not rejected, in seq order. */
  outputLines(): readonly string[] {
    return this.rejected.size === 0 ? this.committed : this.committed.filter((t) => !this.rejected.has(t));
  }

  /**
   * A verification verdict (or a user's restore): `persist` stores it first (false: the entry
   * is gone); a rejected entry then leaves output.txt, a restored one comes back. Runs in the
   * writer's exclusive slot, like a merge, so no append is in flight while the file is rewritten.
   */
  async setTrust(text: string, rejected: boolean, persist: () => Promise<boolean>): Promise<boolean> {
    return this.writer.exclusive(async () => {
      if (!(await persist())) return false;
      if (rejected === this.rejected.has(text)) return true;
      if (rejected) this.rejected.add(text);
      else this.rejected.delete(text);
      await this.output.rewrite(this.outputLines());
      return true;
    });
  }

  /**
   * One verification call's verdicts: stored together (`persist`); when some are rejections,
   * output.txt is rewritten once, in the writer's exclusive slot. Verdicts that keep entries in
   * the file do not wait for the slot (under load it queues behind every pending commit).
   */
  async applyVerdicts(rejectedTexts: readonly string[], persist: () => Promise<void>): Promise<void> {
    if (rejectedTexts.length === 0) return persist();
    await this.writer.exclusive(async () => {
      await persist();
      const live = rejectedTexts.filter((t) => this.ledger.seqOf(t) !== undefined && !this.rejected.has(t));
      if (live.length === 0) return;
      for (const t of live) this.rejected.add(t);
      await this.output.rewrite(this.outputLines());
    });
  }

  /** Stops the side calls: the verifier's queue and the judge's are dropped, calls in flight aborted. */
  async closeSideCalls(): Promise<void> {
    this.verifier?.close();
    await this.judge?.close();
    await this.side.close();
  }

  private readonly rename: ActiveRunParts["rename"];
  private readonly log: ActiveRunParts["log"];
  private displayBusy = false;

  /**
   * Entries whose display form changed (a cased form after an all-capitals one, the bare name
   * merged into a described entry): stored, then output.txt rewritten, in the writer's
   * exclusive slot; one rewrite for all changes pending.
   */
  private refreshDisplayForms(): void {
    if (this.displayBusy || !this.rename || !this.ledger.hasDisplayChanges) return;
    this.displayBusy = true;
    this.writer
      .exclusive(async () => {
        if (await this.applyDisplayForms()) await this.output.rewrite(this.outputLines());
      })
      .catch((err: unknown) => this.log("warn", `display forms: ${errorMessage(err)}`))
      .finally(() => {
        this.displayBusy = false;
      });
  }

  /** Inside writer.exclusive: stores and applies pending display forms; true when any changed. */
  private async applyDisplayForms(): Promise<boolean> {
    if (!this.rename) return false;
    const changes = this.ledger.displayChanges();
    if (changes.length === 0) return false;
    await this.rename(changes.map((c) => ({ seq: c.seq, text: c.to, normalisedKey: canonicalKey(c.to) })));
    for (const c of changes) {
      this.ledger.rename(c.from, c.to);
      this.support.rename(c.from, c.to);
      if (this.rejected.delete(c.from)) this.rejected.add(c.to);
      for (const n of this.newest) if (n.seq === c.seq) n.text = c.to;
    }
    return true;
  }

  /** When the run first started, and its time running over every stretch so far. */
  history(now: number): { firstStartedAt: number; activeMs: number } {
    return { firstStartedAt: this.earlier.firstStartedAt ?? this.startedAt, activeMs: this.earlier.activeMs + Math.max(0, now - this.startedAt) };
  }

  /** The committed entries in seq order (ledger.seqs[i] is committed[i]'s seq). */
  get committed(): readonly string[] {
    return this.ledger.texts;
  }

  get totalUnique(): number {
    return this.committed.length;
  }

  totals(): RunTotals {
    const t = this.metrics.overallTally();
    return { totalUnique: this.totalUnique, totalCandidates: this.totalCandidates, totalDupExact: t.dupExact, totalDupNear: t.dupNear, totalJunk: t.junk };
  }

  delta(sinceSeq: number): Delta {
    const seqs = this.ledger.seqs;
    const from = this.ledger.indexAfter(Math.max(0, sinceSeq));
    const to = Math.min(this.committed.length, from + MAX_DELTA_ENTRIES);
    const entries = new Array<{ seq: number; text: string }>(to - from);
    for (let i = from; i < to; i++) entries[i - from] = { seq: seqs[i]!, text: this.committed[i]! };
    const nextSeq = to > from ? seqs[to - 1]! : Math.min(Math.max(0, sinceSeq), this.ledger.lastSeq);
    return { entries, nextSeq, more: to < this.committed.length };
  }

  /**
   * Forgets a committed entry merged into another (inside writer.exclusive, after the DB):
   * the ledger drops it, output.txt is rewritten without it.
   */
  async forgetMerged(text: string, into: string): Promise<void> {
    if (!this.ledger.merge(text, into)) return;
    this.support.merge(text, into);
    this.rejected.delete(text);
    const i = this.newest.findIndex((n) => n.text === text);
    if (i >= 0) this.newest.splice(i, 1);
    // The merged text may be the entry's better display form (its bare name, a cased form).
    await this.applyDisplayForms();
    await this.output.rewrite(this.outputLines());
  }

  /** A merged candidate as a new entry at the end (a restore), or null when it would repeat an entry. */
  restoredRow(text: string, who: { producer: string; provider: string; model: string }, now: number): EntryRow | null {
    const admitted = this.ledger.admit(text);
    if (admitted === null) return null;
    this.support.propose(admitted.text, { callId: undefined, producer: who.producer, model: targetLabel(who) });
    return { seq: this.nextSeq++, text: admitted.text, normalisedKey: admitted.key, ...who, batchId: "restore", createdAt: new Date(now) };
  }

  /** Applies a batch once; a retried batchId gets the first outcome. */
  submit(input: SubmitInput, target: { provider: string; model: string }, now: number): { outcome: Promise<BatchOutcome>; replay: boolean } {
    const seen = this.batches.get(input.batchId);
    if (seen !== undefined) return { outcome: typeof seen === "number" ? Promise.resolve(unpackOutcome(seen)) : seen, replay: true };
    const outcome = this.apply(input, target, now);
    this.batches.set(input.batchId, outcome);
    outcome.then(
      (value) => this.batches.get(input.batchId) === outcome && this.batches.set(input.batchId, packOutcome(value)),
      () => this.batches.delete(input.batchId),
    );
    if (this.batches.size > 20_000) {
      const oldest = this.batches.keys().next().value;
      if (oldest !== undefined) this.batches.delete(oldest);
    }
    return { outcome, replay: false };
  }

  /** Counts a finished call (its record is already stored once): spend, tallies, routing evidence. */
  observeCall(producer: string, call: CallRecord, costUsd: number, now: number, branchId?: number): void {
    const tally = this.calls.get(call.callId) ?? { new: 0, dupExact: 0, dupNear: 0, junk: 0 };
    this.calls.delete(call.callId);
    this.costUsd += costUsd;
    this.metrics.call(producer, targetLabel(call), call, costUsd);
    this.optimizer.observeCall(callObservation(producer, call, tally, costUsd, now));
    this.tree?.observeCall(producer, call, costUsd, branchId);
  }

  /** Counts a call the server made for this run (a breakdown, the judge; its record is already stored once): spend and the run's figures. */
  observeServerCall(call: CallRecord, costUsd: number): void {
    this.costUsd += costUsd;
    this.metrics.serverCall(targetLabel(call), call, costUsd);
  }

  /** New entries a call produced so far (stored with its record). */
  newEntriesOf(callId: string): number {
    return this.calls.get(callId)?.new ?? 0;
  }

  private async apply(input: SubmitInput, target: { provider: string; model: string }, now: number): Promise<BatchOutcome> {
    const targetKey = targetLabel(target);
    const rows: EntryRow[] = [];
    const decisions: DecisionRow[] = [];
    const outcomes: Record<CandidateOutcome, number> = { unique: 0, dupExact: 0, dupNear: 0, junk: 0 };
    const observed: Array<[CandidateOutcome, number | undefined]> = [];
    const callTally = input.callId ? this.callTally(input.callId) : undefined;
    const createdAt = new Date(now);
    const branchId = this.tree && input.branchId !== undefined && input.branchId < this.tree.tree.size ? input.branchId : undefined;
    const found: string[] = [];
    const reproposed: string[] = [];
    const who = { producer: input.producer, provider: target.provider, model: target.model };
    const proposal = { callId: input.callId, producer: input.producer, model: targetKey };
    const supported = new Set<string>();
    for (const [index, raw] of input.candidates.entries()) {
      this.totalCandidates++;
      const c = this.ledger.classify(raw, targetKey);
      if (c.outcome === "unique") {
        const seq = this.nextSeq++;
        this.support.propose(c.text, proposal);
        this.pendingSeqs.set(c.text, seq);
        rows.push({ seq, text: c.text, normalisedKey: c.key, ...who, batchId: input.batchId, createdAt, branchId: branchId ?? null });
        found.push(c.text);
        for (const [j, m] of (c.borderline ?? []).entries()) {
          decisions.push({
            origin: `${input.batchId}:${index}:${j}`,
            kind: "kept-apart",
            candidate: c.text,
            candidateSeq: seq,
            entrySeq: this.ledger.seqOf(m.duplicateOf) ?? null,
            entryText: m.duplicateOf,
            reason: m.reason,
            edit: m.edit ?? null,
            cost: m.cost,
            sources: m.sources,
            verdict: null,
            ...who,
            at: createdAt,
          });
        }
      } else if (c.outcome === "dupExact" || c.outcome === "dupNear") {
        reproposed.push(c.duplicateOf);
        if (this.support.propose(c.duplicateOf, proposal)) supported.add(c.duplicateOf);
        if (c.outcome === "dupNear") {
          decisions.push({
            origin: `${input.batchId}:${index}`,
            kind: "merged",
            candidate: cleanCandidate(raw) ?? raw,
            candidateSeq: null,
            entrySeq: this.ledger.seqOf(c.duplicateOf) ?? null,
            entryText: c.duplicateOf,
            reason: c.reason,
            edit: null,
            cost: null,
            sources: null,
            verdict: null,
            ...who,
            at: createdAt,
          });
        }
      }
      observed.push([c.outcome, c.outcome === "dupExact" || c.outcome === "dupNear" ? c.previousProposals : undefined]);
      outcomes[c.outcome]++;
      this.metrics.candidate(input.producer, targetKey, c.outcome, now);
      if (callTally) callTally[c.outcome === "unique" ? "new" : c.outcome]++;
    }
    // An entry accepted earlier in this same batch has no recorded seq yet: take it from the rows.
    if (decisions.some((d) => d.entrySeq === null)) {
      const seqOf = new Map(rows.map((r) => [r.text, r.seq]));
      for (const d of decisions) d.entrySeq ??= seqOf.get(d.entryText) ?? null;
    }
    // Support of entries written earlier or in flight (a new row carries its own, read when it is written).
    const supports: SupportRow[] = [];
    for (const text of supported) {
      const seq = this.ledger.seqOf(text) ?? this.pendingSeqs.get(text);
      const s = this.support.get(text);
      if (seq !== undefined && s !== undefined && !rows.some((r) => r.seq === seq)) supports.push({ seq, ...s });
    }
    await this.writer.write(rows, decisions, supports);
    // A repeat in another form (cased after all capitals) may change how an entry is written.
    this.refreshDisplayForms();
    this.tree?.observeCandidates(input.callId, branchId, found, reproposed);
    for (const [outcome, previous] of observed) this.optimizer.observeCandidate(outcome, previous);
    return { accepted: outcomes.unique, duplicates: outcomes.dupExact + outcomes.dupNear, outcomes };
  }

  /** Called by the writer, in seq order, once rows are in the DB and the file. */
  private recordCommitted(rows: readonly EntryRow[]): void {
    for (const r of rows) {
      this.ledger.record(r.text, r.seq);
      this.pendingSeqs.delete(r.text);
      this.newest.push({ seq: r.seq, text: r.text, producer: r.producer, target: targetLabel(r), at: r.createdAt.getTime() });
    }
    if (this.newest.length > 50) this.newest.splice(0, this.newest.length - 50);
  }

  private callTally(callId: string): CallTally {
    let t = this.calls.get(callId);
    if (!t) this.calls.set(callId, (t = { new: 0, dupExact: 0, dupNear: 0, junk: 0 }));
    if (this.calls.size > 10_000) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    return t;
  }
}
