import { createDedupEngine, type DedupEngine } from "../../src/lib/dedup";
import { MAX_DELTA_ENTRIES, type Assignment, type CallRecord, type Delta, type SubmitResult, type SyncResult } from "../../src/lib/protocol";
import { ChannelError, type Channel, type SubmitBatch } from "../../src/server/producer/channel";

/**
 * An orchestrator in memory, with the protocol's semantics (seq numbering from 1, deltas
 * capped with `more`, idempotent batchIds, keepGoing): the seam for producer tests and the
 * in-process benchmark. Not used in production.
 */
export class MemoryOrchestrator {
  readonly entries: Array<{ seq: number; text: string; producer: string }> = [];
  readonly calls: Array<CallRecord & { producer: string }> = [];
  readonly reports: Array<{ producer: string; level: string; message: string }> = [];
  readonly batches: Array<SubmitBatch & { producer: string; at: number }> = [];
  candidates = 0;
  duplicates = 0;
  keepGoing = true;
  /** Fault injection: return an error to fail this request instead of applying it. */
  fault: ((op: "hello" | "sync" | "submit" | "report", producer: string, batch?: SubmitBatch) => Error | undefined) | undefined;

  private readonly dedup: DedupEngine = createDedupEngine();
  private readonly appliedBatches = new Map<string, { accepted: number; duplicates: number }>();
  private readonly assignments = new Map<string, Assignment>();

  constructor(
    private readonly base: Omit<Assignment, "index" | "poolSize">,
    private readonly opts: { poolSize?: number; maxDelta?: number } = {},
  ) {}

  /** Entries accepted before the producer starts (as after a long run). */
  preload(texts: readonly string[], producer = "earlier"): void {
    for (const text of texts) {
      const check = this.dedup.check(text);
      if (!check.unique) continue;
      this.dedup.accept(text, check.key);
      this.entries.push({ seq: this.entries.length + 1, text, producer });
    }
  }

  assignmentOf(producer: string): Assignment {
    let a = this.assignments.get(producer);
    if (!a) {
      a = { ...this.base, index: this.assignments.size, poolSize: this.opts.poolSize ?? 1 };
      this.assignments.set(producer, a);
    }
    return a;
  }

  setAssignment(producer: string, change: Partial<Assignment>): void {
    this.assignments.set(producer, { ...this.assignmentOf(producer), ...change });
  }

  private delta(sinceSeq: number): Delta {
    const max = this.opts.maxDelta ?? MAX_DELTA_ENTRIES;
    const slice = this.entries.slice(sinceSeq, sinceSeq + max);
    const last = slice.at(-1);
    return {
      entries: slice.map(({ seq, text }) => ({ seq, text })),
      nextSeq: last ? last.seq : sinceSeq,
      more: sinceSeq + slice.length < this.entries.length,
    };
  }

  private sync(producer: string, sinceSeq: number): SyncResult {
    return { keepGoing: this.keepGoing, assignment: this.assignmentOf(producer), delta: this.delta(sinceSeq) };
  }

  private submit(producer: string, batch: SubmitBatch): SubmitResult {
    const done = this.appliedBatches.get(batch.batchId);
    if (done) return { ...this.sync(producer, batch.sinceSeq), ...done, replay: true };
    let accepted = 0;
    let duplicates = 0;
    for (const text of batch.candidates) {
      this.candidates++;
      const check = this.dedup.check(text);
      if (check.unique) {
        this.dedup.accept(text, check.key);
        this.entries.push({ seq: this.entries.length + 1, text, producer });
        accepted++;
      } else {
        duplicates++;
        this.duplicates++;
      }
    }
    if (batch.call) this.calls.push({ ...batch.call, producer });
    this.batches.push({ ...batch, producer, at: Date.now() });
    this.appliedBatches.set(batch.batchId, { accepted, duplicates });
    return { ...this.sync(producer, batch.sinceSeq), accepted, duplicates, replay: false };
  }

  channelFor(producer: string): Channel {
    const guard = (op: "hello" | "sync" | "submit" | "report", batch?: SubmitBatch) => {
      const err = this.fault?.(op, producer, batch);
      if (err) throw err;
    };
    return {
      hello: async () => {
        guard("hello");
        return this.sync(producer, 0);
      },
      sync: async (sinceSeq) => {
        guard("sync");
        return this.sync(producer, sinceSeq);
      },
      submit: async (batch) => {
        guard("submit", batch);
        return this.submit(producer, structuredClone(batch));
      },
      report: async (level, message) => {
        guard("report");
        this.reports.push({ producer, level, message });
      },
    };
  }
}

/** An orchestrator that is down: every request fails as a network error would. */
export function unreachable(op: string): ChannelError {
  return new ChannelError(`${op}: fetch failed (ECONNREFUSED)`, { retryable: true });
}
