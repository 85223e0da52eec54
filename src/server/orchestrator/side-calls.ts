import { randomUUID } from "node:crypto";
import { errorMessage } from "../../lib/errors";
import type { CallRecord } from "../../lib/protocol";
import { LlmCallError, type LlmClient } from "../producer/llm/types";

/**
 * The run's side calls: the server's own LLM calls beside the producers' (the dedup judge's
 * verdicts, the verifier's checks). One small queue with lanes in priority order, sharing the
 * concurrency (a side task must not compete with producers) and one abort for shutdown; each
 * lane batches its own items and decides whether a call is affordable (the shared budget is the
 * run's: budget.ts). Nothing here blocks the submission path.
 */
export interface SideLane {
  /** A call ready to send now, its batch taken off the lane's queue; `flush`: a partial batch may go. Null: nothing to send. */
  take(flush: boolean): (() => Promise<void>) | null;
  /** Items waiting (ready or not): while any lane has some, the queue keeps looking every gatherMs. */
  readonly pending: number;
}

/** Calls in flight at once, all lanes together. */
export const MAX_SIDE_CALLS_IN_FLIGHT = 2;

export class SideCalls {
  private readonly lanes: SideLane[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly opts: {
      /** How long a partial batch waits for more items to share its call. */
      gatherMs: number;
      maxInFlight?: number;
      log: (level: "info" | "warn" | "error", message: string) => void;
    },
  ) {}

  /** Aborted by close(): every side call passes it to its SDK call. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Adds a lane after the existing ones (earlier lanes go first). */
  add(lane: SideLane): void {
    this.lanes.push(lane);
  }

  /** Sends what is ready: full batches now, partial ones after gatherMs. */
  pump(): void {
    if (this.closed) return;
    this.sendReady(false);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.sendReady(true);
      if (this.inFlight.size > 0 || this.lanes.some((l) => l.pending > 0)) this.pump();
    }, this.opts.gatherMs);
    this.timer.unref?.();
  }

  /** Resolves when nothing is in flight and no lane has anything it may send now (partial batches included). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inFlight.size > 0) {
        await Promise.race(this.inFlight);
        continue;
      }
      if (this.closed || this.sendReady(true) === 0) return;
    }
  }

  /** Aborts calls in flight (their items get no verdict) and sends nothing more. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private sendReady(flush: boolean): number {
    let sent = 0;
    const max = this.opts.maxInFlight ?? MAX_SIDE_CALLS_IN_FLIGHT;
    for (let progress = true; progress && this.inFlight.size < max && !this.closed; ) {
      progress = false;
      for (const lane of this.lanes) {
        if (this.inFlight.size >= max) break;
        const job = lane.take(flush);
        if (!job) continue;
        this.send(job);
        sent++;
        progress = true;
        break; // earlier lanes first, again
      }
    }
    return sent;
  }

  private send(job: () => Promise<void>): void {
    const p = job()
      .catch((err: unknown) => this.opts.log("error", `side call: ${errorMessage(err)}`))
      .finally(() => {
        this.inFlight.delete(p);
        if (!this.closed) this.pump();
      });
    this.inFlight.add(p);
  }
}

/**
 * One side call through its model's SDK client: the parsed answer (empty when the call failed)
 * and the call's record, tokens as the provider counted them (else estimated: `promptTokens`,
 * 4 characters a token), the error when it failed. Never throws.
 */
export async function sendSideCall<V>(
  client: LlmClient,
  request: { prompt: { system: string; user: string }; promptTokens: number; maxTokens: number; signal: AbortSignal; clock: () => number },
  parse: (answer: string) => Map<string, V>,
): Promise<{ record: CallRecord; answers: Map<string, V> }> {
  const started = request.clock();
  const record: CallRecord = {
    callId: randomUUID(),
    provider: client.provider,
    model: client.model,
    startedAt: started,
    latencyMs: 0,
    promptTokens: request.promptTokens,
    completionTokens: 0,
    itemsParsed: 0,
  };
  let answers = new Map<string, V>();
  try {
    const res = await client.stream({ ...request.prompt, maxTokens: request.maxTokens, signal: request.signal, onText: () => undefined });
    answers = parse(res.text);
    record.promptTokens = res.promptTokens ?? request.promptTokens;
    record.completionTokens = res.completionTokens ?? Math.ceil(res.text.length / 4);
    record.itemsParsed = answers.size;
  } catch (err) {
    record.error = { kind: err instanceof LlmCallError ? err.kind : "network", message: errorMessage(err).slice(0, 500) };
  }
  record.latencyMs = Math.max(0, request.clock() - started);
  return { record, answers };
}
