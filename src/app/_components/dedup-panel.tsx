"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../trpc/react";
import type { RouterOutputs } from "../../trpc/shared";
import { formatInt, formatUsd } from "../_lib/format";

type Decision = RouterOutputs["dedup"]["review"]["items"][number];

const LIMIT = 50;

/**
 * Near-duplicate review: pairs kept apart but close (Merge removes the later entry; "Merge all"
 * merges every open pair of one kind, Undo restores them) and candidates merged into an entry
 * (Restore makes one a new entry), with the judge's spend.
 */
export function DedupPanel({ runId, live }: { runId: string; live: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refetchInterval = live ? 3_000 : false;
  const possible = useQuery({ ...trpc.dedup.review.queryOptions({ runId, kind: "possible", limit: LIMIT }), refetchInterval });
  const merged = useQuery({ ...trpc.dedup.review.queryOptions({ runId, kind: "merged", limit: LIMIT }), refetchInterval });
  const changed = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.dedup.review.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.topic.entries.pathKey() }),
    ]);
  const merge = useMutation(trpc.dedup.merge.mutationOptions({ onSettled: changed }));
  const restore = useMutation(trpc.dedup.restore.mutationOptions({ onSettled: changed }));
  // The last bulk merge, for its Undo.
  const [lastBulk, setLastBulk] = useState<{ label: string; decisionIds: number[] } | null>(null);
  const mergeMany = useMutation(trpc.dedup.mergeMany.mutationOptions({ onSettled: changed }));
  const restoreMany = useMutation(trpc.dedup.restoreMany.mutationOptions({ onSettled: changed, onSuccess: () => setLastBulk(null) }));
  const judge = merged.data?.judge ?? possible.data?.judge;
  const error = merge.error ?? restore.error ?? mergeMany.error ?? restoreMany.error;
  const bulkBusy = mergeMany.isPending || restoreMany.isPending;
  const mergeAll = (label: string, filter: { reason?: string; verdict?: "same" }) =>
    mergeMany.mutate(
      { runId, ...filter, limit: 500 },
      { onSuccess: (r) => setLastBulk(r.merged.length > 0 ? { label: `${r.merged.length} ${label}`, decisionIds: r.merged.map((m) => m.decisionId) } : null) },
    );

  const evidence = (d: Decision) =>
    [d.edit ?? d.reason, d.verdict ? `judge: ${d.verdict}` : null, d.sources && d.sources > 1 ? `${d.sources} sources` : null].filter(Boolean).join(" · ");

  return (
    <section className="card dedup" aria-labelledby="dedup-title" data-testid="dedup-panel">
      <div className="card-head">
        <h2 id="dedup-title">Duplicates</h2>
        {judge && judge.calls > 0 && (
          <span className="hint" data-testid="judge-spend">
            Judge: {formatInt(judge.calls)} call{judge.calls === 1 ? "" : "s"}, {formatInt(judge.pairs)} verdicts, {formatUsd(judge.costUsd)}
          </span>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <h3>Possible duplicates</h3>
      <p className="hint">Close pairs kept apart (both entries stay). Merge removes the later entry from the list and output.txt.</p>
      <div className="dedup-bulk" data-testid="dedup-bulk">
        {(possible.data?.groups ?? []).map((g) => (
          <button key={g.reason} type="button" className="btn small" disabled={bulkBusy} onClick={() => mergeAll(`${g.reason} pairs`, { reason: g.reason })}>
            Merge all {formatInt(g.count)} {g.reason}
          </button>
        ))}
        {(possible.data?.items ?? []).some((d) => d.verdict === "same") && (
          <button type="button" className="btn small" disabled={bulkBusy} onClick={() => mergeAll("judged the same", { verdict: "same" })}>
            Merge every pair the judge called the same
          </button>
        )}
        {lastBulk && (
          <button
            type="button"
            className="btn small"
            data-testid="dedup-undo"
            disabled={bulkBusy}
            onClick={() => restoreMany.mutate({ runId, decisionIds: lastBulk.decisionIds })}
          >
            Undo merge of {lastBulk.label}
          </button>
        )}
      </div>
      <ul className="dedup-list" data-testid="possible-list" aria-label="Possible duplicates">
        {(possible.data?.items ?? []).map((d) => (
          <li key={d.id} data-testid="possible">
            <span className="entry-text">
              #{d.candidateSeq} {d.candidate}
            </span>
            <span aria-hidden> ~ </span>
            <span className="entry-text">
              #{d.entrySeq ?? "?"} {d.entryText}
            </span>
            <span className="entry-meta">{evidence(d)}</span>
            <button
              type="button"
              className="btn small"
              disabled={d.candidateSeq === null || d.entrySeq === null || merge.isPending}
              onClick={() => d.candidateSeq !== null && d.entrySeq !== null && merge.mutate({ runId, seq: d.candidateSeq, intoSeq: d.entrySeq })}
            >
              Merge
            </button>
          </li>
        ))}
        {possible.data?.items.length === 0 && <li className="hint">None.</li>}
      </ul>
      <h3>Merged</h3>
      <p className="hint">Candidates merged into an entry. Restore adds one as a new entry at the end.</p>
      <ul className="dedup-list" data-testid="merged-list" aria-label="Merged candidates">
        {(merged.data?.items ?? []).map((d) => (
          <li key={d.id} data-testid="merged">
            <span className="entry-text">{d.candidate}</span>
            <span aria-hidden> → </span>
            <span className="entry-text">
              #{d.entrySeq ?? "?"} {d.entryText}
            </span>
            <span className="entry-meta">
              {d.kind} · {evidence(d)}
            </span>
            <button type="button" className="btn small" disabled={restore.isPending} onClick={() => restore.mutate({ runId, decisionId: d.id })}>
              Restore
            </button>
          </li>
        ))}
        {merged.data?.items.length === 0 && <li className="hint">None.</li>}
      </ul>
    </section>
  );
}
