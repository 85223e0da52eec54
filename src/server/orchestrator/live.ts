import type { RunMode } from "../../lib/run-modes";
import type { ActiveRun, NewestEntry } from "./active-run";
import type { OptimizerSnapshot } from "../../lib/routing/optimizer";
import { emptyTallySnapshot, type TallySnapshot } from "./metrics";
import { producerNames } from "./open-run";
import type { ProducerInFlight, ProducerMessage } from "./producer-api";
import type { ProducerHealth } from "./supervisor";
import type { BranchView } from "./branch-view";
import type { RunView } from "../../lib/run-view";
import { liveRunView } from "./run-view";

export type ProducerView = TallySnapshot & {
  target: string | null;
  health: ProducerHealth | null;
  message: ProducerMessage | null;
  /** LLM calls open now, as its latest submission said; null before it said. */
  callsInFlight: number | null;
};

/** The optimiser's figures in the snapshot; coverage is the run view's (one estimate, src/lib/run-view.ts). */
export type RoutingView = Omit<OptimizerSnapshot, "coverage">;

/**
 * What `metrics.live` pushes and `topic.status` returns. Plain JSON. `run` is the run's view,
 * the same shape and figures as its row in topic.list; the rest is what only a live run has.
 */
export type LiveSnapshot = {
  at: number;
  state: "idle" | RunMode;
  run: RunView | null;
  /**
   * The run's counters (run.totals, the same numbers) with the live tally's windows and
   * errors: the "all" row of the per-LLM tables.
   */
  totals: TallySnapshot;
  producers: ProducerView[];
  /** callsInFlight: the producers' calls open now to this model (their latest submissions). */
  targets: Array<TallySnapshot & { simulated: boolean; callsInFlight: number }>;
  newest: Array<NewestEntry & { support: { calls: number; producers: number; models: number } }>;
  lastSeq: number;
  /** Routing weights, traffic shares, decision effectiveness. */
  routing: RoutingView | null;
  /** Tree runs: every branch (label, entries, yield, state, coverage); the whole topic's coverage is run.coverage. */
  tree: TreeSnapshot | null;
};

export type TreeSnapshot = { branches: BranchView[] };

const EMPTY_TALLY: TallySnapshot = emptyTallySnapshot("all");

export function buildSnapshot(
  run: ActiveRun | undefined,
  health: readonly ProducerHealth[],
  messages: ReadonlyMap<string, ProducerMessage>,
  now: number,
  inFlight: ReadonlyMap<string, ProducerInFlight> = new Map(),
): LiveSnapshot {
  if (!run) {
    return { at: now, state: "idle", run: null, totals: EMPTY_TALLY, producers: [], targets: [], newest: [], lastSeq: 0, routing: null, tree: null };
  }
  const m = run.metrics.snapshot(now);
  const byProducer = new Map(m.producers.map((p) => [p.key, p]));
  const names = new Set([...producerNames(run.config), ...byProducer.keys()]);
  const producers: ProducerView[] = [...names].map((key) => ({
    ...(byProducer.get(key) ?? emptyTallySnapshot(key)),
    target: null,
    health: health.find((h) => h.producer === key) ?? null,
    message: messages.get(key) ?? null,
    callsInFlight: inFlight.get(key)?.calls ?? null,
  }));
  const inFlightByTarget = new Map<string, number>();
  for (const key of names) {
    const f = inFlight.get(key);
    if (f) inFlightByTarget.set(f.target, (inFlightByTarget.get(f.target) ?? 0) + f.calls);
  }
  const view = liveRunView(run, now);
  const c = view.totals;
  return {
    at: now,
    state: run.mode,
    run: view,
    // Entries classified but not yet committed must not make "last minute" exceed the total.
    totals: {
      ...m.overall,
      unique: c.unique,
      uniqueLastMinute: Math.min(run.optimizer.uniqueLastMinute(now), c.unique),
      candidates: c.candidates,
      candidatesLastMinute: Math.min(m.overall.candidatesLastMinute, c.candidates),
      dupExact: c.dupExact,
      dupNear: c.dupNear,
      junk: c.junk,
      calls: c.calls,
      promptTokens: c.promptTokens,
      completionTokens: c.completionTokens,
      costUsd: c.costUsd,
    },
    producers,
    targets: m.targets.map((t) => ({ ...t, simulated: t.key.startsWith("sim:"), callsInFlight: inFlightByTarget.get(t.key) ?? 0 })),
    newest: run.newest
      .slice(-20)
      .reverse()
      .map((n) => {
        const s = run.support.get(n.text);
        return { ...n, support: { calls: s?.calls ?? 1, producers: s?.producers ?? 1, models: s?.models ?? 1 } };
      }),
    lastSeq: run.totalUnique,
    routing: routingSnapshot(run, now),
    tree: treeSnapshot(run, now),
  };
}

const treeCache = new WeakMap<ActiveRun, { at: number; value: TreeSnapshot }>();

function treeSnapshot(run: ActiveRun, now: number): TreeSnapshot | null {
  if (!run.tree) return null;
  const cached = treeCache.get(run);
  if (cached && now - cached.at < 500) return cached.value;
  const value = { branches: run.tree.branches() };
  treeCache.set(run, { at: now, value });
  return value;
}

const routingCache = new WeakMap<ActiveRun, { at: number; value: RoutingView }>();

/** The optimiser's figures change slowly; live snapshots can go out 50 times a second. */
function routingSnapshot(run: ActiveRun, now: number): RoutingView {
  const cached = routingCache.get(run);
  if (cached && now - cached.at < 500) return cached.value;
  const { coverage: _fit, ...value } = run.optimizer.snapshot(now);
  routingCache.set(run, { at: now, value });
  return value;
}
