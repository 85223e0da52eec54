import type { SimModelProfile } from "./models";
import type { SimParams } from "./params";
import type { Rng } from "./prng";

export interface LatencyPlan {
  /** Delay before the first output token (already scaled). */
  ttftMs: number;
  /** Delay per output token after the first (already scaled). */
  msPerToken: number;
}

export function planLatency(profile: SimModelProfile, params: Pick<SimParams, "latencyScale" | "latencyJitter">, promptTokens: number, rng: Rng): LatencyPlan {
  const scale = params.latencyScale * rng.jitter(params.latencyJitter);
  return {
    ttftMs: (profile.ttftMs + (profile.prefillMsPer1kTokens * promptTokens) / 1000) * scale,
    msPerToken: (1000 / profile.tokensPerSecond) * scale,
  };
}

/** Total time of a non-streamed answer. */
export function totalLatencyMs(plan: LatencyPlan, outputTokens: number): number {
  return plan.ttftMs + plan.msPerToken * Math.max(0, outputTokens - 1);
}
