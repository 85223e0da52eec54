import { describe, expect, it } from "vitest";
import { RateLimiter, TokenBucket } from "./rate-limit";

describe("rate-limit token buckets", () => {
  it("starts full and refills at limit per minute", () => {
    const b = new TokenBucket(60, 0);
    expect(b.remaining(0)).toBe(60);
    b.take(60, 0);
    expect(b.remaining(0)).toBe(0);
    expect(b.remaining(10_000)).toBeCloseTo(10);
    expect(b.remaining(10 * 60_000)).toBe(60);
    expect(b.msUntilFull(10 * 60_000)).toBe(0);
  });

  it("says how long until an amount fits, and Infinity if it never will", () => {
    const b = new TokenBucket(60, 0);
    b.take(60, 0);
    expect(b.msUntil(1, 0)).toBe(1000);
    expect(b.msUntil(61, 0)).toBe(Infinity);
  });

  it("limits requests per minute", () => {
    const l = new RateLimiter(2, 0, 0);
    expect(l.admit(10, 0).allowed).toBe(true);
    expect(l.admit(10, 0).allowed).toBe(true);
    const d = l.admit(10, 0);
    expect(d).toMatchObject({ allowed: false, limitedBy: "requests", tooLarge: false, retryAfterMs: 30_000 });
    expect(d.requests).toEqual({ limit: 2, remaining: 0, resetMs: 60_000 });
    expect(d.tokens).toBeNull();
    expect(l.admit(10, 30_000).allowed).toBe(true);
  });

  it("limits tokens per minute and flags a request that can never fit", () => {
    const l = new RateLimiter(0, 1000, 0);
    expect(l.admit(900, 0).allowed).toBe(true);
    expect(l.admit(200, 0)).toMatchObject({ allowed: false, limitedBy: "tokens", retryAfterMs: 6000 });
    expect(l.admit(5000, 0)).toMatchObject({ allowed: false, limitedBy: "tokens", tooLarge: true });
  });

  it("a refused request costs nothing", () => {
    const l = new RateLimiter(1, 100, 0);
    l.admit(50, 0);
    l.admit(50, 0);
    expect(l.admit(50, 60_000).allowed).toBe(true);
  });
});

describe("rate-limit burst window", () => {
  it("a shorter window caps the burst but keeps the per-minute rate", () => {
    const l = new RateLimiter(120, 0, 0, 1000); // burst of 2 requests, one more every 500 ms
    expect(l.admit(0, 0).allowed).toBe(true);
    expect(l.admit(0, 0).allowed).toBe(true);
    expect(l.admit(0, 0)).toMatchObject({ allowed: false, retryAfterMs: 500 });
    expect(l.admit(0, 500).allowed).toBe(true);
  });

  it("a request bigger than the burst runs from a full bucket and leaves it in debt", () => {
    const l = new RateLimiter(0, 6000, 0, 1000); // burst 100 tokens, 100 tokens/s
    expect(l.admit(300, 0).allowed).toBe(true);
    expect(l.admit(50, 0)).toMatchObject({ allowed: false, retryAfterMs: 2500 }); // from -200 to 50
    expect(l.admit(50, 2500).allowed).toBe(true);
    expect(l.admit(7000, 100_000)).toMatchObject({ allowed: false, tooLarge: true });
  });
});
