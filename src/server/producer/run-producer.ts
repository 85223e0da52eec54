import { randomUUID } from "node:crypto";
import { ItemStreamParser } from "../../lib/parse-items";
import { buildPrompt, maxTokensFor, type BuiltPrompt } from "../../lib/prompt";
import { buildBranchPrompt } from "../../lib/prompt-branch";
import { MAX_CONCURRENCY, type CallErrorKind, type CallRecord, type SyncResult } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import { linkedSignal } from "./abort";
import { ChannelError } from "./channel";
import { KnownState } from "./known-state";
import { backoffMs, honourRetryAfter } from "./llm/backoff";
import { isRequestTooLarge, maxTokensLimitOf } from "./llm/errors";
import { paceDelayMs, parseRateLimitHeaders, type RateLimitSnapshot } from "./llm/rate-limit";
import { completionTokensOf, LlmCallError, streamedTokensOf, type LlmClient, type LlmResponse } from "./llm/types";
import { Outbox } from "./outbox";
import { DEFAULT_PRODUCER_OPTIONS, type ProducerDeps, type ProducerSummary } from "./producer-options";

/** How a call ended, and what to do before the next one. */
type CallOutcome = { ok: true; callId: string; items: number; response: LlmResponse } | { ok: false; callId: string; error: LlmCallError; items: number };

/**
 * The producer loop: hello, then call the assigned LLM again and again, streaming each
 * parsed line to the orchestrator as it arrives, pacing by rate-limit headers, backing off
 * on failures, until the run ends (keepGoing=false) or `stopSignal` aborts.
 */
export async function runProducer(deps: ProducerDeps): Promise<ProducerSummary> {
  const opts = { ...DEFAULT_PRODUCER_OPTIONS, ...deps.options };
  const { channel, clock } = deps;
  const random = deps.random ?? Math.random;
  const newId = deps.newId ?? randomUUID;
  const redact = deps.redact ?? ((s: string) => s);
  const log = (line: string) => deps.log?.(redact(line));

  const state = new KnownState({ bounded: opts.strategy !== "naive" });
  const runEnded = new AbortController();
  const haltLink = linkedSignal([deps.stopSignal, runEnded.signal]);
  const halt = haltLink.signal;
  /** The calls in flight, to abort them when the run ends. */
  const inFlight = new Set<AbortController>();
  /** Starts lanes up to the assignment's concurrency (set once the loop starts). */
  let addLanes = () => {};

  const apply = (result: SyncResult) => {
    state.apply(result);
    if (!state.keepGoing && !runEnded.signal.aborted) {
      log("run ended: finishing");
      runEnded.abort();
      for (const c of inFlight) c.abort();
    }
    addLanes();
  };

  const report = (level: "info" | "warn" | "fatal", message: string) => {
    const text = redact(message);
    log(`[${level}] ${text}`);
    channel.report(level, text).catch((err: unknown) => log(`report failed: ${errorText(err)}`));
  };

  const outbox = new Outbox({
    channel,
    clock,
    cursor: () => state.cursor,
    onResult: apply,
    onRejected: (batch, err) => log(`batch ${batch.batchId} rejected by the orchestrator, dropped: ${err.message}`),
    onRetry: (err, attempt, delay) => {
      if (attempt === 1 || attempt % 10 === 0) log(`submit failed (attempt ${attempt}), retrying in ${delay} ms: ${errorText(err)}`);
    },
    newBatchId: newId,
    callsInFlight: () => inFlight.size,
    minIntervalMs: opts.submitIntervalMs,
    random,
    retry: opts.channelBackoff,
  });

  /** hello/sync until answered; undefined if halted first. */
  const untilAnswered = async (what: string, fn: () => Promise<SyncResult>): Promise<SyncResult | undefined> => {
    for (let attempt = 0; !halt.aborted; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const delay = backoffMs(attempt, opts.channelBackoff, random);
        if (attempt === 0 || attempt % 10 === 9) {
          const permanent = err instanceof ChannelError && !err.retryable ? " (rejected)" : "";
          log(`${what} failed${permanent}, retrying in ${delay} ms: ${errorText(err)}`);
        }
        await clock.sleep(delay, halt);
      }
    }
    return undefined;
  };

  const summary: ProducerSummary = { exit: "stopped", calls: 0, failedCalls: 0, itemsParsed: 0, unacknowledged: 0 };
  const pacing = new Map<string, RateLimitSnapshot>();
  /** Known-entries budget cap per target after a context overflow. */
  const overflowCap = new Map<string, number>();
  /** max_tokens ceiling per target, learnt from a 400 that names it. */
  const maxTokensCap = new Map<string, number>();
  let failureStreak = 0;
  /** Never retry a rate-limited call sooner than this, whatever the server says. */
  const MIN_RATE_LIMIT_WAIT_MS = 100;
  let emptyStreak = 0;
  let lastProblem = "";
  let fatalShown = "";
  /** Calls started (maxCalls bounds it). */
  let started = 0;
  /**
   * No call starts before this clock time. A failure's backoff, a 429's retry-after and an
   * empty answer's slow-down pause the whole producer, not only the lane that saw them: the
   * other calls would meet the same limit or outage.
   */
  let pausedUntil = 0;
  const pauseFor = (ms: number) => {
    if (ms > 0) pausedUntil = Math.max(pausedUntil, clock.now() + ms);
  };
  /** One sync at a time, shared by the lanes that need it. */
  let syncing: Promise<void> | null = null;
  const syncOnce = () =>
    (syncing ??= untilAnswered("sync", () => channel.sync(state.cursor, halt))
      .then((r) => {
        if (r) apply(r);
      })
      .finally(() => {
        syncing = null;
      }));

  const hello = await untilAnswered("hello", () => channel.hello(halt));
  if (hello) apply(hello);

  // Lanes: each keeps one call in flight; as many run as the assignment's concurrency (it
  // may change with any answer: lanes start at once, and retire after their current call).
  const lanes = new Set<Promise<void>>();
  const running = new Set<number>();
  const wanted = () => Math.min(MAX_CONCURRENCY, Math.max(1, state.assignment?.concurrency ?? 1));
  const more = () => !halt.aborted && started < opts.maxCalls;
  addLanes = () => {
    for (let slot = 0; slot < wanted() && more(); slot++) {
      if (running.has(slot)) continue;
      running.add(slot);
      const p: Promise<void> = lane(slot).finally(() => {
        running.delete(slot);
        lanes.delete(p);
      });
      lanes.add(p);
    }
  };
  addLanes();
  while (lanes.size > 0) await Promise.race(lanes);
  addLanes = () => {};

  if (!halt.aborted && summary.calls >= opts.maxCalls) summary.exit = "max-calls";
  else summary.exit = runEnded.signal.aborted && !deps.stopSignal.aborted ? "run-ended" : "stopped";
  haltLink.dispose();
  summary.unacknowledged = await outbox.flush(opts.flushDeadlineMs);
  if (summary.unacknowledged > 0) log(`exiting with ${summary.unacknowledged} unacknowledged batch(es)`);
  return summary;

  /** Reports a failure once per streak and kind, so a long outage is one status, not a flood. */
  function problem(level: "warn" | "fatal", kind: CallErrorKind, message: string) {
    const key = `${level}:${kind}`;
    if (key !== lastProblem) report(level, message);
    lastProblem = key;
  }

  async function idle(ms: number) {
    await clock.sleep(ms, halt);
    if (!halt.aborted) await syncOnce();
  }

  /** Waits out a producer-wide pause; false if halted meanwhile. */
  async function waitPause(): Promise<boolean> {
    for (let left = pausedUntil - clock.now(); left > 0 && !halt.aborted; left = pausedUntil - clock.now()) {
      await clock.sleep(left, halt);
    }
    return !halt.aborted;
  }

  /** One lane: call after call, while its slot is wanted. */
  async function lane(slot: number): Promise<void> {
    let previousCall: string | undefined;
    while (more() && slot < wanted()) {
      // Backpressure and freshness: this lane's previous call is acknowledged (the answers
      // carry the newest entries) before its next prompt is built.
      if (previousCall) await outbox.drained(halt, previousCall);
      while (state.needsSync && !halt.aborted) await syncOnce();
      const assignment = state.assignment;
      if (halt.aborted || !assignment) break;

      const label = targetLabel(assignment.target);
      const resolution = deps.llmFor(assignment.target);
      if ("unavailable" in resolution) {
        // No key: not a crash (pm2 would restart us in a loop) but a status, and a polite idle.
        if (fatalShown !== resolution.unavailable) report("fatal", resolution.unavailable);
        fatalShown = resolution.unavailable;
        await idle(opts.idleRecheckMs);
        continue;
      }
      fatalShown = "";
      const llm = resolution.client;
      if (!(await waitPause()) || !more()) break;

      const budget = Math.min(assignment.promptBudgetTokens, overflowCap.get(label) ?? Number.POSITIVE_INFINITY);
      const branch = assignment.branch;
      const prompt = branch
        ? buildBranchPrompt({
            topic: assignment.topic,
            path: branch.path,
            requestSize: assignment.requestSize,
            known: { own: branch.own, related: branch.related, totalKnown: Math.max(branch.totalKnown, state.entries.size) },
            budgetTokens: budget,
            ownShare: branch.ownShare,
            lessObvious: branch.lessObvious,
          })
        : buildPrompt({
            topic: assignment.topic,
            requestSize: assignment.requestSize,
            known: state.entries,
            budgetTokens: budget,
            strategy: opts.strategy,
            shares: opts.shares,
          });
      const maxTokens = Math.min(maxTokensFor(assignment.requestSize), maxTokensCap.get(label) ?? Number.POSITIVE_INFINITY);

      const need = { inputTokens: prompt.promptTokens, outputTokens: maxTokens, calls: inFlight.size + 1 };
      const pace = paceDelayMs(pacing.get(label), clock.now(), need);
      if (pace > 0) {
        if (pace >= 1000) log(`pacing ${label}: waiting ${pace} ms for the rate limit`);
        await clock.sleep(pace, halt);
      }
      // A 429 elsewhere may have paused the producer while this lane was pacing.
      if (!(await waitPause()) || !more()) break;

      started++;
      const outcome = await call(llm, prompt, maxTokens, branch?.id);
      previousCall = outcome.callId;
      summary.calls++;
      summary.itemsParsed += outcome.items;
      deps.afterCall?.();

      if (outcome.ok) {
        pacing.set(label, parseRateLimitHeaders(outcome.response.headers, clock.now()));
        if (failureStreak > 0) report("info", `${label}: calls succeed again`);
        failureStreak = 0;
        lastProblem = "";
        // An answer with nothing usable (topic exhausted, a confused model): slow down, do not spin.
        emptyStreak = outcome.items === 0 ? emptyStreak + 1 : 0;
        if (emptyStreak > 0) pauseFor(backoffMs(emptyStreak - 1, opts.backoff, random));
        continue;
      }

      const err = outcome.error;
      if (err.aborted) break;
      summary.failedCalls++;
      if (err.headers) pacing.set(label, parseRateLimitHeaders(err.headers, clock.now()));
      const attempt = failureStreak++;
      const tooLarge = err.kind === "rate_limit" && err.retryAfterMs === undefined && isRequestTooLarge(err.message);
      const tokenLimit = err.kind === "bad_request" ? maxTokensLimitOf(err.message) : undefined;
      if (tokenLimit !== undefined && tokenLimit < maxTokens) {
        maxTokensCap.set(label, tokenLimit);
        log(`${label}: max_tokens lowered to ${tokenLimit}`);
        failureStreak = attempt;
        continue;
      }
      let delay = 0;
      switch (tooLarge ? "context_overflow" : err.kind) {
        case "context_overflow": {
          if (opts.strategy !== "naive" && prompt.knownTokens > 0) {
            // Shrink the known-entries budget and retry at once; halving reaches 0 in a few steps.
            const cap = Math.min(overflowCap.get(label) ?? Number.POSITIVE_INFINITY, Math.floor(prompt.knownTokens / 2));
            overflowCap.set(label, cap);
            log(`${label}: context overflow with ${prompt.knownTokens} known-entry tokens; budget now ${cap}`);
            failureStreak = attempt; // not a provider malfunction: do not grow the backoff
          } else {
            delay = backoffMs(attempt, opts.backoff, random);
            problem("warn", err.kind, `${label}: the prompt does not fit the model's context even without known entries (${err.message})`);
          }
          break;
        }
        case "rate_limit":
          delay =
            err.retryAfterMs !== undefined
              ? Math.max(MIN_RATE_LIMIT_WAIT_MS, honourRetryAfter(err.retryAfterMs, random))
              : Math.max(paceDelayMs(pacing.get(label), clock.now(), need), backoffMs(attempt, opts.backoff, random));
          problem("warn", err.kind, `${label}: rate limited; retrying in ${(delay / 1000).toFixed(1)} s`);
          break;
        case "auth":
        case "no_key":
          problem("fatal", err.kind, `${label}: authentication failed (${err.status ?? "no status"}): ${err.message}`);
          await idle(opts.idleRecheckMs);
          continue;
        case "bad_request":
          delay = backoffMs(attempt + 2, opts.backoff, random);
          problem("warn", err.kind, `${label}: request rejected (${err.status ?? "?"}): ${err.message}; retrying in ${(delay / 1000).toFixed(1)} s`);
          break;
        default:
          delay = backoffMs(attempt, opts.backoff, random);
          problem(
            "warn",
            err.kind,
            `${label}: ${err.kind} error${err.status ? ` ${err.status}` : ""}: ${err.message}; retrying in ${(delay / 1000).toFixed(1)} s`,
          );
      }
      pauseFor(delay);
    }
  }

  /** One streamed LLM call; parsed lines go to the outbox as they arrive. */
  async function call(llm: LlmClient, prompt: BuiltPrompt, maxTokens: number, branchId: number | undefined): Promise<CallOutcome> {
    const callId = newId();
    const parser = new ItemStreamParser();
    const controller = new AbortController();
    inFlight.add(controller);
    const { signal, dispose } = linkedSignal([halt, controller.signal]);
    const emit = (items: string[]) => {
      if (items.length === 0) return;
      for (const c of items) state.noteCandidate(c);
      outbox.add(callId, items, branchId);
    };
    const startedAt = clock.now();
    const record = (fields: Pick<CallRecord, "promptTokens" | "completionTokens"> & { error?: LlmCallError }): CallRecord => ({
      callId,
      provider: llm.provider,
      model: llm.model,
      startedAt,
      latencyMs: Math.max(0, Math.round(clock.now() - startedAt)),
      promptTokens: fields.promptTokens,
      completionTokens: fields.completionTokens,
      itemsParsed: parser.count,
      ...(fields.error && !fields.error.aborted
        ? {
            error: {
              kind: fields.error.kind,
              message: redact(fields.error.message).slice(0, 500),
              ...(fields.error.status !== undefined ? { status: fields.error.status } : {}),
            },
          }
        : {}),
    });
    try {
      const response = await llm.stream({
        system: prompt.system,
        user: prompt.user,
        maxTokens,
        signal,
        onText: (delta) => emit(parser.push(delta)),
      });
      const tail = parser.end({ truncated: response.truncated });
      for (const c of tail) state.noteCandidate(c);
      outbox.finishCall(
        callId,
        tail,
        record({
          // Usage from the API; a server that sends none (some OpenAI-compatible ones) gets our count.
          promptTokens: response.promptTokens ?? prompt.promptTokens,
          completionTokens: completionTokensOf(response),
        }),
        branchId,
      );
      return { ok: true, callId, items: parser.count, response };
    } catch (e) {
      const error = e instanceof LlmCallError ? e : new LlmCallError("other", errorText(e), { cause: e });
      // The unterminated last line of a broken stream is cut mid-item: dropped.
      parser.end({ truncated: true });
      // Streamed tokens are billed even when the call fails later; a refused call costs nothing.
      const streamed = error.partialText.length + error.partialReasoning.length > 0;
      outbox.finishCall(
        callId,
        [],
        record({
          promptTokens: streamed ? prompt.promptTokens : 0,
          completionTokens: streamedTokensOf(error),
          error,
        }),
        branchId,
      );
      return { ok: false, callId, error, items: parser.count };
    } finally {
      inFlight.delete(controller);
      dispose();
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
