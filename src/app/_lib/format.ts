/**
 * Number and time formatting for the dashboard. Every function returns a string for any
 * input (null/undefined/NaN included) so a missing metric renders as a dash, never as
 * "NaN" or a layout jump.
 */

export const DASH = "–";

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function ok(n: number | null | undefined): n is number {
  return typeof n === "number" && Number.isFinite(n);
}

/** 12345 -> "12,345". */
export function formatInt(n: number | null | undefined): string {
  return ok(n) ? intFmt.format(Math.round(n)) : DASH;
}

/** 1234 -> "1.2k", 5_600_000 -> "5.6M"; below 10k the exact integer. */
export function formatCompact(n: number | null | undefined): string {
  if (!ok(n)) return DASH;
  const abs = Math.abs(n);
  if (abs < 10_000) return formatInt(n);
  if (abs < 1e6) return `${trim(n / 1e3, abs < 1e5 ? 1 : 0)}k`;
  if (abs < 1e9) return `${trim(n / 1e6, abs < 1e8 ? 1 : 0)}M`;
  return `${trim(n / 1e9, 1)}B`;
}

function trim(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.0+$/, "");
}

/** Dollars with precision that suits the amount: $0.0042, $0.42, $12.30, $1,234. */
export function formatUsd(n: number | null | undefined): string {
  if (!ok(n)) return DASH;
  const abs = Math.abs(n);
  if (abs === 0) return "$0.00";
  if (abs < 0.01) return `$${n.toFixed(4)}`;
  if (abs < 1000) return `$${n.toFixed(2)}`;
  return `$${intFmt.format(Math.round(n))}`;
}

/** A ratio 0..1 as a percentage with one decimal: 0.1234 -> "12.3%". */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (!ok(ratio)) return DASH;
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** A rate with 3 significant digits at most: 0.01234 -> "0.0123", 12.34 -> "12.3", 1234 -> "1,234". */
export function formatRate(n: number | null | undefined): string {
  if (!ok(n)) return DASH;
  const abs = Math.abs(n);
  if (abs === 0) return "0";
  if (abs >= 1000) return formatInt(n);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3).replace(/0+$/, "").replace(/\.$/, "");
}

/** Milliseconds as a clock: 65_000 -> "1:05", 3_725_000 -> "1:02:05", 2 days -> "2d 03:00:00". */
export function formatElapsed(ms: number | null | undefined): string {
  if (!ok(ms) || ms < 0) return DASH;
  const total = Math.floor(ms / 1000);
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600) % 24;
  const d = Math.floor(total / 86400);
  const pad = (x: number) => String(x).padStart(2, "0");
  if (d > 0) return `${d}d ${pad(h)}:${pad(m)}:${pad(s)}`;
  if (h > 0) return `${h}:${pad(m)}:${pad(s)}`;
  return `${m}:${pad(s)}`;
}

/** A short human duration: 950 -> "950 ms", 4_200 -> "4.2 s", 125_000 -> "2m 5s", 3h -> "3h 0m". */
export function formatDuration(ms: number | null | undefined): string {
  if (!ok(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1000, ms < 10_000 ? 1 : 0)} s`;
  const totalS = Math.floor(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m ${totalS % 60}s`;
  if (totalS < 86400) return `${Math.floor(totalS / 3600)}h ${Math.floor(totalS / 60) % 60}m`;
  return `${Math.floor(totalS / 86400)}d ${Math.floor(totalS / 3600) % 24}h`;
}

/** Megabytes: 48.3 -> "48.3 MB", 1536 -> "1.5 GB". */
export function formatMb(mb: number | null | undefined): string {
  if (!ok(mb)) return DASH;
  if (mb >= 1024) return `${trim(mb / 1024, 1)} GB`;
  return `${mb.toFixed(1)} MB`;
}

/** A time of day for chart axes and lists: "14:05:09" (local time). */
export function formatClock(at: number | null | undefined): string {
  if (!ok(at)) return DASH;
  const d = new Date(at);
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Date and time for run history: "2026-11-23 14:05". */
export function formatDateTime(at: number | null | undefined): string {
  if (!ok(at)) return DASH;
  const d = new Date(at);
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "3 s ago", "5 min ago", "2 h ago", or the date for anything older than a day. */
export function formatAgo(at: number | null | undefined, now: number): string {
  if (!ok(at)) return DASH;
  const ms = Math.max(0, now - at);
  if (ms < 5_000) return "just now";
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return formatDateTime(at);
}
