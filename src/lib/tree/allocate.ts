import { adaptiveWeights, type AdaptiveOptions, type AdaptiveResult } from "../routing/adaptive";
import { summarizeCalls } from "../stats/engine";
import type { Rng } from "../stats/math";
import type { StatsSnapshot, WindowStats } from "../stats/types";
import type { TopicTree } from "./tree";

/**
 * Allocation over arms = model x branch, with the run's Thompson-sampling router math
 * (`adaptiveWeights`): each arm's expected new entries per call-minute and per dollar, from
 * evidence discounted per arm by its own calls (a branch visited once a minute must not forget
 * its last call within the minute, as the router's time windows would). Saturated and pruned
 * branches are not arms; branches with few calls share an exploration slice; pinned ones
 * keep at least the floor share.
 */

export type ArmKey = string;

export const armKey = (model: string, branchId: number): ArmKey => `${model}#${branchId}`;

export function parseArmKey(key: ArmKey): { model: string; branchId: number } {
  const i = key.lastIndexOf("#");
  return { model: key.slice(0, i), branchId: Number(key.slice(i + 1)) };
}

/** Discounted evidence of one arm (or one prompt variant): what `adaptiveWeights` reads. */
export type ArmEvidence = { calls: number; errors: number; itemsNew: number; callMs: number; costUsd: number };

export type ArmObservation = { itemsNew: number; latencyMs: number; costUsd: number; error?: boolean };

/**
 * Per-arm evidence with a half-life in the arm's own calls: the yield of a branch falls as it
 * is mined, so its last calls say most about its next one.
 */
export class ArmStats {
  private readonly arms = new Map<string, ArmEvidence>();
  constructor(private readonly halfLifeCalls = 3) {}

  observe(key: string, obs: ArmObservation): void {
    const e = this.arms.get(key) ?? { calls: 0, errors: 0, itemsNew: 0, callMs: 0, costUsd: 0 };
    const keep = Math.pow(2, -1 / this.halfLifeCalls);
    e.calls = e.calls * keep + 1;
    e.errors = e.errors * keep + (obs.error ? 1 : 0);
    e.itemsNew = e.itemsNew * keep + obs.itemsNew;
    e.callMs = e.callMs * keep + obs.latencyMs;
    e.costUsd = e.costUsd * keep + obs.costUsd;
    this.arms.set(key, e);
  }

  get(key: string): ArmEvidence | undefined {
    return this.arms.get(key);
  }

  /**
   * A one-window statistics snapshot of these arms, the input shape of `adaptiveWeights`; with
   * `precision`, each arm's new entries count times its precision (expected true new entries).
   */
  snapshot(keys: readonly string[], precision?: (key: string) => number): StatsSnapshot {
    const empty = summarizeCalls([], 0, 1);
    const byTarget: Record<string, WindowStats> = {};
    for (const k of keys) {
      const e = this.arms.get(k);
      if (e)
        byTarget[k] = {
          ...empty,
          calls: e.calls,
          errors: e.errors,
          okCalls: e.calls - e.errors,
          itemsNew: e.itemsNew * (precision ? precision(k) : 1),
          callMs: e.callMs,
          costUsd: e.costUsd,
        };
    }
    const flat = { n: 0, slopePerMin: 0, relSlopePerMin: null, confidence: 0, shortVsLong: null, direction: "flat" as const };
    return { at: 1, windows: [{ windowMs: 1, overall: empty, byTarget, byProducer: {} }], trends: { overall: flat, byTarget: {}, byProducer: {} } };
  }
}

export type AllocatorOptions = {
  /** Share of calls reserved for arms of branches with fewer than `exploreBelowCalls` calls. Default 0.2. */
  explorationShare: number;
  exploreBelowCalls: number;
  /** Floor share spread over all arms (and guaranteed to pinned branches). Default 0.05. */
  floorShare: number;
  /** Thompson draws per allocation. Default 300. */
  draws: number;
  adaptive?: AdaptiveOptions;
};

export const DEFAULT_ALLOCATOR_OPTIONS: Readonly<AllocatorOptions> = { explorationShare: 0.2, exploreBelowCalls: 1, floorShare: 0.05, draws: 300 };

/** What verification says of each arm (arm-precision.ts): its precision, and whether it is paused. */
export type ArmTrust = { precision(key: ArmKey): number; isPaused(key: ArmKey): boolean };

export type Allocation = {
  weights: Map<ArmKey, number>;
  /** The Thompson part, for the optimisation event. */
  bandit: AdaptiveResult | null;
};

/**
 * Traffic weights over model x active branch. Empty when no branch is active. With `trust`,
 * paused arms get no calls and each arm's yield is discounted by its precision.
 */
export function allocate(
  tree: TopicTree,
  models: readonly string[],
  stats: ArmStats,
  rng: Rng,
  options: Partial<AllocatorOptions> = {},
  trust?: ArmTrust,
): Allocation {
  const o = { ...DEFAULT_ALLOCATOR_OPTIONS, ...options };
  const branches = tree.active();
  const armsOf = (bs: typeof branches) => bs.flatMap((b) => models.map((m) => armKey(m, b.id))).filter((a) => !trust?.isPaused(a));
  const arms = armsOf(branches);
  const weights = new Map<ArmKey, number>();
  if (arms.length === 0) return { weights, bandit: null };
  const fresh = armsOf(branches.filter((b) => b.counters.calls < o.exploreBelowCalls));
  const bandit = adaptiveWeights(
    stats.snapshot(arms, trust && ((a) => trust.precision(a))),
    arms,
    { objective: "blend", ...o.adaptive, minShare: 0, draws: o.draws },
    rng,
  );
  const explore = fresh.length > 0 ? o.explorationShare : 0;
  const floor = o.floorShare / arms.length;
  const exploit = 1 - explore - o.floorShare;
  for (const a of arms) weights.set(a, floor + exploit * (bandit.weights[a] ?? 0));
  for (const a of fresh) weights.set(a, (weights.get(a) ?? 0) + explore / fresh.length);
  const pinned = armsOf(branches.filter((b) => b.state === "pinned"));
  const pinnedFloor = o.floorShare / Math.max(1, models.length);
  for (const a of pinned) weights.set(a, Math.max(weights.get(a) ?? 0, pinnedFloor));
  const total = [...weights.values()].reduce((x, y) => x + y, 0);
  for (const [a, w] of weights) weights.set(a, w / total);
  return { weights, bandit };
}

/** One arm drawn by its weight. */
export function pickArm(weights: ReadonlyMap<ArmKey, number>, rng: Rng): { model: string; branchId: number } | null {
  let u = rng();
  let last: ArmKey | null = null;
  for (const [a, w] of weights) {
    last = a;
    if ((u -= w) < 0) return parseArmKey(a);
  }
  return last === null ? null : parseArmKey(last);
}
