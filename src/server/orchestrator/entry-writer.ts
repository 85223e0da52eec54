import type { DecisionRow, EntryRow, SupportRow } from "./repo";

/**
 * Group commit: entries accepted by concurrent submissions are written together, one
 * DB insert and one file append per flush, in sequence order. A submission is
 * acknowledged (its promise resolves) only once its entries are in the DB and the file.
 * A failed flush is retried with backoff; entries are never dropped. The dedup decisions
 * made while classifying those entries travel with them (same insert call, same retries).
 * `exclusive` runs a change of committed entries (a merge, a restore) between flushes, so
 * output.txt is rewritten while no append is in flight.
 */
export type WriterSinks = {
  /** `supports`: new support of entries written earlier or in this same flush (after its rows). */
  insert(rows: EntryRow[], decisions: DecisionRow[], supports: SupportRow[]): Promise<void>;
  append(texts: string[]): Promise<void>;
  onCommitted(rows: EntryRow[], decisions: DecisionRow[]): void;
  onError(err: unknown, attempt: number): void;
};

type Pending =
  | { rows: EntryRow[]; decisions: DecisionRow[]; supports: SupportRow[]; resolve: () => void; reject: (err: unknown) => void }
  | { task: () => Promise<void> };

export class EntryWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly sinks: WriterSinks,
    private readonly maxBatch = 5_000,
  ) {}

  write(rows: EntryRow[], decisions: DecisionRow[] = [], supports: SupportRow[] = []): Promise<void> {
    if (this.closed) return Promise.reject(new Error("writer is closed"));
    if (rows.length === 0 && decisions.length === 0 && supports.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, decisions, supports, resolve, reject });
      this.kick();
    });
  }

  /** Runs `fn` after everything queued before it is committed and before anything queued after. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("writer is closed"));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task: () => fn().then(resolve, reject) });
      this.kick();
    });
  }

  /**
   * Starts draining unless a drain is running. A drain that finds the queue empty ends; its
   * end is seen a few microtasks later, so what was queued in between (a submission's
   * follow-up `exclusive`, run as soon as its write resolved) starts the next drain here,
   * instead of waiting in the queue for an unrelated write.
   */
  private kick(): void {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Resolves when everything queued so far is committed. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }

  private async drain(): Promise<void> {
    // Yield once so submissions arriving in the same tick join this flush.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if ("task" in head) {
        this.queue.shift();
        await head.task();
        continue;
      }
      const group: Array<Exclude<Pending, { task: unknown }>> = [];
      let size = 0;
      for (let p = this.queue[0]; p && !("task" in p) && (size === 0 || size + p.rows.length <= this.maxBatch); p = this.queue[0]) {
        this.queue.shift();
        group.push(p);
        size += p.rows.length;
      }
      await this.commit(
        group.flatMap((p) => p.rows),
        group.flatMap((p) => p.decisions),
        group.flatMap((p) => p.supports),
      );
      for (const p of group) p.resolve();
    }
  }

  private async commit(rows: EntryRow[], decisions: DecisionRow[], supports: SupportRow[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sinks.insert(rows, decisions, supports);
        break;
      } catch (err) {
        this.sinks.onError(err, attempt);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
    // The DB is the source of truth; a failed append is repaired by OutputFile.reconcile
    // at the next start, so it must not block acknowledgement forever.
    try {
      await this.sinks.append(rows.map((r) => r.text));
    } catch (err) {
      this.sinks.onError(err, 0);
    }
    this.sinks.onCommitted(rows, decisions);
  }
}
