import { randomUUID } from "node:crypto";
import { buildJudgePrompt, MAX_JUDGE_PAIRS, parseJudgeVerdicts, type JudgeDecision } from "../../lib/dedup/judge";
import { errorMessage } from "../../lib/errors";
import type { CallRecord } from "../../lib/protocol";
import { LlmCallError, type LlmClient } from "../producer/llm/types";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ProviderId } from "../../lib/providers";
import type { LlmResolution } from "../producer/llm/factory";
import type { ActiveRun } from "./active-run";
import type { DedupReview } from "./dedup-review";
import * as repo from "./repo";
import type { DecisionRow } from "./repo";

/** A committed candidate kept apart from an entry, waiting for the judge. */
export type PendingPair = { origin: string; candidate: string; candidateSeq: number; entryText: string; entrySeq: number | null };

/**
 * The pairs to judge among committed decisions: per kept-apart candidate its closest match only
 * (the engine lists matches closest first; JUDGED_MATCHES_PER_CANDIDATE in lib/dedup/judge.ts:
 * each judged pair risks the judge's own false "same").
 */
export function pendingPairs(decisions: readonly DecisionRow[]): PendingPair[] {
  const seen = new Set<number>();
  const pairs: PendingPair[] = [];
  for (const d of decisions) {
    if (d.kind !== "kept-apart" || d.candidateSeq === null || seen.has(d.candidateSeq)) continue;
    seen.add(d.candidateSeq);
    pairs.push({ origin: d.origin, candidate: d.candidate, candidateSeq: d.candidateSeq, entryText: d.entryText, entrySeq: d.entrySeq });
  }
  return pairs;
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
};

/** Calls in flight at once: the judge is a side task and must not compete with producers. */
const MAX_IN_FLIGHT = 2;
/** Pairs waiting beyond this are dropped from the queue (they stay apart, in the review list). */
const MAX_QUEUED = 5_000;

/**
 * The LLM judge of a run. Candidates are committed before they are judged (kept apart: nothing
 * is lost whatever the judge does); pairs are batched, many per call, and a "same" verdict
 * merges the later entry afterwards through the review's merge path. A failed, unanswered or
 * timed-out call leaves its pairs apart. Nothing here blocks the submission path.
 */
export class JudgeQueue {
  readonly stats: JudgeStats = { calls: 0, failedCalls: 0, pairs: 0, same: 0, different: 0, unanswered: 0, costUsd: 0 };
  private queue: PendingPair[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly deps: JudgeQueueDeps) {}

  enqueue(pairs: readonly PendingPair[]): void {
    if (this.closed) return;
    for (const p of pairs) if (this.queue.length < MAX_QUEUED) this.queue.push(p);
    this.pump();
  }

  /** Resolves when nothing is queued or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
      else await new Promise((r) => setTimeout(r, this.deps.gatherMs));
    }
  }

  /** Aborts calls in flight (their pairs stay apart) and drops the queue. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    while (this.queue.length >= MAX_JUDGE_PAIRS && this.inFlight.size < MAX_IN_FLIGHT) this.send(this.queue.splice(0, MAX_JUDGE_PAIRS));
    if (this.queue.length === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight.size < MAX_IN_FLIGHT && this.queue.length > 0) this.send(this.queue.splice(0, MAX_JUDGE_PAIRS));
      this.pump();
    }, this.deps.gatherMs);
    this.timer.unref?.();
  }

  private send(batch: PendingPair[]): void {
    const p = this.call(batch)
      .catch((err: unknown) => this.deps.log("error", `dedup judge: ${errorMessage(err)}`))
      .finally(() => {
        this.inFlight.delete(p);
        if (!this.closed) this.pump();
      });
    this.inFlight.add(p);
  }

  private async call(batch: PendingPair[]): Promise<void> {
    const clock = this.deps.clock ?? Date.now;
    const ids = batch.map((_, i) => `p${i + 1}`);
    const prompt = buildJudgePrompt({ topic: this.deps.topic, pairs: batch.map((p, i) => ({ id: ids[i]!, candidate: p.candidate, entry: p.entryText })) });
    const started = clock();
    const record: CallRecord = {
      callId: randomUUID(),
      provider: this.deps.client.provider,
      model: this.deps.client.model,
      startedAt: started,
      latencyMs: 0,
      promptTokens: 0,
      completionTokens: 0,
      itemsParsed: 0,
    };
    let verdicts = new Map<string, JudgeDecision>();
    try {
      const res = await this.deps.client.stream({
        system: prompt.system,
        user: prompt.user,
        // "p12: different" is about 5 tokens; room for formatting.
        maxTokens: 64 + 12 * batch.length,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.deps.timeoutMs)]),
        onText: () => undefined,
      });
      verdicts = parseJudgeVerdicts(res.text, ids);
      record.promptTokens = res.promptTokens ?? Math.ceil((prompt.system.length + prompt.user.length) / 4);
      record.completionTokens = res.completionTokens ?? Math.ceil(res.text.length / 4);
      record.itemsParsed = verdicts.size;
    } catch (err) {
      const kind = err instanceof LlmCallError ? err.kind : "network";
      record.error = { kind, message: errorMessage(err).slice(0, 500) };
      record.promptTokens = Math.ceil((prompt.system.length + prompt.user.length) / 4);
      this.stats.failedCalls++;
    }
    record.latencyMs = Math.max(0, clock() - started);
    const costUsd = this.deps.costOf(record);
    this.stats.calls++;
    this.stats.pairs += batch.length;
    this.stats.costUsd += costUsd;
    const same = batch.filter((_, i) => verdicts.get(ids[i]!) === "same").length;
    await this.deps.onCall(record, costUsd, same);
    for (const [i, pair] of batch.entries()) {
      const v = verdicts.get(ids[i]!);
      if (v === undefined) {
        this.stats.unanswered++;
        continue;
      }
      this.stats[v]++;
      if (this.closed) continue;
      await this.deps.onVerdict(pair, v).catch((err: unknown) => this.deps.log("warn", `dedup judge verdict on "${pair.candidate}": ${errorMessage(err)}`));
    }
  }
}

export type RunJudgeDeps = {
  prisma: () => PrismaClient;
  costOf: (call: CallRecord) => number;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** A client for the judge's model, through the producers' provider layer and SDKs. */
  judgeLlm: ((target: { provider: ProviderId; model: string }, simulatorUrl: string | undefined) => LlmResolution) | undefined;
  timeoutMs: number | undefined;
  gatherMs: number | undefined;
  /** The review's merge path: a "same" verdict merges like the user's Merge (as `judged-same`). */
  merge: DedupReview["merge"];
};

/**
 * The run's dedup judge when its config enables it: kept-apart pairs are judged in batches
 * after commit; its calls are stored and costed in llm_calls (producer "judge").
 */
export function makeRunJudge(deps: RunJudgeDeps, run: ActiveRun, simUrl: string | undefined): JudgeQueue | undefined {
  const j = run.config.judge;
  if (!j?.enabled || !deps.judgeLlm) return undefined;
  const resolved = deps.judgeLlm({ provider: j.provider, model: j.model }, simUrl);
  if ("unavailable" in resolved) {
    deps.log("warn", `dedup judge off: ${resolved.unavailable}`);
    return undefined;
  }
  const prisma = deps.prisma();
  return new JudgeQueue({
    topic: run.config.topic,
    client: resolved.client,
    timeoutMs: deps.timeoutMs ?? 10_000,
    gatherMs: deps.gatherMs ?? 2_000,
    costOf: deps.costOf,
    clock: deps.clock,
    log: deps.log,
    onCall: async (call, costUsd, same) => {
      const stored = await repo.insertLlmCall(prisma, run.id, call, { producer: repo.JUDGE_PRODUCER, itemsNew: same, costUsd });
      if (stored) run.observeServerCall(call, costUsd);
    },
    onVerdict: async (pair, decision) => {
      const intoSeq = pair.entrySeq ?? run.ledger.seqOf(pair.entryText);
      if (decision === "same" && intoSeq !== undefined) {
        await deps.merge({ runId: run.id, seq: pair.candidateSeq, intoSeq }, { kind: "judged-same", verdict: "same" });
      } else if (decision === "different") {
        await repo.recordJudgedDifferent(prisma, run.id, {
          origin: `judged:${pair.origin}`,
          kind: "judged-different",
          candidate: pair.candidate,
          candidateSeq: pair.candidateSeq,
          entrySeq: intoSeq ?? null,
          entryText: pair.entryText,
          reason: "judged",
          edit: null,
          cost: null,
          sources: null,
          verdict: "different",
          producer: repo.JUDGE_PRODUCER,
          provider: j.provider,
          model: j.model,
          at: new Date(deps.clock()),
        });
      }
    },
  });
}
