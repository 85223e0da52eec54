import type { LlmRow } from "../_lib/live-view";
import { formatCompact, formatDuration, formatInt, formatPercent, formatUsd } from "../_lib/format";

type Props = { title: string; rows: LlmRow[]; testId: string; kind: "target" | "producer" };

/** Per provider/model or per producer: throughput now, totals, waste, errors and cost. */
export function LlmTable({ title, rows, testId, kind }: Props) {
  // With routing, its weight and the calls it actually got take the place of the last minute's
  // candidate share (a noisier view of the same traffic): one more column would not fit.
  const showRouting = rows.some((r) => r.weight !== null || r.routedShare !== null);
  return (
    <div className="table-wrap" data-testid={testId}>
      <table className="data">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col" className="name">
              {kind === "target" ? "Provider / model" : "Producer"}
            </th>
            <th scope="col" title="Unique entries over the last minute">
              Unique/min
            </th>
            <th scope="col">Unique</th>
            <th scope="col">Duplicates</th>
            <th scope="col">Errors</th>
            <th scope="col" title="Rate-limit hits (HTTP 429)">
              Rate limits
            </th>
            <th scope="col">Avg latency</th>
            <th scope="col">Tokens</th>
            <th scope="col">Cost</th>
            {showRouting ? (
              <th
                scope="col"
                title="Routing weight (the share of the traffic the router gives this model now) / the share of the calls that actually went to it over the last 5 minutes"
              >
                Weight / routed
              </th>
            ) : (
              <th scope="col" title="Share of the candidates of the last minute">
                Share now
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={10} className="empty">
                No data yet.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.key} data-testid={`${testId}-row`}>
              <th scope="row" className="name">
                <span className="mono">{r.label}</span>
                {kind === "target" && r.simulated && <span className="tag">simulated</span>}
                {kind === "producer" && r.target && <span className="sub mono">{r.target}</span>}
                {r.callsInFlight !== null && (
                  // Under the name, not a column of its own: one more column would not fit.
                  <span className="sub" title="LLM calls open now (as each producer last reported)" data-testid={`${testId}-in-flight`}>
                    {formatInt(r.callsInFlight)} in flight
                  </span>
                )}
              </th>
              <td className="num">{formatInt(r.uniquePerMinute)}</td>
              <td className="num">{formatInt(r.unique)}</td>
              <td className="num">
                {formatInt(r.duplicates)} <span className="sub">{formatPercent(r.dupRate, 0)}</span>
              </td>
              <td className={`num${r.errors > 0 ? " warn-text" : ""}`}>{formatInt(r.errors)}</td>
              <td className={`num${r.rateLimits > 0 ? " warn-text" : ""}`}>{formatInt(r.rateLimits)}</td>
              <td className="num">{formatDuration(r.avgLatencyMs)}</td>
              <td className="num">{formatCompact(r.tokens)}</td>
              <td className="num">{formatUsd(r.costUsd)}</td>
              {showRouting ? (
                <td className="num" data-testid={`${testId}-weight`}>
                  <strong>{formatPercent(r.weight, 0)}</strong> <span className="sub">/ {formatPercent(r.routedShare, 0)}</span>
                </td>
              ) : (
                <td className="num">
                  <ShareBar share={r.share} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ShareBar({ share }: { share: number | null }) {
  const pct = share === null ? 0 : Math.round(share * 100);
  return (
    <span className="share">
      <span className="share-bar" aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </span>
      <span>{formatPercent(share, 0)}</span>
    </span>
  );
}
