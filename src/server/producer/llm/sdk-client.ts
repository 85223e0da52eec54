import type { ProviderId, WireFormat } from "../../../lib/providers";
import { ReasoningSplitter } from "../../../lib/reasoning";
import { httpFetch } from "../http-fetch";
import { streamCall } from "./stream-call";
import type { LlmClient, LlmRequest, LlmResponse } from "./types";

/** What both SDK clients are built with. */
export interface SdkClientOptions {
  provider: ProviderId;
  model: string;
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
  defaultHeaders?: Record<string, string>;
  now?: () => number;
}

/**
 * The constructor options both SDKs take alike: their own retries off (the producer paces and
 * retries), the project's fetch, no logging (keys and prompts stay out of logs).
 */
export function sdkOptions(opts: SdkClientOptions) {
  return {
    apiKey: opts.apiKey,
    baseURL: opts.baseURL ?? null,
    maxRetries: 0,
    fetch: httpFetch,
    timeout: opts.timeoutMs,
    defaultHeaders: opts.defaultHeaders,
    logLevel: "off",
  } as const;
}

/** One streamed event of either SDK, reduced to what a producer uses. */
export type WireEvent =
  | { type: "text"; text: string }
  /** Reasoning sent in its own field (`reasoning_content`, `reasoning`, Anthropic thinking). */
  | { type: "reasoning"; text: string }
  /** Usage so far; a later event overrides an earlier one, field by field. */
  | { type: "usage"; promptTokens?: number | null; completionTokens?: number | null }
  | { type: "stop"; reason: string };

/** What differs between the two SDKs: loading one, opening a stream, reading its stop reason. */
export interface WireAdapter<Sdk> {
  wire: WireFormat;
  /** Loads the SDK and builds its client; called once, on the first call. */
  load(): Promise<Sdk>;
  /** Opens one streamed call; `events` yields the stream's events in order. */
  open(sdk: Sdk, req: LlmRequest, signal: AbortSignal): Promise<{ events: AsyncIterable<WireEvent>; headers: Headers }>;
  /** The answer was cut (its last line is incomplete); `reason` null when the stream never said why it stopped. */
  truncated(reason: string | null): boolean;
}

/**
 * The skeleton both SDK clients share: the SDK is loaded on the first call (a producer loads
 * only the one its model needs), the call runs under streamCall's abort and inactivity
 * timeout, reasoning (inline `<think>` blocks and reasoning fields) is kept out of the answer
 * text, and usage is collected from whichever events carry it.
 */
export function sdkClient<Sdk>(target: { provider: ProviderId; model: string; timeoutMs: number; now?: () => number }, adapter: WireAdapter<Sdk>): LlmClient {
  let sdk: Promise<Sdk> | undefined;
  /** Learnt from an answer: this model's answers start inside a `<think>` its chat template opened (src/lib/reasoning.ts). */
  let startsInside = false;
  const now = target.now ?? Date.now;
  return {
    provider: target.provider,
    model: target.model,
    wire: adapter.wire,
    stream(req: LlmRequest): Promise<LlmResponse> {
      return streamCall(req, target.timeoutMs, now, async (signal, progress, received) => {
        const { events, headers } = await adapter.open(await (sdk ??= adapter.load()), req, signal);
        progress();
        const split = new ReasoningSplitter({ inside: startsInside });
        received.split = split;
        const emit = (text: string) => {
          if (text) req.onText(text);
        };
        let promptTokens: number | null = null;
        let completionTokens: number | null = null;
        let stop: string | null = null;
        for await (const event of events) {
          progress();
          if (event.type === "text") emit(split.push(event.text));
          else if (event.type === "reasoning") split.pushReasoning(event.text);
          else if (event.type === "stop") stop = event.reason;
          else {
            if (typeof event.promptTokens === "number") promptTokens = event.promptTokens;
            if (typeof event.completionTokens === "number") completionTokens = event.completionTokens;
          }
        }
        // The SDKs end the iteration quietly when the stream is aborted: make that an error.
        signal.throwIfAborted();
        const truncated = adapter.truncated(stop);
        emit(split.end({ truncated }));
        startsInside = split.answersStartInside;
        return { text: split.text, reasoning: split.reasoning, promptTokens, completionTokens, truncated, headers };
      });
    },
  };
}
