"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { targetLabel } from "../../lib/providers";
import { useTRPC } from "../../trpc/react";
import type { LiveSnapshot } from "../../trpc/shared";
import { formatAgo, formatInt } from "../_lib/format";
import { withToken } from "../../trpc/token";

type NewestEntry = LiveSnapshot["newest"][number];
type Row = {
  seq: number;
  text: string;
  producer: string;
  target: string;
  at: number;
  support: { calls: number; producers: number; models: number };
  verdict?: string | null;
};

const PAGE = 50;

const VERDICT_FILTERS = ["verified", "unverified", "unsure", "rejected"] as const;
type VerdictFilter = (typeof VERDICT_FILTERS)[number];

/** The newest entries as they stream in, a search over all of the run's entries, downloads. */
export function EntriesPanel({
  runId,
  live,
  newest,
  total,
  now,
  branch = null,
}: {
  runId: string;
  live: boolean;
  newest: NewestEntry[];
  total: number | null;
  now: number;
  branch?: { id: number; label: string } | null;
}) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [debounced, setDebounced] = useState("");
  const [limit, setLimit] = useState(PAGE);
  const [verdict, setVerdict] = useState<VerdictFilter | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the dependencies are the trigger: a new search or run starts paging again
  useEffect(() => setLimit(PAGE), [debounced, runId, branch?.id, verdict]);

  // Verification's counts (verified, unverified, unsure, rejected): also the list's filter.
  const trust = useQuery({ ...trpc.trust.summary.queryOptions({ runId }), refetchInterval: live ? 3_000 : false });
  // While live and not searching, the stream's newest entries are shown instead.
  const useStream = live && debounced === "" && limit === PAGE && branch === null && verdict === null;
  const q = useQuery({
    ...trpc.topic.entries.queryOptions({
      runId,
      limit,
      ...(debounced ? { search: debounced } : {}),
      ...(branch ? { branchId: branch.id } : {}),
      ...(verdict ? { verdict } : {}),
    }),
    enabled: !useStream,
    // A branch's or a verdict's list grows during a live run.
    refetchInterval: live && (branch || verdict) ? 3_000 : false,
    placeholderData: keepPreviousData,
  });

  const rows: Row[] = useStream
    ? newest.map((e) => ({ seq: e.seq, text: e.text, producer: e.producer, target: e.target, at: e.at, support: e.support }))
    : (q.data?.items ?? []).map((e) => ({
        seq: e.seq,
        text: e.text,
        producer: e.producer,
        target: targetLabel(e),
        at: e.createdAt,
        support: { calls: e.supportCalls, producers: e.supportProducers, models: e.supportModels },
        verdict: e.verdict,
      }));
  const more = useStream ? total !== null && total > rows.length : Boolean(q.data?.nextBefore) && limit < 1000;
  const href = (format: string) => withToken(`/api/runs/${encodeURIComponent(runId)}/download?format=${format}`);

  return (
    <section className="card entries" aria-labelledby="entries-title">
      <div className="card-head">
        <h2 id="entries-title">Entries</h2>
        <nav className="downloads" aria-label="Download entries">
          <a className="btn small" href={href("txt")} download data-testid="download-txt">
            output.txt
          </a>
          <a className="btn small" href={href("json")} download>
            JSON
          </a>
          <a className="btn small" href={href("csv")} download>
            CSV
          </a>
        </nav>
      </div>
      <div className="search">
        <label htmlFor="entry-search">Search this run&apos;s entries</label>
        <input
          id="entry-search"
          type="search"
          placeholder="Search…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          autoComplete="off"
          maxLength={100}
          data-testid="entry-search"
        />
      </div>
      {trust.data && (trust.data.verify.enabled || trust.data.verify.calls > 0) && (
        <fieldset className="verdict-filter" data-testid="verdict-filter">
          <legend>Verification</legend>
          {VERDICT_FILTERS.map((v) => (
            <button
              key={v}
              type="button"
              className={`btn small verdict-${v}${verdict === v ? " active" : ""}`}
              aria-pressed={verdict === v}
              onClick={() => setVerdict((cur) => (cur === v ? null : v))}
              data-testid={`verdict-${v}`}
            >
              {v} <span className="num">{formatInt(trust.data.counts[v])}</span>
            </button>
          ))}
          <span className="sub" title="verification and dedup judge calls, as a share of the run's spend">
            side calls {(100 * trust.data.sideShare).toFixed(1)} % of spend
          </span>
        </fieldset>
      )}
      {branch && (
        <p className="hint" data-testid="entries-branch-filter">
          Only branch “{branch.label}”.
        </p>
      )}
      <p className="hint" aria-live="polite">
        {debounced
          ? q.isFetching
            ? "Searching…"
            : `${rows.length}${q.data?.nextBefore ? "+" : ""} match${rows.length === 1 ? "" : "es"} for “${debounced}”`
          : verdict
            ? `Only ${verdict} entries${verdict === "rejected" ? " (not in output.txt)" : ""}, newest first.`
            : useStream
              ? "Newest first, as they arrive."
              : q.isError
                ? `Could not load entries: ${q.error.message}`
                : "Newest first."}
      </p>
      <ol className="entry-list" data-testid="entry-list" aria-label="Entries, newest first">
        {rows.map((r) => (
          <li key={r.seq} className="entry" data-testid="entry">
            <span className="seq num">#{formatInt(r.seq)}</span>
            <span className="entry-text">{r.text}</span>
            <span className="entry-meta">
              <span
                className="support num"
                title={`proposed by ${r.support.calls} call(s), ${r.support.producers} producer(s), ${r.support.models} model(s)`}
                data-testid="entry-support"
              >
                ×{r.support.calls}·{r.support.models}m
              </span>
              {r.verdict && (
                <span className={`verdict verdict-${r.verdict}`} data-testid="entry-verdict">
                  {r.verdict}
                </span>
              )}
              <span className="mono" title={r.target}>
                {r.producer}
              </span>
              <span className="sub">{formatAgo(r.at, now)}</span>
            </span>
          </li>
        ))}
        {rows.length === 0 && <li className="empty">{q.isFetching ? "Loading…" : debounced ? "No entry matches." : "No entries yet."}</li>}
      </ol>
      {more && (
        <button type="button" className="btn small" onClick={() => setLimit((l) => Math.min(1000, l + 100))} disabled={q.isFetching}>
          Show more
        </button>
      )}
    </section>
  );
}
