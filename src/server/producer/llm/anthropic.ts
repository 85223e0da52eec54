import type Anthropic from "@anthropic-ai/sdk";
import { sdkClient, sdkOptions, type SdkClientOptions, type WireEvent } from "./sdk-client";
import type { LlmClient } from "./types";

export type AnthropicClientOptions = SdkClientOptions;

/** Input tokens in all: uncached, written to and read from the prompt cache. */
function inputTokens(u: { input_tokens?: number | null; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null }) {
  return typeof u.input_tokens === "number" ? u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) : null;
}

async function* events(stream: AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>): AsyncGenerator<WireEvent> {
  for await (const event of stream) {
    if (event.type === "message_start") {
      yield { type: "usage", promptTokens: inputTokens(event.message.usage), completionTokens: event.message.usage.output_tokens };
    } else if (event.type === "content_block_delta") {
      if (event.delta.type === "text_delta") yield { type: "text", text: event.delta.text };
      // Extended thinking: billed as output tokens, never part of the answer.
      else if (event.delta.type === "thinking_delta") yield { type: "reasoning", text: event.delta.thinking };
    } else if (event.type === "message_delta") {
      if (event.delta.stop_reason) yield { type: "stop", reason: event.delta.stop_reason };
      yield { type: "usage", promptTokens: inputTokens(event.usage), completionTokens: event.usage.output_tokens };
    }
  }
}

/**
 * Messages API, streamed, through the official `@anthropic-ai/sdk`. No `temperature`: the
 * API version this SDK sends (2026-10-21) rejects it.
 */
export function createAnthropicClient(opts: AnthropicClientOptions): LlmClient {
  return sdkClient(opts, {
    wire: "anthropic",
    load: () => import("@anthropic-ai/sdk").then(({ default: AnthropicSdk }) => new AnthropicSdk({ ...sdkOptions(opts), openTelemetry: false })),
    async open(sdk, req, signal) {
      const { data, response } = await sdk.messages
        .create({ model: opts.model, max_tokens: req.maxTokens, system: req.system, messages: [{ role: "user", content: req.user }], stream: true }, { signal })
        .withResponse();
      return { events: events(data), headers: response.headers };
    },
    truncated: (reason) => reason === null || reason === "max_tokens" || reason === "model_context_window_exceeded",
  });
}
