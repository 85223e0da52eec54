"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "../../trpc/react";
import type { LiveSnapshot } from "../../trpc/shared";
import { STALE_AFTER_MS, connectionState, retryDelayMs, type ConnectionState } from "../_lib/live-view";

export type LiveStream = {
  snapshot: LiveSnapshot | null;
  connection: ConnectionState;
  lastDataAt: number | null;
  /** A clock that ticks every second, for "x s ago" labels. */
  now: number;
};

/**
 * The `metrics.live` subscription, kept alive: EventSource retries network errors by
 * itself; when the stream fails for good (e.g. the server answered 502 while restarting)
 * or stops sending heartbeats, it is re-subscribed with a growing delay.
 */
export function useLiveStream(): LiveStream {
  const trpc = useTRPC();
  const [snapshot, setSnapshot] = useState<LiveSnapshot | null>(null);
  const [lastDataAt, setLastDataAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [online, setOnline] = useState(true);
  const everConnected = useRef(false);
  const attempt = useRef(0);

  const sub = useSubscription(
    trpc.metrics.live.subscriptionOptions(
      { minIntervalMs: 1_000 },
      {
        onData: (tracked) => {
          everConnected.current = true;
          attempt.current = 0;
          setSnapshot(tracked.data);
          setLastDataAt(Date.now());
        },
      },
    ),
  );
  const { status, reset } = sub;

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    setOnline(navigator.onLine);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    return () => {
      clearInterval(timer);
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
    };
  }, []);

  // Failed for good: subscribe again after a delay.
  useEffect(() => {
    if (status !== "error") return;
    const t = setTimeout(() => reset(), retryDelayMs(attempt.current++));
    return () => clearTimeout(t);
  }, [status, reset]);

  // Connected but silent (heartbeats stopped): start over. Silence is counted from the last
  // snapshot or the last restart, whichever is later, so a fresh connection gets its chance
  // to deliver before it is judged stale (otherwise it would be reset in a loop).
  const lastResetAt = useRef(0);
  const silentSince = Math.max(lastDataAt ?? 0, lastResetAt.current);
  const stale = status === "pending" && lastDataAt !== null && now - silentSince > STALE_AFTER_MS * 2;
  useEffect(() => {
    if (!stale) return;
    lastResetAt.current = Date.now();
    reset();
  }, [stale, reset]);

  return {
    snapshot,
    lastDataAt,
    now,
    connection: connectionState({ status, everConnected: everConnected.current, lastDataAt, now, online }),
  };
}
