/**
 * Pacing from the providers' rate-limit headers. Every producer sharing an API key sees the
 * key's remaining budget in its own responses, so each can slow down before the key hits 429.
 *
 * OpenAI: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, reset as a duration ("6m0s", "20ms").
 * Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
 * reset as an RFC 3339 time.
 */

export interface LimitWindow {
  limit: number | undefined;
  remaining: number;
  /** Epoch ms when the window is full again. */
  resetAt: number;
}

export interface RateLimitSnapshot {
  requests?: LimitWindow;
  tokens?: LimitWindow;
  inputTokens?: LimitWindow;
  outputTokens?: LimitWindow;
}

/** "1h2m3.5s", "6m0s", "20ms", "1.5s", "30" (seconds) -> ms. */
export function parseResetDuration(value: string): number | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const n = Number(m[1]);
    total += m[2] === "h" ? n * 3_600_000 : m[2] === "m" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
    consumed += m[0].length;
  }
  return consumed === v.length ? total : undefined;
}

function num(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

function openaiWindow(headers: Headers, what: "requests" | "tokens", now: number): LimitWindow | undefined {
  const remaining = num(headers, `x-ratelimit-remaining-${what}`);
  const reset = headers.get(`x-ratelimit-reset-${what}`);
  if (remaining === undefined || reset === null) return undefined;
  const ms = parseResetDuration(reset);
  if (ms === undefined) return undefined;
  return { limit: num(headers, `x-ratelimit-limit-${what}`), remaining, resetAt: now + ms };
}

function anthropicWindow(headers: Headers, what: string, now: number): LimitWindow | undefined {
  const remaining = num(headers, `anthropic-ratelimit-${what}-remaining`);
  const reset = headers.get(`anthropic-ratelimit-${what}-reset`);
  if (remaining === undefined || reset === null) return undefined;
  const at = Date.parse(reset);
  const resetAt = Number.isFinite(at) ? at : now + (parseResetDuration(reset) ?? 0);
  return { limit: num(headers, `anthropic-ratelimit-${what}-limit`), remaining, resetAt };
}

export function parseRateLimitHeaders(headers: Headers, now: number): RateLimitSnapshot {
  const snap: RateLimitSnapshot = {
    requests: openaiWindow(headers, "requests", now) ?? anthropicWindow(headers, "requests", now),
    tokens: openaiWindow(headers, "tokens", now) ?? anthropicWindow(headers, "tokens", now),
    inputTokens: anthropicWindow(headers, "input-tokens", now),
    outputTokens: anthropicWindow(headers, "output-tokens", now),
  };
  for (const k of Object.keys(snap) as Array<keyof RateLimitSnapshot>) if (!snap[k]) delete snap[k];
  return snap;
}

/** Longest single pacing wait; the next response's headers refine it. */
export const MAX_PACE_MS = 60_000;

/**
 * How long to wait before a call needing `need` tokens, given the last snapshot:
 * until the reset of any exhausted window, and, when a window is below 10 % of its limit,
 * an even spread of the remaining requests over the time to reset. `need.calls`: the calls
 * this one joins in flight, itself included (default 1); the snapshot predates them, so each
 * is counted against what remains.
 */
export function paceDelayMs(snap: RateLimitSnapshot | undefined, now: number, need: { inputTokens: number; outputTokens: number; calls?: number }): number {
  if (!snap) return 0;
  const calls = Math.max(1, need.calls ?? 1);
  let wait = 0;
  const consider = (w: LimitWindow | undefined, needed: number) => {
    if (!w || w.resetAt <= now) return;
    const untilReset = w.resetAt - now;
    if (w.remaining < needed) wait = Math.max(wait, untilReset);
    else if (w.limit !== undefined && w.limit > 0 && w.remaining < w.limit * 0.1 && needed > 0) {
      wait = Math.max(wait, (untilReset * needed) / Math.max(1, w.remaining));
    }
  };
  consider(snap.requests, calls);
  consider(snap.tokens, calls * (need.inputTokens + need.outputTokens));
  consider(snap.inputTokens, calls * need.inputTokens);
  consider(snap.outputTokens, calls * need.outputTokens);
  return Math.min(MAX_PACE_MS, Math.ceil(wait));
}
