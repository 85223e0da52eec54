import type { CallErrorKind } from "../protocol";
import { StatsEngine } from "../stats/engine";
import type { Rng } from "../stats/math";
import type { CallObservation } from "../stats/types";
import type { Router, RouterUpdate } from "./router";

/** Behaviour of one simulated target; functions take ms since the simulation start. */
export type SimTargetModel = {
  target: string;
  /** Mean new entries per successful call. */
  yieldPerCall: number | ((t: number) => number);
  latencyMs: number | ((t: number) => number);
  costPerCallUsd: number;
  /** Probability that a call fails. Default 0. */
  errorRate?: number | ((t: number) => number);
  /** Kind of those failures. Default "server". */
  errorKind?: CallErrorKind;
  /** Latency of a failed call. Default 200 ms. */
  errorLatencyMs?: number;
};

export type SimulationInput = {
  router: Router;
  models: readonly SimTargetModel[];
  producers: number;
  durationMs: number;
  /** How often the optimisation loop runs `router.update`. Default 5 s. */
  updateEveryMs?: number;
  rng: Rng;
  /** Clock origin (ms epoch). Default 0. */
  start?: number;
};

export type SimulationResult = {
  calls: CallObservation[];
  updates: { at: number; update: RouterUpdate }[];
  engine: StatsEngine;
  /** Share of calls per target among calls started in [from, to) (ms since start). */
  shares(from: number, to: number): Record<string, number>;
};

const valueAt = (v: number | ((t: number) => number), t: number) => (typeof v === "function" ? v(t) : v);

/**
 * Simulated time for a pool of producers calling back to back: the producer whose call ends
 * first acts next (ties: the lowest index), gets back the call it just finished, and starts its
 * next one. The one clock of every routing simulation: the router's (`simulateRouting`), the
 * optimiser's unit test, and the routing test and benchmark against the real simulator
 * (test/helpers/routing-run.ts).
 */
export class ProducerPool<C> {
  private readonly freeAt: number[];
  private readonly inFlight: Array<C | null>;

  constructor(producers: number, start: number) {
    this.freeAt = new Array<number>(producers).fill(start);
    this.inFlight = new Array<C | null>(producers).fill(null);
  }

  /** The producer free first, the time, and the call it finished (null on its first turn); null once every producer is retired. */
  next(): { producer: number; now: number; ended: C | null } | null {
    let p = 0;
    for (let i = 1; i < this.freeAt.length; i++) if (this.freeAt[i]! < this.freeAt[p]!) p = i;
    const now = this.freeAt[p]!;
    if (now === Infinity) return null;
    const ended = this.inFlight[p]!;
    this.inFlight[p] = null;
    return { producer: p, now, ended };
  }

  /** `producer` starts a call that ends at `endsAt`. */
  start(producer: number, endsAt: number, call: C): void {
    this.freeAt[producer] = endsAt;
    this.inFlight[producer] = call;
  }

  /** `producer` makes no more calls. */
  retire(producer: number): void {
    this.freeAt[producer] = Infinity;
  }
}

/**
 * A deterministic event-driven run of a producer pool against modelled targets: every producer
 * calls back-to-back, results reach the engine and the router when each call ends, and the
 * optimisation loop runs on a fixed period. For tests and the routing benchmark.
 */
export function simulateRouting(input: SimulationInput): SimulationResult {
  const { router, models, producers, durationMs, rng } = input;
  const start = input.start ?? 0;
  const every = input.updateEveryMs ?? 5_000;
  const byTarget = new Map(models.map((m) => [m.target, m]));
  const engine = new StatsEngine();
  const calls: CallObservation[] = [];
  const startedAt: { target: string; at: number }[] = [];
  const updates: { at: number; update: RouterUpdate }[] = [];
  const pool = new ProducerPool<CallObservation>(producers, start);
  let nextUpdate = start + every;

  for (let step = pool.next(); step && step.now < start + durationMs; step = pool.next()) {
    const { producer: p, now, ended: done } = step;
    while (nextUpdate <= now) {
      updates.push({ at: nextUpdate, update: router.update(engine.snapshot(nextUpdate), nextUpdate) });
      nextUpdate += every;
    }
    if (done) {
      engine.add(done);
      router.observe(done);
      calls.push(done);
    }
    const target = router.pick(p, now);
    const model = byTarget.get(target);
    if (!model) throw new Error(`router picked unknown target ${target}`);
    const callStart = now + Math.min(router.waitMs(target, now), durationMs);
    const t = callStart - start;
    startedAt.push({ target, at: t });
    const failed = rng() < valueAt(model.errorRate ?? 0, t);
    const latencyMs = failed ? (model.errorLatencyMs ?? 200) : Math.max(1, valueAt(model.latencyMs, t) * (0.8 + 0.4 * rng()));
    const itemsNew = failed ? 0 : poisson(Math.max(0, valueAt(model.yieldPerCall, t)), rng);
    const dups = failed ? 0 : poisson(3, rng);
    const obs: CallObservation = {
      at: callStart + latencyMs,
      producer: `p${p + 1}`,
      target,
      promptTokens: failed ? 0 : 500,
      completionTokens: failed ? 0 : 10 * (itemsNew + dups),
      costUsd: failed ? 0 : model.costPerCallUsd,
      latencyMs,
      itemsParsed: itemsNew + dups,
      itemsNew,
      dupExact: dups,
      dupNear: 0,
      junk: 0,
      ...(failed ? { error: model.errorKind ?? "server" } : {}),
    };
    pool.start(p, obs.at, obs);
  }

  return {
    calls,
    updates,
    engine,
    shares(from, to) {
      const counts: Record<string, number> = Object.fromEntries(models.map((m) => [m.target, 0]));
      let total = 0;
      for (const s of startedAt) {
        if (s.at >= from && s.at < to) {
          counts[s.target] = (counts[s.target] ?? 0) + 1;
          total++;
        }
      }
      return Object.fromEntries(Object.entries(counts).map(([t, c]) => [t, total > 0 ? c / total : 0]));
    },
  };
}

/** Poisson draw: Knuth's method for small means, a rounded normal above 30. */
export function poisson(mean: number, rng: Rng): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const u = Math.max(rng(), Number.MIN_VALUE);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let prod = rng();
  while (prod > limit) {
    k++;
    prod *= rng();
  }
  return k;
}
