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
  /**
   * Least time between two submits of lines from a call still streaming (a call's last batch
   * goes at once): lines arriving meanwhile join the waiting batch. Each HTTP request costs
   * the web server far more than a line (see README, "Lean processes").
   */
  minIntervalMs?: number;
  /** The producer's calls in flight, sent with each batch (the dashboard shows them). */
  callsInFlight?: () => number;
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
  /** Waiting for every batch (callId undefined) or for one call's batches to be acknowledged. */
  private drainWaiters: Array<{ callId: string | undefined; done: () => void }> = [];
  private readonly retry: { baseMs: number; maxMs: number };
  private lastSentAt = Number.NEGATIVE_INFINITY;

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
    // Coalesce into the call's latest batch if it is still unsent (order within a call holds;
    // calls in flight together each fill their own batch).
    const last = this.queue.findLast((p) => p.callId === item.callId);
    if (last && !last.batchId && !last.call && last.candidates.length + item.candidates.length <= MAX_CANDIDATES_PER_BATCH) {
      last.candidates.push(...item.candidates);
      if (item.call) last.call = item.call;
    } else {
      while (item.candidates.length > MAX_CANDIDATES_PER_BATCH) {
        this.queue.push({
          callId: item.callId,
          candidates: item.candidates.splice(0, MAX_CANDIDATES_PER_BATCH),
          ...(item.branchId !== undefined ? { branchId: item.branchId } : {}),
        });
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
      const wait = head.batchId || head.call ? 0 : this.lastSentAt + (this.opts.minIntervalMs ?? 0) - this.opts.clock.now();
      if (wait > 0) {
        await this.opts.clock.sleep(wait, this.wake.signal);
        continue; // more lines may have joined the batch, or its call ended
      }
      head.batchId ??= this.opts.newBatchId();
      this.lastSentAt = this.opts.clock.now();
      const batch: SubmitBatch = {
        batchId: head.batchId,
        callId: head.callId,
        candidates: head.candidates,
        ...(head.call ? { call: head.call } : {}),
        ...(head.branchId !== undefined ? { branchId: head.branchId } : {}),
        sinceSeq: this.opts.cursor(),
        ...(this.opts.callsInFlight ? { callsInFlight: this.opts.callsInFlight() } : {}),
      };
      let result: SubmitResult;
      try {
        result = await this.opts.channel.submit(batch, this.wake.signal);
      } catch (err) {
        if (this.closed) break;
        if (err instanceof ChannelError && !err.retryable) {
          this.queue.shift();
          this.opts.onRejected(batch, err);
          this.notifyDrained();
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
      this.notifyDrained();
    }
    this.notifyDrained();
  }

  private pending(callId: string | undefined): boolean {
    return callId === undefined ? this.queue.length > 0 : this.queue.some((p) => p.callId === callId);
  }

  private notifyDrained(): void {
    if (this.drainWaiters.length === 0) return;
    const waiting = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiting) {
      if (this.closed || !this.pending(w.callId)) w.done();
      else this.drainWaiters.push(w);
    }
  }

  /**
   * Resolves when every batch (or, given `callId`, every batch of that call) is
   * acknowledged, or when `signal` aborts.
   */
  drained(signal?: AbortSignal, callId?: string): Promise<void> {
    if (!this.pending(callId) || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.drainWaiters.push({ callId, done });
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
