import { buildSelectorPrompt, MAX_SELECTOR_ITEMS, MAX_SELECTOR_OPTIONS, parseSelections, type JudgeDecision } from "../../lib/dedup/judge";
import { errorMessage } from "../../lib/errors";
import type { CallRecord } from "../../lib/protocol";
import type { LlmClient } from "../producer/llm/types";
import type { DecisionRow } from "./repo";
import { sendSideCall, SideCalls, type SideLane } from "./side-calls";

/** An entry shown to the judge with a candidate. */
export type JudgeOption = { origin: string; entryText: string; entrySeq: number | null };

/**
 * A committed candidate kept apart from an entry, waiting for the judge: its closest entry, and
 * the other entries candidate generation found for it (the judge is a selector: it picks one).
 */
export type PendingPair = { origin: string; candidate: string; candidateSeq: number; entryText: string; entrySeq: number | null; alternatives?: JudgeOption[] };

/**
 * The candidates to judge among committed decisions: per kept-apart candidate its entries in
 * the engine's order (best first), at most MAX_SELECTOR_OPTIONS, as one selector item.
 */
export function pendingPairs(decisions: readonly DecisionRow[]): PendingPair[] {
  const bySeq = new Map<number, PendingPair>();
  for (const d of decisions) {
    if (d.kind !== "kept-apart" || d.candidateSeq === null) continue;
    const pair = bySeq.get(d.candidateSeq);
    if (pair === undefined) {
      bySeq.set(d.candidateSeq, { origin: d.origin, candidate: d.candidate, candidateSeq: d.candidateSeq, entryText: d.entryText, entrySeq: d.entrySeq });
    } else if (1 + (pair.alternatives?.length ?? 0) < MAX_SELECTOR_OPTIONS && pair.entryText !== d.entryText) {
      (pair.alternatives ??= []).push({ origin: d.origin, entryText: d.entryText, entrySeq: d.entrySeq });
    }
  }
  return [...bySeq.values()];
}

/** The entries shown with a pending candidate, in order. */
function optionsOf(p: PendingPair): JudgeOption[] {
  return [{ origin: p.origin, entryText: p.entryText, entrySeq: p.entrySeq }, ...(p.alternatives ?? [])];
}

export type JudgeStats = { calls: number; failedCalls: number; pairs: number; same: number; different: number; unanswered: number; costUsd: number };

export type JudgeQueueDeps = {
  topic: string;
  client: LlmClient;
  /** Longest wait for one call's verdicts; after it the pairs simply stay apart. */
  timeoutMs: number;
  /** How long the first pair waits for others to share its call. */
  gatherMs: number;
  costOf: (call: CallRecord) => number;
  /** Stores and counts the call (llm_calls, producer "judge"). */
  onCall: (call: CallRecord, costUsd: number, same: number) => Promise<void>;
  onVerdict: (pair: PendingPair, decision: JudgeDecision) => Promise<void>;
  log: (level: "info" | "warn" | "error", message: string) => void;
  clock?: () => number;
  /** The run's side calls (side-calls.ts), shared with the verifier; absent: the judge has its own. */
  side?: SideCalls;
};

/** Pairs waiting beyond this are dropped from the queue (they stay apart, in the review list). */
const MAX_QUEUED = 5_000;

/**
 * The LLM judge of a run. Candidates are committed before they are judged (kept apart: nothing
 * is lost whatever the judge does); pairs are batched, many per call, and a "same" verdict
 * merges the later entry afterwards through the review's merge path. A failed, unanswered or
 * timed-out call leaves its pairs apart. Nothing here blocks the submission path.
 */
export class JudgeQueue implements SideLane {
  readonly stats: JudgeStats = { calls: 0, failedCalls: 0, pairs: 0, same: 0, different: 0, unanswered: 0, costUsd: 0 };
  private queue: PendingPair[] = [];
  private closed = false;
  private readonly side: SideCalls;
  /** The judge made its own side-call queue (no shared one given): closing the judge closes it. */
  private readonly ownsSide: boolean;

  constructor(private readonly deps: JudgeQueueDeps) {
    this.ownsSide = deps.side === undefined;
    this.side = deps.side ?? new SideCalls({ gatherMs: deps.gatherMs, log: deps.log });
    this.side.add(this);
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(pairs: readonly PendingPair[]): void {
    if (this.closed) return;
    for (const p of pairs) if (this.queue.length < MAX_QUEUED) this.queue.push(p);
    this.side.pump();
  }

  /** Resolves when nothing is queued or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    await this.side.idle();
  }

  /** Aborts calls in flight (their pairs stay apart) and drops the queue. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    if (this.ownsSide) await this.side.close();
  }

  take(flush: boolean): (() => Promise<void>) | null {
    if (this.closed || this.queue.length === 0 || (!flush && this.queue.length < MAX_SELECTOR_ITEMS)) return null;
    const batch = this.queue.splice(0, MAX_SELECTOR_ITEMS);
    return () => this.call(batch).catch((err: unknown) => this.deps.log("error", `dedup judge: ${errorMessage(err)}`));
  }

  private async call(batch: PendingPair[]): Promise<void> {
    const clock = this.deps.clock ?? Date.now;
    // The judge as a selector (lib/dedup/judge.ts): each candidate with its entries, pick one or none.
    const items = batch.map((p, i) => ({ id: `c${i + 1}`, candidate: p.candidate, options: optionsOf(p).map((o) => o.entryText) }));
    const prompt = buildSelectorPrompt({ topic: this.deps.topic, items });
    const promptTokens = Math.ceil((prompt.system.length + prompt.user.length) / 4);
    const signal = AbortSignal.any([this.side.signal, AbortSignal.timeout(this.deps.timeoutMs)]);
    // "c12: none" is about 5 tokens; room for formatting.
    const maxTokens = 64 + 12 * batch.length;
    const { record, answers: picks } = await sendSideCall(this.deps.client, { prompt, promptTokens, maxTokens, signal, clock }, (text) =>
      parseSelections(text, items),
    );
    if (record.error) this.stats.failedCalls++;
    const costUsd = this.deps.costOf(record);
    this.stats.calls++;
    this.stats.pairs += batch.length;
    this.stats.costUsd += costUsd;
    const same = items.filter((item) => typeof picks.get(item.id) === "number").length;
    await this.deps.onCall(record, costUsd, same);
    for (const [i, pair] of batch.entries()) {
      const pick = picks.get(items[i]!.id);
      if (pick === undefined) {
        this.stats.unanswered++;
        continue;
      }
      this.stats[pick === null ? "different" : "same"]++;
      if (this.closed || this.side.isClosed) continue;
      // A pick merges into that entry only; none settles every entry shown (never a chain).
      const options = optionsOf(pair);
      const verdicts: [PendingPair, JudgeDecision][] =
        pick === null ? options.map((o) => [{ ...pair, ...o }, "different"]) : [[{ ...pair, ...options[pick]! }, "same"]];
      for (const [p, v] of verdicts) {
        await this.deps.onVerdict(p, v).catch((err: unknown) => this.deps.log("warn", `dedup judge verdict on "${pair.candidate}": ${errorMessage(err)}`));
      }
    }
  }
}
