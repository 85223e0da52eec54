/**
 * Shapes stored metric samples (one every 5 s, from Postgres) plus the latest live
 * snapshot into chart rows. Counters restart when a run is resumed or the server
 * restarts, so samples are split into sessions and lines break between them.
 * Samples also carry the routing weights and the coverage estimate of their moment.
 */

import { readMetricSample, type MetricSampleData } from "../../lib/metric-sample";
import type { LiveSnapshot } from "../../trpc/shared";

/** A stored sample (its data shape is src/lib/metric-sample.ts, shared with the server's sampler). */
export type Sample = { at: number } & MetricSampleData;

/** One row of the charts; `null` values break the lines (session boundaries, no data). */
export type ChartPoint = {
  at: number;
  totalUnique: number | null;
  uniquePerMinute: number | null;
  dupRate: number | null;
  /** Unique per minute of each target, by series id (see `ChartData.series`). */
  [seriesId: `t${number}`]: number | null;
  /** Routing weight of each target, by weight id; null where the sample has no weights. */
  [weightId: `w${number}`]: number | null;
};

/** A provider/model: `id` keys its unique-per-minute values, `weightId` its routing weights. */
export type ChartSeries = { id: `t${number}`; weightId: `w${number}`; key: string };

export type ChartData = {
  points: ChartPoint[];
  series: ChartSeries[];
  sessions: number;
  /** Some sample carries routing weights (runs from before routing have none). */
  hasWeights: boolean;
};

export const SESSION_GAP_MS = 30_000;
export const DUP_WINDOW_MS = 60_000;
export const MAX_CHART_POINTS = 600;

/** Reads one stored sample; missing or malformed fields count as 0, a missing time drops it. */
export function parseSample(raw: { at: unknown; data: unknown }): Sample | null {
  if (typeof raw.at !== "number" || !Number.isFinite(raw.at)) return null;
  return { at: raw.at, ...readMetricSample(raw.data) };
}

type SnapshotTally = Pick<
  LiveSnapshot["totals"],
  "key" | "unique" | "uniqueLastMinute" | "candidates" | "candidatesLastMinute" | "dupExact" | "dupNear" | "costUsd" | "promptTokens" | "completionTokens"
>;
type SnapshotCoverage = { coverage: number; estimatedTotal: number; method: string | null };

/** The live snapshot as a sample, so the charts move every second between stored samples (the server's sampleOf, in the browser). */
export function sampleFromSnapshot(snap: {
  at: number;
  totals: SnapshotTally;
  targets: readonly SnapshotTally[];
  routing?: { weights: Record<string, number> } | null;
  run?: { coverage: SnapshotCoverage | null } | null;
}): Sample {
  const t = snap.totals;
  const routing = snap.routing ?? null;
  const coverage = snap.run?.coverage ?? null;
  return {
    at: snap.at,
    ...readMetricSample({
      totalUnique: t.unique,
      uniqueLastMinute: t.uniqueLastMinute,
      candidates: t.candidates,
      candidatesLastMinute: t.candidatesLastMinute,
      dupExact: t.dupExact,
      dupNear: t.dupNear,
      costUsd: t.costUsd,
      tokens: t.promptTokens + t.completionTokens,
      targets: Object.fromEntries(
        snap.targets.map((x) => [x.key, { unique: x.unique, uniqueLastMinute: x.uniqueLastMinute, candidatesLastMinute: x.candidatesLastMinute }]),
      ),
      weights: routing?.weights ?? {},
      coverage: coverage?.coverage ?? null,
      estimatedTotal: coverage?.estimatedTotal ?? null,
      coverageMethod: coverage?.method ?? null,
    }),
  };
}

/** Stored samples in time order, with the live sample appended when it is newer. */
export function withLiveSample(stored: readonly Sample[], live: Sample | null): Sample[] {
  const out = [...stored].sort((a, b) => a.at - b.at);
  const last = out[out.length - 1];
  if (live && (!last || live.at > last.at + 500)) out.push(live);
  return out;
}

/**
 * Per-session counters (tokens, duplicates; candidates in samples from before the count
 * was carried over) going back mean the server restarted, even without a gap.
 */
function restarted(prev: Sample, s: Sample): boolean {
  return s.candidates < prev.candidates || s.tokens < prev.tokens || s.dupExact + s.dupNear < prev.dupExact + prev.dupNear;
}

/** Splits samples where the run paused (a gap) or its counters restarted (resume, server restart). */
export function splitSessions(samples: readonly Sample[], gapMs = SESSION_GAP_MS): Sample[][] {
  const sessions: Sample[][] = [];
  let current: Sample[] = [];
  for (const s of samples) {
    const prev = current[current.length - 1];
    if (prev && (s.at - prev.at > gapMs || restarted(prev, s))) {
      sessions.push(current);
      current = [];
    }
    current.push(s);
  }
  if (current.length > 0) sessions.push(current);
  return sessions;
}

/**
 * Share of candidates that were duplicates over the trailing window ending at each sample
 * (counters start at 0 with each session, so the session start is the baseline).
 */
export function trailingDupRates(session: readonly Sample[], windowMs = DUP_WINDOW_MS): Array<number | null> {
  const out: Array<number | null> = [];
  let j = -1; // index of the baseline sample, -1 = zero counters at session start
  for (let i = 0; i < session.length; i++) {
    const s = session[i]!;
    while (j + 1 < i && session[j + 1]!.at <= s.at - windowMs) j++;
    const base = j >= 0 ? session[j]! : null;
    const candidates = s.candidates - (base?.candidates ?? 0);
    const dups = s.dupExact + s.dupNear - (base ? base.dupExact + base.dupNear : 0);
    out.push(candidates > 0 ? Math.min(1, Math.max(0, dups / candidates)) : null);
  }
  return out;
}

/** Keeps at most `max` points, evenly spaced, always keeping line breaks and the last point. */
export function downsample<T extends { totalUnique: number | null }>(points: readonly T[], max = MAX_CHART_POINTS): T[] {
  if (points.length <= max) return [...points];
  const stride = Math.ceil(points.length / max);
  return points.filter((p, i) => i % stride === 0 || i === points.length - 1 || p.totalUnique === null);
}

export function buildChartData(samples: readonly Sample[], opts: { gapMs?: number; windowMs?: number; maxPoints?: number } = {}): ChartData {
  const keys = new Set<string>();
  let hasWeights = false;
  for (const s of samples) {
    for (const k of Object.keys(s.targets)) keys.add(k);
    // A routed target may have no tally yet (no call finished): it still gets a series.
    for (const k of Object.keys(s.weights)) keys.add(k);
    hasWeights ||= Object.keys(s.weights).length > 0;
  }
  const series: ChartSeries[] = [...keys]
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((key, i) => ({ id: `t${i}`, weightId: `w${i}`, key }));
  const sessions = splitSessions(samples, opts.gapMs);
  const points: ChartPoint[] = [];
  sessions.forEach((session, si) => {
    if (si > 0) {
      // A row of nulls between sessions so no line bridges the pause.
      const prev = sessions[si - 1]!;
      const gapAt = Math.round((prev[prev.length - 1]!.at + session[0]!.at) / 2);
      const gap: ChartPoint = { at: gapAt, totalUnique: null, uniquePerMinute: null, dupRate: null };
      for (const { id, weightId } of series) {
        gap[id] = null;
        gap[weightId] = null;
      }
      points.push(gap);
    }
    const rates = trailingDupRates(session, opts.windowMs);
    session.forEach((s, i) => {
      const p: ChartPoint = { at: s.at, totalUnique: s.totalUnique, uniquePerMinute: s.uniqueLastMinute, dupRate: rates[i] ?? null };
      const weighted = Object.keys(s.weights).length > 0;
      for (const { id, weightId, key } of series) {
        p[id] = s.targets[key]?.uniqueLastMinute ?? null;
        // A target missing from a sample that has weights gets none of the traffic.
        p[weightId] = weighted ? (s.weights[key] ?? 0) : null;
      }
      points.push(p);
    });
  });
  return { points: downsample(points, opts.maxPoints), series, sessions: sessions.length, hasWeights };
}

/** Per provider/model unique entries at the end of the run (target tallies are seeded on resume). */
export function finalTargets(samples: readonly Sample[]): Array<{ key: string; unique: number }> {
  const last = samples[samples.length - 1];
  if (!last) return [];
  return Object.entries(last.targets)
    .map(([key, t]) => ({ key, unique: t.unique }))
    .sort((a, b) => b.unique - a.unique || a.key.localeCompare(b.key));
}
