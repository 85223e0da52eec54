import { estimateCoverage, ReproposalCounter, YieldCurve, type CoverageEstimate } from "../coverage";
import { StopMonitor } from "../stop-rules";
import { errorMessage } from "../errors";
import { SlidingCounter } from "../sliding-window";
import { targetLabel, type ProviderId } from "../providers";
import type { RunConfig, StrategyName } from "../run-config";
import { StatsEngine, type CallObservation } from "../stats";
import { round, unseededRng } from "../stats/math";
import { brief, figures, producerIndex, type TargetFigures } from "./optimizer-figures";
import {
  DEFAULT_OPTIMIZER_OPTIONS,
  type DecisionScoreReport,
  type OptimizerDeps,
  type OptimizerEvent,
  type OptimizerOptions,
  type TickResult,
} from "./optimizer-options";
import { answerTrust } from "../trust/answer-trust";
import { RecentPrecision } from "../trust/recent-precision";
import { discountNewEntries } from "./precision-discount";
import { createRouter, NoUsableTargetError, type Router } from "./router";
import { scoreAgainstCounterfactual, scoreDecision } from "./score";

export type { CallObservation, TargetFigures };
export { callObservation } from "./optimizer-figures";

/**
 * Windows of the routing evidence. A 15 s ring ahead of the usual 1/5/15 min: with several fast
 * producers a model's knowledge can run dry within a minute, and evidence that only resolves
 * whole minutes would keep crediting it with the yield it had before.
 */
const ROUTING_WINDOWS_MS = [15_000, 60_000, 300_000, 900_000];
/** Half-life of the routing evidence: yields fall as a model's knowledge is used up, so recent calls count most. */
const EVIDENCE_HALF_LIFE_MS = 30_000;
/** Verdicts per target behind its precision (entries it proposed first). */
const TARGET_PRECISION_WINDOW = 40;
/** Calls per target behind the trust of its answers. */
const TARGET_TRUST_CALLS = 12;
/** A successful call in the last minute is what makes a low count a verdict on the topic (see checkStop). */
const YIELD_WINDOW_MS = 60_000;

/** The optimiser's part of the live snapshot: compact plain JSON (it goes over SSE every second). */
export type OptimizerSnapshot = {
  strategy: StrategyName;
  /** Traffic weights the router applies now, per "provider:model". */
  weights: Record<string, number>;
  /** Actual share of calls per target over `statsWindowMs`. */
  shares: Record<string, number>;
  coverage: { observed: number; estimatedTotal: number; low: number; high: number | null; coverage: number; method: string } | null;
  effectiveness: { decisions: number; scored: number; improved: number; rate: number | null };
  lastDecision: { at: number; message: string } | null;
  /** Per-target figures over `statsWindowMs`. */
  stats: Record<string, TargetFigures>;
};

type Decision = {
  id: number;
  at: number;
  event: OptimizerEvent;
  /** Resolves to the Event row id, or null without persistence or when the insert failed. */
  dbId: Promise<bigint | null>;
};

/**
 * The routing loop of one active run: picks each producer's next target, re-weights from the
 * sliding-window statistics, logs and later scores every decision that changed the weights,
 * estimates coverage from re-proposals, and says when the run should stop. Reads no clock of
 * its own beyond `deps.clock` and does no I/O beyond `deps.persist`.
 */
export class Optimizer {
  readonly strategy: StrategyName;
  private readonly opts: OptimizerOptions;
  private readonly stats: StatsEngine;
  private readonly router: Router;
  private readonly targets: string[];
  private readonly byKey = new Map<string, { provider: ProviderId; model: string }>();
  /** Each producer's target for its current call; a new one is picked once that call is reported. */
  private readonly current = new Map<string, string>();
  private readonly due = new Set<string>();
  private readonly counter = new ReproposalCounter();
  /**
   * Entries accepted in the last minute, counted when committed: the one "unique per minute" of
   * the run, shown live (live.ts) and judged by the low-yield stop, so the screen and the stop
   * agree; a count, so it never exceeds the total.
   */
  private readonly accepted = new SlidingCounter(60);
  private readonly curve = new YieldCurve();
  private readonly stopMonitor: StopMonitor;
  /** Verdicts per proposing target: the router counts a target's new entries times its precision. */
  private readonly precision = new RecentPrecision(TARGET_PRECISION_WINDOW, 2);
  /** And times the trust of its recent answers (an answer repeating its list has run out: answer-trust.ts). */
  private readonly answers = new RecentPrecision(TARGET_TRUST_CALLS, 0);
  private readonly pending: Decision[] = [];
  private coverage: CoverageEstimate | null = null;
  private coverageSamples = -1;
  private coverageAt = -Infinity;
  private lastRunAt: number;
  private nextDecisionId = 1;
  private decisions = 0;
  private scored = 0;
  private improved = 0;
  private lastDecision: { at: number; message: string } | null = null;
  private stopped = false;
  private fatal: string | null = null;
  private counterBroken = false;
  private cached: { at: number; snapshot: OptimizerSnapshot } | null = null;

  constructor(
    private readonly config: RunConfig,
    private readonly deps: OptimizerDeps,
  ) {
    this.opts = { ...DEFAULT_OPTIMIZER_OPTIONS, ...deps.options };
    this.strategy = config.strategy;
    // The same model listed twice is one target with the summed weight.
    const weights = new Map<string, number>();
    for (const p of config.providers) {
      const key = targetLabel(p);
      this.byKey.set(key, { provider: p.provider, model: p.model });
      weights.set(key, (weights.get(key) ?? 0) + (p.weight ?? 1));
    }
    this.targets = [...weights.keys()];
    this.stats = new StatsEngine({ windowsMs: ROUTING_WINDOWS_MS, retainMs: Math.max(1_800_000, 3 * this.opts.scoreWindowMs, this.opts.statsWindowMs) });
    this.router = createRouter(
      {
        strategy: config.strategy,
        targets: this.targets.map((target) => ({ target, weight: weights.get(target) })),
        adaptive: { objective: this.opts.objective, halfLifeMs: EVIDENCE_HALF_LIFE_MS },
      },
      deps.rng ?? unseededRng(),
    );
    const coverage = config.stop.coveragePercent;
    this.stopMonitor = new StopMonitor({
      ...(coverage !== undefined ? { stopAtCoverage: coverage / 100 } : {}),
      ...(this.opts.lowYield ? { minUniquePerMinute: this.opts.lowYield.minUniquePerMinute, lowYieldWindowMs: this.opts.lowYield.windowMs } : {}),
      ...(this.opts.marginalYield ? { marginal: this.opts.marginalYield } : {}),
    });
    this.lastRunAt = deps.clock();
  }

  /**
   * The provider/model of `producer`'s next call. Sticky for the duration of a call: the
   * orchestrator asks on every sync and submit answer, but only the first ask after
   * `observeCall` for that producer picks anew, so the router sees one pick per call.
   */
  targetFor(producer: string, now = this.deps.clock()): { provider: ProviderId; model: string } {
    let target = this.current.get(producer);
    // A target disabled for the run (auth, missing key) is dropped at once, mid-call or not.
    if (target === undefined || this.due.has(producer) || this.router.waitMs(target, now) === Infinity) {
      try {
        target = this.router.pick(producerIndex(producer), now);
      } catch (err) {
        if (!(err instanceof NoUsableTargetError)) throw err;
        this.fatal ??= err.message;
        target ??= this.targets[0]!;
      }
      this.current.set(producer, target);
      this.due.delete(producer);
    }
    const t = this.byKey.get(target)!;
    return { provider: t.provider, model: t.model };
  }

  /** A verification verdict on one of the run's entries (the marginal-yield stop discounts inventions). */
  observeVerdict(rejected: boolean): void {
    this.stopMonitor.observeVerdict(rejected);
  }

  /** A verdict on an entry `target` ("provider:model") proposed first: its routing yield counts only what is kept. */
  observeProposerVerdict(target: string, kept: boolean): void {
    this.precision.record(target, kept);
  }

  /** Once per finished call (failed ones included). */
  observeCall(obs: CallObservation): void {
    this.stats.add(obs);
    this.router.observe(obs);
    // Candidates usually arrive before their call's report, so the count already includes its new entries.
    if (!obs.error) this.curve.add(obs.target, Math.max(0, this.counter.observed - obs.itemsNew), obs.itemsNew, obs.itemsNew + obs.dupExact + obs.dupNear);
    if (!obs.error) {
      const trust = answerTrust(obs.itemsParsed, obs.itemsShown);
      this.answers.add(obs.target, obs.itemsNew, obs.itemsNew * trust);
      // The marginal-cost stop counts what an answer that ran out adds at its trust: inventions do not keep a run going.
      this.stopMonitor.observeCall(obs.itemsNew * trust, obs.costUsd);
    }
    this.due.add(obs.producer);
  }

  /**
   * Once per candidate, for the coverage estimate. `prevProposals`: for a duplicate of an
   * entry, how often that entry had been proposed before this candidate (omit when unknown).
   */
  observeCandidate(outcome: "unique" | "dupExact" | "dupNear" | "junk", prevProposals?: number, now = this.deps.clock()): void {
    if (outcome === "unique") {
      this.counter.onNew();
      this.accepted.add(now);
    } else if (outcome !== "junk" && prevProposals !== undefined) {
      try {
        this.counter.onRepeat(prevProposals);
      } catch (err) {
        // Counts out of step with the caller's (e.g. a partial seed): skip it, say so once.
        if (!this.counterBroken) this.deps.log("warn", `coverage counter: ${errorMessage(err)}`);
        this.counterBroken = true;
      }
    }
  }

  /** On resume: how often each already accepted entry had been proposed (1 = once). */
  seed(proposalCounts: readonly number[]): void {
    for (const count of proposalCounts) {
      this.counter.onNew();
      for (let k = 1; k < count; k++) this.counter.onRepeat(k);
    }
  }

  /** Call every second; it re-weights, scores, estimates and checks the stop conditions every `intervalMs`. Never throws. */
  tick(now = this.deps.clock()): TickResult {
    const result: TickResult = { events: [], scores: [] };
    if (now - this.lastRunAt < this.opts.intervalMs) return result;
    this.lastRunAt = now;
    try {
      result.scores = this.scoreDue(now);
      const event = this.decide(now);
      if (event) result.events.push(event);
      const stop = this.checkStop(now);
      if (stop && !this.stopped) {
        this.stopped = true;
        result.stopReason = stop;
      }
      this.cached = null;
    } catch (err) {
      this.deps.log("error", `optimiser tick: ${errorMessage(err)}`);
    }
    return result;
  }

  snapshot(now = this.deps.clock()): OptimizerSnapshot {
    // The SSE stream may ask several times a second.
    if (this.cached && Math.abs(now - this.cached.at) < 1_000) return this.cached.snapshot;
    const from = now - this.opts.statsWindowMs;
    const overall = this.stats.between(from, now);
    const shares: Record<string, number> = {};
    const stats: Record<string, TargetFigures> = {};
    for (const t of this.targets) {
      const s = this.stats.between(from, now, { target: t });
      shares[t] = overall.calls > 0 ? round(s.calls / overall.calls, 3) : 0;
      stats[t] = figures(s);
    }
    const c = this.coverage;
    const snapshot: OptimizerSnapshot = {
      strategy: this.strategy,
      weights: this.router.weights(),
      shares,
      coverage:
        c && c.observed > 0
          ? {
              observed: c.observed,
              estimatedTotal: Math.round(c.estimatedTotal),
              low: Math.round(c.low),
              high: Number.isFinite(c.high) ? Math.round(c.high) : null,
              coverage: round(c.coverage, 3),
              method: c.method,
            }
          : null,
      effectiveness: {
        decisions: this.decisions,
        scored: this.scored,
        improved: this.improved,
        rate: this.scored > 0 ? round(this.improved / this.scored, 3) : null,
      },
      lastDecision: this.lastDecision,
      stats,
    };
    this.cached = { at: now, snapshot };
    return snapshot;
  }

  /** Entries accepted in the last minute (the live "unique per minute" and the low-yield stop's input). */
  uniqueLastMinute(now = this.deps.clock()): number {
    return this.accepted.sum(now);
  }

  /** The latest coverage estimate (refitted every `coverageEveryMs` when new candidates came in). */
  coverageEstimate(): CoverageEstimate | null {
    return this.coverage;
  }

  private decide(now: number): (OptimizerEvent & { decisionId: number }) | null {
    const oldWeights = this.router.weights();
    const update = this.router.update(
      discountNewEntries(this.stats.snapshot(now), (t) => this.precision.precision(t) * this.answers.precision(t)),
      now,
    );
    if (!update.changed) return null;
    const event: OptimizerEvent = {
      kind: "routing.update",
      message: update.reason,
      at: now,
      data: {
        strategy: this.strategy,
        inputs: update.inputs,
        oldWeights,
        newWeights: update.weights,
        producersPerTarget: this.router.assign(this.config.producers),
      },
    };
    const id = this.nextDecisionId++;
    this.decisions++;
    this.lastDecision = { at: now, message: update.reason };
    this.pending.push({ id, at: now, event, dbId: this.persistEvent(event) });
    return { ...event, decisionId: id };
  }

  private scoreDue(now: number): DecisionScoreReport[] {
    const w = this.opts.scoreWindowMs;
    const out: DecisionScoreReport[] = [];
    while (this.pending.length > 0 && this.pending[0]!.at + w <= now) {
      const d = this.pending.shift()!;
      // Later decisions inside the "after" window share it: the score is of the routing as it went.
      const before = this.stats.between(d.at - w, d.at);
      const after = this.stats.between(d.at, d.at + w);
      // Against the counterfactual: the old weights over the same window (score.ts), so a
      // decision is not blamed for the topic saturating on its own; without weights, the window before.
      const weights = d.event.data as { oldWeights?: Record<string, number>; newWeights?: Record<string, number> };
      const perTarget = (from: number, to: number) => Object.fromEntries(this.targets.map((t) => [t, this.stats.between(from, to, { target: t })]));
      const s =
        weights.oldWeights && weights.newWeights
          ? scoreAgainstCounterfactual(
              { oldWeights: weights.oldWeights, newWeights: weights.newWeights, after: perTarget(d.at, d.at + w), before: perTarget(d.at - w, d.at) },
              { objective: this.opts.objective },
            )
          : scoreDecision(before, after, { objective: this.opts.objective });
      if (s.sufficient) {
        this.scored++;
        if (s.improved) this.improved++;
      }
      out.push({ decisionId: d.id, score: s.score, improved: s.improved, sufficient: s.sufficient, metric: s.metric });
      const outcome = {
        score: round(s.score, 4),
        improved: s.improved,
        sufficient: s.sufficient,
        metric: s.metric,
        windowMs: w,
        before: brief(before),
        after: brief(after),
      };
      this.persistScore(d, s.score, { ...d.event.data, outcome });
    }
    return out;
  }

  private checkStop(now: number): string | null {
    if (this.fatal) return this.fatal;
    if (this.counter.samples !== this.coverageSamples && now - this.coverageAt >= this.opts.coverageEveryMs) {
      this.coverageSamples = this.counter.samples;
      this.coverageAt = now;
      this.coverage = this.deps.coverage
        ? this.deps.coverage()
        : this.counter.observed > 0
          ? estimateCoverage(this.counter.frequencies, { yieldCurve: this.curve })
          : null;
    }
    const short = this.stats.between(now - YIELD_WINDOW_MS, now);
    const decision = this.stopMonitor.check(now, {
      ...(this.coverage && this.coverage.observed >= this.opts.coverageMinEntries ? { coverage: this.coverage } : {}),
      // Failing or idle producers are not an exhausted topic: no successful call, no verdict.
      uniquePerMinute: short.okCalls > 0 ? this.uniqueLastMinute(now) : null,
    });
    return decision.stop ? decision.message : null;
  }

  private persistEvent(event: OptimizerEvent): Promise<bigint | null> {
    const persist = this.deps.persist;
    if (!persist) return Promise.resolve(null);
    return persist.addEvent(event).catch((err: unknown) => {
      this.deps.log("error", `routing event: ${errorMessage(err)}`);
      return null;
    });
  }

  private persistScore(d: Decision, score: number, data: Record<string, unknown>): void {
    const persist = this.deps.persist;
    if (!persist) return;
    void d.dbId
      .then((id) => (id === null ? undefined : persist.scoreEvent(id, score, data)))
      .catch((err: unknown) => this.deps.log("error", `scoring routing event ${d.id}: ${errorMessage(err)}`));
  }
}
