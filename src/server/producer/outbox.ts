import { MAX_CANDIDATES_PER_BATCH, type CallRecord, type SubmitResult } from "../../lib/protocol";
import { backoffMs } from "./llm/backoff";
import { ChannelError, type Channel, type SubmitBatch } from "./channel";
import type { Clock } from "./clock";

interface Pending {
  callId: string;
  candidates: string[];
  call?: CallRecord;
  /** The tree branch the call explored (tree runs). */
  branchId?: number;
  /** Set when the batch is first sent; from then on it is never changed, only retried. */
  batchId?: string;
}

export interface OutboxOptions {
  channel: Channel;
  clock: Clock;
  /** The `sinceSeq` to send: the highest entry seq the producer holds (read at each attempt). */
  cursor: () => number;
  onResult: (result: SubmitResult) => void;
  /** A batch the orchestrator rejected outright (after logging it, the outbox drops it). */
  onRejected: (batch: SubmitBatch, error: ChannelError) => void;
  /** A failed attempt that will be retried. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  newBatchId: () => string;
  random?: () => number;
  retry?: { baseMs: number; maxMs: number };
}

/**
 * Candidates waiting for the orchestrator's acknowledgement. One batch is in flight at a
 * time, in order; everything that arrives meanwhile is coalesced into the next batch, so a
 * streamed call is submitted line by line when the orchestrator is fast and in bigger
 * batches when it is slow. A sent batch keeps its batchId through every retry, so the
 * orchestrator applies it once even if an acknowledgement was lost or it restarted.
 */
export class Outbox {
  private readonly queue: Pending[] = [];
  private pumping: Promise<void> | null = null;
  private closed = false;
  private readonly wake = new AbortController();
  private drainWaiters: Array<() => void> = [];
  private readonly retry: { baseMs: number; maxMs: number };

  constructor(private readonly opts: OutboxOptions) {
    this.retry = opts.retry ?? { baseMs: 250, maxMs: 10_000 };
  }

  /** Batches not yet acknowledged (including the one in flight). */
  get size(): number {
    return this.queue.length;
  }

  /** Candidates from a call still streaming. */
  add(callId: string, candidates: readonly string[], branchId?: number): void {
    this.push({ callId, candidates: [...candidates], ...(branchId !== undefined ? { branchId } : {}) });
  }

  /** The last candidates of a call and its accounting record. */
  finishCall(callId: string, candidates: readonly string[], call: CallRecord, branchId?: number): void {
    this.push({ callId, candidates: [...candidates], call, ...(branchId !== undefined ? { branchId } : {}) });
  }

  private push(item: Pending): void {
    if (this.closed) return;
    const last = this.queue.at(-1);
    // Coalesce into the last unsent batch of the same call.
    if (last && !last.batchId && !last.call && last.callId === item.callId && last.candidates.length + item.candidates.length <= MAX_CANDIDATES_PER_BATCH) {
      last.candidates.push(...item.candidates);
      if (item.call) last.call = item.call;
    } else {
      while (item.candidates.length > MAX_CANDIDATES_PER_BATCH) {
        this.queue.push({ callId: item.callId, candidates: item.candidates.splice(0, MAX_CANDIDATES_PER_BATCH), ...(item.branchId !== undefined ? { branchId: item.branchId } : {}) });
      }
      if (item.candidates.length > 0 || item.call) this.queue.push(item);
    }
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.closed) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    let attempt = 0;
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0]!;
      head.batchId ??= this.opts.newBatchId();
      const batch: SubmitBatch = {
        batchId: head.batchId,
        callId: head.callId,
        candidates: head.candidates,
        ...(head.call ? { call: head.call } : {}),
        ...(head.branchId !== undefined ? { branchId: head.branchId } : {}),
        sinceSeq: this.opts.cursor(),
      };
      let result: SubmitResult;
      try {
        result = await this.opts.channel.submit(batch, this.wake.signal);
      } catch (err) {
        if (this.closed) break;
        if (err instanceof ChannelError && !err.retryable) {
          this.queue.shift();
          this.opts.onRejected(batch, err);
          continue;
        }
        const delay = backoffMs(attempt, this.retry, this.opts.random);
        this.opts.onRetry?.(err, attempt + 1, delay);
        attempt++;
        await this.opts.clock.sleep(delay, this.wake.signal);
        continue;
      }
      this.queue.shift();
      attempt = 0;
      this.opts.onResult(result);
      if (this.queue.length === 0) this.notifyDrained();
    }
    if (this.queue.length === 0) this.notifyDrained();
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when every batch is acknowledged, or when `signal` aborts. */
  drained(signal?: AbortSignal): Promise<void> {
    if (this.queue.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.drainWaiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * At shutdown: keep sending (retries included) until everything is acknowledged or
   * `deadlineMs` passes, then stop. Returns the number of batches left unacknowledged.
   */
  async flush(deadlineMs: number): Promise<number> {
    if (this.queue.length > 0) {
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), deadlineMs);
      await this.drained(limit.signal);
      clearTimeout(timer);
    }
    this.close();
    return this.queue.length;
  }

  /** Stops sending and aborts the request in flight. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake.abort();
    this.notifyDrained();
  }
}
