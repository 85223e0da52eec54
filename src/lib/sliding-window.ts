/**
 * Counts events in per-second buckets so "how many in the last N seconds" is O(buckets)
 * and memory is fixed. Time is passed in (ms) so tests control the clock.
 */
export class SlidingCounter {
  private readonly buckets: Float64Array;
  private readonly stamps: Float64Array;

  constructor(readonly windowSeconds = 60) {
    this.buckets = new Float64Array(windowSeconds);
    this.stamps = new Float64Array(windowSeconds).fill(-1);
  }

  add(nowMs: number, amount = 1): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.windowSeconds;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i]! += amount;
  }

  /** Sum over the last `seconds` seconds including the current one. */
  sum(nowMs: number, seconds = this.windowSeconds): number {
    const now = Math.floor(nowMs / 1000);
    const span = Math.min(seconds, this.windowSeconds);
    let total = 0;
    for (let k = 0; k < span; k++) {
      const s = now - k;
      const i = ((s % this.windowSeconds) + this.windowSeconds) % this.windowSeconds;
      if (this.stamps[i] === s) total += this.buckets[i]!;
    }
    return total;
  }
}
