import type { ReactNode } from "react";

export type Stat = { id: string; label: string; value: string; hint?: ReactNode };

/** Fixed-width tiles with tabular numbers, so values can change every second without reflow. */
export function StatGrid({ stats, label }: { stats: Stat[]; label: string }) {
  return (
    <dl className="stats" aria-label={label}>
      {stats.map((s) => (
        <div className="stat" key={s.id} data-testid={`stat-${s.id}`}>
          <dt>{s.label}</dt>
          <dd className="num">{s.value}</dd>
          {s.hint && <dd className="stat-hint">{s.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}
