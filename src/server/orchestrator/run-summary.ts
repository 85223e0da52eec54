import { activeMs, firstStartedAt, parseStretches, type Stretch } from "../../lib/stretches";
import type { LiveSnapshot } from "./live";
import type { listRuns } from "./repo";

type StoredRun = Awaited<ReturnType<typeof listRuns>>[number];
type CallSums = { calls: number; promptTokens: number; completionTokens: number; costUsd: number };

/** One run of the history (topic.list, the CLI's `list`): whole-run figures, over every stretch. */
export type RunSummary = {
  id: string;
  topic: string;
  slug: string;
  state: string;
  active: boolean;
  createdAt: number;
  /** The latest stretch's start and stop. */
  startedAt: number | null;
  stoppedAt: number | null;
  stopReason: string | null;
  /** The first start, and the time spent running over all stretches. */
  firstStartedAt: number | null;
  activeMs: number;
  stretches: Stretch[];
  totalUnique: number;
  totalCandidates: number;
  totalDupExact: number;
  totalDupNear: number;
  totalJunk: number;
  calls: number;
  tokens: number;
  costUsd: number;
};

/**
 * A stored run's summary; the active run's figures come from the live snapshot, the same
 * numbers as topic.status (they are whole-run totals there too, seeded from the database).
 */
export function summariseRun(r: StoredRun, calls: CallSums | undefined, live: LiveSnapshot, now: number): RunSummary {
  const stretches = parseStretches(r.stretches);
  const stored: RunSummary = {
    id: r.id,
    topic: r.topic,
    slug: r.slug,
    state: r.state,
    active: false,
    createdAt: r.createdAt.getTime(),
    startedAt: r.startedAt?.getTime() ?? null,
    stoppedAt: r.stoppedAt?.getTime() ?? null,
    stopReason: r.stopReason,
    firstStartedAt: firstStartedAt(stretches),
    // An open stretch of a run no server holds (its server died) claims no time.
    activeMs: activeMs(
      stretches.filter((s) => s.stoppedAt !== null),
      now,
    ),
    stretches,
    totalUnique: r.totalUnique,
    totalCandidates: r.totalCandidates,
    totalDupExact: r.totalDupExact,
    totalDupNear: r.totalDupNear,
    totalJunk: r.totalJunk,
    calls: calls?.calls ?? 0,
    tokens: (calls?.promptTokens ?? 0) + (calls?.completionTokens ?? 0),
    costUsd: calls?.costUsd ?? 0,
  };
  if (live.run?.id !== r.id) return stored;
  const t = live.totals;
  return {
    ...stored,
    active: true,
    state: live.state,
    firstStartedAt: live.run.firstStartedAt,
    activeMs: live.run.activeMs,
    totalUnique: t.unique,
    totalCandidates: t.candidates,
    totalDupExact: t.dupExact,
    totalDupNear: t.dupNear,
    totalJunk: t.junk,
    calls: t.calls,
    tokens: t.promptTokens + t.completionTokens,
    costUsd: t.costUsd,
  };
}
