import type { CandidateOutcome } from "../../lib/entry-ledger";
import type { CallErrorKind, CallRecord } from "../../lib/protocol";
import { SlidingCounter } from "../../lib/sliding-window";

/** Counters for one producer or one provider/model. */
export type Tally = {
  unique: number;
  candidates: number;
  dupExact: number;
  dupNear: number;
  junk: number;
  calls: number;
  failedCalls: number;
  errors: Partial<Record<CallErrorKind, number>>;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMsTotal: number;
};

export type TallySnapshot = Tally & {
  key: string;
  uniqueLastMinute: number;
  candidatesLastMinute: number;
  avgLatencyMs: number | null;
  uniquePer1kTokens: number | null;
  uniquePerDollar: number | null;
};

function emptyTally(): Tally {
  return {
    unique: 0,
    candidates: 0,
    dupExact: 0,
    dupNear: 0,
    junk: 0,
    calls: 0,
    failedCalls: 0,
    errors: {},
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    latencyMsTotal: 0,
  };
}

/** The snapshot of a producer or model that has done nothing yet. */
export function emptyTallySnapshot(key: string): TallySnapshot {
  return {
    key,
    ...emptyTally(),
    uniqueLastMinute: 0,
    candidatesLastMinute: 0,
    avgLatencyMs: null,
    uniquePer1kTokens: null,
    uniquePerDollar: null,
  };
}

class Series {
  readonly tally = emptyTally();
  readonly unique = new SlidingCounter(60);
  readonly candidates = new SlidingCounter(60);

  snapshot(key: string, now: number): TallySnapshot {
    const t = this.tally;
    const tokens = t.promptTokens + t.completionTokens;
    const okCalls = t.calls - t.failedCalls;
    return {
      key,
      ...t,
      errors: { ...t.errors },
      uniqueLastMinute: this.unique.sum(now),
      candidatesLastMinute: this.candidates.sum(now),
      avgLatencyMs: okCalls > 0 ? Math.round(t.latencyMsTotal / okCalls) : null,
      uniquePer1kTokens: tokens > 0 ? (t.unique / tokens) * 1000 : null,
      uniquePerDollar: t.costUsd > 0 ? t.unique / t.costUsd : null,
    };
  }
}

export type { CandidateOutcome };

/** Run metrics overall, per producer and per provider/model ("target"). */
export class RunMetrics {
  private readonly overall = new Series();
  private readonly producers = new Map<string, Series>();
  private readonly targets = new Map<string, Series>();

  private series(map: Map<string, Series>, key: string): Series {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Series()));
    return s;
  }

  private each(producer: string, target: string, fn: (s: Series) => void): void {
    fn(this.overall);
    fn(this.series(this.producers, producer));
    fn(this.series(this.targets, target));
  }

  /** Seeds totals from the DB on resume (no per-minute history). */
  seed(producer: string, target: string, unique: number): void {
    this.each(producer, target, (s) => {
      s.tally.unique += unique;
    });
  }

  /**
   * Seeds the run's candidate count from the DB on resume, so "candidates" never goes back
   * after a restart (per producer and model it is not stored: those restart at 0).
   */
  seedCandidates(candidates: number): void {
    this.overall.tally.candidates += candidates;
  }

  candidate(producer: string, target: string, outcome: CandidateOutcome, now: number): void {
    this.each(producer, target, (s) => {
      s.tally.candidates++;
      s.candidates.add(now);
      if (outcome === "unique") {
        s.tally.unique++;
        s.unique.add(now);
      } else s.tally[outcome]++;
    });
  }

  call(producer: string, target: string, call: CallRecord, costUsd: number): void {
    this.each(producer, target, (s) => {
      const t = s.tally;
      t.calls++;
      t.promptTokens += call.promptTokens;
      t.completionTokens += call.completionTokens;
      t.costUsd += costUsd;
      if (call.error) {
        t.failedCalls++;
        t.errors[call.error.kind] = (t.errors[call.error.kind] ?? 0) + 1;
      } else t.latencyMsTotal += call.latencyMs;
    });
  }

  snapshot(now: number): { overall: TallySnapshot; producers: TallySnapshot[]; targets: TallySnapshot[] } {
    const list = (map: Map<string, Series>) =>
      [...map.entries()].map(([k, s]) => s.snapshot(k, now)).sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
    return { overall: this.overall.snapshot("all", now), producers: list(this.producers), targets: list(this.targets) };
  }
}
