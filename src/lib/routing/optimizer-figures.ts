import type { CallRecord } from "../protocol";
import { targetLabel } from "../providers";
import type { CallObservation, WindowStats } from "../stats";
import { round } from "../stats/math";

/** One target's figures in the optimiser's snapshot (rounded: it goes over SSE every second). */
export type TargetFigures = {
  calls: number;
  uniquePerMinute: number | null;
  uniquePer1kTokens: number | null;
  uniquePerDollar: number | null;
  duplicateRate: number | null;
  errorRate: number | null;
  latencyMs: number | null;
};

/** Builds the statistics engine's input from a finished call's record and its per-call dedup tally. */
export function callObservation(
  producer: string,
  call: CallRecord,
  tally: { new: number; dupExact: number; dupNear: number; junk: number },
  costUsd: number,
  at: number,
): CallObservation {
  return {
    at,
    producer,
    target: targetLabel(call),
    promptTokens: call.promptTokens,
    completionTokens: call.completionTokens,
    costUsd,
    latencyMs: call.latencyMs,
    itemsParsed: call.itemsParsed,
    itemsNew: tally.new,
    ...(call.itemsShown !== undefined ? { itemsShown: call.itemsShown } : {}),
    dupExact: tally.dupExact,
    dupNear: tally.dupNear,
    junk: tally.junk,
    ...(call.error ? { error: call.error.kind } : {}),
  };
}

/** "p3" -> 2; anything else -> 0. */
export function producerIndex(producer: string): number {
  const n = Number(producer.replace(/^p/, ""));
  return Number.isInteger(n) && n >= 1 ? n - 1 : 0;
}

export function figures(s: WindowStats): TargetFigures {
  return {
    calls: s.calls,
    uniquePerMinute: sig(s.uniquePerMinute),
    uniquePer1kTokens: sig(s.uniquePer1kTokens),
    uniquePerDollar: sig(s.uniquePerDollar),
    duplicateRate: s.duplicateRate === null ? null : round(s.duplicateRate, 3),
    errorRate: s.errorRate === null ? null : round(s.errorRate, 3),
    latencyMs: s.latencyMeanMs === null ? null : Math.round(s.latencyMeanMs),
  };
}

export function brief(s: WindowStats) {
  return { calls: s.calls, itemsNew: s.itemsNew, uniquePerMinute: sig(s.uniquePerMinute), uniquePerDollar: sig(s.uniquePerDollar) };
}

/** Three significant digits; null stays null, non-finite becomes null (JSON has no Infinity). */
export function sig(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  return x === 0 ? 0 : Number(x.toPrecision(3));
}
