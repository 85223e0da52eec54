import { randomUUID } from "node:crypto";
import { afterFailure, type CallFailure } from "../../lib/after-failure";
import { backoffMs } from "../../lib/backoff";
import { buildPrompt, maxTokensFor } from "../../lib/prompt";
import { buildBranchPrompt } from "../../lib/prompt-branch";
import { MAX_CONCURRENCY, type Assignment, type CallErrorKind, type SyncResult } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import { linkedSignal } from "./abort";
import { ChannelError } from "./channel";
import { KnownState } from "./known-state";
import { isRequestTooLarge, maxTokensLimitOf } from "./llm/errors";
import { paceDelayMs, parseRateLimitHeaders, type RateLimitSnapshot } from "./llm/rate-limit";
import type { LlmCallError, LlmClient, LlmResponse } from "./llm/types";
import { Outbox } from "./outbox";
import { streamOneCall, type CallOutcome, type Request } from "./producer-call";
import { DEFAULT_PRODUCER_OPTIONS, type ProducerDeps, type ProducerOptions, type ProducerSummary } from "./producer-options";

/**
 * The producer loop: hello, then call the assigned LLM again and again, streaming each
 * parsed line to the orchestrator as it arrives, pacing by rate-limit headers, backing off
 * on failures (afterFailure), until the run ends (keepGoing=false), `stopSignal` aborts or
 * close() is called. Lanes each keep one call in flight, as many as the assignment's
 * concurrency (it may change with any answer: lanes start at once, and retire after their
 * current call).
 */
export class Producer {
  private readonly opts: ProducerOptions;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly redact: (text: string) => string;
  private readonly state: KnownState;
  private readonly outbox: Outbox;

  // Stopping: close() or the stop signal, or the orchestrator saying the run is over.
  private readonly closed = new AbortController();
  private readonly runEnded = new AbortController();
  private readonly haltLink: { signal: AbortSignal; dispose: () => void };
  /** The calls in flight, to abort them when the run ends. */
  private readonly inFlight = new Set<AbortController>();

  // Lanes.
  private readonly lanes = new Set<Promise<void>>();
  private readonly busySlots = new Set<number>();
  private lanesOpen = false;
  /** Calls started (maxCalls bounds it). */
  private started = 0;

  // Pacing: rate-limit snapshots per target, and a producer-wide pause. A failure's backoff,
  // a 429's retry-after and an empty answer's slow-down pause every lane, not only the one
  // that saw them: the other calls would meet the same limit or outage.
  private readonly pacing = new Map<string, RateLimitSnapshot>();
  private pausedUntil = 0;

  // Caps per target, learnt from failures: the known-entries budget after a context
  // overflow, max_tokens after a 400 that names the ceiling.
  private readonly knownTokensCap = new Map<string, number>();
  private readonly maxTokensCap = new Map<string, number>();

  private failureStreak = 0;
  private emptyStreak = 0;
  /** The last problem reported (`level:kind`): a long outage is one status, not a flood. */
  private lastProblem = "";
  private fatalShown = "";
  /** One sync at a time, shared by the lanes that need it. */
  private syncing: Promise<void> | null = null;
  private running: Promise<ProducerSummary> | undefined;
  private readonly summary: ProducerSummary = { exit: "stopped", calls: 0, failedCalls: 0, itemsParsed: 0, unacknowledged: 0 };

  constructor(private readonly deps: ProducerDeps) {
    this.opts = { ...DEFAULT_PRODUCER_OPTIONS, ...deps.options };
    this.random = deps.random ?? Math.random;
    this.newId = deps.newId ?? randomUUID;
    this.redact = deps.redact ?? ((s: string) => s);
    this.state = new KnownState({ bounded: this.opts.strategy !== "naive" });
    this.haltLink = linkedSignal([...(deps.stopSignal ? [deps.stopSignal] : []), this.closed.signal, this.runEnded.signal]);
    this.outbox = new Outbox({
      channel: deps.channel,
      clock: deps.clock,
      cursor: () => this.state.cursor,
      onResult: (r) => this.apply(r),
      onRejected: (batch, err) => this.log(`batch ${batch.batchId} rejected by the orchestrator, dropped: ${err.message}`),
      onRetry: (err, attempt, delay) => {
        if (attempt === 1 || attempt % 10 === 0) this.log(`submit failed (attempt ${attempt}), retrying in ${delay} ms: ${errorText(err)}`);
      },
      newBatchId: this.newId,
      callsInFlight: () => this.inFlight.size,
      minIntervalMs: this.opts.submitIntervalMs,
      random: this.random,
      retry: this.opts.channelBackoff,
    });
  }

  /** Runs until the run ends, the stop signal aborts or close() is called; then flushes. Called more than once, returns the same run. */
  run(): Promise<ProducerSummary> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops as the stop signal does: aborts the calls in flight; run() then flushes and resolves. Idempotent. */
  close(): void {
    this.closed.abort();
  }

  private get halt(): AbortSignal {
    return this.haltLink.signal;
  }

  private async loop(): Promise<ProducerSummary> {
    const hello = await this.untilAnswered("hello", () => this.deps.channel.hello(this.halt));
    if (hello) this.apply(hello);
    this.lanesOpen = true;
    this.addLanes();
    while (this.lanes.size > 0) await Promise.race(this.lanes);
    this.lanesOpen = false;

    const s = this.summary;
    if (!this.halt.aborted && s.calls >= this.opts.maxCalls) s.exit = "max-calls";
    else s.exit = this.runEnded.signal.aborted && !this.deps.stopSignal?.aborted && !this.closed.signal.aborted ? "run-ended" : "stopped";
    this.haltLink.dispose();
    s.unacknowledged = await this.outbox.flush(this.opts.flushDeadlineMs);
    if (s.unacknowledged > 0) this.log(`exiting with ${s.unacknowledged} unacknowledged batch(es)`);
    return s;
  }

  private log(line: string): void {
    this.deps.log?.(this.redact(line));
  }

  private report(level: "info" | "warn" | "fatal", message: string): void {
    const text = this.redact(message);
    this.log(`[${level}] ${text}`);
    this.deps.channel.report(level, text).catch((err: unknown) => this.log(`report failed: ${errorText(err)}`));
  }

  /** Reports a failure once per streak and kind. */
  private problem(level: "warn" | "fatal", kind: CallErrorKind, message: string): void {
    const key = `${level}:${kind}`;
    if (key !== this.lastProblem) this.report(level, message);
    this.lastProblem = key;
  }

  private apply(result: SyncResult): void {
    this.state.apply(result);
    if (!this.state.keepGoing && !this.runEnded.signal.aborted) {
      this.log("run ended: finishing");
      this.runEnded.abort();
      for (const c of this.inFlight) c.abort();
    }
    this.addLanes();
  }

  private wanted(): number {
    return Math.min(MAX_CONCURRENCY, Math.max(1, this.state.assignment?.concurrency ?? 1));
  }

  private more(): boolean {
    return !this.halt.aborted && this.started < this.opts.maxCalls;
  }

  /** Starts lanes up to the assignment's concurrency. */
  private addLanes(): void {
    if (!this.lanesOpen) return;
    for (let slot = 0; slot < this.wanted() && this.more(); slot++) {
      if (this.busySlots.has(slot)) continue;
      this.busySlots.add(slot);
      const p: Promise<void> = this.lane(slot).finally(() => {
        this.busySlots.delete(slot);
        this.lanes.delete(p);
      });
      this.lanes.add(p);
    }
  }

  /** hello/sync until answered; undefined if halted first. */
  private async untilAnswered(what: string, fn: () => Promise<SyncResult>): Promise<SyncResult | undefined> {
    for (let attempt = 0; !this.halt.aborted; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const delay = backoffMs(attempt, this.opts.channelBackoff, this.random);
        if (attempt === 0 || attempt % 10 === 9) {
          const permanent = err instanceof ChannelError && !err.retryable ? " (rejected)" : "";
          this.log(`${what} failed${permanent}, retrying in ${delay} ms: ${errorText(err)}`);
        }
        await this.deps.clock.sleep(delay, this.halt);
      }
    }
    return undefined;
  }

  private syncOnce(): Promise<void> {
    this.syncing ??= this.untilAnswered("sync", () => this.deps.channel.sync(this.state.cursor, this.halt))
      .then((r) => {
        if (r) this.apply(r);
      })
      .finally(() => {
        this.syncing = null;
      });
    return this.syncing;
  }

  private async idle(ms: number): Promise<void> {
    await this.deps.clock.sleep(ms, this.halt);
    if (!this.halt.aborted) await this.syncOnce();
  }

  private pauseFor(ms: number): void {
    if (ms > 0) this.pausedUntil = Math.max(this.pausedUntil, this.deps.clock.now() + ms);
  }

  /** Waits out a producer-wide pause; false if halted meanwhile. */
  private async waitPause(): Promise<boolean> {
    const { clock } = this.deps;
    for (let left = this.pausedUntil - clock.now(); left > 0 && !this.halt.aborted; left = this.pausedUntil - clock.now()) {
      await clock.sleep(left, this.halt);
    }
    return !this.halt.aborted;
  }

  /** The target's client, or null (reported once) when it cannot run: no key is a status, not a crash (pm2 would restart us in a loop). */
  private clientFor(target: Assignment["target"]): LlmClient | null {
    const resolution = this.deps.llmFor(target);
    if ("unavailable" in resolution) {
      if (this.fatalShown !== resolution.unavailable) this.report("fatal", resolution.unavailable);
      this.fatalShown = resolution.unavailable;
      return null;
    }
    this.fatalShown = "";
    return resolution.client;
  }

  /** One lane: call after call, while its slot is wanted. */
  private async lane(slot: number): Promise<void> {
    let previousCall: string | undefined;
    while (this.more() && slot < this.wanted()) {
      // Backpressure and freshness: this lane's previous call is acknowledged (the answers
      // carry the newest entries) before its next prompt is built.
      if (previousCall) await this.outbox.drained(this.halt, previousCall);
      while (this.state.needsSync && !this.halt.aborted) await this.syncOnce();
      const assignment = this.state.assignment;
      if (this.halt.aborted || !assignment) break;
      const llm = this.clientFor(assignment.target);
      if (!llm) {
        await this.idle(this.opts.idleRecheckMs);
        continue;
      }
      if (!(await this.waitPause()) || !this.more()) break;
      const request = this.request(assignment);
      const pace = this.paceMs(request);
      if (pace > 0) {
        if (pace >= 1000) this.log(`pacing ${request.label}: waiting ${pace} ms for the rate limit`);
        await this.deps.clock.sleep(pace, this.halt);
      }
      // A 429 elsewhere may have paused the producer while this lane was pacing.
      if (!(await this.waitPause()) || !this.more()) break;

      this.started++;
      const outcome = await this.call(llm, request);
      previousCall = outcome.callId;
      this.summary.calls++;
      this.summary.itemsParsed += outcome.items;
      this.deps.afterCall?.();
      if (outcome.ok) this.succeeded(request.label, outcome.items, outcome.response);
      else if (outcome.error.aborted) break;
      else await this.failed(request, outcome.error);
    }
  }

  private request(assignment: Assignment): Request {
    const label = targetLabel(assignment.target);
    const budget = Math.min(assignment.promptBudgetTokens, this.knownTokensCap.get(label) ?? Number.POSITIVE_INFINITY);
    const branch = assignment.branch;
    const prompt = branch
      ? buildBranchPrompt({
          topic: assignment.topic,
          path: branch.path,
          requestSize: assignment.requestSize,
          known: { own: branch.own, related: branch.related, totalKnown: Math.max(branch.totalKnown, this.state.entries.size) },
          budgetTokens: budget,
          ownShare: branch.ownShare,
          lessObvious: branch.lessObvious,
        })
      : buildPrompt({
          topic: assignment.topic,
          requestSize: assignment.requestSize,
          known: this.state.entries,
          budgetTokens: budget,
          strategy: this.opts.strategy,
          shares: this.opts.shares,
        });
    const maxTokens = Math.min(maxTokensFor(assignment.requestSize), this.maxTokensCap.get(label) ?? Number.POSITIVE_INFINITY);
    return { label, prompt, maxTokens, branchId: branch?.id };
  }

  /** The rate-limit pacing's wait before `request`, counting the calls it joins in flight. */
  private paceMs(request: Request): number {
    const need = { inputTokens: request.prompt.promptTokens, outputTokens: request.maxTokens, calls: this.inFlight.size + 1 };
    return paceDelayMs(this.pacing.get(request.label), this.deps.clock.now(), need);
  }

  private succeeded(label: string, items: number, response: LlmResponse): void {
    this.pacing.set(label, parseRateLimitHeaders(response.headers, this.deps.clock.now()));
    if (this.failureStreak > 0) this.report("info", `${label}: calls succeed again`);
    this.failureStreak = 0;
    this.lastProblem = "";
    // An answer with nothing usable (topic exhausted, a confused model): slow down, do not spin.
    this.emptyStreak = items === 0 ? this.emptyStreak + 1 : 0;
    if (this.emptyStreak > 0) this.pauseFor(backoffMs(this.emptyStreak - 1, this.opts.backoff, this.random));
  }

  private async failed(request: Request, err: LlmCallError): Promise<void> {
    this.summary.failedCalls++;
    const { label } = request;
    if (err.headers) this.pacing.set(label, parseRateLimitHeaders(err.headers, this.deps.clock.now()));
    const failure: CallFailure = {
      kind: err.kind,
      message: err.message,
      status: err.status,
      retryAfterMs: err.retryAfterMs,
      maxTokensLimit: err.kind === "bad_request" ? maxTokensLimitOf(err.message) : undefined,
      tooLarge: err.kind === "rate_limit" && isRequestTooLarge(err.message),
    };
    const decision = afterFailure(failure, this.failureStreak, {
      label,
      maxTokens: request.maxTokens,
      knownTokens: request.prompt.knownTokens,
      knownTokensCap: this.knownTokensCap.get(label) ?? Number.POSITIVE_INFINITY,
      shrinkable: this.opts.strategy !== "naive",
      paceMs: this.paceMs(request),
      backoff: this.opts.backoff,
      random: this.random,
    });
    this.failureStreak = decision.streak;
    if (decision.cap && "knownTokens" in decision.cap) this.knownTokensCap.set(label, decision.cap.knownTokens);
    if (decision.cap && "maxTokens" in decision.cap) this.maxTokensCap.set(label, decision.cap.maxTokens);
    if (decision.log) this.log(decision.log);
    if (decision.report) this.problem(decision.report.level, decision.report.kind, decision.report.message);
    if (decision.idle) await this.idle(this.opts.idleRecheckMs);
    else this.pauseFor(decision.delayMs);
  }

  /** One streamed LLM call (producer-call.ts), counted in flight so the end of the run aborts it. */
  private async call(llm: LlmClient, request: Request): Promise<CallOutcome> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const { signal, dispose } = linkedSignal([this.halt, controller.signal]);
    try {
      return await streamOneCall({
        llm,
        request,
        signal,
        callId: this.newId(),
        clock: this.deps.clock,
        redact: this.redact,
        state: this.state,
        outbox: this.outbox,
      });
    } finally {
      this.inFlight.delete(controller);
      dispose();
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
