"use client";

import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "../../trpc/react";
import type { LiveSnapshot } from "../../trpc/shared";
import { connectionState, retryDelayMs, type ConnectionState } from "../_lib/live-view";

export type LiveStream = {
  snapshot: LiveSnapshot | null;
  connection: ConnectionState;
  /** A clock that ticks every second, for "x s ago" labels. */
  now: number;
};

/**
 * The `metrics.live` subscription. Keep-alive and reconnection are tRPC's: the server pings, a
 * silent stream is reopened after `reconnectAfterInactivityMs`, resuming from the last tracked
 * event. Only a stream that failed for good (e.g. the server answered 502 while restarting) is
 * subscribed again here, with a growing delay.
 */
export function useLiveStream(): LiveStream {
  const trpc = useTRPC();
  const [snapshot, setSnapshot] = useState<LiveSnapshot | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [online, setOnline] = useState(true);
  const everConnected = useRef(false);
  const attempt = useRef(0);

  const sub = useSubscription(
    trpc.metrics.live.subscriptionOptions(
      { minIntervalMs: 1_000 },
      {
        onStarted: () => {
          everConnected.current = true;
          attempt.current = 0;
        },
        onData: (tracked) => {
          setSnapshot(tracked.data);
        },
      },
    ),
  );
  const { status, reset } = sub;
  if (status === "pending") everConnected.current = true;

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

  return { snapshot, now, connection: connectionState({ status, everConnected: everConnected.current, online }) };
}
