"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { RunView } from "../../trpc/shared";
import { formatDateTime, formatDuration, formatInt, formatUsd } from "../_lib/format";
import { DeleteRunDialog } from "./delete-run-dialog";

type Props = {
  runs: RunView[];
  loading: boolean;
  selectedId: string | null;
  resuming: string | null;
  onResume: (run: RunView) => void;
};

/**
 * Past runs with their totals: open one to see its charts and entries, resume it, or delete it
 * (asked first). The live run's row is its view from the stream (the dashboard swaps it in): the
 * header's figures at every moment.
 */
export function RunHistory({ runs, loading, selectedId, resuming, onResume }: Props) {
  const router = useRouter();
  const [deleting, setDeleting] = useState<RunView | null>(null);
  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ul className="run-list" data-testid="history">
        {runs.length === 0 && <li className="empty">{loading ? "Loading…" : "No runs yet."}</li>}
        {runs.map((r) => {
          return (
            <li key={r.id} className={`run${r.id === selectedId ? " selected" : ""}`} data-testid="history-run" data-run-id={r.id}>
              <Link href={`/?run=${encodeURIComponent(r.id)}`} className="run-open" aria-current={r.id === selectedId ? "page" : undefined}>
                <span className="run-topic">{r.topic}</span>
                <span className="run-meta">
                  <span className={`pill state-${r.state}`}>{r.active ? "live" : r.state}</span>
                  <span className="num" data-testid="history-entries">
                    {formatInt(r.totals.unique)} entries
                  </span>
                  <span className="num" data-testid="history-cost">
                    {formatUsd(r.totals.costUsd)}
                  </span>
                  <span className="sub" title="first started" data-testid="history-started">
                    {formatDateTime(r.firstStartedAt)}
                  </span>
                  {r.firstStartedAt !== null && !r.active && (
                    <span
                      className="sub"
                      data-testid="history-active"
                      title={`active time over ${r.stretches.length} stretch${r.stretches.length === 1 ? "" : "es"}`}
                    >
                      {formatDuration(r.activeMs)}
                    </span>
                  )}
                </span>
              </Link>
              {!r.active && (
                <button
                  type="button"
                  className={`btn small${r.state === "interrupted" ? " primary" : ""}`}
                  onClick={() => onResume(r)}
                  disabled={resuming !== null}
                  aria-label={`Resume “${r.topic}”`}
                  title={
                    r.state === "interrupted"
                      ? "The server stopped while this run was active; resume it with the settings it was started with"
                      : "Resume with the settings this run was started with"
                  }
                >
                  {resuming === r.id ? "Resuming…" : "Resume"}
                </button>
              )}
              {!r.active && (
                <button
                  type="button"
                  className="btn small"
                  onClick={() => setDeleting(r)}
                  aria-label={`Delete “${r.topic}”`}
                  title="Delete this run from the history (asks first)"
                  data-testid="history-delete"
                >
                  Delete
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {deleting && (
        <DeleteRunDialog
          run={deleting}
          onClose={(deleted) => {
            if (deleted && deleting.id === selectedId) router.push("/");
            setDeleting(null);
          }}
        />
      )}
    </section>
  );
}
