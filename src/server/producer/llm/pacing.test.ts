import { describe, expect, it } from "vitest";
import { backoffMs, honourRetryAfter } from "../../../lib/backoff";
import { classifyError, maxTokensLimitOf, retryAfterMs } from "./errors";
import { paceDelayMs, parseRateLimitHeaders, parseResetDuration } from "./rate-limit";

const NOW = Date.parse("2026-11-23T12:00:00Z");

describe("retry-after", () => {
  it.each([
    ["retry-after-ms wins", { "retry-after-ms": "1500", "retry-after": "9" }, 1500],
    ["retry-after in seconds", { "retry-after": "3" }, 3000],
    ["retry-after as an HTTP date", { "retry-after": new Date(NOW + 7000).toUTCString() }, 7000],
    ["no header", {}, undefined],
    ["garbage", { "retry-after": "soon" }, undefined],
    ["absurd waits are capped", { "retry-after": "86400" }, 600_000],
  ])("%s", (_name, headers, expected) => {
    expect(retryAfterMs(new Headers(headers as Record<string, string>), NOW)).toBe(expected);
  });
});

describe("rate-limit headers", () => {
  it.each([
    ["6m0s", 360_000],
    ["1.5s", 1500],
    ["20ms", 20],
    ["1h2m3s", 3_723_000],
    ["30", 30_000],
    ["later", undefined],
  ])("parses the reset duration %s", (text, ms) => {
    expect(parseResetDuration(text)).toBe(ms);
  });

  it("reads OpenAI's x-ratelimit-* headers", () => {
    const snap = parseRateLimitHeaders(
      new Headers({
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1.5s",
        "x-ratelimit-limit-tokens": "400000",
        "x-ratelimit-remaining-tokens": "399000",
        "x-ratelimit-reset-tokens": "150ms",
      }),
      NOW,
    );
    expect(snap.requests).toEqual({ limit: 500, remaining: 0, resetAt: NOW + 1500 });
    expect(snap.tokens).toEqual({ limit: 400_000, remaining: 399_000, resetAt: NOW + 150 });
  });

  it("reads Anthropic's anthropic-ratelimit-* headers", () => {
    const snap = parseRateLimitHeaders(
      new Headers({
        "anthropic-ratelimit-requests-limit": "300",
        "anthropic-ratelimit-requests-remaining": "12",
        "anthropic-ratelimit-requests-reset": "2026-11-23T12:00:20Z",
        "anthropic-ratelimit-input-tokens-limit": "100000",
        "anthropic-ratelimit-input-tokens-remaining": "500",
        "anthropic-ratelimit-input-tokens-reset": "2026-11-23T12:00:06Z",
      }),
      NOW,
    );
    expect(snap.requests).toEqual({ limit: 300, remaining: 12, resetAt: NOW + 20_000 });
    expect(snap.inputTokens?.remaining).toBe(500);
  });

  it("waits for the reset of an exhausted window, not otherwise", () => {
    const need = { inputTokens: 1000, outputTokens: 1000 };
    const snap = (h: Record<string, string>) => parseRateLimitHeaders(new Headers(h), NOW);
    expect(paceDelayMs(undefined, NOW, need)).toBe(0);
    expect(paceDelayMs(snap({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s" }), NOW, need)).toBe(2000);
    expect(paceDelayMs(snap({ "x-ratelimit-remaining-tokens": "1500", "x-ratelimit-reset-tokens": "3s" }), NOW, need)).toBe(3000);
    expect(paceDelayMs(snap({ "x-ratelimit-remaining-tokens": "50000", "x-ratelimit-reset-tokens": "3s" }), NOW, need)).toBe(0);
    // A stale snapshot (reset passed) does not hold anyone up.
    expect(paceDelayMs(snap({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s" }), NOW + 5000, need)).toBe(0);
    // Anthropic input-token window too small for this prompt.
    expect(
      paceDelayMs(snap({ "anthropic-ratelimit-input-tokens-remaining": "10", "anthropic-ratelimit-input-tokens-reset": "2026-11-23T12:00:04Z" }), NOW, need),
    ).toBe(4000);
  });

  it("spreads the last 10 % of a window over the time to its reset", () => {
    const snap = parseRateLimitHeaders(
      new Headers({ "x-ratelimit-limit-requests": "100", "x-ratelimit-remaining-requests": "5", "x-ratelimit-reset-requests": "10s" }),
      NOW,
    );
    expect(paceDelayMs(snap, NOW, { inputTokens: 1, outputTokens: 1 })).toBe(2000);
  });
});

describe("backoff", () => {
  it("grows exponentially, is capped, and never drops below half a step (no hot loop)", () => {
    const opts = { baseMs: 1000, maxMs: 60_000 };
    for (const [attempt, lo, hi] of [
      [0, 500, 1000],
      [1, 1000, 2000],
      [3, 4000, 8000],
      [10, 30_000, 60_000],
    ] as const) {
      expect(backoffMs(attempt, opts, () => 0)).toBe(lo);
      expect(backoffMs(attempt, opts, () => 1)).toBe(hi);
    }
  });

  it("honours a server's retry-after, adding at most 10 % jitter", () => {
    expect(honourRetryAfter(1500, () => 0)).toBe(1500);
    expect(honourRetryAfter(1500, () => 1)).toBe(1650);
  });
});

describe("error classification", () => {
  const ctx = { now: NOW, timedOut: false, aborted: false };
  const api = (status: number, message: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), { status, headers: new Headers(), ...extra });
  it.each([
    ["429", api(429, "Rate limit reached"), "rate_limit"],
    ["500", api(500, "boom"), "server"],
    ["503", api(503, "overloaded"), "server"],
    ["529", api(529, "Overloaded"), "server"],
    ["408", api(408, "timeout"), "timeout"],
    ["401", api(401, "bad key"), "auth"],
    ["403", api(403, "forbidden"), "auth"],
    ["404 model", api(404, "model not found"), "bad_request"],
    ["400 OpenAI context", api(400, "This model's maximum context length is 16384 tokens.", { code: "context_length_exceeded" }), "context_overflow"],
    ["400 Anthropic context", api(400, "x", { apiMessage: "prompt is too long: 250293 tokens > 200000 maximum" }), "context_overflow"],
    ["413", api(413, "Request exceeds the maximum allowed number of bytes."), "context_overflow"],
    ["stream error event", Object.assign(new Error("Overloaded"), { error: { type: "error", error: { type: "overloaded_error" } } }), "server"],
    ["connection refused", Object.assign(new Error("Connection error."), { name: "APIConnectionError" }), "network"],
    ["SDK timeout", Object.assign(new Error("Request timed out."), { name: "APIConnectionTimeoutError" }), "timeout"],
    ["anything else", new TypeError("x is undefined"), "other"],
  ])("%s", (_name, err, kind) => {
    expect(classifyError(err, ctx).kind).toBe(kind);
  });

  it("tells the producer's own timeout and stop apart", () => {
    expect(classifyError(new Error("aborted"), { ...ctx, timedOut: true }).kind).toBe("timeout");
    const stopped = classifyError(new Error("aborted"), { ...ctx, aborted: true });
    expect(stopped.aborted).toBe(true);
  });

  it("reads the output-token ceiling from a 400", () => {
    expect(maxTokensLimitOf("max_tokens is too large: 60000. This model supports at most 16384 completion tokens, whereas you provided 60000.")).toBe(16384);
    expect(maxTokensLimitOf("max_tokens: 60000 > 8192, which is the maximum allowed number of output tokens for x")).toBe(8192);
    expect(maxTokensLimitOf("Invalid model")).toBeUndefined();
  });
});

describe("a zero retry-after", () => {
  it("is ignored, so the producer backs off instead of retrying at once", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "0" }), 0)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after-ms": "0", "retry-after": "3" }), 0)).toBe(3000);
  });

  it("treats an exhausted quota as an account problem, not a rate limit", () => {
    const err = classifyError(
      { status: 429, type: "insufficient_quota", message: "You exceeded your current quota" },
      { now: 0, timedOut: false, aborted: false },
    );
    expect(err.kind).toBe("auth");
  });
});
