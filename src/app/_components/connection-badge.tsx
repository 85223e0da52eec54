import type { ConnectionState } from "../_lib/live-view";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** The state of the live stream; announced politely to screen readers when it changes. */
export function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <span className={`conn conn-${state}`} role="status" aria-live="polite" data-testid="connection" data-state={state}>
      <span className="dot" aria-hidden="true" />
      <span className="conn-label">{LABELS[state]}</span>
    </span>
  );
}
