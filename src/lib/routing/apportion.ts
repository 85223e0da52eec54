/**
 * Smooth weighted round robin (nginx): deterministic, and every prefix of the pick sequence is as
 * close to the weights as integers allow, so a 5% exploration share really gets 1 call in 20.
 */
export class SmoothWeightedPicker {
  private readonly current = new Map<string, number>();

  /** Picks among `candidates` (non-empty) by `weights`; missing or non-positive weights count as 0, all zero means equal. */
  pick(candidates: readonly string[], weights: Readonly<Record<string, number>>): string {
    if (candidates.length === 0) throw new Error("SmoothWeightedPicker.pick: no candidates");
    const w = (t: string) => Math.max(0, weights[t] ?? 0);
    let total = candidates.reduce((sum, t) => sum + w(t), 0);
    const weightOf = total > 0 ? w : () => 1;
    if (total <= 0) total = candidates.length;
    let best = candidates[0]!;
    let bestValue = -Infinity;
    for (const t of candidates) {
      const v = (this.current.get(t) ?? 0) + weightOf(t);
      this.current.set(t, v);
      if (v > bestValue) {
        bestValue = v;
        best = t;
      }
    }
    this.current.set(best, bestValue - total);
    return best;
  }
}

/**
 * Splits `poolSize` producers over targets in proportion to `weights` (largest remainder). When the
 * pool is big enough, every target with a positive weight gets at least one producer, so a pinned
 * pool still explores.
 */
export function apportion(weights: Readonly<Record<string, number>>, poolSize: number): Record<string, number> {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  const out: Record<string, number> = Object.fromEntries(Object.keys(weights).map((t) => [t, 0]));
  if (entries.length === 0 || poolSize <= 0) return out;
  const total = entries.reduce((s, [, w]) => s + w, 0);
  const floorOne = poolSize >= entries.length;
  const quotas = entries.map(([t, w]) => ({ t, q: (w / total) * poolSize }));
  let assigned = 0;
  for (const { t, q } of quotas) {
    out[t] = Math.max(floorOne ? 1 : 0, Math.floor(q));
    assigned += out[t]!;
  }
  // Too many after the floors: take back from the largest holders beyond their quota.
  while (assigned > poolSize) {
    const donor = quotas.filter(({ t }) => out[t]! > 1).sort((a, b) => out[b.t]! - b.q - (out[a.t]! - a.q))[0];
    if (!donor) break;
    out[donor.t]!--;
    assigned--;
  }
  const byRemainder = [...quotas].sort((a, b) => b.q - out[b.t]! - (a.q - out[a.t]!) || a.t.localeCompare(b.t));
  for (let i = 0; assigned < poolSize; i = (i + 1) % byRemainder.length) {
    out[byRemainder[i]!.t]!++;
    assigned++;
  }
  return out;
}
