import { EntryLedger, type CandidateOutcome } from "../../lib/entry-ledger";
import { MAX_DELTA_ENTRIES, type Delta, type SubmitInput } from "../../lib/protocol";
import type { RunConfig } from "../../lib/run-config";
import type { EntryWriter } from "./entry-writer";
import { RunMetrics } from "./metrics";
import type { Optimizer } from "./optimizer";
import type { OutputFile } from "./output-file";
import type { EntryRow } from "./repo";
import type { RunMode } from "./run-state";

export type NewestEntry = { seq: number; text: string; producer: string; target: string; at: number };

export type BatchOutcome = { accepted: number; duplicates: number; outcomes: Record<CandidateOutcome, number> };

/**
 * In-memory state of the run being produced: the dedup index, every committed entry in
 * order (for producer deltas), per-call tallies, and idempotency of batches.
 * Committed entries are numbered 1..n without gaps because the writer never drops one.
 */
export class ActiveRun {
  mode: RunMode = "starting";
  /** The dedup index and the committed entries with their proposal counts. */
  readonly ledger = new EntryLedger();
  readonly metrics = new RunMetrics();
  private nextSeq: number;
  readonly newest: NewestEntry[] = [];
  private readonly batches = new Map<string, Promise<BatchOutcome>>();
  private readonly calls = new Map<string, { new: number; dupExact: number; dupNear: number; junk: number }>();
  /** Routing, statistics and coverage; set by the orchestrator right after loading. */
  optimizer!: Optimizer;
  totalCandidates = 0;
  /** Told about every candidate's outcome (the optimiser's coverage estimate). */
  onOutcome: (outcome: CandidateOutcome, previousProposals?: number) => void = () => undefined;
  startedAt: number;
  costUsd = 0;

  constructor(
    readonly id: string,
    readonly slug: string,
    readonly config: RunConfig,
    /** sha256 of the producers' secret; replaced when producers are restarted with a new one. */
    public secretHash: string,
    readonly writer: EntryWriter,
    readonly output: OutputFile,
    now: number,
  ) {
    this.nextSeq = 1;
    this.startedAt = now;
  }

  /** Loads entries already in the DB (resume / restart). */
  load(rows: readonly EntryRow[]): void {
    for (const r of rows) {
      // Keys are recomputed rather than read back: the stored key may come from an older
      // version of the dedup engine, and the index must match what check() computes now.
      this.ledger.load(r.text);
      this.metrics.seed(r.producer, `${r.provider}:${r.model}`, 1);
      this.nextSeq = r.seq + 1;
    }
  }

  /** committed[i] is entry seq i+1. */
  get committed(): readonly string[] {
    return this.ledger.texts;
  }

  get proposals(): readonly number[] {
    return this.ledger.proposals;
  }

  get totalUnique(): number {
    return this.committed.length;
  }

  delta(sinceSeq: number): Delta {
    const from = Math.min(Math.max(0, sinceSeq), this.committed.length);
    const to = Math.min(this.committed.length, from + MAX_DELTA_ENTRIES);
    const entries = new Array<{ seq: number; text: string }>(to - from);
    for (let i = from; i < to; i++) entries[i - from] = { seq: i + 1, text: this.committed[i]! };
    return { entries, nextSeq: to, more: to < this.committed.length };
  }

  /** Applies a batch once; a retried batchId gets the first outcome. */
  submit(input: SubmitInput, target: { provider: string; model: string }, now: number): { outcome: Promise<BatchOutcome>; replay: boolean } {
    const seen = this.batches.get(input.batchId);
    if (seen) return { outcome: seen, replay: true };
    const outcome = this.apply(input, target, now);
    this.batches.set(input.batchId, outcome);
    outcome.catch(() => this.batches.delete(input.batchId));
    if (this.batches.size > 20_000) {
      const oldest = this.batches.keys().next().value;
      if (oldest !== undefined) this.batches.delete(oldest);
    }
    return { outcome, replay: false };
  }

  /** Per-call tallies, consumed when the call's record arrives. */
  takeCallTally(callId: string): { new: number; dupExact: number; dupNear: number; junk: number } {
    const t = this.calls.get(callId) ?? { new: 0, dupExact: 0, dupNear: 0, junk: 0 };
    this.calls.delete(callId);
    return t;
  }

  private apply(input: SubmitInput, target: { provider: string; model: string }, now: number): Promise<BatchOutcome> {
    const targetKey = `${target.provider}:${target.model}`;
    const rows: EntryRow[] = [];
    const outcomes: Record<CandidateOutcome, number> = { unique: 0, dupExact: 0, dupNear: 0, junk: 0 };
    const callTally = input.callId ? this.callTally(input.callId) : undefined;
    const createdAt = new Date(now);
    for (const raw of input.candidates) {
      this.totalCandidates++;
      const c = this.ledger.classify(raw);
      const outcome = c.outcome;
      if (c.outcome === "unique") {
        rows.push({
          seq: this.nextSeq++,
          text: c.text,
          normalisedKey: c.key,
          producer: input.producer,
          provider: target.provider,
          model: target.model,
          batchId: input.batchId,
          createdAt,
        });
      }
      this.onOutcome(outcome, c.outcome === "dupExact" || c.outcome === "dupNear" ? c.previousProposals : undefined);
      outcomes[outcome]++;
      this.metrics.candidate(input.producer, targetKey, outcome, now);
      if (callTally) callTally[outcome === "unique" ? "new" : outcome]++;
    }
    const result: BatchOutcome = { accepted: outcomes.unique, duplicates: outcomes.dupExact + outcomes.dupNear, outcomes };
    return this.writer.write(rows).then(() => result);
  }

  /** Called by the writer, in seq order, once rows are in the DB and the file. */
  onCommitted(rows: readonly EntryRow[]): void {
    for (const r of rows) {
      this.ledger.record(r.text);
      this.newest.push({ seq: r.seq, text: r.text, producer: r.producer, target: `${r.provider}:${r.model}`, at: r.createdAt.getTime() });
    }
    if (this.newest.length > 50) this.newest.splice(0, this.newest.length - 50);
  }

  private callTally(callId: string) {
    let t = this.calls.get(callId);
    if (!t) this.calls.set(callId, (t = { new: 0, dupExact: 0, dupNear: 0, junk: 0 }));
    if (this.calls.size > 10_000) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    return t;
  }
}
