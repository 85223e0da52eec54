import { gammaSample, round, type Rng } from "../stats/math";
import type { StatsSnapshot, WindowStats } from "../stats/types";

/** What `adaptive` maximises: new entries per minute of producer time, per dollar, or a geometric blend of both. */
export type Objective = "per_minute" | "per_dollar" | "blend";

export type AdaptiveOptions = {
  /** Default "blend". */
  objective?: Objective;
  /** For "blend": weight of the per-dollar side (0 = per minute only, 1 = per dollar only). Default 0.5. */
  costWeight?: number;
  /** Minimum traffic share per usable target, so a recovering target is noticed. Default 0.05 (capped at 1/targets). */
  minShare?: number;
  /**
   * Half-life of evidence. The nested windows (1, 5, 15 min) are cut into rings (0-1, 1-5, 5-15 min
   * ago) and each ring is weighted 2^(-age/halfLife) by its mid-age relative to the first ring, so a
   * degrading or recovering target shows within a minute or two while quiet targets keep some history.
   * Default 60 s.
   */
  halfLifeMs?: number;
  /** Strength of the pooled prior, in calls. Default 2. */
  priorCalls?: number;
  /** A failed call is charged this many average calls of time and money (it yielded nothing and held a producer). Default 1. */
  errorCost?: number;
  /** Monte Carlo draws estimating each target's probability of being best. Default 2000. */
  draws?: number;
  /** Cost floor per call in USD, so a free target does not divide by zero. Default 1e-6. */
  minCallCostUsd?: number;
};

/** Discounted evidence for one target. */
export type TargetEvidence = {
  calls: number;
  errors: number;
  itemsNew: number;
  callMinutes: number;
  costUsd: number;
};

export type AdaptiveTargetSummary = {
  /** Discounted calls used as evidence. */
  calls: number;
  itemsNew: number;
  /** Posterior mean of new entries per call-minute and per dollar (errors charged). */
  perMinute: number | null;
  perDollar: number | null;
  /** Probability that this target is the best on the objective. */
  pBest: number;
};

export type AdaptiveResult = {
  weights: Record<string, number>;
  summary: Record<string, AdaptiveTargetSummary>;
  best: string | null;
  /** False when no target has any evidence yet (weights are then equal). */
  informed: boolean;
};

const EMPTY: TargetEvidence = { calls: 0, errors: 0, itemsNew: 0, callMinutes: 0, costUsd: 0 };

/** Combines the nested sliding windows (all ending now) into exponentially discounted evidence. */
export function discountedEvidence(snapshot: StatsSnapshot, target: string, halfLifeMs: number): TargetEvidence {
  const acc = { ...EMPTY };
  let prev: TargetEvidence = EMPTY;
  let prevMs = 0;
  let firstMid: number | null = null;
  for (const w of snapshot.windows) {
    const mid = (prevMs + w.windowMs) / 2;
    firstMid ??= mid;
    const factor = halfLifeMs > 0 ? Math.pow(2, -(mid - firstMid) / halfLifeMs) : 1;
    prevMs = w.windowMs;
    const cur = toEvidence(w.byTarget[target]);
    acc.calls += factor * Math.max(0, cur.calls - prev.calls);
    acc.errors += factor * Math.max(0, cur.errors - prev.errors);
    acc.itemsNew += factor * Math.max(0, cur.itemsNew - prev.itemsNew);
    acc.callMinutes += factor * Math.max(0, cur.callMinutes - prev.callMinutes);
    acc.costUsd += factor * Math.max(0, cur.costUsd - prev.costUsd);
    prev = cur;
  }
  return acc;
}

function toEvidence(s: WindowStats | undefined): TargetEvidence {
  if (!s) return EMPTY;
  return { calls: s.calls, errors: s.errors, itemsNew: s.itemsNew, callMinutes: s.callMs / 60_000, costUsd: s.costUsd };
}

/**
 * Thompson-sampling weights. Each target's yield is Gamma-Poisson: new entries ~ Poisson(rate ×
 * exposure), exposure being call time, money, or their geometric blend, with failed calls charged
 * `errorCost` average calls. Counts are scaled so one call (not one entry; entries of one answer are
 * correlated) is the unit of evidence. A target's weight is its probability of being best,
 * floored at `minShare`.
 */
export function adaptiveWeights(snapshot: StatsSnapshot, targets: readonly string[], opts: AdaptiveOptions, rng: Rng): AdaptiveResult {
  const objective = opts.objective ?? "blend";
  const costWeight = objective === "per_minute" ? 0 : objective === "per_dollar" ? 1 : clamp01(opts.costWeight ?? 0.5);
  const halfLifeMs = opts.halfLifeMs ?? 60_000;
  const priorCalls = opts.priorCalls ?? 2;
  const errorCost = opts.errorCost ?? 1;
  const draws = opts.draws ?? 2000;
  const minCallCost = opts.minCallCostUsd ?? 1e-6;
  const k = targets.length;
  const minShare = k > 0 ? Math.min(opts.minShare ?? 0.05, 1 / k) : 0;

  const ev = targets.map((t) => discountedEvidence(snapshot, t, halfLifeMs));
  const pooled = ev.reduce(
    (a, e) => ({
      calls: a.calls + e.calls,
      errors: a.errors + e.errors,
      itemsNew: a.itemsNew + e.itemsNew,
      callMinutes: a.callMinutes + e.callMinutes,
      costUsd: a.costUsd + e.costUsd,
    }),
    { ...EMPTY },
  );
  const okCalls = Math.max(pooled.calls - pooled.errors, 0);
  const uniform = Object.fromEntries(targets.map((t) => [t, k > 0 ? 1 / k : 0]));
  if (k === 0 || pooled.calls === 0) {
    const summary = Object.fromEntries(targets.map((t) => [t, { calls: 0, itemsNew: 0, perMinute: null, perDollar: null, pBest: k > 0 ? 1 / k : 0 }]));
    return { weights: uniform, summary, best: null, informed: false };
  }
  const meanMinutes = okCalls > 0 ? pooled.callMinutes / pooled.calls : 1;
  const meanCost = okCalls > 0 ? Math.max(pooled.costUsd / pooled.calls, minCallCost) : minCallCost;
  // Items of one answer are correlated: one call is one unit of evidence.
  const unit = Math.max(1, pooled.itemsNew / Math.max(okCalls, 1));

  const exposure = (e: TargetEvidence) => {
    const minutes = e.callMinutes + e.errors * errorCost * meanMinutes;
    const dollars = Math.max(e.costUsd + e.errors * errorCost * meanCost, e.calls * minCallCost);
    return { minutes, dollars, blended: Math.pow(minutes, 1 - costWeight) * Math.pow(dollars, costWeight) };
  };
  const pooledPerCall = exposure({ ...pooled, calls: 1, errors: 0, callMinutes: meanMinutes, costUsd: meanCost });
  const priorShape = (priorCalls * (pooled.itemsNew / pooled.calls)) / unit;
  const priorExposure = priorCalls * pooledPerCall.blended;

  const post = ev.map((e) => {
    const x = exposure(e);
    return { shape: Math.max(priorShape + e.itemsNew / unit, 0.05), rate: (priorExposure + x.blended) / unit, x };
  });

  const wins = new Array<number>(k).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < k; i++) {
      const p = post[i]!;
      const v = gammaSample(p.shape, rng) / p.rate;
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    wins[best]!++;
  }

  const weights: Record<string, number> = {};
  const summary: Record<string, AdaptiveTargetSummary> = {};
  let bestIndex = 0;
  targets.forEach((t, i) => {
    const pBest = wins[i]! / draws;
    if (pBest > wins[bestIndex]! / draws) bestIndex = i;
    weights[t] = minShare + (1 - k * minShare) * pBest;
    const e = ev[i]!;
    const { x, shape } = post[i]!;
    // Posterior mean number of entries, mapped back to each exposure scale.
    const entries = shape * unit;
    summary[t] = {
      calls: round(e.calls, 2),
      itemsNew: round(e.itemsNew, 2),
      perMinute: round(entries / (priorCalls * meanMinutes + x.minutes), 3),
      perDollar: round(entries / (priorCalls * meanCost + x.dollars), 3),
      pBest: round(pBest, 4),
    };
  });
  return { weights, summary, best: targets[bestIndex] ?? null, informed: true };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
