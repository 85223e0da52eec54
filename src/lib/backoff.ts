/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so there is
 * always a real pause (no hot loop) and producers that failed together do not retry together.
 */
export function backoffMs(attempt: number, opts: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const step = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** A server-requested wait plus up to 10 % jitter (never less than asked). */
export function honourRetryAfter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms + random() * Math.min(ms * 0.1, 2_000));
}
