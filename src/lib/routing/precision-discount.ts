import type { StatsSnapshot, WindowStats } from "../stats/types";

/**
 * The snapshot with each target's new entries counted times its precision (the share of its
 * entries verification keeps): an invention looks like a new entry, so a model that invents
 * would otherwise look like the best one (issue #21). Rates derived from new entries scale
 * with them; everything else is the snapshot's.
 */
export function discountNewEntries(snapshot: StatsSnapshot, precisionOf: (target: string) => number): StatsSnapshot {
  const scale = (x: number | null, p: number) => (x === null ? null : x * p);
  const discount = (s: WindowStats, p: number): WindowStats => ({
    ...s,
    itemsNew: s.itemsNew * p,
    uniquePerMinute: scale(s.uniquePerMinute, p),
    uniquePerCallMinute: scale(s.uniquePerCallMinute, p),
    uniquePerCall: scale(s.uniquePerCall, p),
    uniquePer1kTokens: scale(s.uniquePer1kTokens, p),
    uniquePerDollar: scale(s.uniquePerDollar, p),
  });
  return {
    ...snapshot,
    windows: snapshot.windows.map((w) => ({
      ...w,
      byTarget: Object.fromEntries(Object.entries(w.byTarget).map(([t, s]) => [t, discount(s, precisionOf(t))])),
    })),
  };
}
