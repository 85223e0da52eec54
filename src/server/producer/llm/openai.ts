import type OpenAI from "openai";
import type { ProviderId } from "../../../lib/providers";
import { httpFetch } from "../http-fetch";
import { streamCall } from "./stream-call";
import type { LlmClient, LlmRequest, LlmResponse } from "./types";

export interface OpenAiClientOptions {
  provider: ProviderId;
  model: string;
  apiKey: string;
  baseURL?: string;
  timeoutMs: number;
  /**
   * OpenAI's own API wants `max_completion_tokens` (reasoning models reject `max_tokens`);
   * OpenAI-compatible servers (vLLM, Ollama, the simulator) know `max_tokens`.
   */
  tokenLimitParam: "max_tokens" | "max_completion_tokens";
  defaultHeaders?: Record<string, string>;
  now?: () => number;
}

/** Chat Completions, streamed, through the official `openai` SDK (its own retries off: the producer paces and retries). */
export function createOpenAiClient(opts: OpenAiClientOptions): LlmClient {
  // The SDK is loaded on the first call: a producer loads only the one SDK its model needs.
  let sdk: Promise<OpenAI> | undefined;
  const client = () =>
    (sdk ??= import("openai").then(
      ({ default: OpenAISdk }) =>
        new OpenAISdk({
          apiKey: opts.apiKey,
          baseURL: opts.baseURL ?? null,
          maxRetries: 0,
          fetch: httpFetch,
          timeout: opts.timeoutMs,
          defaultHeaders: opts.defaultHeaders,
          logLevel: "off",
        }),
    ));
  const now = opts.now ?? Date.now;

  return {
    provider: opts.provider,
    model: opts.model,
    wire: "openai",
    stream(req: LlmRequest): Promise<LlmResponse> {
      return streamCall(req, opts.timeoutMs, now, async (signal, progress, received) => {
        const { data: stream, response } = await (await client()).chat.completions
          .create(
            {
              model: opts.model,
              messages: [
                { role: "system", content: req.system },
                { role: "user", content: req.user },
              ],
              stream: true,
              stream_options: { include_usage: true },
              [opts.tokenLimitParam]: req.maxTokens,
            },
            { signal },
          )
          .withResponse();
        progress();
        let promptTokens: number | null = null;
        let completionTokens: number | null = null;
        let finish: string | null = null;
        for await (const chunk of stream) {
          progress();
          const choice = chunk.choices[0];
          const delta = choice?.delta?.content;
          if (delta) {
            received.text += delta;
            req.onText(delta);
          }
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.usage) {
            promptTokens = chunk.usage.prompt_tokens;
            completionTokens = chunk.usage.completion_tokens;
          }
        }
        // The SDKs end the iteration quietly when the stream is aborted: make that an error.
        signal.throwIfAborted();
        return {
          text: received.text,
          promptTokens,
          completionTokens,
          // No finish_reason: the stream ended early, so the last line may be cut.
          truncated: finish === "length" || finish === null,
          headers: response.headers,
        };
      });
    },
  };
}
