/**
 * The evidence the coverage estimate (coverage.ts, whose module comment explains the method)
 * is computed from: re-proposal frequencies and each target's discovery curve.
 */

/** Frequency-of-frequencies: index k holds f_k (index 0 is ignored), or a Map k -> f_k. */
export type FrequencyCounts = readonly number[] | ReadonlyMap<number, number>;

/**
 * Maintains f1, f2, ... as entries are proposed, O(1) per event. Tell it about every candidate
 * that resolves to an accepted entry: `onNew()` for the first proposal, `onRepeat(prev)` when an
 * entry that had been proposed `prev` times is proposed again.
 */
export class ReproposalCounter {
  private readonly f: number[] = [0, 0];
  private entries = 0;
  private proposals = 0;

  onNew(): void {
    this.f[1]!++;
    this.entries++;
    this.proposals++;
  }

  onRepeat(prevCount: number): void {
    if (!Number.isInteger(prevCount) || prevCount < 1) throw new Error(`onRepeat: prevCount must be a positive integer, got ${prevCount}`);
    if (!((this.f[prevCount] ?? 0) > 0)) throw new Error(`onRepeat: no entry has been proposed ${prevCount} times`);
    this.f[prevCount]!--;
    while (this.f.length <= prevCount + 1) this.f.push(0);
    this.f[prevCount + 1]!++;
    this.proposals++;
  }

  /** f[k] = entries proposed exactly k times (a live view; copy it to keep it). */
  get frequencies(): readonly number[] {
    return this.f;
  }

  /** Distinct entries seen. */
  get observed(): number {
    return this.entries;
  }

  /** Total proposals that resolved to an entry (the sample size n). */
  get samples(): number {
    return this.proposals;
  }
}

/** Per-target discovery curve: calls binned by how much the run had found, see the module comment. */
export class YieldCurve {
  /** Per target: parallel arrays of bins (found-so-far weighted by candidates, new, resolved candidates). */
  private readonly bins = new Map<string, { u: number[]; fresh: number[]; resolved: number[]; calls: number }>();

  /** At most this many bins per target; beyond it neighbours are merged pairwise (bounded memory and fit time). */
  static readonly MAX_BINS = 256;

  /**
   * One finished call of `target`: `itemsNew` new entries among `resolved` candidates that were
   * new or duplicates (junk excluded), when the run had found `foundBefore` entries.
   */
  add(target: string, foundBefore: number, itemsNew: number, resolved: number): void {
    if (!(resolved > 0)) return;
    let b = this.bins.get(target);
    if (!b) this.bins.set(target, (b = { u: [], fresh: [], resolved: [], calls: 0 }));
    b.calls++;
    // Mid-call position: the call's own new entries raised the count as it went.
    b.u.push((foundBefore + itemsNew / 2) * resolved);
    b.fresh.push(itemsNew);
    b.resolved.push(resolved);
    const len = b.u.length;
    if (len > YieldCurve.MAX_BINS) {
      const half = Math.floor(len / 2);
      for (const arr of [b.u, b.fresh, b.resolved]) {
        for (let i = 0; i < half; i++) arr[i] = arr[2 * i]! + arr[2 * i + 1]!;
        if (len % 2 === 1) arr[half] = arr[len - 1]!;
        arr.length = half + (len % 2);
      }
    }
  }

  /** Calls recorded per target. */
  calls(): Record<string, number> {
    return Object.fromEntries([...this.bins].map(([t, b]) => [t, b.calls]));
  }

  /** (found, new-rate, weight) points of one target. */
  points(target: string): Array<{ found: number; rate: number; weight: number }> {
    const b = this.bins.get(target);
    if (!b) return [];
    return b.u.map((u, i) => ({ found: u / b.resolved[i]!, rate: b.fresh[i]! / b.resolved[i]!, weight: b.resolved[i]! }));
  }

  targets(): string[] {
    return [...this.bins.keys()];
  }
}

/**
 * A target's calls count towards the curve estimate only with this much evidence. Low on purpose:
 * half of a 2,000-entry topic is found within ~70 calls, and the geometric mean damps a noisy fit.
 */
const CURVE_MIN_CALLS = 5;
const CURVE_MAX_RATIO = 20;
const CURVE_GRID = 200;

/**
 * Where the discovery rate c·(1 − found/S)² of the broadest target reaches zero (module comment);
 * null without a target with enough calls. `observed` is the run's current count.
 */
export function yieldCurveEstimate(curve: YieldCurve, observed: number, minCalls = CURVE_MIN_CALLS): { estimatedTotal: number; target: string } | null {
  if (observed <= 0) return null;
  const calls = curve.calls();
  let best: { estimatedTotal: number; target: string } | null = null;
  for (const target of curve.targets()) {
    if ((calls[target] ?? 0) < minCalls) continue;
    const pts = curve.points(target);
    let bestS = observed;
    let bestSse = Infinity;
    for (let i = 1; i <= CURVE_GRID; i++) {
      // Log grid over (observed, 20·observed]: S is a ratio scale.
      const S = observed * Math.exp((i / CURVE_GRID) * Math.log(CURVE_MAX_RATIO));
      let num = 0;
      let den = 0;
      for (const p of pts) {
        const x = Math.max(0, 1 - p.found / S) ** 2;
        num += p.weight * x * p.rate;
        den += p.weight * x * x;
      }
      if (!(den > 0)) continue;
      // Residual sum of squares at the best scale c = num / den, less the constant Σ w·rate².
      const sse = -(num * num) / den;
      if (sse < bestSse) {
        bestSse = sse;
        bestS = S;
      }
    }
    if (!best || bestS > best.estimatedTotal) best = { estimatedTotal: bestS, target };
  }
  return best;
}
