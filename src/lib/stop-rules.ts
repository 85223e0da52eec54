import type { CoverageEstimate } from "./coverage";

/**
 * A run's stop rules, all in this module. Pure.
 * - `stopReason`: evaluated once per tick by the orchestrator's ticker; the user's limits
 *   (entries, budget, time) first, then the optimiser's verdict.
 * - `StopMonitor`: the verdict's rules (coverage reached, yield too low for too long, new
 *   entries per dollar far below the run's early yield), which the optimiser feeds with the
 *   estimates it maintains and every finished call.
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
  /** Stop when new entries per dollar fall this low; see `MarginalYield`. Default: off. */
  marginal?: MarginalYieldOptions;
};

export type MarginalYieldOptions = {
  /** Calls whose yield sets the run's own reference ("early yield"). Default 30. */
  earlyCalls: number;
  /** Most recent calls judged against it. Default 60. */
  recentCalls: number;
  /** Stop once the recent yield per dollar is below this share of the early one. Default 0.02. */
  floorShare: number;
  /**
   * The floor once most of the run's recently verified new entries are rejections (it is
   * inventing). Default 0.1: the run then pays ten times its early price per real entry, and each
   * invention it adds costs one or two verification opinions, which the side-call budget cannot
   * keep up with.
   */
  verifiedFloorShare?: number;
};

export const DEFAULT_MARGINAL_YIELD: Readonly<MarginalYieldOptions> = { earlyCalls: 30, recentCalls: 60, floorShare: 0.02, verifiedFloorShare: 0.1 };

/**
 * New entries per dollar (per call when calls cost nothing: an unpriced local model) over the
 * last calls, against the run's own first calls. Fast calls keep the entries per minute high
 * while each call finds almost nothing (issue 18: 3,877 calls in 86 s for 423 entries); with a
 * paid API that is money spent for nothing, so the verdict is per dollar, not per minute.
 */
/** Recent verification verdicts that set the share of new entries counted as real. */
export const VERDICT_WINDOW = 200;
/** Verdicts before they discount the yield. */
export const MIN_VERDICTS = 30;
/** Below this share of non-rejected recent verdicts, the run is inventing: the stricter floor applies. */
const INVENTING_SHARE = 0.5;

export class MarginalYield {
  private early = { calls: 0, fresh: 0, costUsd: 0 };
  private readonly recent: Array<{ fresh: number; costUsd: number }> = [];
  /** Recent verdicts, true for a rejection (ring of VERDICT_WINDOW). */
  private readonly verdicts: boolean[] = [];
  private rejectedInWindow = 0;

  constructor(private readonly o: MarginalYieldOptions = DEFAULT_MARGINAL_YIELD) {}

  /**
   * One verification verdict. Once models have exhausted a topic, every invention looks like a
   * new entry, so the raw yield never falls; the recent verdicts' share of non-rejected entries
   * discounts the recent calls' new entries to those likely real (without verification: all).
   */
  observeVerdict(rejected: boolean): void {
    this.verdicts.push(rejected);
    if (rejected) this.rejectedInWindow++;
    if (this.verdicts.length > VERDICT_WINDOW && this.verdicts.shift()) this.rejectedInWindow--;
  }

  /** Share of recent new entries counted as real: 1 until MIN_VERDICTS verdicts. */
  get realShare(): number {
    return this.verdicts.length < MIN_VERDICTS ? 1 : 1 - this.rejectedInWindow / this.verdicts.length;
  }

  /** One finished, successful call. */
  observe(fresh: number, costUsd: number): void {
    if (this.early.calls < this.o.earlyCalls) {
      this.early = { calls: this.early.calls + 1, fresh: this.early.fresh + fresh, costUsd: this.early.costUsd + costUsd };
      return;
    }
    this.recent.push({ fresh, costUsd });
    if (this.recent.length > this.o.recentCalls) this.recent.shift();
  }

  /** Why to stop (the figures), or null while the recent calls still pay or are too few to judge. */
  verdict(): string | null {
    if (this.early.calls < this.o.earlyCalls || this.recent.length < this.o.recentCalls || this.early.fresh === 0) return null;
    const share = this.realShare;
    const fresh = share * this.recent.reduce((n, c) => n + c.fresh, 0);
    const cost = this.recent.reduce((n, c) => n + c.costUsd, 0);
    const perDollar = this.early.costUsd > 0 && cost > 0;
    const earlyRate = perDollar ? this.early.fresh / this.early.costUsd : this.early.fresh / this.early.calls;
    const rate = perDollar ? fresh / cost : fresh / this.recent.length;
    // Most of what the run adds is rejected: its models are inventing, and every invention also costs checks.
    const floor = share < INVENTING_SHARE ? (this.o.verifiedFloorShare ?? this.o.floorShare) : this.o.floorShare;
    if (rate >= floor * earlyRate) return null;
    const unit = perDollar ? "per dollar" : "per call";
    const real = share < 1 ? ` (counting the ${Math.round(share * 100)}% that verification did not reject)` : "";
    return `new entries ${unit} (an answer that repeats its prompt's list counts at its trust) fell to ${rate.toFixed(2)} over the last ${this.recent.length} calls${real}, under ${Math.round(floor * 100)}% of the run's first ${this.early.calls} calls (${earlyRate.toFixed(2)} ${unit})`;
  }
}

export type StopDecision = { stop: false } | { stop: true; reason: "coverage" | "low_yield" | "marginal_cost"; message: string };

/**
 * Decides when a run has found enough. Feed it every optimisation tick with the current coverage
 * estimate and the short-window yield; it remembers since when the yield has been low.
 */
export class StopMonitor {
  private lowSince: number | null = null;
  private readonly marginal: MarginalYield | null;

  constructor(private readonly config: StopConfig) {
    this.marginal = config.marginal ? new MarginalYield(config.marginal) : null;
    const target = config.stopAtCoverage;
    if (target !== undefined && !(target > 0 && target <= 1)) throw new Error(`stopAtCoverage must be in (0, 1], got ${target}`);
  }

  /** One finished, successful call: what it found (new entries at their answer's trust, answer-trust.ts) and cost (the marginal-cost rule's evidence). */
  observeCall(fresh: number, costUsd: number): void {
    this.marginal?.observe(fresh, costUsd);
  }

  /** One verification verdict: the marginal-cost rule counts only the new entries likely real. */
  observeVerdict(rejected: boolean): void {
    this.marginal?.observeVerdict(rejected);
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
    const marginal = this.marginal?.verdict();
    if (marginal) return { stop: true, reason: "marginal_cost", message: marginal };
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
