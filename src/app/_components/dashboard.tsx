"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "../../trpc/react";
import type { RunView } from "../../trpc/shared";
import { finalTargets, parseSample, sampleFromSnapshot, withLiveSample, type Sample } from "../_lib/chart-data";
import { formatCompact, formatDateTime, formatElapsed, formatInt, formatPercent, formatRate, formatUsd } from "../_lib/format";
import { isActiveMode } from "../../lib/run-modes";
import { duplicateRate, llmRows } from "../_lib/live-view";
import { coverageLine } from "../_lib/routing-view";
import { RunCharts } from "./charts";
import { ConnectionBadge } from "./connection-badge";
import { CoverageLine } from "./coverage-line";
import { DedupPanel } from "./dedup-panel";
import { EntriesPanel } from "./entries-panel";
import { EventsTimeline } from "./events-timeline";
import { LlmTable } from "./llm-table";
import { ProducerHealth } from "./producer-health";
import { RunHistory } from "./run-history";
import { StatGrid, type Stat } from "./stat-grid";
import { TopicForm } from "./topic-form";
import { TreePanel } from "./tree-panel";
import { useLiveStream } from "./use-live";

/** The whole dashboard. `runId` (from `?run=`) pins a run; without it the live run is followed. */
export function Dashboard({ runId: pinnedRunId }: { runId: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const live = useLiveStream();
  const snap = live.snapshot;
  const liveRunId = snap?.run && isActiveMode(snap.state) ? snap.run.id : null;

  // After a run stops the page keeps showing it, rather than jumping to another run (unless it is deleted).
  const [lastLiveRunId, setLastLiveRunId] = useState<string | null>(null);
  useEffect(() => {
    if (liveRunId) setLastLiveRunId(liveRunId);
  }, [liveRunId]);

  const runsQuery = useQuery({ ...trpc.topic.list.queryOptions({ limit: 50 }), refetchInterval: 5_000 });
  const runs = (runsQuery.data ?? []).map((r) => (r.id === liveRunId && snap?.run ? snap.run : r));
  const runId = pinnedRunId ?? liveRunId ?? runs.find((r) => r.id === lastLiveRunId)?.id ?? runs[0]?.id ?? null;
  const viewingLive = runId !== null && runId === liveRunId;
  const liveSnap = viewingLive ? snap : null;
  const listed = runs.find((r) => r.id === runId) ?? null;
  const single = useQuery({
    ...trpc.topic.run.queryOptions({ runId: runId ?? "none" }),
    enabled: runId !== null && !viewingLive && !listed && !runsQuery.isPending,
  });
  // One shape, live or stored: the live run's view comes with every snapshot, a stored one's from the history.
  const view: RunView | null = liveSnap?.run ?? listed ?? single.data ?? null;

  const samplesQuery = useQuery({
    ...trpc.metrics.samples.queryOptions({ runId: runId ?? "none" }),
    enabled: runId !== null,
    refetchInterval: viewingLive ? 5_000 : false,
  });
  // The final sample is written when the run stops: fetch it once more.
  useEffect(() => {
    if (!viewingLive && runId) void queryClient.invalidateQueries({ queryKey: trpc.metrics.samples.queryKey({ runId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.topic.list.queryKey() });
  }, [viewingLive, runId, queryClient, trpc]);

  const stored = useMemo(() => (samplesQuery.data ?? []).map(parseSample).filter((s): s is Sample => s !== null), [samplesQuery.data]);
  const samples = useMemo(() => withLiveSample(stored, liveSnap ? sampleFromSnapshot(liveSnap) : null), [stored, liveSnap]);

  const [resumingId, setResumingId] = useState<string | null>(null);
  const resume = useMutation(
    trpc.topic.resume.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.topic.list.queryKey() });
        router.push("/");
      },
      onSettled: () => setResumingId(null),
    }),
  );
  const [prefill, setPrefill] = useState<{ topic: string; nonce: number } | null>(null);
  const [branch, setBranch] = useState<{ id: number; label: string } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the run id is the trigger: another run clears the branch filter
  useEffect(() => setBranch(null), [runId]);

  const stats = buildStats(view, liveSnap?.totals.uniqueLastMinute ?? null);
  const stale = viewingLive && (live.connection === "reconnecting" || live.connection === "offline");

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          <Link href="/">igentai</Link>
        </h1>
        <span className="topbar-state">
          {snap && (
            <span className={`pill state-${snap.state}`} data-testid="server-state">
              {snap.state === "idle" ? "idle" : `${snap.state}${snap.run ? `: ${snap.run.topic}` : ""}`}
            </span>
          )}
        </span>
        <ConnectionBadge state={live.connection} />
      </header>

      <main className="layout">
        <div className="side">
          <TopicForm active={liveRunId !== null} prefill={prefill} onStarted={() => pinnedRunId && router.push("/")} />
          <div className="history-area">
            <RunHistory
              runs={runs}
              loading={runsQuery.isPending}
              selectedId={runId}
              resuming={resumingId}
              onResume={(r) => {
                setResumingId(r.id);
                setPrefill({ topic: r.topic, nonce: Date.now() });
                resume.mutate({ runId: r.id });
              }}
            />
            {resume.isError && (
              <p className="form-error" role="alert">
                Could not resume: {resume.error.message}
              </p>
            )}
          </div>
        </div>

        <div className={`content${stale ? " stale" : ""}`}>
          {stale && (
            <p className="stale-notice" data-testid="stale-notice">
              {live.connection === "offline" ? "You are offline." : "Lost the connection to the server."} Showing the last numbers received; reconnecting by
              itself…
            </p>
          )}
          <RunHead view={view} pinned={runId !== null} backToLive={!viewingLive && liveRunId !== null} />

          <section className="card" aria-labelledby="numbers-title">
            <h2 id="numbers-title" className="sr-only">
              Numbers
            </h2>
            <StatGrid stats={stats} label={viewingLive ? "Live numbers" : "Run totals"} />
            <CoverageLine line={coverageLine(view?.coverage)} pending={viewingLive} context={view && !view.active ? "at the end of the run" : undefined} />
          </section>

          {runId && <RunCharts samples={samples} loading={samplesQuery.isPending} />}

          <section className="card" aria-labelledby="llm-title">
            <h2 id="llm-title">Per LLM</h2>
            {liveSnap ? (
              <>
                <LlmTable
                  title="By provider / model"
                  kind="target"
                  testId="targets-table"
                  rows={llmRows(liveSnap.targets, { simulated: (t) => t.simulated === true, routing: liveSnap.routing })}
                />
                <LlmTable title="By producer" kind="producer" testId="producers-table" rows={llmRows(liveSnap.producers)} />
              </>
            ) : (
              <PastTargets samples={samples} />
            )}
          </section>

          <ProducerHealth producers={snap?.producers ?? []} now={live.now} active={liveRunId !== null} />

          {runId && (
            <TreePanel
              runId={runId}
              live={viewingLive}
              snapshot={liveSnap?.tree ?? null}
              coverage={view?.coverage ?? null}
              selected={branch?.id ?? null}
              onSelect={setBranch}
            />
          )}

          {runId && (
            <EntriesPanel runId={runId} live={viewingLive} newest={liveSnap?.newest ?? []} total={view?.totals.unique ?? null} now={live.now} branch={branch} />
          )}

          {runId && <DedupPanel runId={runId} live={viewingLive} />}

          {runId && <EventsTimeline runId={runId} live={viewingLive} effectiveness={liveSnap?.routing?.effectiveness ?? null} />}
        </div>
      </main>
    </div>
  );
}

/** The run's title, state and first start, from its view (live or stored alike). */
function RunHead({ view, pinned, backToLive }: { view: RunView | null; pinned: boolean; backToLive: boolean }) {
  return (
    <section className="run-head" aria-label="Run">
      {pinned ? (
        <>
          <div className="run-title">
            <h2 data-testid="run-title">{view?.topic ?? "Run"}</h2>
            <span className={`pill state-${view?.state ?? "stopped"}`} data-testid="run-state">
              {view?.state ?? "…"}
            </span>
          </div>
          <p className="sub" data-testid="run-started">
            {view?.firstStartedAt ? `Started ${formatDateTime(view.firstStartedAt)}` : ""}
            {view && view.stretches.length > 1 ? ` · ${view.stretches.length} stretches` : ""}
            {view?.stopReason && !view.active ? ` · ${view.stopReason}` : ""}
            {backToLive && (
              <>
                {" · "}
                <Link href="/">Back to the live run</Link>
              </>
            )}
          </p>
        </>
      ) : (
        <div className="run-title">
          <h2>No run yet</h2>
          <p className="sub">Enter a topic and press Start. Without API keys the simulator plays the LLMs.</p>
        </div>
      )}
    </section>
  );
}

function PastTargets({ samples }: { samples: Sample[] }) {
  const targets = finalTargets(samples);
  const total = targets.reduce((a, t) => a + t.unique, 0);
  const weights = samples[samples.length - 1]?.weights ?? {};
  const showWeight = Object.keys(weights).length > 0;
  return (
    <div className="table-wrap" data-testid="targets-table">
      <table className="data">
        <caption>Unique entries by provider / model (live details appear while a run is producing)</caption>
        <thead>
          <tr>
            <th scope="col" className="name">
              Provider / model
            </th>
            <th scope="col">Unique</th>
            <th scope="col">Share</th>
            {showWeight && (
              <th scope="col" title="Routing weight when the last sample was taken">
                Final weight
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {targets.length === 0 && (
            <tr>
              <td colSpan={showWeight ? 4 : 3} className="empty">
                No data.
              </td>
            </tr>
          )}
          {targets.map((t) => (
            <tr key={t.key} data-testid="targets-table-row">
              <th scope="row" className="name">
                <span className="mono">{t.key}</span>
                {t.key.startsWith("sim:") && <span className="tag">simulated</span>}
              </th>
              <td className="num">{formatInt(t.unique)}</td>
              <td className="num">{formatPercent(total > 0 ? t.unique / total : null, 0)}</td>
              {showWeight && <td className="num">{formatPercent(weights[t.key] ?? 0, 0)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The header's figures: the run view's whole-run counters; "in the last minute" only while it runs. */
function buildStats(view: RunView | null, lastMinute: number | null): Stat[] {
  const t = view?.totals ?? null;
  const unique = t?.unique ?? null;
  const dupRate = t ? duplicateRate(t) : null;
  return [
    { id: "unique", label: "Unique entries", value: formatInt(unique) },
    { id: "last-minute", label: "In the last minute", value: formatInt(lastMinute) },
    {
      id: "dup-rate",
      label: "Duplicate rate",
      value: formatPercent(dupRate),
      hint: t && t.candidates > 0 ? `${formatCompact(t.candidates)} candidates` : undefined,
    },
    { id: "tokens", label: "Tokens", value: formatCompact(t?.tokens ?? null) },
    { id: "cost", label: "Cost", value: formatUsd(t?.costUsd ?? null) },
    { id: "per-1k-tokens", label: "Unique / 1k tokens", value: formatRate(t && t.tokens > 0 ? (t.unique / t.tokens) * 1000 : null) },
    { id: "per-dollar", label: "Unique / $", value: formatRate(t && t.costUsd > 0 ? t.unique / t.costUsd : null) },
    // Time spent running over every stretch (a resumed run's too), not the latest stretch's.
    { id: "elapsed", label: "Active time", value: formatElapsed(view?.firstStartedAt != null ? view.activeMs : null) },
  ];
}
