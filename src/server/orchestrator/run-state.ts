import { EventEmitter } from "node:events";
import { canTransition, type RunMode } from "../../lib/run-modes";
import type { RunTotals } from "./repo";

export type { RunMode } from "../../lib/run-modes";

export class RunStateError extends Error {}

/** What every mode change announces: the live snapshot and the event log listen. */
export type ModeChange = { runId: string; from: RunMode | null; to: RunMode; reason?: string; at: number; totals: RunTotals };

export type RunStateDeps = {
  /** Writes `runs.state` (and, on a terminal mode, the stop reason and time) with the totals. */
  save(change: ModeChange): Promise<void>;
  clock: () => number;
};

/**
 * The only writer of a run's state. `setMode` asserts the transition, writes the DB state
 * and emits one `ModeChange` on `events` ("mode"); no other code writes `runs.state`.
 */
export class RunStates {
  readonly events = new EventEmitter();

  constructor(private readonly deps: RunStateDeps) {}

  /**
   * Moves `holder` (an active run or a stored one) to `to`. The DB write happens before the
   * in-memory mode changes: a failed write leaves both as they were.
   */
  async setMode(holder: { id: string; mode: RunMode | null; startedAt?: number; totals(): RunTotals }, to: RunMode, reason?: string): Promise<ModeChange> {
    const from = holder.mode;
    if (from !== null && !canTransition(from, to)) throw new RunStateError(`a run cannot go from ${from} to ${to}`);
    // A run opened to start carries its start time: the stored start, its stretch and the live view then agree.
    const at = to === "starting" && holder.startedAt !== undefined ? holder.startedAt : this.deps.clock();
    const change: ModeChange = { runId: holder.id, from, to, at, totals: holder.totals(), ...(reason !== undefined ? { reason } : {}) };
    await this.deps.save(change);
    holder.mode = to;
    this.events.emit("mode", change);
    return change;
  }
}
