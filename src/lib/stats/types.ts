import type { CallErrorKind } from "../protocol";

/** One finished LLM call as the orchestrator accounted it (the input of the statistics engine). */
export type CallObservation = {
  /** ms epoch, end of call. */
  at: number;
  /** Producer id, e.g. "p1". */
  producer: string;
  /** "provider:model" (targetLabel). */
  target: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMs: number;
  /** Candidates parsed from the answer. */
  itemsParsed: number;
  /** Candidates accepted as new unique entries. */
  itemsNew: number;
  /** Candidates its prompt listed as found (src/lib/trust/answer-trust.ts); absent: not counted. */
  itemsShown?: number;
  dupExact: number;
  dupNear: number;
  /** Empty, unparseable or rejected candidates. */
  junk: number;
  error?: CallErrorKind;
};

/**
 * Aggregate of the calls that ended in [from, to). Rates are `null` when their denominator is zero,
 * so "no data" is never confused with "zero yield".
 */
export type WindowStats = {
  from: number;
  to: number;
  /** Part of the window covered by activity (from the first call's start, at most to - from); wall-clock rates use it. */
  spanMs: number;
  calls: number;
  okCalls: number;
  errors: number;
  rateLimits: number;
  errorsByKind: Partial<Record<CallErrorKind, number>>;
  itemsParsed: number;
  itemsNew: number;
  dupExact: number;
  dupNear: number;
  junk: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Sum of call latencies: the producer time these calls occupied. */
  callMs: number;
  latencyMeanMs: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** New entries per wall-clock minute of the span (throughput; grows with the number of producers). */
  uniquePerMinute: number | null;
  /** New entries per minute of call time (per-producer efficiency; independent of pool size). */
  uniquePerCallMinute: number | null;
  uniquePerCall: number | null;
  uniquePer1kTokens: number | null;
  uniquePerDollar: number | null;
  /** (dupExact + dupNear) / candidates, where candidates = max(itemsParsed, new + dups + junk). */
  duplicateRate: number | null;
  junkRate: number | null;
  errorRate: number | null;
  rateLimitRate: number | null;
};

/** Direction of the per-call yield (new entries per call) over the long window. */
export type Trend = {
  /** Calls in the long window. */
  n: number;
  /** Least-squares slope of new entries per call, per minute. */
  slopePerMin: number;
  /** Slope divided by the mean yield per call (fraction per minute), null when the mean is zero. */
  relSlopePerMin: number | null;
  /** 1 - two-sided p-value of the slope (t test); 0 with fewer than 3 calls. */
  confidence: number;
  /** Short-window new entries per call ÷ long-window new entries per call. */
  shortVsLong: number | null;
  direction: "rising" | "falling" | "flat";
};

export type WindowBreakdown = {
  windowMs: number;
  overall: WindowStats;
  byTarget: Record<string, WindowStats>;
  byProducer: Record<string, WindowStats>;
};

/** Everything the routing strategies and the live metrics read, at one instant. */
export type StatsSnapshot = {
  at: number;
  /** Ascending by windowMs. */
  windows: WindowBreakdown[];
  trends: {
    overall: Trend;
    byTarget: Record<string, Trend>;
    byProducer: Record<string, Trend>;
  };
};
