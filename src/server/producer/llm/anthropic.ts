import type Anthropic from "@anthropic-ai/sdk";
import type { ProviderId } from "../../../lib/providers";
import { httpFetch } from "../http-fetch";
import { streamCall } from "./stream-call";
import type { LlmClient, LlmRequest, LlmResponse } from "./types";

export interface AnthropicClientOptions {
  provider: ProviderId;
  model: string;
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
  defaultHeaders?: Record<string, string>;
  now?: () => number;
}

/**
 * Messages API, streamed, through the official `@anthropic-ai/sdk`. No `temperature`: the
 * API version this SDK sends (2026-10-21) rejects it.
 */
export function createAnthropicClient(opts: AnthropicClientOptions): LlmClient {
  // The SDK is loaded on the first call: a producer loads only the one SDK its model needs.
  let sdk: Promise<Anthropic> | undefined;
  const client = () =>
    (sdk ??= import("@anthropic-ai/sdk").then(
      ({ default: AnthropicSdk }) =>
        new AnthropicSdk({
          apiKey: opts.apiKey,
          baseURL: opts.baseURL ?? null,
          maxRetries: 0,
          fetch: httpFetch,
          timeout: opts.timeoutMs,
          defaultHeaders: opts.defaultHeaders,
          logLevel: "off",
          openTelemetry: false,
        }),
    ));
  const now = opts.now ?? Date.now;

  return {
    provider: opts.provider,
    model: opts.model,
    wire: "anthropic",
    stream(req: LlmRequest): Promise<LlmResponse> {
      return streamCall(req, opts.timeoutMs, now, async (signal, progress, received) => {
        const { data: stream, response } = await (await client()).messages
          .create(
            {
              model: opts.model,
              max_tokens: req.maxTokens,
              system: req.system,
              messages: [{ role: "user", content: req.user }],
              stream: true,
            },
            { signal },
          )
          .withResponse();
        progress();
        let promptTokens: number | null = null;
        let completionTokens: number | null = null;
        let stopReason: string | null = null;
        for await (const event of stream) {
          progress();
          if (event.type === "message_start") {
            const u = event.message.usage;
            promptTokens = (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
            completionTokens = u.output_tokens ?? null;
          } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
            received.text += event.delta.text;
            req.onText(event.delta.text);
          } else if (event.type === "message_delta") {
            stopReason = event.delta.stop_reason ?? stopReason;
            if (event.usage.output_tokens !== null && event.usage.output_tokens !== undefined) completionTokens = event.usage.output_tokens;
            if (typeof event.usage.input_tokens === "number") {
              promptTokens = event.usage.input_tokens + (event.usage.cache_creation_input_tokens ?? 0) + (event.usage.cache_read_input_tokens ?? 0);
            }
          }
        }
        // The SDKs end the iteration quietly when the stream is aborted: make that an error.
        signal.throwIfAborted();
        return {
          text: received.text,
          promptTokens,
          completionTokens,
          truncated: stopReason === null || stopReason === "max_tokens" || stopReason === "model_context_window_exceeded",
          headers: response.headers,
        };
      });
    },
  };
}
