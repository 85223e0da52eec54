import { canonicalKey } from "../../lib/dedup/canonical-key";
import { ItemStreamParser } from "../../lib/parse-items";
import type { BuiltPrompt } from "../../lib/prompt";
import type { CallRecord } from "../../lib/protocol";
import type { Clock } from "./clock";
import type { KnownState } from "./known-state";
import { completionTokensOf, LlmCallError, streamedTokensOf, type LlmClient, type LlmResponse } from "./llm/types";
import type { Outbox } from "./outbox";

/** One request, built from the assignment under its target's learnt caps. */
export type Request = { label: string; prompt: BuiltPrompt; maxTokens: number; branchId: number | undefined };

/** How a call ended. */
export type CallOutcome =
  | { ok: true; callId: string; items: number; response: LlmResponse }
  | { ok: false; callId: string; error: LlmCallError; items: number };

export interface CallDeps {
  llm: LlmClient;
  request: Request;
  callId: string;
  /** Aborts the call (the producer stopping, the run ending). */
  signal: AbortSignal;
  clock: Clock;
  redact: (text: string) => string;
  state: KnownState;
  outbox: Outbox;
}

/**
 * One streamed LLM call: each complete line is parsed and goes to the outbox as it arrives;
 * the call's record (usage, latency, error) follows its last lines. Never throws: a failure
 * is an outcome.
 */
export async function streamOneCall(deps: CallDeps): Promise<CallOutcome> {
  const { llm, request, callId, signal, clock, redact, state, outbox } = deps;
  const { prompt, maxTokens, branchId } = request;
  const parser = new ItemStreamParser();
  // Items the prompt listed as found: how many the answer repeats says whether the model ran out.
  const shownKeys = new Set(prompt.shownTexts.map(canonicalKey));
  let itemsShown = 0;
  const note = (items: readonly string[]) => {
    for (const c of items) {
      const key = canonicalKey(c);
      state.noteCandidate(c, key);
      if (shownKeys.has(key)) itemsShown++;
    }
  };
  const emit = (items: string[]) => {
    if (items.length === 0) return;
    note(items);
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
    itemsShown,
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
    const response = await llm.stream({ system: prompt.system, user: prompt.user, maxTokens, signal, onText: (delta) => emit(parser.push(delta)) });
    const tail = parser.end({ truncated: response.truncated });
    note(tail);
    // Usage from the API; a server that sends none (some OpenAI-compatible ones) gets our count.
    const usage = { promptTokens: response.promptTokens ?? prompt.promptTokens, completionTokens: completionTokensOf(response) };
    outbox.finishCall(callId, tail, record(usage), branchId);
    return { ok: true, callId, items: parser.count, response };
  } catch (e) {
    const error = e instanceof LlmCallError ? e : new LlmCallError("other", e instanceof Error ? e.message : String(e), { cause: e });
    // The unterminated last line of a broken stream is cut mid-item: dropped.
    parser.end({ truncated: true });
    // Streamed tokens (answer and reasoning) are billed even when the call fails later; a refused call costs nothing.
    const completionTokens = streamedTokensOf(error);
    const usage = { promptTokens: completionTokens > 0 ? prompt.promptTokens : 0, completionTokens };
    outbox.finishCall(callId, [], record({ ...usage, error }), branchId);
    return { ok: false, callId, error, items: parser.count };
  }
}
