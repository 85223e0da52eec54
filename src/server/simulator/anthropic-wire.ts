import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { RateLimitState, SimFailure, SimOutcome } from "../../lib/sim/engine";
import { totalLatencyMs } from "../../lib/sim/latency";
import { paceAnswer, sendJson, sleep, startSse, writeSse, type Headers } from "./http";
import type { WireError } from "./openai-wire";

/** The Anthropic Messages wire format: request parsing, answers, errors, headers. */

export interface AnthropicMessagesRequest {
  model: string;
  messageTexts: string[];
  maxTokens: number;
  stopSequences: string[];
  stream: boolean;
}

type Parsed = { ok: true; request: AnthropicMessagesRequest } | { ok: false; message: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A string, or the text blocks of an array (other block types ignored); null if neither. */
function blocksText(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((b) => (isRecord(b) && b.type === "text" && typeof b.text === "string" ? b.text : "")).join("\n");
  }
  return null;
}

/** Parses a Messages request. `temperature` and other sampling fields are accepted and ignored. */
export function parseMessagesRequest(body: unknown): Parsed {
  if (!isRecord(body)) return { ok: false, message: "The request body is not valid JSON object." };
  if (typeof body.model !== "string" || body.model === "") return { ok: false, message: "model: Field required" };
  if (body.max_tokens === undefined) return { ok: false, message: "max_tokens: Field required" };
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return { ok: false, message: "max_tokens: Input should be greater than or equal to 1" };
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { ok: false, message: "messages: at least one message is required" };
  const messageTexts: string[] = [];
  if (body.system !== undefined && body.system !== null) {
    const system = blocksText(body.system);
    if (system === null) return { ok: false, message: "system: Input should be a valid string or a list of text blocks" };
    messageTexts.push(system);
  }
  for (const [i, m] of body.messages.entries()) {
    if (!isRecord(m) || (m.role !== "user" && m.role !== "assistant" && m.role !== "system")) {
      return { ok: false, message: `messages.${i}.role: Input should be 'user', 'assistant' or 'system'` };
    }
    const text = blocksText(m.content);
    if (text === null) return { ok: false, message: `messages.${i}.content: Input should be a valid string or a list of content blocks` };
    messageTexts.push(text);
  }
  const stopSequences = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === "string") : [];
  return { ok: true, request: { model: body.model, messageTexts, maxTokens: body.max_tokens, stopSequences, stream: body.stream === true } };
}

/** RFC 3339 without fractional seconds, as Anthropic's anthropic-ratelimit-*-reset headers. */
function resetTime(now: number, ms: number): string {
  return new Date(now + Math.max(0, ms)).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function rateLimitHeaders(state: RateLimitState | null, now = Date.now()): Headers {
  const h: Headers = {};
  if (state?.requests) {
    h["anthropic-ratelimit-requests-limit"] = String(state.requests.limit);
    h["anthropic-ratelimit-requests-remaining"] = String(state.requests.remaining);
    h["anthropic-ratelimit-requests-reset"] = resetTime(now, state.requests.resetMs);
  }
  if (state?.tokens) {
    h["anthropic-ratelimit-tokens-limit"] = String(state.tokens.limit);
    h["anthropic-ratelimit-tokens-remaining"] = String(state.tokens.remaining);
    h["anthropic-ratelimit-tokens-reset"] = resetTime(now, state.tokens.resetMs);
  }
  return h;
}

export function requestId(): string {
  return `req_${randomBytes(12).toString("base64url")}`;
}

function errorBody(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

export function invalidRequest(message: string, status = 400): WireError {
  return { status, body: errorBody(status === 413 ? "request_too_large" : status === 404 ? "not_found_error" : "invalid_request_error", message), headers: {} };
}

export function anthropicError(failure: SimFailure, model: string, rateLimit: RateLimitState | null): WireError {
  const headers = rateLimitHeaders(rateLimit);
  switch (failure.kind) {
    case "authentication":
      return { status: 401, body: errorBody("authentication_error", failure.message), headers };
    case "not_found":
      return { status: 404, body: errorBody("not_found_error", failure.message), headers };
    case "invalid_request":
      return { status: 400, body: errorBody("invalid_request_error", failure.message), headers };
    case "max_tokens_too_large":
      return {
        status: 400,
        body: errorBody(
          "invalid_request_error",
          `max_tokens: ${failure.maxTokens} > ${failure.limit}, which is the maximum allowed number of output tokens for ${model}`,
        ),
        headers,
      };
    case "context_length": {
      const message = failure.promptAlone
        ? `prompt is too long: ${failure.promptTokens} tokens > ${failure.contextWindow} maximum`
        : `input length and \`max_tokens\` exceed context limit: ${failure.promptTokens} + ${failure.maxTokens} > ${failure.contextWindow}, decrease input length or \`max_tokens\` and try again`;
      return { status: 400, body: errorBody("invalid_request_error", message), headers };
    }
    case "rate_limit": {
      const unit = failure.limitedBy === "requests" ? "requests" : "tokens";
      const message = failure.tooLarge
        ? `This request would exceed the rate limit for your organization of ${failure.limit.toLocaleString("en-US")} ${unit} per minute on its own. Please reduce the prompt length or the maximum tokens requested.`
        : `This request would exceed the rate limit for your organization of ${failure.limit.toLocaleString("en-US")} ${unit} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.`;
      if (!failure.tooLarge) {
        headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
        headers["retry-after-ms"] = String(Math.max(0, Math.ceil(failure.retryAfterMs)));
      }
      return { status: 429, body: errorBody("rate_limit_error", message), headers };
    }
    case "server":
      return { status: 500, body: errorBody("api_error", "Internal server error"), headers };
    case "overloaded":
      return { status: failure.status, body: errorBody("overloaded_error", "Overloaded"), headers };
  }
}

function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: null,
    server_tool_use: null,
    service_tier: "standard",
  };
}

/** Writes a successful message, streamed or not. Resolves when done or when the client left. */
export async function writeMessage(
  res: ServerResponse,
  outcome: Extract<SimOutcome, { ok: true }>,
  request: AnthropicMessagesRequest,
  headers: Headers,
  signal: AbortSignal,
): Promise<void> {
  const id = `msg_${randomBytes(12).toString("base64url")}`;
  const stopReason = outcome.finish === "length" ? "max_tokens" : outcome.finish === "stop_sequence" ? "stop_sequence" : "end_turn";
  const allHeaders = { ...headers, ...rateLimitHeaders(outcome.rateLimit) };

  if (!request.stream) {
    if (!(await sleep(totalLatencyMs(outcome.latency, outcome.outputTokens), signal))) return;
    sendJson(
      res,
      200,
      {
        id,
        type: "message",
        role: "assistant",
        model: outcome.model,
        content: [
          // Extended thinking: a `thinking` block before the text.
          ...(outcome.reasoning ? [{ type: "thinking", thinking: outcome.reasoning, signature: "sim" }] : []),
          { type: "text", text: outcome.text, citations: null },
        ],
        stop_reason: stopReason,
        stop_sequence: outcome.stopSequence,
        stop_details: null,
        container: null,
        usage: usage(outcome.promptTokens, outcome.outputTokens),
      },
      allHeaders,
    );
    return;
  }

  startSse(res, allHeaders);
  const send = (event: string, data: Record<string, unknown>) => writeSse(res, JSON.stringify({ type: event, ...data }), event);
  send("message_start", {
    message: {
      id,
      type: "message",
      role: "assistant",
      model: outcome.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: usage(outcome.promptTokens, Math.min(1, outcome.outputTokens)),
    },
  });
  // Extended thinking streams as a `thinking` block (index 0) before the text block.
  const reasoning = outcome.reasoning.length;
  const textIndex = reasoning > 0 ? 1 : 0;
  let open = -1;
  if (reasoning === 0) {
    send("content_block_start", { index: 0, content_block: { type: "text", text: "", citations: null } });
    open = 0;
  }
  send("ping", {});

  const completed = await paceAnswer(outcome, signal, (piece, part) => {
    const index = part === "reasoning" ? 0 : textIndex;
    if (open !== index) {
      if (open !== -1) send("content_block_stop", { index: open });
      open = index;
      const block = part === "reasoning" ? { type: "thinking", thinking: "", signature: "" } : { type: "text", text: "", citations: null };
      send("content_block_start", { index, content_block: block });
    }
    const delta = part === "reasoning" ? { type: "thinking_delta", thinking: piece } : { type: "text_delta", text: piece };
    return send("content_block_delta", { index, delta });
  });
  if (signal.aborted || res.destroyed) return;
  if (!completed) {
    // A mid-stream failure: Anthropic sends an `error` event and closes the stream.
    send("error", { error: { type: "overloaded_error", message: "Overloaded" } });
    res.end();
    return;
  }
  // An answer cut inside its thinking still ends with an (empty) text block.
  if (open !== textIndex) {
    if (open !== -1) send("content_block_stop", { index: open });
    send("content_block_start", { index: textIndex, content_block: { type: "text", text: "", citations: null } });
  }
  send("content_block_stop", { index: textIndex });
  send("message_delta", {
    delta: { stop_reason: stopReason, stop_sequence: outcome.stopSequence, stop_details: null, container: null },
    usage: {
      input_tokens: outcome.promptTokens,
      output_tokens: outcome.outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      server_tool_use: null,
    },
  });
  send("message_stop", {});
  res.end();
}
