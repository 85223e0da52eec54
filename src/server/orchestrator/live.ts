import type { RunMode } from "../../lib/run-modes";
import type { ActiveRun, NewestEntry } from "./active-run";
import type { OptimizerSnapshot } from "../../lib/routing/optimizer";
import { emptyTallySnapshot, type TallySnapshot } from "./metrics";
import { producerNames } from "./open-run";
import type { ProducerInFlight, ProducerMessage } from "./producer-api";
import type { ProducerHealth } from "./supervisor";
import type { BranchView } from "./branch-view";

export type ProducerView = TallySnapshot & {
  target: string | null;
  health: ProducerHealth | null;
  message: ProducerMessage | null;
  /** LLM calls open now, as its latest submission said; null before it said. */
  callsInFlight: number | null;
};

/** What `metrics.live` pushes and `topic.status` returns. Plain JSON. */
export type LiveSnapshot = {
  at: number;
  state: "idle" | RunMode;
  /** startedAt, elapsedMs: this stretch; firstStartedAt, activeMs: the whole run, over its stretches. */
  run: {
    id: string;
    topic: string;
    slug: string;
    startedAt: number;
    elapsedMs: number;
    firstStartedAt: number;
    activeMs: number;
    producers: number;
    strategy: string;
  } | null;
  totals: TallySnapshot;
  producers: ProducerView[];
  /** callsInFlight: the producers' calls open now to this model (their latest submissions). */
  targets: Array<TallySnapshot & { simulated: boolean; callsInFlight: number }>;
  newest: Array<NewestEntry & { support: { calls: number; producers: number; models: number } }>;
  lastSeq: number;
  /** Routing weights, traffic shares, coverage estimate, decision effectiveness. */
  routing: OptimizerSnapshot | null;
  /** Tree runs: every branch (label, entries, yield, state, coverage) and the tree's whole-topic coverage. */
  tree: TreeSnapshot | null;
};

export type TreeSnapshot = { branches: BranchView[]; coverage: { found: number; estimatedTotal: number; coverage: number } };

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
  return {
    at: now,
    state: run.mode,
    run: {
      id: run.id,
      topic: run.config.topic,
      slug: run.slug,
      startedAt: run.startedAt,
      elapsedMs: now - run.startedAt,
      ...run.history(now),
      producers: run.config.producers,
      strategy: run.config.strategy,
    },
    // The committed count is the run's total (the history shows the same number); entries
    // classified but not yet committed must not make "last minute" exceed it.
    totals: {
      ...m.overall,
      unique: run.totalUnique,
      uniqueLastMinute: Math.min(run.optimizer.uniqueLastMinute(now), run.totalUnique),
      candidates: run.totalCandidates,
      candidatesLastMinute: Math.min(m.overall.candidatesLastMinute, run.totalCandidates),
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

const treeCache = new WeakMap<ActiveRun, { at: number; branches: TreeSnapshot["branches"]; unseen: number }>();

function treeSnapshot(run: ActiveRun, now: number): TreeSnapshot | null {
  if (!run.tree) return null;
  let cached = treeCache.get(run);
  if (!cached || now - cached.at >= 500) {
    const c = run.tree.overallCoverage(run.totalUnique);
    cached = { at: now, branches: run.tree.branches(), unseen: c.estimatedTotal - c.found };
    treeCache.set(run, cached);
  }
  // The branches and the estimate of unseen entries may be 500 ms old; what was found is always
  // the run's current total, as in the snapshot's totals.
  const found = run.totalUnique;
  const estimatedTotal = found + cached.unseen;
  return { branches: cached.branches, coverage: { found, estimatedTotal, coverage: estimatedTotal > 0 ? found / estimatedTotal : 0 } };
}

const routingCache = new WeakMap<ActiveRun, { at: number; value: OptimizerSnapshot }>();

/** The optimiser's figures change slowly; live snapshots can go out 50 times a second. */
function routingSnapshot(run: ActiveRun, now: number): OptimizerSnapshot {
  const cached = routingCache.get(run);
  if (cached && now - cached.at < 500) return cached.value;
  const value = run.optimizer.snapshot(now);
  routingCache.set(run, { at: now, value });
  return value;
}
