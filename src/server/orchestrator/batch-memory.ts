import type { CandidateOutcome } from "../../lib/entry-ledger";

// What the active run remembers of recent batches (a retried batch gets its first outcome) and
// of calls in progress (their candidates' tally, until the call's record arrives).

/** `outcomes`: the verdicts of the batch's candidates, when it is first applied (not on a replay). */
export type BatchOutcome = { accepted: number; duplicates: number; outcomes?: Record<CandidateOutcome, number> };

// A settled outcome is kept as one number (accepted * 2^16 + duplicates; a batch holds at most
// MAX_CANDIDATES_PER_BATCH candidates); as two objects it took ~100 bytes (heap snapshot), ~2 MB for 20,000.
const packOutcome = (o: BatchOutcome): number => o.accepted * 0x10000 + o.duplicates;
const unpackOutcome = (n: number): BatchOutcome => ({ accepted: Math.floor(n / 0x10000), duplicates: n % 0x10000 });

/** Each recent batch applied once (the last 20,000). */
export class BatchOnce {
  /**
   * Outcome of each recent batch, for retries. Settled ones are kept as plain values: a
   * promise carries the async context it was created in (the submitting request's, with its
   * whole request and response), so 20,000 kept promises held ~780 MB.
   */
  private readonly batches = new Map<string, Promise<BatchOutcome> | number>();

  /** `apply`'s outcome for a new batchId; the first outcome (`replay`) for one seen before. */
  run(batchId: string, apply: () => Promise<BatchOutcome>): { outcome: Promise<BatchOutcome>; replay: boolean } {
    const seen = this.batches.get(batchId);
    if (seen !== undefined) return { outcome: typeof seen === "number" ? Promise.resolve(unpackOutcome(seen)) : seen, replay: true };
    const outcome = apply();
    this.batches.set(batchId, outcome);
    outcome.then(
      (value) => this.batches.get(batchId) === outcome && this.batches.set(batchId, packOutcome(value)),
      () => this.batches.delete(batchId),
    );
    if (this.batches.size > 20_000) {
      const oldest = this.batches.keys().next().value;
      if (oldest !== undefined) this.batches.delete(oldest);
    }
    return { outcome, replay: false };
  }
}

export type CallTally = { new: number; dupExact: number; dupNear: number; junk: number };

/** The candidates' tally of each call in progress (the last 10,000), until its record arrives. */
export class CallTallies {
  private readonly calls = new Map<string, CallTally>();

  /** The call's tally, opened at its first batch. */
  of(callId: string): CallTally {
    let t = this.calls.get(callId);
    if (!t) this.calls.set(callId, (t = { new: 0, dupExact: 0, dupNear: 0, junk: 0 }));
    if (this.calls.size > 10_000) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    return t;
  }

  /** New entries the call produced so far. */
  newEntries(callId: string): number {
    return this.calls.get(callId)?.new ?? 0;
  }

  /** The call's final tally (its record arrived): forgotten here. */
  close(callId: string): CallTally {
    const t = this.calls.get(callId) ?? { new: 0, dupExact: 0, dupNear: 0, junk: 0 };
    this.calls.delete(callId);
    return t;
  }
}
