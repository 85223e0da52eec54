/** Pure view logic of the live dashboard: connection state, producer health, per-LLM rows. */

import type { LiveSnapshot } from "../../trpc/shared";

export type SubscriptionStatus = "idle" | "connecting" | "pending" | "error";
export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

/**
 * What the connection badge shows, from the subscription's own state: tRPC pings an idle
 * stream and reconnects one that falls silent (src/server/api/trpc.ts), so "pending" (the
 * stream is open) is live. "connecting" only before the first connection; afterwards any
 * interruption is "reconnecting" (tRPC, or the hook after a failure, retries by itself).
 */
export function connectionState(input: { status: SubscriptionStatus; everConnected: boolean; online?: boolean }): ConnectionState {
  if (input.online === false) return "offline";
  if (input.status === "pending") return "live";
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
