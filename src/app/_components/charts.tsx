"use client";

import { useMemo } from "react";
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { buildChartData, type Sample } from "../_lib/chart-data";
import { formatClock, formatCompact, formatInt, formatPercent } from "../_lib/format";

/** Readable on light and dark backgrounds alike. */
const PALETTE = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#64748b"];
const OVERALL = "#6366f1";
const HEIGHT = 220;

type Props = { samples: Sample[]; loading: boolean };

export function RunCharts({ samples, loading }: Props) {
  const data = useMemo(() => buildChartData(samples), [samples]);
  const points = data.points.filter((p) => p.totalUnique !== null).length;
  const empty = points === 0;
  const span = data.points.length > 1 ? data.points[data.points.length - 1]!.at - data.points[0]!.at : 0;
  const axis = {
    dataKey: "at",
    type: "number" as const,
    scale: "time" as const,
    domain: ["dataMin", "dataMax"] as [string, string],
    // Seconds matter on a short run; on a long one they are noise.
    tickFormatter: (v: number) => (span < 20 * 60_000 ? formatClock(v) : formatClock(v).slice(0, 5)),
    minTickGap: 40,
    tick: { fontSize: 11 },
    stroke: "currentColor",
  };
  const tooltip = {
    labelFormatter: (v: unknown) => formatClock(Number(v)),
    contentStyle: { background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, color: "var(--text)" },
    isAnimationActive: false,
  };
  return (
    <section className="card charts" aria-labelledby="charts-title" data-testid="charts" data-points={points}>
      <h2 id="charts-title">Trends over the whole run</h2>
      {empty && (
        <p className="hint chart-empty">{loading ? "Loading samples…" : "No samples yet: the first point appears within a few seconds of the start."}</p>
      )}
      <div className="chart-grid">
        <figure className="chart wide" data-testid="chart-rate" aria-label="Unique entries per minute over time, overall and per provider/model">
          <figcaption>Unique entries per minute</figcaption>
          <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 600, height: HEIGHT }}>
            <LineChart data={data.points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
              <XAxis {...axis} />
              <YAxis width={48} tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatCompact(v)} stroke="currentColor" allowDecimals={false} />
              <Tooltip {...tooltip} formatter={(v: unknown) => formatInt(Number(v))} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Line name="All" dataKey="uniquePerMinute" stroke={OVERALL} strokeWidth={2.5} dot={false} isAnimationActive={false} />
              {data.series.map((s, i) => (
                <Line key={s.id} name={s.key} dataKey={s.id} stroke={PALETTE[i % PALETTE.length]} strokeWidth={1.5} dot={false} isAnimationActive={false} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure className="chart" data-testid="chart-cumulative" aria-label="Cumulative unique entries over time">
          <figcaption>Cumulative unique entries</figcaption>
          <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 400, height: HEIGHT }}>
            <AreaChart data={data.points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
              <XAxis {...axis} />
              <YAxis width={48} tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatCompact(v)} stroke="currentColor" allowDecimals={false} />
              <Tooltip {...tooltip} formatter={(v: unknown) => formatInt(Number(v))} />
              <Area
                name="Unique entries"
                dataKey="totalUnique"
                stroke={OVERALL}
                fill={OVERALL}
                fillOpacity={0.2}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            </AreaChart>
          </ResponsiveContainer>
        </figure>
        <figure className="chart" data-testid="chart-dups" aria-label="Duplicate rate over time (trailing minute)">
          <figcaption>Duplicate rate (trailing minute)</figcaption>
          <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 400, height: HEIGHT }}>
            <LineChart data={data.points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
              <XAxis {...axis} />
              <YAxis width={48} tick={{ fontSize: 11 }} domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v, 0)} stroke="currentColor" />
              <Tooltip {...tooltip} formatter={(v: unknown) => formatPercent(Number(v))} />
              <Line name="Duplicates" dataKey="dupRate" stroke="#ef4444" strokeWidth={2} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure
          className="chart wide"
          data-testid="chart-weights"
          data-series={data.hasWeights ? data.series.length : 0}
          aria-label="Routing weight of each provider/model over time, stacked to 100%"
        >
          <figcaption>Routing weights (share of traffic each provider/model is given)</figcaption>
          {!data.hasWeights && !empty && <p className="hint chart-overlay">No routing weights were recorded for this run.</p>}
          <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={{ width: 600, height: HEIGHT }}>
            <AreaChart data={data.points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
              <XAxis {...axis} />
              <YAxis
                width={48}
                tick={{ fontSize: 11 }}
                domain={[0, 1]}
                allowDataOverflow
                ticks={[0, 0.25, 0.5, 0.75, 1]}
                tickFormatter={(v: number) => formatPercent(v, 0)}
                stroke="currentColor"
              />
              <Tooltip {...tooltip} formatter={(v: unknown) => formatPercent(Number(v), 0)} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {data.hasWeights &&
                data.series.map((s, i) => (
                  <Area
                    key={s.weightId}
                    name={s.key}
                    dataKey={s.weightId}
                    // Weights change in steps; a sample's weights were set at most one interval before it.
                    type="stepBefore"
                    stackId="weights"
                    stroke={PALETTE[i % PALETTE.length]}
                    fill={PALETTE[i % PALETTE.length]}
                    fillOpacity={0.35}
                    strokeWidth={1.5}
                    dot={false}
                    isAnimationActive={false}
                  />
                ))}
            </AreaChart>
          </ResponsiveContainer>
        </figure>
      </div>
      {data.sessions > 1 && <p className="hint">This run was resumed or its server restarted {data.sessions - 1} time(s); lines break at each pause.</p>}
    </section>
  );
}
