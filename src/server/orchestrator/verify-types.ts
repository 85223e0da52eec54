import type { CallRecord } from "../../lib/protocol";
import type { TrustVerdict } from "../../lib/trust/policy";
import type { Opinion } from "../../lib/trust/verify-prompt";
import type { LlmClient } from "../producer/llm/types";
import type { SideCalls } from "./side-calls";

/** The verifier's queue (verify-queue.ts): its entries, what it is built with, what its stop's drain did. */

/** How often rejected single-model entries are looked at for new support. */
export const RECHECK_EVERY_MS = 5_000;
/** How long a ready entry waits for a full batch before a partial one goes. */
export const PARTIAL_AFTER_MS = 15_000;
/** The smallest batch an unaffordable one is halved to. */
export const MIN_SPLIT_BATCH = 20;
/** Calls without an opinion on an entry before it is left unverified. */
export const MAX_FAILURES = 3;
/** Entries waiting beyond this are not verified (they stay in output.txt, unverified). */
export const MAX_QUEUED = 50_000;

/** A committed entry waiting for (another) verifier's opinion. */
export type VerifyItem = {
  seq: number;
  text: string;
  branchId: number | null;
  /** Not sent before this time: re-proposals have a chance to add support first. */
  readyAt: number;
  /** provider:model labels asked so far, and what they said. */
  asked: string[];
  opinions: Opinion[];
  /** Calls that gave it no opinion so far. */
  failures?: number;
  /** Rejected, its calls when it was last decided again with more support (verify-queue.ts recheckRejected). */
  rechecked?: number;
  /** Rejected, then asked again once proposed again (verify-queue.ts recheckRejected): kept now, it counts as restored. */
  reopened?: true | undefined;
  /** Kept with this verdict and waiting for its on-topic check (policy.ts wantsOnTopicCheck). */
  onTopicCheck?: TrustVerdict;
  /** Its kind (verifier-model.ts `kindOf`) and whether several models proposed it, as of its last opinion. */
  kind: string;
  anchor: boolean;
};

export type VerifyQueueDeps = {
  topic: string;
  side: SideCalls;
  /** The SDK client of a provider:model label, or undefined when it cannot be reached. */
  client: (label: string) => LlmClient | undefined;
  /** provider:model labels that may verify, best-informed first: those whose model can be reached (an entry is settled once none is left to ask). */
  verifiers: () => readonly string[];
  /** USD a call of `label` would cost with these token counts (the budget's estimate, and cheapest-first order). */
  priceOf: (label: string, promptTokens: number, completionTokens: number) => number;
  /** Models that proposed an entry (its verifier is another one when there is one), the distinct calls that did, and whether the answer that first did was a repeating one. */
  support: (text: string) => { models: readonly string[]; calls: number; repeating?: boolean };
  /** Labels from the root's first subtopic down to the branch (empty: the root or a flat run). */
  pathOf: (branchId: number | null) => string[];
  /** Whether a call estimated at `usd` fits the run's side-call budget now. */
  affordable: (usd: number) => boolean;
  /** The text entry `seq` (queued as `text`) shows now: another once renamed to its display form, undefined once merged away. */
  textOf: (seq: number, text: string) => string | undefined;
  costOf: (call: CallRecord) => number;
  /** Stores and counts the call (llm_calls, producer "verify"). */
  onCall: (call: CallRecord, costUsd: number) => Promise<void>;
  /** Stores the opinions one call gave (entry_checks). */
  onOpinions: (callId: string, label: string, opinions: Array<{ item: VerifyItem; opinion: Opinion }>) => Promise<void>;
  /** Verdicts one call's opinions reached (stored together; rejected entries leave output.txt). */
  onVerdicts: (verdicts: Array<{ item: VerifyItem; verdict: TrustVerdict }>) => Promise<void>;
  settleMs: number;
  timeoutMs: number;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/** What the stop's drain did: how it ended, and what it left unverified. */
export type DrainReport = {
  ms: number;
  checked: number;
  left: number;
  ended: "done" | "budget" | "time" | "stalled" | "cut";
  /** The verifier model's learnt share of inventions per kind of entry at the end (verifier-model.ts), for reports. */
  inventedShareByKind: Record<string, number>;
};
