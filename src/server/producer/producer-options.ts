import { DEFAULT_SHARES, type PromptStrategy, type SelectionShares } from "../../lib/prompt";
import type { ProviderId } from "../../lib/providers";
import type { Channel } from "./channel";
import type { Clock } from "./clock";
import type { LlmResolution } from "./llm/factory";

// What a Producer (producer.ts) takes and returns.

export interface ProducerOptions {
  strategy: PromptStrategy;
  shares: SelectionShares;
  /** Stop after this many LLM calls (benchmarks, tests). */
  maxCalls: number;
  /** At shutdown, how long to keep trying to deliver unacknowledged batches. */
  flushDeadlineMs: number;
  /** While the target cannot run (no key, auth failure): how often to check in. */
  idleRecheckMs: number;
  /** Backoff after failed calls. */
  backoff: { baseMs: number; maxMs: number };
  /** Retries of hello/sync/submit while the orchestrator is unreachable. */
  channelBackoff: { baseMs: number; maxMs: number };
  /** Least time between submits of a streaming call's lines (Outbox.minIntervalMs). */
  submitIntervalMs: number;
}

export const DEFAULT_PRODUCER_OPTIONS: ProducerOptions = {
  strategy: "budgeted",
  shares: DEFAULT_SHARES,
  maxCalls: Number.POSITIVE_INFINITY,
  flushDeadlineMs: 1_200,
  idleRecheckMs: 30_000,
  backoff: { baseMs: 1_000, maxMs: 60_000 },
  channelBackoff: { baseMs: 250, maxMs: 10_000 },
  submitIntervalMs: 200,
};

export interface ProducerDeps {
  channel: Channel;
  llmFor: (target: { provider: ProviderId; model: string }) => LlmResolution;
  clock: Clock;
  /** Stops as close() does: abort the calls in flight, flush, return (tests, benchmarks; main.ts calls close()). */
  stopSignal?: AbortSignal;
  log?: (line: string) => void;
  /** Applied to every message that leaves the process or reaches a log (API keys). */
  redact?: (text: string) => string;
  random?: () => number;
  newId?: () => string;
  options?: Partial<ProducerOptions>;
  /** Called after each finished call (main.ts: a full GC, see there). */
  afterCall?: () => void;
}

export interface ProducerSummary {
  exit: "stopped" | "run-ended" | "max-calls";
  calls: number;
  failedCalls: number;
  itemsParsed: number;
  /** Batches still unacknowledged when the producer gave up flushing. */
  unacknowledged: number;
}
