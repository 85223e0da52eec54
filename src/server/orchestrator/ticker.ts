import { errorMessage } from "../../lib/errors";
import type { MetricSampleData } from "../../lib/metric-sample";
import { isProducing } from "../../lib/run-modes";
import { stopReason } from "../../lib/stop-rules";
import type { ActiveRun } from "./active-run";
import type { LiveSnapshot } from "./live";
import type { ProducerHealth } from "./supervisor";

const TICK_MS = 1_000;
const HEALTH_EVERY_MS = 2_000;
const SAMPLE_EVERY_MS = 5_000;

export type TickerDeps = {
  clock: () => number;
  activeRun: () => ActiveRun | undefined;
  health: () => Promise<ProducerHealth[]>;
  snapshot: () => LiveSnapshot;
  /** Stores a sample and the run's totals. */
  saveSample: (run: ActiveRun, sample: MetricSampleData, at: number) => Promise<void>;
  /** Stops `runId` if it is still the active run. */
  stop: (reason: string, runId: string) => Promise<unknown>;
  /** Once per tick while a run is held, after its figures moved (live subscribers wake up). */
  ticked: () => void;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/**
 * Once a second: producer health (every 2 s), a stored metric sample (every 5 s) and the
 * stop rules (src/lib/stop-rules.ts), in one place.
 */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private closed = false;
  private lastSampleAt = 0;
  private lastHealthAt = 0;
  /** Producer health as last polled from pm2. */
  health: ProducerHealth[] = [];

  constructor(private readonly deps: TickerDeps) {}

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.deps.log("error", `tick: ${errorMessage(err)}`)), TICK_MS);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** The run went away: its producers' health no longer applies. */
  reset(): void {
    this.health = [];
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.deps.clock();
      const run = this.deps.activeRun();
      if (run && now - this.lastHealthAt >= HEALTH_EVERY_MS) {
        this.lastHealthAt = now;
        this.health = await this.deps.health().catch(() => this.health);
      }
      if (run && isProducing(run.mode)) {
        if (now - this.lastSampleAt >= SAMPLE_EVERY_MS) {
          this.lastSampleAt = now;
          await this.sample(run);
        }
        const reason = stopReason(run.config.stop, {
          totalUnique: run.totalUnique,
          costUsd: run.costUsd,
          elapsedMs: now - run.startedAt,
          optimizerVerdict: run.optimizer.tick(now).stopReason,
        });
        if (reason) void this.deps.stop(reason, run.id).catch((err: unknown) => this.deps.log("error", `automatic stop: ${errorMessage(err)}`));
      }
      // An idle server's snapshot does not move: its subscribers hear tRPC's pings only.
      if (run) this.deps.ticked();
    } finally {
      this.ticking = false;
    }
  }

  /** Stores the live figures as a sample (also at stop, so a run's last sample is its final state). */
  async sample(run: ActiveRun): Promise<void> {
    const snap = this.deps.snapshot();
    await this.deps.saveSample(run, sampleOf(snap), snap.at);
  }
}

/** The stored form of a live snapshot (src/lib/metric-sample.ts). */
export function sampleOf(snap: LiveSnapshot): MetricSampleData {
  return {
    totalUnique: snap.totals.unique,
    uniqueLastMinute: snap.totals.uniqueLastMinute,
    candidates: snap.totals.candidates,
    candidatesLastMinute: snap.totals.candidatesLastMinute,
    dupExact: snap.totals.dupExact,
    dupNear: snap.totals.dupNear,
    costUsd: snap.totals.costUsd,
    tokens: snap.totals.promptTokens + snap.totals.completionTokens,
    targets: Object.fromEntries(
      snap.targets.map((t) => [t.key, { unique: t.unique, uniqueLastMinute: t.uniqueLastMinute, candidatesLastMinute: t.candidatesLastMinute }]),
    ),
    weights: snap.routing?.weights ?? {},
    // The run view's estimate, on the entries found at this sample (its totalUnique).
    coverage: snap.run?.coverage?.coverage ?? null,
    estimatedTotal: snap.run?.coverage?.estimatedTotal ?? null,
    coverageMethod: snap.run?.coverage?.method ?? null,
  };
}
