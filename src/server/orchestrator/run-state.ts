import { EventBus, type Subscribable } from "../../lib/event-bus";
import { errorMessage } from "../../lib/errors";
import { canTransition, type RunMode } from "../../lib/run-modes";
import type { RunTotals } from "./repo";

export type { RunMode } from "../../lib/run-modes";

export class RunStateError extends Error {}

/** What every mode change announces: the live snapshot and the event log listen. */
export type ModeChange = { runId: string; from: RunMode | null; to: RunMode; reason?: string; at: number; totals: RunTotals };

/** A run as setMode moves it: the active run (it takes the change and announces it on its own bus) or a stored one. */
export type ModeHolder = {
  readonly id: string;
  readonly mode: RunMode | null;
  readonly startedAt?: number;
  totals(): RunTotals;
  /** Takes the new mode, once it is stored. */
  enter(change: ModeChange): void;
};

/** A stored run (no active run in memory: a run found active at boot) as setMode takes it. */
export function storedRun(id: string, mode: RunMode | null, totals: () => RunTotals): ModeHolder {
  let current = mode;
  return {
    id,
    get mode() {
      return current;
    },
    totals,
    enter: (c) => {
      current = c.to;
    },
  };
}

export type RunStateDeps = {
  /** Writes `runs.state` (and, on a terminal mode, the stop reason and time) with the totals. */
  save(change: ModeChange): Promise<void>;
  clock: () => number;
  log: (level: "error", message: string) => void;
};

/**
 * The only writer of a run's state. `setMode` asserts the transition, writes the DB state
 * and announces one `ModeChange` on `events` (every run's, stored ones too: the event log
 * listens); the active run announces it on its own bus as well. No other code writes `runs.state`.
 */
export class RunStates {
  private readonly bus: EventBus<{ mode: ModeChange }>;

  constructor(private readonly deps: RunStateDeps) {
    this.bus = new EventBus((err) => deps.log("error", `mode change listener: ${errorMessage(err)}`));
  }

  get events(): Subscribable<{ mode: ModeChange }> {
    return this.bus;
  }

  /**
   * Moves `holder` (an active run or a stored one) to `to`. The DB write happens before the
   * in-memory mode changes: a failed write leaves both as they were.
   */
  async setMode(holder: ModeHolder, to: RunMode, reason?: string): Promise<ModeChange> {
    const from = holder.mode;
    if (from !== null && !canTransition(from, to)) throw new RunStateError(`a run cannot go from ${from} to ${to}`);
    // A run opened to start carries its start time: the stored start, its stretch and the live view then agree.
    const at = to === "starting" && holder.startedAt !== undefined ? holder.startedAt : this.deps.clock();
    const change: ModeChange = { runId: holder.id, from, to, at, totals: holder.totals(), ...(reason !== undefined ? { reason } : {}) };
    await this.deps.save(change);
    holder.enter(change);
    this.bus.emit("mode", change);
    return change;
  }
}
