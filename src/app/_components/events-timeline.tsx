"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/react";
import type { OptimizationEvent } from "../../trpc/shared";
import { formatClock, formatDateTime, formatPercent, formatRate } from "../_lib/format";
import {
  effectivenessFromEvents,
  effectivenessText,
  outcomeLabel,
  routingDecisionView,
  type Effectiveness,
  type RoutingDecisionView,
} from "../_lib/routing-view";

type Props = {
  runId: string;
  live: boolean;
  /** The optimiser's own count (live runs); without it the loaded events are counted. */
  effectiveness: Effectiveness | null;
};

/** Routing/weight changes and other orchestration events of the run, newest first. */
export function EventsTimeline({ runId, live, effectiveness }: Props) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.optimization.events.queryOptions({ runId, limit: 100 }), refetchInterval: live ? 5_000 : false });
  const events = q.data ?? [];
  const eff = effectiveness ?? effectivenessFromEvents(events);
  return (
    <section className="card" aria-labelledby="events-title">
      <div className="card-head">
        <h2 id="events-title">Orchestration events</h2>
        <p
          className="hint effectiveness"
          data-testid="effectiveness"
          title="A routing decision is scored on the run's yield in the minute after it against the minute before"
        >
          {effectivenessText(eff)}
        </p>
      </div>
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
  const decision = routingDecisionView(e);
  return (
    <li className={`event kind-${e.kind.split(".")[0]}`} data-testid="event" data-kind={e.kind}>
      <time dateTime={new Date(e.at).toISOString()} title={formatDateTime(e.at)} className="num">
        {formatClock(e.at)}
      </time>
      <span className="tag">{e.kind}</span>
      <span className="event-msg">
        {e.message}
        {decision && <WeightChanges decision={decision} />}
      </span>
      {decision ? (
        <span className={`score num outcome-${decision.outcome.state}`} data-testid="decision-outcome" title={outcomeTitle(decision)}>
          {outcomeLabel(decision.outcome)}
        </span>
      ) : (
        e.score !== null && (
          <span className="score num" title="Score of this decision, measured afterwards">
            score {formatRate(e.score)}
          </span>
        )
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

/** "provider:model 33% → 50%" per target that moved, biggest move first. */
function WeightChanges({ decision: d }: { decision: RoutingDecisionView }) {
  if (d.changes.length === 0) return null;
  return (
    <span className="weight-changes" data-testid="weight-changes">
      {d.changes.map((c) => (
        <span key={c.target} className={`weight-change ${(c.to ?? 0) > (c.from ?? 0) ? "up" : "down"}`}>
          <span className="mono">{c.target}</span>{" "}
          <span className="num">
            {formatPercent(c.from, 0)} → {formatPercent(c.to, 0)}
          </span>
        </span>
      ))}
      {d.more > 0 && <span className="sub">+{d.more} more</span>}
    </span>
  );
}

function outcomeTitle(d: RoutingDecisionView): string {
  const o = d.outcome;
  if (o.state === "improved" || o.state === "worse")
    return `Relative change of ${o.metric ?? "the yield"} in the minute after this decision against the minute before (score ${formatRate(o.score)})`;
  if (o.state === "insufficient") return "Too few calls before or after this decision to compare";
  return "Scored about a minute after the decision";
}

function dataSummary(data: unknown): string | null {
  if (data === null || data === undefined) return null;
  if (typeof data === "object" && Object.keys(data).length === 0) return null;
  const text = JSON.stringify(data, null, 1);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}
