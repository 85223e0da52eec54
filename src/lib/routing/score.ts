import type { WindowStats } from "../stats/types";
import type { Objective } from "./adaptive";

export type ScoreOptions = {
  /** Which yield to compare. Default "blend" (geometric mean of the per-minute and per-dollar ratios). */
  objective?: Objective;
  /** Relative gain that counts as an improvement (0.05 = 5%). Default 0. */
  minGain?: number;
  /** Fewer calls than this in either window gives score 0, not improved, `sufficient: false`. Default 3. */
  minCalls?: number;
};

export type DecisionScore = {
  /** Relative change of the metric, after/before - 1; capped at +10 (when "before" was zero). */
  score: number;
  improved: boolean;
  metric: string;
  sufficient: boolean;
};

const MAX_SCORE = 10;

/**
 * Scores an optimisation event: did the run's yield improve over the window after the decision
 * compared with the window before? Both windows should cover the whole run (not one target) and
 * have equal length. Yield falls on its own as the topic is exhausted, so this is biased against
 * every decision; compare scores between decisions rather than reading the sign alone.
 */
export function scoreDecision(before: WindowStats, after: WindowStats, opts: ScoreOptions = {}): DecisionScore {
  const objective = opts.objective ?? "blend";
  const minGain = opts.minGain ?? 0;
  const minCalls = opts.minCalls ?? 3;
  const metric = objective === "per_minute" ? "uniquePerMinute" : objective === "per_dollar" ? "uniquePerDollar" : "sqrt(uniquePerMinute·uniquePerDollar)";
  if (before.calls < minCalls || after.calls < minCalls) return { score: 0, improved: false, metric, sufficient: false };
  const perMinute = relative(before.uniquePerMinute, after.uniquePerMinute);
  const perDollar = relative(before.uniquePerDollar, after.uniquePerDollar);
  let ratio: number | null;
  if (objective === "per_minute") ratio = perMinute;
  else if (objective === "per_dollar") ratio = perDollar;
  // A free run has no per-dollar yield: fall back to per minute.
  else ratio = perMinute !== null && perDollar !== null ? Math.sqrt(perMinute * perDollar) : perMinute;
  if (ratio === null) return { score: 0, improved: false, metric, sufficient: false };
  const score = Math.min(MAX_SCORE, ratio - 1);
  return { score, improved: score > minGain, metric, sufficient: true };
}

/** after / before, with 0 -> positive treated as the maximum gain and 0 -> 0 as no change. */
function relative(before: number | null, after: number | null): number | null {
  if (before === null || after === null) return null;
  if (before > 0) return after / before;
  return after > 0 ? MAX_SCORE + 1 : 1;
}
