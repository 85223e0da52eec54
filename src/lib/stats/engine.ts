import type { CallErrorKind } from "../protocol";
import { linearFit, quantileSorted, tTwoSidedP } from "./math";
import type { CallObservation, StatsSnapshot, Trend, WindowBreakdown, WindowStats } from "./types";
import { countAtMost } from "../sorted";

/** Default sliding windows: 1, 5 and 15 minutes. */
export const DEFAULT_WINDOWS_MS = [60_000, 300_000, 900_000] as const;

const MINUTE = 60_000;

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/**
 * Aggregates the calls ending in (from, to]. `activeSince` (default `from`) is when the key (target,
 * producer, run) started working: a target that joined 20 s ago must not have its per-minute rate
 * diluted over a 5-minute window.
 */
export function summarizeCalls(calls: Iterable<CallObservation>, from: number, to: number, activeSince = from): WindowStats {
  let n = 0;
  let okCalls = 0;
  let errors = 0;
  let rateLimits = 0;
  const errorsByKind: Partial<Record<CallErrorKind, number>> = {};
  let itemsParsed = 0;
  let itemsNew = 0;
  let dupExact = 0;
  let dupNear = 0;
  let junk = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let costUsd = 0;
  let callMs = 0;
  let candidates = 0;
  const latencies: number[] = [];
  for (const c of calls) {
    if (c.at <= from || c.at > to) continue;
    n++;
    if (c.error) {
      errors++;
      errorsByKind[c.error] = (errorsByKind[c.error] ?? 0) + 1;
      if (c.error === "rate_limit") rateLimits++;
    } else {
      okCalls++;
    }
    itemsParsed += c.itemsParsed;
    itemsNew += c.itemsNew;
    dupExact += c.dupExact;
    dupNear += c.dupNear;
    junk += c.junk;
    candidates += Math.max(c.itemsParsed, c.itemsNew + c.dupExact + c.dupNear + c.junk);
    promptTokens += c.promptTokens;
    completionTokens += c.completionTokens;
    costUsd += c.costUsd;
    callMs += c.latencyMs;
    latencies.push(c.latencyMs);
  }
  latencies.sort((a, b) => a - b);
  const spanMs = Math.max(0, to - Math.max(from, activeSince));
  const tokens = promptTokens + completionTokens;
  return {
    from,
    to,
    spanMs,
    calls: n,
    okCalls,
    errors,
    rateLimits,
    errorsByKind,
    itemsParsed,
    itemsNew,
    dupExact,
    dupNear,
    junk,
    promptTokens,
    completionTokens,
    costUsd,
    callMs,
    latencyMeanMs: ratio(callMs, n),
    latencyP50Ms: quantileSorted(latencies, 0.5),
    latencyP95Ms: quantileSorted(latencies, 0.95),
    uniquePerMinute: ratio(itemsNew * MINUTE, spanMs),
    uniquePerCallMinute: ratio(itemsNew * MINUTE, callMs),
    uniquePerCall: ratio(itemsNew, n),
    uniquePer1kTokens: ratio(itemsNew * 1000, tokens),
    uniquePerDollar: ratio(itemsNew, costUsd),
    duplicateRate: ratio(dupExact + dupNear, candidates),
    junkRate: ratio(junk, candidates),
    errorRate: ratio(errors, n),
    rateLimitRate: ratio(rateLimits, n),
  };
}

/**
 * Least-squares trend of new entries per call over `calls` (all in the long window), compared with
 * the short window. `minConfidence` (default 0.9) is what it takes to call a direction rising/falling.
 */
export function computeTrend(calls: readonly CallObservation[], now: number, shortFrom: number, minConfidence = 0.9): Trend {
  const xs = calls.map((c) => (c.at - now) / MINUTE);
  const ys = calls.map((c) => c.itemsNew);
  const fit = linearFit(xs, ys);
  const mean = fit.n > 0 ? ys.reduce((a, b) => a + b, 0) / fit.n : 0;
  let confidence = 0;
  if (fit.slopeSe !== null) {
    confidence = fit.slopeSe === 0 ? (fit.slope === 0 ? 0 : 1) : 1 - tTwoSidedP(fit.slope / fit.slopeSe, fit.n - 2);
  }
  let shortNew = 0;
  let shortN = 0;
  for (const c of calls) {
    if (c.at > shortFrom) {
      shortNew += c.itemsNew;
      shortN++;
    }
  }
  const longPerCall = fit.n > 0 ? mean : null;
  const shortPerCall = shortN > 0 ? shortNew / shortN : null;
  return {
    n: fit.n,
    slopePerMin: fit.slope,
    relSlopePerMin: mean > 0 ? fit.slope / mean : null,
    confidence,
    shortVsLong: shortPerCall !== null && longPerCall ? shortPerCall / longPerCall : null,
    direction: confidence >= minConfidence && fit.slope !== 0 ? (fit.slope > 0 ? "rising" : "falling") : "flat",
  };
}

export type StatsEngineOptions = {
  /** Sliding windows reported by `snapshot`, in ms. Default 1, 5 and 15 minutes. */
  windowsMs?: readonly number[];
  /** How long observations are kept, so `between()` can score a decision against the window before it. Default 2 × the longest window. */
  retainMs?: number;
  /** Confidence needed for a trend direction other than "flat". Default 0.9. */
  trendConfidence?: number;
};

const OVERALL = "*";

/**
 * Sliding-window statistics per target, per producer and overall, fed one call at a time.
 * Pure: the caller passes `now`; nothing reads the clock.
 */
export class StatsEngine {
  readonly windowsMs: readonly number[];
  private readonly retainMs: number;
  private readonly trendConfidence: number;
  /** Ascending by `at`. */
  private calls: CallObservation[] = [];
  /** Earliest call start seen per key ("t:" target, "p:" producer, "*" overall). */
  private readonly activeSince = new Map<string, number>();

  constructor(opts: StatsEngineOptions = {}) {
    const windows = [...(opts.windowsMs ?? DEFAULT_WINDOWS_MS)].sort((a, b) => a - b);
    if (windows.length === 0 || windows.some((w) => !(w > 0))) throw new Error("windowsMs must be a non-empty list of positive durations");
    this.windowsMs = windows;
    this.retainMs = opts.retainMs ?? 2 * windows[windows.length - 1]!;
    this.trendConfidence = opts.trendConfidence ?? 0.9;
  }

  add(obs: CallObservation): void {
    const start = obs.at - obs.latencyMs;
    for (const key of [OVERALL, `t:${obs.target}`, `p:${obs.producer}`]) {
      const seen = this.activeSince.get(key);
      if (seen === undefined || start < seen) this.activeSince.set(key, start);
    }
    // Calls arrive nearly in order; insert from the end.
    let i = this.calls.length;
    while (i > 0 && this.calls[i - 1]!.at > obs.at) i--;
    if (i === this.calls.length) this.calls.push(obs);
    else this.calls.splice(i, 0, obs);
  }

  /** Number of observations currently retained. */
  get size(): number {
    return this.calls.length;
  }

  /** Drops observations older than the retention horizon. */
  prune(now: number): void {
    const i = this.firstIndexAfter(now - this.retainMs);
    if (i > 0) this.calls = this.calls.slice(i);
  }

  /** Stats for calls ending in (from, to], optionally for one target or producer. */
  between(from: number, to: number, filter: { target?: string; producer?: string } = {}): WindowStats {
    const key = filter.target !== undefined ? `t:${filter.target}` : filter.producer !== undefined ? `p:${filter.producer}` : OVERALL;
    const selected = this.slice(from, to).filter(
      (c) => (filter.target === undefined || c.target === filter.target) && (filter.producer === undefined || c.producer === filter.producer),
    );
    return summarizeCalls(selected, from, to, this.activeSince.get(key) ?? to);
  }

  snapshot(now: number): StatsSnapshot {
    this.prune(now);
    const windows: WindowBreakdown[] = this.windowsMs.map((w) => this.breakdown(now - w, now, w));
    const shortFrom = now - this.windowsMs[0]!;
    const longCalls = this.slice(now - this.windowsMs[this.windowsMs.length - 1]!, now);
    const byTarget: Record<string, Trend> = {};
    const byProducer: Record<string, Trend> = {};
    for (const [key, group] of groupBy(longCalls, (c) => c.target)) byTarget[key] = computeTrend(group, now, shortFrom, this.trendConfidence);
    for (const [key, group] of groupBy(longCalls, (c) => c.producer)) byProducer[key] = computeTrend(group, now, shortFrom, this.trendConfidence);
    return {
      at: now,
      windows,
      trends: { overall: computeTrend(longCalls, now, shortFrom, this.trendConfidence), byTarget, byProducer },
    };
  }

  private breakdown(from: number, to: number, windowMs: number): WindowBreakdown {
    const calls = this.slice(from, to);
    const since = (key: string) => this.activeSince.get(key) ?? to;
    const byTarget: Record<string, WindowStats> = {};
    const byProducer: Record<string, WindowStats> = {};
    for (const [key, group] of groupBy(calls, (c) => c.target)) byTarget[key] = summarizeCalls(group, from, to, since(`t:${key}`));
    for (const [key, group] of groupBy(calls, (c) => c.producer)) byProducer[key] = summarizeCalls(group, from, to, since(`p:${key}`));
    return { windowMs, overall: summarizeCalls(calls, from, to, since(OVERALL)), byTarget, byProducer };
  }

  private slice(from: number, to: number): CallObservation[] {
    return this.calls.slice(this.firstIndexAfter(from), this.firstIndexAfter(to));
  }

  private firstIndexAfter(t: number): number {
    return countAtMost(this.calls, (c) => c.at, t);
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
