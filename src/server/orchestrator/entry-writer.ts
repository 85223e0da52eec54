import type { EntryRow } from "./repo";

/**
 * Group commit: entries accepted by concurrent submissions are written together, one
 * DB insert and one file append per flush, in sequence order. A submission is
 * acknowledged (its promise resolves) only once its entries are in the DB and the file.
 * A failed flush is retried with backoff; entries are never dropped.
 */
export type WriterSinks = {
  insert(rows: EntryRow[]): Promise<void>;
  append(texts: string[]): Promise<void>;
  onCommitted(rows: EntryRow[]): void;
  onError(err: unknown, attempt: number): void;
};

type Pending = { rows: EntryRow[]; resolve: () => void; reject: (err: unknown) => void };

export class EntryWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly sinks: WriterSinks,
    private readonly maxBatch = 5_000,
  ) {}

  write(rows: EntryRow[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("writer is closed"));
    if (rows.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
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
      const group: Pending[] = [];
      let size = 0;
      while (this.queue.length > 0 && (size === 0 || size + this.queue[0]!.rows.length <= this.maxBatch)) {
        const p = this.queue.shift()!;
        group.push(p);
        size += p.rows.length;
      }
      const rows = group.flatMap((p) => p.rows);
      await this.commit(rows);
      for (const p of group) p.resolve();
    }
  }

  private async commit(rows: EntryRow[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sinks.insert(rows);
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
    this.sinks.onCommitted(rows);
  }
}
