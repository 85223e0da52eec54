import { ReproposalCounter } from "../../src/lib/coverage";
import { seededRng } from "../../src/lib/stats/math";

/** Zipf popularity weights of a universe of `size` entries: rank r has weight r^-s. */
export const zipf = (size: number, s: number): number[] => Array.from({ length: size }, (_, i) => (i + 1) ** -s);

/** Draws from a known universe with popularity weights until `stopAt` distinct entries were seen. */
export function sampleUniverse(weights: readonly number[], stopAt: number, seed: number): ReproposalCounter {
  const rng = seededRng(seed);
  const cdf: number[] = [];
  let total = 0;
  for (const w of weights) cdf.push((total += w));
  const proposals = new Int32Array(weights.length);
  const counter = new ReproposalCounter();
  while (counter.observed < stopAt) {
    const r = rng() * total;
    let lo = 0;
    let hi = weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    if (proposals[lo] === 0) counter.onNew();
    else counter.onRepeat(proposals[lo]!);
    proposals[lo]!++;
  }
  return counter;
}
