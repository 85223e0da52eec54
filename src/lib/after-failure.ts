import { backoffMs, honourRetryAfter } from "./backoff";
import type { CallErrorKind } from "./protocol";

/**
 * What a producer does after a failed LLM call: how long to pause, which limit of its
 * requests to lower, and what to tell the orchestrator. Pure: the producer (src/server/
 * producer/producer.ts) applies the decision.
 */

/** A failed call, as data (src/server/producer/llm/errors.ts classifies SDK errors into it). */
export interface CallFailure {
  kind: CallErrorKind;
  message: string;
  status?: number;
  /** The server's retry-after, if it sent one. */
  retryAfterMs?: number;
  /** A 400 naming the output-token ceiling ("supports at most 16384 completion tokens"). */
  maxTokensLimit?: number;
  /** A 429 for a request that can never fit the per-minute budget (waiting will not help). */
  tooLarge?: boolean;
}

/** The failed request's sizes and the limits they were built under. */
export interface CallCaps {
  /** `provider:model`, for messages. */
  label: string;
  /** max_tokens the call asked for. */
  maxTokens: number;
  /** Tokens of known entries in its prompt. */
  knownTokens: number;
  /** The known-entries budget cap already in force for this target (Infinity: none). */
  knownTokensCap: number;
  /** Whether the prompt can shrink (the bounded strategies; `naive` sends every entry). */
  shrinkable: boolean;
  /** The rate-limit pacing's wait for this request (rate-limit headers), ms. */
  paceMs: number;
  backoff: { baseMs: number; maxMs: number };
  random?: () => number;
}

export interface FailureDecision {
  /** Pause every lane this long (0: retry at once). */
  delayMs: number;
  /** The failure streak after this failure: a limit that was lowered is no provider malfunction and does not grow it. */
  streak: number;
  /** A lowered limit for this target's next requests. */
  cap?: { knownTokens: number } | { maxTokens: number };
  /** The target cannot run (auth): idle and re-check instead of retrying. */
  idle?: true;
  /** A status for the orchestrator (the producer reports each level and kind once per streak). */
  report?: { level: "warn" | "fatal"; kind: CallErrorKind; message: string };
  /** A line for the producer's own log. */
  log?: string;
}

/** Never retry a rate-limited call sooner than this, whatever the server says. */
export const MIN_RATE_LIMIT_WAIT_MS = 100;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function afterFailure(error: CallFailure, streak: number, caps: CallCaps): FailureDecision {
  const random = caps.random ?? Math.random;
  const backoff = (attempt: number) => backoffMs(attempt, caps.backoff, random);
  const next = streak + 1;
  const { label } = caps;

  if (error.kind === "bad_request" && error.maxTokensLimit !== undefined && error.maxTokensLimit < caps.maxTokens) {
    return { delayMs: 0, streak, cap: { maxTokens: error.maxTokensLimit }, log: `${label}: max_tokens lowered to ${error.maxTokensLimit}` };
  }
  const kind = error.kind === "rate_limit" && error.tooLarge && error.retryAfterMs === undefined ? "context_overflow" : error.kind;
  switch (kind) {
    case "context_overflow": {
      if (caps.shrinkable && caps.knownTokens > 0) {
        // Shrink the known-entries budget and retry at once; halving reaches 0 in a few steps.
        const knownTokens = Math.min(caps.knownTokensCap, Math.floor(caps.knownTokens / 2));
        return {
          delayMs: 0,
          streak,
          cap: { knownTokens },
          log: `${label}: context overflow with ${caps.knownTokens} known-entry tokens; budget now ${knownTokens}`,
        };
      }
      const message = `${label}: the prompt does not fit the model's context even without known entries (${error.message})`;
      return { delayMs: backoff(streak), streak: next, report: { level: "warn", kind: error.kind, message } };
    }
    case "rate_limit": {
      const delayMs =
        error.retryAfterMs !== undefined
          ? Math.max(MIN_RATE_LIMIT_WAIT_MS, honourRetryAfter(error.retryAfterMs, random))
          : Math.max(caps.paceMs, backoff(streak));
      return { delayMs, streak: next, report: { level: "warn", kind, message: `${label}: rate limited; retrying in ${seconds(delayMs)}` } };
    }
    case "auth":
    case "no_key":
      return {
        delayMs: 0,
        streak: next,
        idle: true,
        report: { level: "fatal", kind, message: `${label}: authentication failed (${error.status ?? "no status"}): ${error.message}` },
      };
    case "bad_request": {
      // A rejected request is likely rejected again: back off further than for an outage.
      const delayMs = backoff(streak + 2);
      const message = `${label}: request rejected (${error.status ?? "?"}): ${error.message}; retrying in ${seconds(delayMs)}`;
      return { delayMs, streak: next, report: { level: "warn", kind, message } };
    }
    default: {
      const delayMs = backoff(streak);
      const message = `${label}: ${kind} error${error.status ? ` ${error.status}` : ""}: ${error.message}; retrying in ${seconds(delayMs)}`;
      return { delayMs, streak: next, report: { level: "warn", kind, message } };
    }
  }
}
