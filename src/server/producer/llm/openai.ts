import type OpenAI from "openai";
import { sdkClient, sdkOptions, type SdkClientOptions, type WireEvent } from "./sdk-client";
import type { LlmClient } from "./types";

export interface OpenAiClientOptions extends SdkClientOptions {
  /**
   * OpenAI's own API wants `max_completion_tokens` (reasoning models reject `max_tokens`);
   * OpenAI-compatible servers (vLLM, Ollama, the simulator) know `max_tokens`.
   */
  tokenLimitParam: "max_tokens" | "max_completion_tokens";
  /** Ask for usage in the stream's last chunk (`stream_options`); false for servers that reject the field. */
  streamOptions?: boolean;
}

/**
 * Reasoning fields of OpenAI-compatible servers, outside OpenAI's own types: DeepSeek's API
 * and vLLM's reasoning parsers send `reasoning_content`
 * (api-docs.deepseek.com/guides/reasoning_model, docs.vllm.ai "Reasoning Outputs"); Ollama's
 * OpenAI endpoint, OpenRouter and Groq send `reasoning`.
 */
type ReasoningDelta = { reasoning_content?: unknown; reasoning?: unknown };

async function* events(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): AsyncGenerator<WireEvent> {
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    const delta = choice?.delta as (OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta & ReasoningDelta) | undefined;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (typeof reasoning === "string" && reasoning) yield { type: "reasoning", text: reasoning };
    if (delta?.content) yield { type: "text", text: delta.content };
    if (choice?.finish_reason) yield { type: "stop", reason: choice.finish_reason };
    if (chunk.usage) yield { type: "usage", promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
  }
}

/** Chat Completions, streamed, through the official `openai` SDK (its own retries off: the producer paces and retries). */
export function createOpenAiClient(opts: OpenAiClientOptions): LlmClient {
  return sdkClient(opts, {
    wire: "openai",
    load: () => import("openai").then(({ default: OpenAISdk }) => new OpenAISdk(sdkOptions(opts))),
    async open(sdk, req, signal) {
      const { data, response } = await sdk.chat.completions
        .create(
          {
            model: opts.model,
            messages: [
              { role: "system", content: req.system },
              { role: "user", content: req.user },
            ],
            stream: true,
            ...(opts.streamOptions === false ? {} : { stream_options: { include_usage: true } }),
            [opts.tokenLimitParam]: req.maxTokens,
          },
          { signal },
        )
        .withResponse();
      return { events: events(data), headers: response.headers };
    },
    // No finish_reason: the stream ended early, so the last line may be cut.
    truncated: (reason) => reason === "length" || reason === null,
  });
}
