/**
 * A run's lifecycle modes, as stored in `runs.state` and shown in the UI. Pure: the
 * server's state machine (src/server/orchestrator/run-state.ts) and the browser share it.
 *
 * `interrupted`: the server went away while the run was active and its producers are
 * gone too; it is resumed only when the user asks (topic.start or Resume), never at boot.
 */
export const RUN_MODES = ["starting", "running", "stopping", "stopped", "failed", "interrupted"] as const;
export type RunMode = (typeof RUN_MODES)[number];

const ALLOWED: Record<RunMode, readonly RunMode[]> = {
  starting: ["running", "stopping", "failed", "interrupted"],
  running: ["stopping", "failed", "interrupted"],
  stopping: ["stopped", "failed"],
  stopped: ["starting"],
  failed: ["starting", "stopping"],
  interrupted: ["starting", "stopping"],
};

/** Modes in which a server holds the run (producers working, about to, or finishing). */
export const ACTIVE_MODES = ["starting", "running", "stopping"] as const satisfies readonly RunMode[];

/** The one meaning of "active": a server holds the run. */
export function isActiveMode(mode: string | null | undefined): boolean {
  return (ACTIVE_MODES as readonly string[]).includes(mode ?? "");
}

/** Producers keep calling models in these modes; in `stopping` they finish their last batch and exit. */
export function isProducing(mode: RunMode): boolean {
  return mode === "starting" || mode === "running";
}

export function canTransition(from: RunMode, to: RunMode): boolean {
  return ALLOWED[from].includes(to);
}
