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

export type CounterfactualInput = {
  /** Traffic weights before and after the decision, per target. */
  oldWeights: Readonly<Record<string, number>>;
  newWeights: Readonly<Record<string, number>>;
  /** Per-target statistics over the window after the decision. */
  after: Readonly<Record<string, WindowStats>>;
  /** Per-target statistics before it: the rates of a target the new allocation left without calls. */
  before?: Readonly<Record<string, WindowStats>>;
};

export type CounterfactualScore = DecisionScore & {
  /** Predicted yield (the objective's metric) of the old and of the new allocation over the same window. */
  old: number | null;
  new: number | null;
};

/**
 * Scores a decision against what the previous allocation would have done over the same window:
 * each target's per-call yield, time and cost measured after the decision, mixed once with the
 * new weights and once with the old ones. Both mixes face the same saturation of the topic, so
 * a decision counts as an improvement only when its mix beats the one it replaced, not when the
 * run's yield rose or fell on its own (which is what `scoreDecision` compares).
 */
const COUNTERFACTUAL_METRIC: Record<Objective, string> = {
  per_minute: "uniquePerCallMinute",
  per_dollar: "uniquePerDollar",
  blend: "sqrt(uniquePerCallMinute·uniquePerDollar)",
};

export function scoreAgainstCounterfactual(input: CounterfactualInput, opts: ScoreOptions = {}): CounterfactualScore {
  const objective = opts.objective ?? "blend";
  const minGain = opts.minGain ?? 0;
  const minCalls = opts.minCalls ?? 3;
  const metric = `counterfactual ${COUNTERFACTUAL_METRIC[objective]}`;
  const insufficient: CounterfactualScore = { score: 0, improved: false, metric, sufficient: false, old: null, new: null };
  const targets = new Set([...Object.keys(input.oldWeights), ...Object.keys(input.newWeights)]);
  const rates = new Map<string, { perCall: number; minutes: number; dollars: number }>();
  let afterCalls = 0;
  for (const t of targets) {
    const a = input.after[t];
    afterCalls += a?.calls ?? 0;
    const s = a && a.calls > 0 ? a : input.before?.[t];
    if (s && s.calls > 0) rates.set(t, { perCall: s.itemsNew / s.calls, minutes: s.callMs / s.calls / 60_000, dollars: s.costUsd / s.calls });
  }
  if (afterCalls < minCalls) return insufficient;
  const value = (weights: Readonly<Record<string, number>>): number | null => {
    let w = 0;
    let y = 0;
    let m = 0;
    let c = 0;
    for (const [t, share] of Object.entries(weights)) {
      const r = rates.get(t);
      if (!r || !(share > 0)) continue;
      w += share;
      y += share * r.perCall;
      m += share * r.minutes;
      c += share * r.dollars;
    }
    // Half of the traffic on targets never measured: no verdict.
    if (w < 0.5) return null;
    const perMinute = m > 0 ? y / m : null;
    const perDollar = c > 0 ? y / c : null;
    if (objective === "per_minute") return perMinute;
    if (objective === "per_dollar") return perDollar;
    return perMinute !== null && perDollar !== null ? Math.sqrt(perMinute * perDollar) : perMinute;
  };
  const oldValue = value(input.oldWeights);
  const newValue = value(input.newWeights);
  const ratio = relative(oldValue, newValue);
  if (ratio === null) return insufficient;
  const score = Math.min(MAX_SCORE, ratio - 1);
  return { score, improved: score > minGain, metric, sufficient: true, old: oldValue, new: newValue };
}
