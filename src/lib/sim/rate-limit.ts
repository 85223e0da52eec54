/**
 * Requests-per-minute and tokens-per-minute limits as token buckets: pure state, the caller
 * passes the clock. A bucket refills continuously at limit/minute and holds at most
 * `limit × windowMs / 1 minute` (the burst a client may spend at once). A request that is
 * larger than the burst but within the per-minute limit may run when the bucket is full and
 * leaves it in debt, so the average rate still holds.
 */

const MINUTE_MS = 60_000;

export class TokenBucket {
  private level: number;
  private updatedAt: number;
  readonly capacity: number;

  constructor(
    readonly limit: number,
    now: number,
    windowMs = MINUTE_MS,
  ) {
    this.capacity = (limit * Math.min(MINUTE_MS, Math.max(1, windowMs))) / MINUTE_MS;
    this.level = this.capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.level = Math.min(this.capacity, this.level + ((now - this.updatedAt) * this.limit) / MINUTE_MS);
      this.updatedAt = now;
    }
  }

  remaining(now: number): number {
    this.refill(now);
    return this.level;
  }

  /** Time until a request of `amount` may run (0 if now; Infinity if it is over the per-minute limit). */
  msUntil(amount: number, now: number): number {
    if (amount > this.limit) return Infinity;
    const missing = Math.min(amount, this.capacity) - this.remaining(now);
    return missing <= 1e-9 ? 0 : Math.ceil((missing * MINUTE_MS) / this.limit);
  }

  /** Time until the bucket is full again. */
  msUntilFull(now: number): number {
    return Math.max(0, Math.ceil(((this.capacity - this.remaining(now)) * MINUTE_MS) / this.limit));
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.level -= amount;
  }
}

export interface BucketState {
  limit: number;
  remaining: number;
  /** Time until the bucket is full again. */
  resetMs: number;
}

export type RateLimitDecision =
  | { allowed: true; requests: BucketState | null; tokens: BucketState | null }
  | {
      allowed: false;
      limitedBy: "requests" | "tokens";
      /** The request is over the per-minute token limit on its own (retrying will not help). */
      tooLarge: boolean;
      retryAfterMs: number;
      requests: BucketState | null;
      tokens: BucketState | null;
    };

/** RPM and TPM limits of one (API key, model). A limit of 0 means unlimited. */
export class RateLimiter {
  private readonly requests: TokenBucket | null;
  private readonly tokens: TokenBucket | null;

  constructor(rpm: number, tpm: number, now: number, windowMs = MINUTE_MS) {
    this.requests = rpm > 0 ? new TokenBucket(rpm, now, windowMs) : null;
    this.tokens = tpm > 0 ? new TokenBucket(tpm, now, windowMs) : null;
  }

  private state(bucket: TokenBucket | null, now: number): BucketState | null {
    if (!bucket) return null;
    return { limit: bucket.limit, remaining: Math.max(0, Math.floor(bucket.remaining(now))), resetMs: bucket.msUntilFull(now) };
  }

  /** Admits a request costing one request and `tokens` tokens, or says how long to wait. */
  admit(tokens: number, now: number): RateLimitDecision {
    const waitRequests = this.requests ? this.requests.msUntil(1, now) : 0;
    const waitTokens = this.tokens ? this.tokens.msUntil(tokens, now) : 0;
    if (waitRequests > 0 || waitTokens > 0) {
      const tooLarge = waitTokens === Infinity;
      return {
        allowed: false,
        limitedBy: tooLarge || waitTokens > waitRequests ? "tokens" : "requests",
        tooLarge,
        retryAfterMs: tooLarge ? 0 : Math.max(waitRequests, waitTokens),
        requests: this.state(this.requests, now),
        tokens: this.state(this.tokens, now),
      };
    }
    this.requests?.take(1, now);
    this.tokens?.take(tokens, now);
    return { allowed: true, requests: this.state(this.requests, now), tokens: this.state(this.tokens, now) };
  }
}
