import { activeMs, firstStartedAt, type Stretch } from "./stretches";

/**
 * One view of a run, live or stored: what topic.status, topic.list, the CLI and the page show.
 * It is built by `runView` from one set of whole-run counters (`RunCounters`), whichever side
 * holds them now: the active run in memory (its counters were seeded from the database when it
 * opened and carried on), or the database for a run no server holds. Whether the run is live
 * changes only `active` (and which controls the page shows), never the shape or the meaning.
 */

/** Whole-run figures over every stretch; the names match the live tallies'. */
export type RunCounters = {
  unique: number;
  candidates: number;
  dupExact: number;
  dupNear: number;
  junk: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
};

/** The latest coverage estimate as its estimator left it: the total it estimated, and what had been found then. */
export type CoverageFit = {
  observed: number;
  estimatedTotal: number;
  low?: number | null;
  high?: number | null;
  method?: string | null;
};

/** Coverage now: what has been found of an estimated total that is never below it. */
export type CoverageNow = {
  found: number;
  estimatedTotal: number;
  /** found / estimatedTotal, 0..1. */
  coverage: number;
  /** The band on the total (high null: unbounded); null without one. */
  low: number | null;
  high: number | null;
  method: string | null;
  /** Entries found when the estimate was last fitted (it is refitted every ~30 s). */
  fittedOn: number;
};

export type RunView = {
  id: string;
  topic: string;
  slug: string;
  state: string;
  /** Held by this server now (producing, starting or stopping). */
  active: boolean;
  /** The latest stretch's start and stop. */
  startedAt: number | null;
  stoppedAt: number | null;
  stopReason: string | null;
  /** The first start, and the time spent running over every stretch. */
  firstStartedAt: number | null;
  activeMs: number;
  stretches: Stretch[];
  totals: RunCounters & { tokens: number };
  coverage: CoverageNow | null;
};

export type RunIdentity = Pick<RunView, "id" | "topic" | "slug" | "state" | "startedAt" | "stoppedAt" | "stopReason">;

/**
 * The one builder of a RunView. An open stretch counts up to `now` while the run is active; a
 * stored run's open stretch (its server died) claims no time.
 */
export function runView(p: {
  identity: RunIdentity;
  active: boolean;
  stretches: Stretch[];
  counters: RunCounters;
  coverage: CoverageFit | null;
  now: number;
}): RunView {
  const counted = p.active ? p.stretches : p.stretches.filter((s) => s.stoppedAt !== null);
  return {
    ...p.identity,
    active: p.active,
    firstStartedAt: firstStartedAt(p.stretches),
    activeMs: activeMs(counted, p.now),
    stretches: p.stretches,
    totals: { ...p.counters, tokens: p.counters.promptTokens + p.counters.completionTokens },
    coverage: p.coverage ? coverageNow(p.coverage, p.counters.unique) : null,
  };
}

/**
 * The one coverage estimate: the unseen entries the latest fit estimated, added to what has been
 * found now. Estimates are refitted every ~30 s; between fits the run keeps finding entries, and
 * "fitted total / found now" would read 101 %, or fall after a resume. The total is never below
 * what has been found.
 */
export function coverageNow(fit: CoverageFit, found: number): CoverageNow {
  const unseen = Math.max(0, fit.estimatedTotal - fit.observed);
  const estimatedTotal = Math.round(found + unseen);
  const shift = found - fit.observed;
  const low = fit.low === null || fit.low === undefined ? null : Math.max(found, Math.round(fit.low + shift));
  const high = fit.high === null || fit.high === undefined || !Number.isFinite(fit.high) ? null : Math.max(estimatedTotal, Math.round(fit.high + shift));
  return {
    found,
    estimatedTotal,
    coverage: estimatedTotal > 0 ? found / estimatedTotal : 0,
    low,
    high,
    method: fit.method ?? null,
    fittedOn: fit.observed,
  };
}

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** The coverage figures as every surface prints them: "83%" and "1,812". */
export function coverageFigures(c: Pick<CoverageNow, "coverage" | "estimatedTotal">): { percent: string; estimatedTotal: string } {
  const clamped = Math.min(1, Math.max(0, c.coverage));
  // "0%" would read as "nothing found" when it is only below half a percent.
  const percent = clamped > 0 && clamped < 0.005 ? "under 1%" : `${Math.round(clamped * 100)}%`;
  return { percent, estimatedTotal: int.format(c.estimatedTotal) };
}

/** "83% of an estimated 1,812": the tree header and the CLI; the banner says the same in its own words. */
export function coverageText(c: Pick<CoverageNow, "coverage" | "estimatedTotal">): string {
  const f = coverageFigures(c);
  return `${f.percent} of an estimated ${f.estimatedTotal}`;
}
