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

function countCall(s: Series, call: CallRecord, costUsd: number): void {
  const t = s.tally;
  t.calls++;
  t.promptTokens += call.promptTokens;
  t.completionTokens += call.completionTokens;
  t.costUsd += costUsd;
  if (call.error) {
    t.failedCalls++;
    t.errors[call.error.kind] = (t.errors[call.error.kind] ?? 0) + 1;
  } else t.latencyMsTotal += call.latencyMs;
}

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
   * Seeds the run's counters that have no rows (candidates, duplicates, junk) from the DB on
   * resume, so the whole run's figures and its duplicate rate carry on (per producer and model
   * they are not stored: those restart at 0).
   */
  seedOverall(counts: { candidates: number; dupExact: number; dupNear: number; junk: number }): void {
    const t = this.overall.tally;
    t.candidates += counts.candidates;
    t.dupExact += counts.dupExact;
    t.dupNear += counts.dupNear;
    t.junk += counts.junk;
  }

  /**
   * Seeds a run's stored calls (summed per caller and model) on resume. A producer's count in
   * all three series; the server's own calls (the tree's breakdowns, the judge, the verifier) in the whole
   * run's and the model's only, as `serverCall` counts them live.
   */
  seedCalls(
    producer: string | null,
    target: string,
    sums: Pick<Tally, "calls" | "failedCalls" | "promptTokens" | "completionTokens" | "costUsd" | "latencyMsTotal">,
  ): void {
    const add = (s: Series) => {
      const t = s.tally;
      t.calls += sums.calls;
      t.failedCalls += sums.failedCalls;
      t.promptTokens += sums.promptTokens;
      t.completionTokens += sums.completionTokens;
      t.costUsd += sums.costUsd;
      t.latencyMsTotal += sums.latencyMsTotal;
    };
    if (producer === null) {
      add(this.overall);
      add(this.series(this.targets, target));
    } else this.each(producer, target, add);
  }

  /** The whole run's counters now. */
  overallTally(): Readonly<Tally> {
    return this.overall.tally;
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
    this.each(producer, target, (s) => countCall(s, call, costUsd));
  }

  /** A call the server made itself (a breakdown, the judge, the verifier): the whole run's and the model's figures. */
  serverCall(target: string, call: CallRecord, costUsd: number): void {
    countCall(this.overall, call, costUsd);
    countCall(this.series(this.targets, target), call, costUsd);
  }

  snapshot(now: number): { overall: TallySnapshot; producers: TallySnapshot[]; targets: TallySnapshot[] } {
    const list = (map: Map<string, Series>) =>
      [...map.entries()].map(([k, s]) => s.snapshot(k, now)).sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
    return { overall: this.overall.snapshot("all", now), producers: list(this.producers), targets: list(this.targets) };
  }
}
