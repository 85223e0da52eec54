/** A run's lifecycle. Every change goes through `transition`, which asserts it is legal. */
export const RUN_MODES = ["starting", "running", "stopping", "stopped", "failed"] as const;
export type RunMode = (typeof RUN_MODES)[number];

const ALLOWED: Record<RunMode, readonly RunMode[]> = {
  starting: ["running", "stopping", "failed"],
  running: ["stopping", "failed"],
  stopping: ["stopped", "failed"],
  stopped: ["starting"],
  failed: ["starting", "stopping"],
};

export class RunStateError extends Error {}

export function transition(from: RunMode, to: RunMode): RunMode {
  if (!ALLOWED[from].includes(to)) throw new RunStateError(`a run cannot go from ${from} to ${to}`);
  return to;
}

export function isActive(mode: RunMode): boolean {
  return mode === "starting" || mode === "running";
}
