/**
 * The run's stop rules, evaluated once per tick by the orchestrator's ticker. Pure.
 * The user's limits (entries, budget, time) are checked here; the optimiser's own verdict
 * (coverage reached, yield too low for too long; it owns the estimates those need) comes
 * in as `optimizerVerdict` and is the last rule.
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
