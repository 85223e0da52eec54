import type { CoverageEstimate } from "../coverage";
import { DEFAULT_MARGINAL_YIELD, type MarginalYieldOptions } from "../stop-rules";
import type { Objective } from "./adaptive";

// What the Optimizer (optimizer.ts) is built with, and what its loop reports.

export type OptimizerOptions = {
  /** How often the loop re-weights (tick() may be called more often). Default 5 s. */
  intervalMs: number;
  /** A decision is scored on this long a window after it against as long a window before it. Default 60 s. */
  scoreWindowMs: number;
  /** What `adaptive` maximises and decisions are scored on. Default "blend". */
  objective: Objective;
  /** How often the coverage estimate is refitted (the Zipf fit takes ~0.1 s at 20k entries). Default 30 s. */
  coverageEveryMs: number;
  /** The coverage stop waits for this many entries: a few early repeats would read as 100 %. Default 50. */
  coverageMinEntries: number;
  /** Automatic stop when the run's yield stays below the threshold for the window; null disables it. Default 1 entry/min for 10 min. */
  lowYield: { minUniquePerMinute: number; windowMs: number } | null;
  /** Automatic stop when new entries per dollar fall far below the run's early yield (stop-rules.ts `MarginalYield`); null disables it. */
  marginalYield: MarginalYieldOptions | null;
  /** Window of the snapshot's traffic shares and per-target figures. Default 5 min. */
  statsWindowMs: number;
};

export const DEFAULT_OPTIMIZER_OPTIONS: Readonly<OptimizerOptions> = {
  intervalMs: 5_000,
  scoreWindowMs: 60_000,
  coverageEveryMs: 30_000,
  objective: "blend",
  coverageMinEntries: 50,
  lowYield: { minUniquePerMinute: 1, windowMs: 600_000 },
  marginalYield: DEFAULT_MARGINAL_YIELD,
  statsWindowMs: 300_000,
};

/** An optimisation event as the event log stores it (`data` is plain JSON). */
export type OptimizerEvent = { kind: string; message: string; data: Record<string, unknown>; at: number };

/** Where decisions and their scores go (the Event table). Failures are logged, never thrown into the loop. */
export type OptimizerPersist = {
  addEvent(e: OptimizerEvent): Promise<bigint>;
  scoreEvent(id: bigint, score: number, data: Record<string, unknown>): Promise<void>;
};

export type OptimizerDeps = {
  clock: () => number;
  /** Thompson sampling draws; inject a seeded one for reproducible tests. Default: unseededRng(). */
  rng?: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
  persist?: OptimizerPersist;
  options?: Partial<OptimizerOptions>;
  /** Tree runs: the topic tree's whole-topic estimate (sum over branches) replaces the run-wide one, for display and the coverage stop. */
  coverage?: () => CoverageEstimate | null;
};

export type DecisionScoreReport = { decisionId: number; score: number; improved: boolean; sufficient: boolean; metric: string };

export type TickResult = {
  /** Routing decisions made by this tick (already handed to `persist.addEvent`). */
  events: Array<OptimizerEvent & { decisionId: number }>;
  /** Earlier decisions scored by this tick (already handed to `persist.scoreEvent`). */
  scores: DecisionScoreReport[];
  /** Set on the one tick that first finds a stop condition. */
  stopReason?: string;
};
