import type { Clock } from "../../src/server/producer/clock";

/**
 * A clock whose time moves only when someone sleeps: `sleep(ms)` yields to the event loop,
 * then moves time to at least its start + ms (concurrent sleepers overlap, as on a wall
 * clock). Waits become exact numbers to assert on, whatever the machine's load, while the
 * rest (HTTP, the simulator) runs for real. `onSleep` can act at a given sleep (stop a run).
 */
export class FakeClock implements Clock {
  private t = 1_000_000;
  readonly sleeps: number[] = [];
  onSleep?: (ms: number, index: number) => void;

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return;
    const wakeAt = this.t + ms;
    this.sleeps.push(ms);
    this.onSleep?.(ms, this.sleeps.length - 1);
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) return;
    this.t = Math.max(this.t, wakeAt);
  }
}
