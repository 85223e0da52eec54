import { round, seededRng, type Rng } from "../stats/math";
import type { StrategyName } from "../run-config";
import type { CallObservation, StatsSnapshot } from "../stats/types";
import { adaptiveWeights, type AdaptiveOptions } from "./adaptive";
import { apportion, SmoothWeightedPicker } from "./apportion";
import { TargetHealth, type HealthOptions } from "./health";

export type RouterTarget = {
  /** "provider:model". */
  target: string;
  /** `weighted`: fixed relative weight (default 1). Ignored by the other strategies; order matters for `priority` and `backoff`. */
  weight?: number;
};

export type RouterConfig = {
  strategy: StrategyName;
  targets: readonly RouterTarget[];
  /** Backoff and skipping of failing targets, shared by all strategies. */
  health?: HealthOptions;
  /** `backoff`: consecutive failures on a target before falling over to the next one; below it, the producer waits. Default 3. */
  fallOverAfter?: number;
  /** `priority`: a target whose error rate in the shortest window reaches this is passed over until the window forgets. Default 0.5. */
  maxErrorRate?: number;
  /** `priority`: calls needed in the shortest window before its error rate counts. Default 4. */
  minCallsForErrorRate?: number;
  /** `adaptive`: see AdaptiveOptions. */
  adaptive?: AdaptiveOptions;
  /** Largest per-target weight change below which `update` reports no change (and keeps the old weights). Default 0.05. */
  minChange?: number;
};

export type RouterUpdate = {
  changed: boolean;
  weights: Record<string, number>;
  reason: string;
  /** Summary of what the decision was based on, for the optimisation event. */
  inputs: Record<string, unknown>;
};

export interface Router {
  readonly strategy: StrategyName;
  /** Target for a producer's next call. Throws NoUsableTargetError when every target is disabled. */
  pick(producerIndex: number, now: number): string;
  /** How long to wait before calling `target` (non-zero while backing off, or when every target is cooling down). */
  waitMs(target: string, now: number): number;
  /** Feed every finished call (failures drive backoff immediately, between `update`s). */
  observe(obs: CallObservation): void;
  /** Periodic re-weighting from the statistics. */
  update(stats: StatsSnapshot, now: number): RouterUpdate;
  /** Producers per target for a pool of `poolSize`, from the current weights. */
  assign(poolSize: number): Record<string, number>;
  /** Current traffic weights (sum 1 over usable targets). */
  weights(): Record<string, number>;
}

/** Every target is disabled (auth / missing key): the run cannot continue. */
export class NoUsableTargetError extends Error {
  constructor(readonly targets: readonly string[]) {
    super(`no usable target: ${targets.join(", ")} all failed with auth or missing-key errors`);
    this.name = "NoUsableTargetError";
  }
}

export function createRouter(config: RouterConfig, rng: Rng = seededRng(1)): Router {
  const targets = config.targets.map((t) => t.target);
  if (targets.length === 0) throw new Error("router needs at least one target");
  if (new Set(targets).size !== targets.length) throw new Error(`duplicate targets in ${targets.join(", ")}`);
  const fixedWeights = Object.fromEntries(config.targets.map((t) => [t.target, Math.max(0, t.weight ?? 1)]));
  const health = new TargetHealth(config.health);
  const fallOverAfter = config.fallOverAfter ?? 3;
  const maxErrorRate = config.maxErrorRate ?? 0.5;
  const minCallsForErrorRate = config.minCallsForErrorRate ?? 4;
  const minChange = config.minChange ?? 0.05;
  const picker = new SmoothWeightedPicker();
  const rotation = new Map<number, number>();
  let demoted = new Set<string>();
  let adaptive: Record<string, number> = Object.fromEntries(targets.map((t) => [t, 1 / targets.length]));
  /** Latest time seen (pick, observe, update): what `weights()` and `assign()` judge availability by. */
  let lastNow = -Infinity;

  const enabled = () => targets.filter((t) => !health.isDisabled(t));
  const available = (now: number) => targets.filter((t) => health.isAvailable(t, now));
  /** When nothing is available: the enabled target that frees first. */
  const soonest = (): string => {
    const list = enabled();
    if (list.length === 0) throw new NoUsableTargetError(targets);
    return list.reduce((a, b) => (health.status(b).readyAt < health.status(a).readyAt ? b : a));
  };

  /** Backoff: first target in order that has not reached `fallOverAfter` failures inside its delay. */
  const backoffActive = (now: number): string => {
    for (const t of enabled()) {
      const st = health.status(t);
      if (st.failures < fallOverAfter || now >= st.readyAt) return t;
    }
    return soonest();
  };

  const priorityActive = (now: number): string => {
    const usable = available(now);
    return usable.find((t) => !demoted.has(t)) ?? usable[0] ?? soonest();
  };

  /** Weights the strategy currently applies, normalised over usable targets. */
  const currentWeights = (now: number): Record<string, number> => {
    const out = Object.fromEntries(targets.map((t) => [t, 0]));
    const usable = enabled();
    switch (config.strategy) {
      case "priority":
      case "backoff": {
        if (usable.length > 0) out[config.strategy === "priority" ? priorityActive(now) : backoffActive(now)] = 1;
        return out;
      }
      case "roundrobin":
      case "weighted":
      case "adaptive": {
        const raw = config.strategy === "roundrobin" ? Object.fromEntries(usable.map((t) => [t, 1])) : config.strategy === "weighted" ? fixedWeights : adaptive;
        const total = usable.reduce((s, t) => s + (raw[t] ?? 0), 0);
        for (const t of usable) out[t] = total > 0 ? (raw[t] ?? 0) / total : 1 / usable.length;
        return out;
      }
    }
  };

  const roundWeights = (w: Record<string, number>) => Object.fromEntries(Object.entries(w).map(([t, v]) => [t, round(v, 4)]));
  const maxDelta = (a: Record<string, number>, b: Record<string, number>) => Math.max(...targets.map((t) => Math.abs((a[t] ?? 0) - (b[t] ?? 0))));

  let lastReported = roundWeights(currentWeights(lastNow));

  const router: Router = {
    strategy: config.strategy,

    pick(producerIndex, now) {
      lastNow = Math.max(lastNow, now);
      switch (config.strategy) {
        case "backoff":
          return backoffActive(now);
        case "priority":
          return priorityActive(now);
        case "roundrobin": {
          const usable = available(now);
          if (usable.length === 0) return soonest();
          const n = rotation.get(producerIndex) ?? 0;
          rotation.set(producerIndex, n + 1);
          return usable[(producerIndex + n) % usable.length]!;
        }
        case "weighted":
        case "adaptive": {
          const usable = available(now);
          if (usable.length === 0) return soonest();
          return picker.pick(usable, config.strategy === "weighted" ? fixedWeights : adaptive);
        }
      }
    },

    waitMs(target, now) {
      const st = health.status(target);
      if (st.disabled) return Infinity;
      if (config.strategy === "backoff") return Math.max(0, st.readyAt - now);
      return health.isAvailable(target, now) ? 0 : Math.max(0, st.readyAt - now);
    },

    observe(obs) {
      lastNow = Math.max(lastNow, obs.at);
      health.observe(obs);
    },

    update(stats, now) {
      lastNow = Math.max(lastNow, now);
      const inputs: Record<string, unknown> = {};
      let why: string;
      const shortest = stats.windows[0];
      const perTarget = (fn: (t: string) => unknown) => Object.fromEntries(targets.map((t) => [t, fn(t)]));
      inputs.health = perTarget((t) => {
        const st = health.status(t);
        return st.disabled ? `disabled (${st.disabled})` : st.failures > 0 ? `${st.failures} failures` : "ok";
      });
      if (shortest) {
        inputs.window = {
          ms: shortest.windowMs,
          perTarget: perTarget((t) => {
            const s = shortest.byTarget[t];
            return s
              ? { calls: s.calls, itemsNew: s.itemsNew, errorRate: s.errorRate, uniquePerCallMinute: s.uniquePerCallMinute, uniquePerDollar: s.uniquePerDollar }
              : null;
          }),
        };
      }
      if (config.strategy === "adaptive") {
        const result = adaptiveWeights(stats, enabled(), config.adaptive ?? {}, rng);
        inputs.objective = config.adaptive?.objective ?? "blend";
        inputs.posterior = result.summary;
        if (result.informed && maxDelta(result.weights, adaptive) >= minChange) adaptive = result.weights;
        why = result.informed
          ? `${result.best} is best by ${String(inputs.objective)} (P(best) ${result.summary[result.best ?? ""]?.pBest ?? 0})`
          : "no evidence yet: equal weights";
      } else if (config.strategy === "priority") {
        const next = new Set<string>();
        for (const t of targets) {
          const s = shortest?.byTarget[t];
          if (s && s.calls >= minCallsForErrorRate && (s.errorRate ?? 0) >= maxErrorRate) next.add(t);
        }
        demoted = next;
        inputs.demoted = [...demoted];
        why = `active ${priorityActive(now)}${demoted.size > 0 ? `; passed over for error rate ≥ ${maxErrorRate}: ${[...demoted].join(", ")}` : ""}`;
      } else if (config.strategy === "backoff") {
        why = `active ${backoffActive(now)}`;
      } else {
        why = config.strategy === "weighted" ? "fixed weights over usable targets" : "equal share over usable targets";
      }
      const weights = roundWeights(currentWeights(now));
      const changed = maxDelta(weights, lastReported) > 1e-9;
      if (changed) lastReported = weights;
      return { changed, weights: lastReported, reason: changed ? why : `unchanged: ${why}`, inputs };
    },

    assign(poolSize) {
      return apportion(currentWeights(lastNow), poolSize);
    },

    weights() {
      return roundWeights(currentWeights(lastNow));
    },
  };
  return router;
}
