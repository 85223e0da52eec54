import type { Subscribable } from "../../lib/event-bus";
import type { CallRecord } from "../../lib/protocol";
import type { DecisionRow, EntryRow } from "./repo";
import type { ModeChange } from "./run-state";

/** Who made a call the run paid for: its producers, or the server (the tree's breakdowns, the judge, the verifier). */
export type SpendSource = "producer" | "tree" | "judge" | "verify";

/**
 * What a run announces on its bus (ActiveRun.events), each after its own state changed: the
 * live view, the event log, the judge and the verifier subscribe; only the run emits.
 */
export type RunEventMap = {
  /** A mode change (run-state.ts), after the DB write. */
  mode: ModeChange;
  /** Entries are in the DB and output.txt, in seq order, with the dedup decisions made on them. */
  committed: { rows: readonly EntryRow[]; decisions: readonly DecisionRow[] };
  /** A batch of candidates was classified (candidate, duplicate and junk counts moved). */
  classified: { producer: string; candidates: number; accepted: number };
  /** Committed entries changed without a commit: merged away, rejected or restored (verification, the user). */
  revised: { kind: "merged" | "verdicts" | "trust" };
  /** The topic tree changed: a split, a user's edit, a saturation. */
  tree: { kind: string; branchId: number };
  /** The run's spend grew by a call stored once; `totalUsd`: the run's whole spend now. */
  spend: { source: SpendSource; call: CallRecord; costUsd: number; totalUsd: number };
};

/** The run's bus as others see it: they subscribe, the run emits. */
export type RunEvents = Subscribable<RunEventMap>;

// Every kind, checked against the map: a kind added there must be listed here.
const KINDS: Record<keyof RunEventMap, true> = { mode: true, committed: true, classified: true, revised: true, tree: true, spend: true };

/** Calls `fn` on every event of the run (the live view: its snapshot moved); returns the unsubscribe. */
export function onAnyRunEvent(events: RunEvents, fn: () => void): () => void {
  const offs = (Object.keys(KINDS) as Array<keyof RunEventMap>).map((kind) => events.on(kind, fn));
  return () => {
    for (const off of offs) off();
  };
}
