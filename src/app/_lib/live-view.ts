/** Pure view logic of the live dashboard: connection state, producer health, per-LLM rows. */

import type { LiveSnapshot } from "../../trpc/shared";

export type SubscriptionStatus = "idle" | "connecting" | "pending" | "error";
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/** A heartbeat arrives every second; this long without one means the stream is stuck. */
export const STALE_AFTER_MS = 5_000;

/**
 * What the connection badge shows. "connecting" only before the first snapshot;
 * afterwards any interruption is "reconnecting" (the hook retries by itself).
 */
export function connectionState(input: {
  status: SubscriptionStatus;
  everConnected: boolean;
  lastDataAt: number | null;
  now: number;
  online?: boolean;
}): ConnectionState {
  if (input.online === false) return "offline";
  if (input.status === "pending" && input.lastDataAt !== null && input.now - input.lastDataAt <= STALE_AFTER_MS) return "live";
  if (!input.everConnected) return "connecting";
  return "reconnecting";
}

/** Delay before re-subscribing after the stream failed for good: 1 s, 2 s, 4 s, then 5 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempt), 5_000);
}

/** The pm2 figures the health level is judged on (a producer's `health` in the snapshot). */
export type HealthLike = Pick<NonNullable<LiveSnapshot["producers"][number]["health"]>, "status" | "restarts" | "unstableRestarts" | "uptimeMs">;

export type HealthLevel = "ok" | "warn" | "bad" | "unknown";

/** Crash-looping (errored, or restarting again and again) is "bad" and shown in red. */
export function healthLevel(h: HealthLike | null | undefined): HealthLevel {
  if (!h) return "unknown";
  if (h.status === "errored") return "bad";
  if (h.unstableRestarts > 0) return "bad";
  if (h.restarts >= 3 && (h.uptimeMs === null || h.uptimeMs < 60_000)) return "bad";
  if (h.status !== "online") return "warn";
  if (h.restarts > 0 && h.uptimeMs !== null && h.uptimeMs < 60_000) return "warn";
  return "ok";
}

/** The tally fields a table row needs, from the router's output; producer rows also name their target. */
export type TallyLike = Pick<
  LiveSnapshot["totals"],
  | "key"
  | "unique"
  | "candidates"
  | "dupExact"
  | "dupNear"
  | "calls"
  | "failedCalls"
  | "errors"
  | "promptTokens"
  | "completionTokens"
  | "costUsd"
  | "uniqueLastMinute"
  | "candidatesLastMinute"
  | "avgLatencyMs"
> & { target?: string | null; simulated?: boolean; callsInFlight?: number | null };

export type LlmRow = {
  key: string;
  label: string;
  /** The provider/model a producer works for, when known. */
  target: string | null;
  simulated: boolean;
  /** LLM calls open now (producers report theirs with each submission); null when not reported. */
  callsInFlight: number | null;
  uniquePerMinute: number;
  unique: number;
  candidates: number;
  duplicates: number;
  dupRate: number | null;
  errors: number;
  rateLimits: number;
  avgLatencyMs: number | null;
  tokens: number;
  costUsd: number;
  /** Share of the candidates of the last minute (traffic now, not since the start). */
  share: number | null;
  /** Routing weight now (0..1), when the orchestrator reports one. */
  weight: number | null;
  /** Share of the calls routed to this row over the optimiser's window (a few minutes). */
  routedShare: number | null;
};

/** The snapshot's routing figures a table row needs. */
export type RoutingShares = { weights: Record<string, number>; shares: Record<string, number> };

export function errorCount(errors: Partial<Record<string, number>>): number {
  let n = 0;
  for (const v of Object.values(errors)) n += v ?? 0;
  return n;
}

function lookup(record: Record<string, number> | undefined, key: string): number | null {
  const v = record && Object.hasOwn(record, key) ? record[key] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * One table row per tally; shares are relative to the sum of the rows' last-minute traffic.
 * With `routing`, rows keyed by "provider:model" get their routing weight and routed share.
 */
export function llmRows(tallies: readonly TallyLike[], opts: { simulated?: (t: TallyLike) => boolean; routing?: RoutingShares | null } = {}): LlmRow[] {
  const routing = opts.routing ?? null;
  const trafficNow = tallies.reduce((a, t) => a + t.candidatesLastMinute, 0);
  return tallies.map((t) => {
    const duplicates = t.dupExact + t.dupNear;
    const target = t.target ?? null;
    return {
      key: t.key,
      label: t.key,
      target,
      simulated: opts.simulated?.(t) ?? ((target ?? t.key).startsWith("sim:") || t.simulated === true),
      callsInFlight: t.callsInFlight ?? null,
      uniquePerMinute: t.uniqueLastMinute,
      unique: t.unique,
      candidates: t.candidates,
      duplicates,
      dupRate: duplicateRate(t),
      errors: errorCount(t.errors),
      rateLimits: t.errors.rate_limit ?? 0,
      avgLatencyMs: t.avgLatencyMs,
      tokens: t.promptTokens + t.completionTokens,
      costUsd: t.costUsd,
      share: trafficNow > 0 ? t.candidatesLastMinute / trafficNow : null,
      weight: lookup(routing?.weights, t.key),
      routedShare: lookup(routing?.shares, t.key),
    };
  });
}

/** Duplicates as a share of all candidates so far. */
export function duplicateRate(t: { candidates: number; dupExact: number; dupNear: number }): number | null {
  return t.candidates > 0 ? (t.dupExact + t.dupNear) / t.candidates : null;
}

export type CoverageView = {
  coverage: number;
  estimatedTotal: number;
  observed: number | null;
  low: number | null;
  high: number | null;
  method: string | null;
};

/** The snapshot's exhaustion estimate (`routing.coverage`), when the orchestrator has one yet. */
export function coverageOf(snap: object | null | undefined): CoverageView | null {
  const routing = snap ? (snap as Record<string, unknown>).routing : undefined;
  const raw = typeof routing === "object" && routing !== null ? (routing as Record<string, unknown>).coverage : undefined;
  if (typeof raw !== "object" || raw === null) return null;
  const c = raw as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const coverage = n(c.coverage);
  const estimatedTotal = n(c.estimatedTotal);
  if (coverage === null || estimatedTotal === null) return null;
  return { coverage, estimatedTotal, observed: n(c.observed), low: n(c.low), high: n(c.high), method: typeof c.method === "string" ? c.method : null };
}
