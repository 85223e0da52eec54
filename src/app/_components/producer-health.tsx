import type { LiveSnapshot } from "../../trpc/shared";
import { formatAgo, formatDuration, formatMb } from "../_lib/format";
import { healthLevel, type HealthLevel } from "../_lib/live-view";

type Producer = LiveSnapshot["producers"][number];

const LEVEL_LABEL: Record<HealthLevel, string> = { ok: "healthy", warn: "degraded", bad: "crash-looping", unknown: "not seen by pm2" };

/** pm2's view of each producer process; a crash-looping one is shown in red. */
export function ProducerHealth({ producers, now, active }: { producers: Producer[]; now: number; active: boolean }) {
  return (
    <section className="card" aria-labelledby="health-title">
      <h2 id="health-title">Producer processes (pm2)</h2>
      <div className="table-wrap" data-testid="producer-health">
        <table className="data">
          <thead>
            <tr>
              <th scope="col" className="name">
                Producer
              </th>
              <th scope="col">Status</th>
              <th scope="col">PID</th>
              <th scope="col">Uptime</th>
              <th scope="col">Restarts</th>
              <th scope="col">Memory</th>
              <th scope="col">CPU</th>
              <th scope="col" className="text">
                Last error
              </th>
            </tr>
          </thead>
          <tbody>
            {producers.length === 0 && (
              <tr>
                <td colSpan={8} className="empty" data-testid="no-producers">
                  {active ? "Waiting for pm2…" : "No producers running."}
                </td>
              </tr>
            )}
            {producers.map((p) => {
              const h = p.health;
              const level = healthLevel(h);
              const lastError = p.message && p.message.level !== "info" ? p.message : null;
              return (
                <tr key={p.key} className={`health-${level}`} data-testid="producer-row" data-level={level}>
                  <th scope="row" className="name">
                    <span className="mono">{p.key}</span>
                  </th>
                  <td>
                    <span className={`pill pill-${level}`} title={LEVEL_LABEL[level]}>
                      {h?.status ?? "unknown"}
                    </span>
                    {level === "bad" && <span className="sr-only"> (crash-looping)</span>}
                  </td>
                  <td className="num">{h?.pid ?? "–"}</td>
                  <td className="num">{formatDuration(h?.uptimeMs)}</td>
                  <td className="num">
                    {h ? h.restarts : "–"}
                    {h && h.unstableRestarts > 0 && <span className="sub"> ({h.unstableRestarts} unstable)</span>}
                  </td>
                  <td className="num">{formatMb(h?.memoryMb)}</td>
                  <td className="num">{h?.cpuPercent === null || h?.cpuPercent === undefined ? "–" : `${h.cpuPercent.toFixed(0)}%`}</td>
                  <td className="text">
                    {lastError ? (
                      <span className={lastError.level === "fatal" ? "bad-text" : "warn-text"} title={lastError.message}>
                        <span className="clip">{lastError.message}</span> <span className="sub">{formatAgo(lastError.at, now)}</span>
                      </span>
                    ) : (
                      "–"
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
