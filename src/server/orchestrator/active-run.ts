import type { CandidateOutcome, EntryLedger } from "../../lib/entry-ledger";
import { errorMessage } from "../../lib/errors";
import { MAX_DELTA_ENTRIES, type CallRecord, type Delta, type SubmitInput } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import type { RunConfig } from "../../lib/run-config";
import type { RunMode } from "../../lib/run-modes";
import { EntryWriter } from "./entry-writer";
import type { RunMetrics } from "./metrics";
import { callObservation, type Optimizer } from "../../lib/routing/optimizer";
import type { OutputFile } from "./output-file";
import type { EntryRow, RunTotals } from "./repo";

export type NewestEntry = { seq: number; text: string; producer: string; target: string; at: number };

export type BatchOutcome = { accepted: number; duplicates: number; outcomes: Record<CandidateOutcome, number> };

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
  metrics: RunMetrics;
  totalCandidates: number;
  costUsd: number;
  optimizer: Optimizer;
  output: OutputFile;
  /** Writes committed rows to the DB (repo.insertEntries). */
  insert: (rows: EntryRow[]) => Promise<void>;
  /** Told once rows are in the DB and the file: the live snapshot changes. */
  onCommitted: () => void;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/**
 * In-memory state of the run being produced. A batch goes one way through it:
 * the ledger classifies -> the writer commits (DB, then output.txt) -> the optimiser
 * observes. Committed entries are numbered 1..n without gaps because the writer never
 * drops one.
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
  readonly newest: NewestEntry[] = [];
  totalCandidates: number;
  costUsd: number;
  private nextSeq: number;
  /**
   * Outcome of each recent batch, for retries. Settled ones are kept as plain values: a
   * promise carries the async context it was created in (the submitting request's, with its
   * whole request and response), so 20,000 kept promises held ~780 MB.
   */
  private readonly batches = new Map<string, Promise<BatchOutcome> | BatchOutcome>();
  private readonly calls = new Map<string, CallTally>();

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
    this.nextSeq = p.ledger.texts.length + 1;
    this.writer = new EntryWriter({
      insert: p.insert,
      append: (texts) => p.output.append(texts, () => [...this.committed, ...texts]),
      onCommitted: (rows) => {
        this.recordCommitted(rows);
        p.onCommitted();
      },
      onError: (err, attempt) => p.log("error", `writing entries (attempt ${attempt}): ${errorMessage(err)}`),
    });
  }

  /** committed[i] is entry seq i+1. */
  get committed(): readonly string[] {
    return this.ledger.texts;
  }

  get totalUnique(): number {
    return this.committed.length;
  }

  totals(): RunTotals {
    return { totalUnique: this.totalUnique, totalCandidates: this.totalCandidates };
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
    if (seen) return { outcome: Promise.resolve(seen), replay: true };
    const outcome = this.apply(input, target, now);
    this.batches.set(input.batchId, outcome);
    outcome.then(
      (value) => this.batches.get(input.batchId) === outcome && this.batches.set(input.batchId, value),
      () => this.batches.delete(input.batchId),
    );
    if (this.batches.size > 20_000) {
      const oldest = this.batches.keys().next().value;
      if (oldest !== undefined) this.batches.delete(oldest);
    }
    return { outcome, replay: false };
  }

  /** Counts a finished call (its record is already stored once): spend, tallies, routing evidence. */
  observeCall(producer: string, call: CallRecord, costUsd: number, now: number): void {
    const tally = this.calls.get(call.callId) ?? { new: 0, dupExact: 0, dupNear: 0, junk: 0 };
    this.calls.delete(call.callId);
    this.costUsd += costUsd;
    this.metrics.call(producer, targetLabel(call), call, costUsd);
    this.optimizer.observeCall(callObservation(producer, call, tally, costUsd, now));
  }

  /** New entries a call produced so far (stored with its record). */
  newEntriesOf(callId: string): number {
    return this.calls.get(callId)?.new ?? 0;
  }

  private async apply(input: SubmitInput, target: { provider: string; model: string }, now: number): Promise<BatchOutcome> {
    const targetKey = targetLabel(target);
    const rows: EntryRow[] = [];
    const outcomes: Record<CandidateOutcome, number> = { unique: 0, dupExact: 0, dupNear: 0, junk: 0 };
    const observed: Array<[CandidateOutcome, number | undefined]> = [];
    const callTally = input.callId ? this.callTally(input.callId) : undefined;
    const createdAt = new Date(now);
    for (const raw of input.candidates) {
      this.totalCandidates++;
      const c = this.ledger.classify(raw);
      if (c.outcome === "unique") {
        rows.push({ seq: this.nextSeq++, text: c.text, normalisedKey: c.key, producer: input.producer, provider: target.provider, model: target.model, batchId: input.batchId, createdAt });
      }
      observed.push([c.outcome, c.outcome === "dupExact" || c.outcome === "dupNear" ? c.previousProposals : undefined]);
      outcomes[c.outcome]++;
      this.metrics.candidate(input.producer, targetKey, c.outcome, now);
      if (callTally) callTally[c.outcome === "unique" ? "new" : c.outcome]++;
    }
    await this.writer.write(rows);
    for (const [outcome, previous] of observed) this.optimizer.observeCandidate(outcome, previous);
    return { accepted: outcomes.unique, duplicates: outcomes.dupExact + outcomes.dupNear, outcomes };
  }

  /** Called by the writer, in seq order, once rows are in the DB and the file. */
  private recordCommitted(rows: readonly EntryRow[]): void {
    for (const r of rows) {
      this.ledger.record(r.text);
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
