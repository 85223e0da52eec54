"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/react";
import type { OptimizationEvent } from "../../trpc/shared";
import { formatClock, formatDateTime, formatRate } from "../_lib/format";

/** Routing/weight changes and other orchestration events of the run, newest first. */
export function EventsTimeline({ runId, live }: { runId: string; live: boolean }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.optimization.events.queryOptions({ runId, limit: 100 }), refetchInterval: live ? 5_000 : false });
  const events = q.data ?? [];
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Orchestration events</h2>
      {q.isError && <p className="hint bad-text">Could not load events: {q.error.message}</p>}
      <ol className="timeline" data-testid="events">
        {events.length === 0 && <li className="empty">{q.isPending ? "Loading…" : "No events yet."}</li>}
        {events.map((e) => (
          <EventItem key={e.id} event={e} />
        ))}
      </ol>
    </section>
  );
}

function EventItem({ event: e }: { event: OptimizationEvent }) {
  const summary = dataSummary(e.data);
  return (
    <li className={`event kind-${e.kind.split(".")[0]}`} data-testid="event">
      <time dateTime={new Date(e.at).toISOString()} title={formatDateTime(e.at)} className="num">
        {formatClock(e.at)}
      </time>
      <span className="tag">{e.kind}</span>
      <span className="event-msg">{e.message}</span>
      {e.score !== null && (
        <span className="score num" title="Score of this decision, measured afterwards">
          score {formatRate(e.score)}
        </span>
      )}
      {summary && (
        <details className="event-data">
          <summary>details</summary>
          <pre>{summary}</pre>
        </details>
      )}
    </li>
  );
}

function dataSummary(data: unknown): string | null {
  if (data === null || data === undefined) return null;
  if (typeof data === "object" && Object.keys(data).length === 0) return null;
  const text = JSON.stringify(data, null, 1);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}
