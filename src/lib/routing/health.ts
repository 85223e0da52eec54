import type { CallErrorKind } from "../protocol";
import type { CallObservation } from "../stats/types";

export type HealthOptions = {
  /** Delay after the first failure; doubles with each further consecutive failure. Default 2 s. */
  backoffBaseMs?: number;
  /** Longest delay. Default 2 min. */
  backoffMaxMs?: number;
  /** Consecutive failures after which a target is skipped until its delay has passed (a rate limit counts at once). Default 2. */
  skipAfter?: number;
};

/** The key or the account is missing or wrong: retrying cannot help during this run. */
const FATAL: ReadonlySet<CallErrorKind> = new Set(["auth", "no_key"]);

type TargetState = {
  failures: number;
  lastFailureAt: number;
  rateLimited: boolean;
  disabled: CallErrorKind | null;
};

export type TargetHealthStatus = {
  failures: number;
  /** When the target may be called again (0 when it may be called now). */
  readyAt: number;
  rateLimited: boolean;
  disabled: CallErrorKind | null;
};

/**
 * Per-target failure tracking shared by all strategies: consecutive failures with exponential
 * backoff, and targets disabled for the run on auth/no_key errors. A burst of concurrent failures
 * counts once: a failed call that started before the previous failure was reported does not
 * escalate the backoff (its producer could not have known).
 */
export class TargetHealth {
  private readonly states = new Map<string, TargetState>();
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly skipAfter: number;

  constructor(opts: HealthOptions = {}) {
    this.backoffBaseMs = opts.backoffBaseMs ?? 2_000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 120_000;
    this.skipAfter = opts.skipAfter ?? 2;
  }

  observe(obs: CallObservation): void {
    const s = this.state(obs.target);
    if (!obs.error) {
      s.failures = 0;
      s.rateLimited = false;
      return;
    }
    if (FATAL.has(obs.error)) {
      s.disabled = obs.error;
      return;
    }
    const startedAt = obs.at - obs.latencyMs;
    if (s.failures === 0 || startedAt >= s.lastFailureAt) s.failures++;
    s.lastFailureAt = Math.max(s.lastFailureAt, obs.at);
    s.rateLimited = obs.error === "rate_limit";
  }

  /** Backoff delay after `failures` consecutive failures. */
  delayMs(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (failures - 1));
  }

  status(target: string): TargetHealthStatus {
    const s = this.states.get(target);
    if (!s) return { failures: 0, readyAt: 0, rateLimited: false, disabled: null };
    return {
      failures: s.failures,
      readyAt: s.failures > 0 ? s.lastFailureAt + this.delayMs(s.failures) : 0,
      rateLimited: s.rateLimited,
      disabled: s.disabled,
    };
  }

  isDisabled(target: string): boolean {
    return this.states.get(target)?.disabled != null;
  }

  /** Callable now without waiting: not disabled, and not past `skipAfter` failures inside its backoff delay. */
  isAvailable(target: string, now: number): boolean {
    const st = this.status(target);
    if (st.disabled) return false;
    const skipping = st.failures >= this.skipAfter || (st.rateLimited && st.failures > 0);
    return !skipping || now >= st.readyAt;
  }

  private state(target: string): TargetState {
    let s = this.states.get(target);
    if (!s) {
      s = { failures: 0, lastFailureAt: -Infinity, rateLimited: false, disabled: null };
      this.states.set(target, s);
    }
    return s;
  }
}
