import type { CoverageEstimate } from "./coverage";

/**
 * A run's stop rules, all in this module. Pure.
 * - `stopReason`: evaluated once per tick by the orchestrator's ticker; the user's limits
 *   (entries, budget, time) first, then the optimiser's verdict.
 * - `StopMonitor`: the verdict's rules (coverage reached, yield too low for too long),
 *   which the optimiser feeds with the estimates it maintains.
 */
export type StopLimits = { maxEntries?: number; maxCostUsd?: number; maxMinutes?: number };

export type StopInputs = { totalUnique: number; costUsd: number; elapsedMs: number; optimizerVerdict?: string | null };

/** Why the run should stop now, or null. */
export function stopReason(limits: StopLimits, s: StopInputs): string | null {
  if (limits.maxEntries !== undefined && s.totalUnique >= limits.maxEntries) return `reached ${limits.maxEntries} entries`;
  if (limits.maxCostUsd !== undefined && s.costUsd >= limits.maxCostUsd) return `reached the $${limits.maxCostUsd} budget`;
  if (limits.maxMinutes !== undefined && s.elapsedMs >= limits.maxMinutes * 60_000) return `ran ${limits.maxMinutes} minute(s)`;
  return s.optimizerVerdict ?? null;
}

export type StopConfig = {
  /** Stop once estimated coverage reaches this fraction (0..1). Default: off. */
  stopAtCoverage?: number;
  /** With stopAtCoverage: judge coverage by observed / high (conservative) instead of the point estimate. Default false. */
  conservative?: boolean;
  /** Yield threshold in new entries per minute; stop when the yield stays below it for `lowYieldWindowMs`. Default: off. */
  minUniquePerMinute?: number;
  /** How long the yield must stay below the threshold. Default 10 minutes. */
  lowYieldWindowMs?: number;
};

export type StopDecision = { stop: false } | { stop: true; reason: "coverage" | "low_yield"; message: string };

/**
 * Decides when a run has found enough. Feed it every optimisation tick with the current coverage
 * estimate and the short-window yield; it remembers since when the yield has been low.
 */
export class StopMonitor {
  private lowSince: number | null = null;

  constructor(private readonly config: StopConfig) {
    const target = config.stopAtCoverage;
    if (target !== undefined && !(target > 0 && target <= 1)) throw new Error(`stopAtCoverage must be in (0, 1], got ${target}`);
  }

  check(now: number, input: { coverage?: CoverageEstimate; uniquePerMinute: number | null }): StopDecision {
    const { stopAtCoverage, conservative = false, minUniquePerMinute, lowYieldWindowMs = 600_000 } = this.config;
    const est = input.coverage;
    if (stopAtCoverage !== undefined && est && est.observed > 0) {
      const reached = conservative ? (Number.isFinite(est.high) ? est.observed / est.high : 0) : est.coverage;
      if (reached >= stopAtCoverage) {
        return {
          stop: true,
          reason: "coverage",
          message: `estimated coverage ${Math.round(reached * 100)}% reached the ${Math.round(stopAtCoverage * 100)}% target`,
        };
      }
    }
    if (minUniquePerMinute === undefined) return { stop: false };
    // No data (null) is not low yield: a paused or starting run must not stop itself.
    if (input.uniquePerMinute === null || input.uniquePerMinute >= minUniquePerMinute) {
      this.lowSince = null;
      return { stop: false };
    }
    this.lowSince ??= now;
    if (now - this.lowSince >= lowYieldWindowMs) {
      return {
        stop: true,
        reason: "low_yield",
        message: `yield stayed below ${minUniquePerMinute} new entries/min for ${Math.round((now - this.lowSince) / 60_000)} min`,
      };
    }
    return { stop: false };
  }
}
