import { MAX_CANDIDATES_PER_BATCH, type CallRecord, type SubmitResult } from "../../lib/protocol";
import { backoffMs } from "../../lib/backoff";
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
   * Least time from the last submit (of any call) to one of lines from a call still streaming;
   * an ended call's batches go at once. Lines arriving meanwhile join the waiting batch. Each HTTP request costs
   * the web server far more than a line (see README, "Lean processes").
   */
  minIntervalMs?: number;
  /** The producer's calls in flight, sent with each batch (the dashboard shows them). */
  callsInFlight?: () => number;
  random?: () => number;
  retry?: { baseMs: number; maxMs: number };
  /** Batches in flight at once, each of a different call (default 4). */
  maxInFlight?: number;
}

/** Batches sent at once, each of a different call (see Outbox). */
const DEFAULT_MAX_IN_FLIGHT = 4;

/**
 * Candidates waiting for the orchestrator's acknowledgement. A call's batches are sent in
 * order, one at a time; batches of different calls go in parallel, up to `maxInFlight`, an
 * ended call's first. Everything that arrives meanwhile is coalesced into the call's next
 * batch, so a streamed call is submitted line by line when the orchestrator is fast and in
 * bigger batches when it is slow. A sent batch keeps its batchId through every retry, so the
 * orchestrator applies it once even if an acknowledgement was lost or it restarted.
 *
 * Why parallel: a lane waits for its call's last batch before it starts its next call (the
 * answer carries the entries its next prompt must show). Sent one at a time, that batch
 * queued behind the other calls' batches: at 10 calls per producer, 37.0 calls were in flight
 * on average with one batch at a time and 41.4 in parallel, one run after the other
 * (bench:in-flight, README "Lean processes").
 */
export class Outbox {
  private readonly queue: Pending[] = [];
  /** Batches sent and not yet acknowledged (retries included): at most one per call. */
  private readonly sending = new Set<Pending>();
  /** A wake-up is scheduled for the submit interval. */
  private waking = false;
  private closed = false;
  private readonly wake = new AbortController();
  /** Waiting for every batch (callId undefined) or for one call's batches to be acknowledged. */
  private drainWaiters: Array<{ callId: string | undefined; done: () => void }> = [];
  private readonly retry: { baseMs: number; maxMs: number };
  private readonly maxInFlight: number;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: OutboxOptions) {
    this.retry = opts.retry ?? { baseMs: 250, maxMs: 10_000 };
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  }

  /** Batches not yet acknowledged (including those in flight). */
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

  /**
   * The batches that may be sent now: each call's oldest unacknowledged batch when it is not
   * in flight already, split into those of ended calls and those of streaming ones, oldest first.
   */
  private sendable(): { ended: Pending[]; streaming: Pending[] } {
    const endedCalls = new Set<string>();
    for (const p of this.queue) if (p.call) endedCalls.add(p.callId);
    const seen = new Set<string>();
    const ended: Pending[] = [];
    const streaming: Pending[] = [];
    for (const p of this.queue) {
      if (seen.has(p.callId)) continue;
      seen.add(p.callId);
      if (this.sending.has(p)) continue;
      (endedCalls.has(p.callId) ? ended : streaming).push(p);
    }
    return { ended, streaming };
  }

  /**
   * Sends what may go now. An ended call's batches go at once (its lane is waiting for them, even
   * for one split off before its record); a streaming call's wait out `minIntervalMs` since the
   * last send.
   */
  private kick(): void {
    if (this.closed) return;
    const { ended, streaming } = this.sendable();
    for (const p of ended) {
      if (this.sending.size >= this.maxInFlight) return;
      this.sending.add(p);
      void this.send(p);
    }
    for (const p of streaming) {
      if (this.sending.size >= this.maxInFlight) return;
      const wait = this.lastSentAt + (this.opts.minIntervalMs ?? 0) - this.opts.clock.now();
      if (wait > 0) {
        // More lines may join the batch meanwhile, or its call may end.
        if (!this.waking) {
          this.waking = true;
          void this.opts.clock.sleep(wait, this.wake.signal).then(() => {
            this.waking = false;
            this.kick();
          });
        }
        return;
      }
      this.sending.add(p);
      void this.send(p);
    }
  }

  /** Sends one batch until it is acknowledged or rejected (or the outbox closes). */
  private async send(p: Pending): Promise<void> {
    p.batchId ??= this.opts.newBatchId();
    this.lastSentAt = this.opts.clock.now();
    for (let attempt = 0; !this.closed; ) {
      const batch: SubmitBatch = {
        batchId: p.batchId,
        callId: p.callId,
        candidates: p.candidates,
        ...(p.call ? { call: p.call } : {}),
        ...(p.branchId !== undefined ? { branchId: p.branchId } : {}),
        sinceSeq: this.opts.cursor(),
        ...(this.opts.callsInFlight ? { callsInFlight: this.opts.callsInFlight() } : {}),
      };
      let result: SubmitResult;
      try {
        result = await this.opts.channel.submit(batch, this.wake.signal);
      } catch (err) {
        if (this.closed) break;
        if (err instanceof ChannelError && !err.retryable) {
          this.remove(p);
          this.opts.onRejected(batch, err);
          break;
        }
        const delay = backoffMs(attempt, this.retry, this.opts.random);
        this.opts.onRetry?.(err, attempt + 1, delay);
        attempt++;
        await this.opts.clock.sleep(delay, this.wake.signal);
        continue;
      }
      this.remove(p);
      this.opts.onResult(result);
      break;
    }
    this.sending.delete(p);
    this.notifyDrained();
    this.kick();
  }

  private remove(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i !== -1) this.queue.splice(i, 1);
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
