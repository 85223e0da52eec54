import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { RateLimitState, SimFailure, SimOutcome } from "../../lib/sim/engine";
import { totalLatencyMs } from "../../lib/sim/latency";
import { paceAnswer, sendJson, sleep, startSse, writeSse, type Headers } from "./http";

/** The OpenAI Chat Completions wire format: request parsing, answers, errors, headers. */

export interface OpenAIChatRequest {
  model: string;
  messageTexts: string[];
  maxTokens: number | null;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
}

type Parsed = { ok: true; request: OpenAIChatRequest } | { ok: false; message: string; param: string | null };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Text of a message's content: a string, or the text parts of an array (images etc. ignored). */
function contentText(content: unknown): string | null {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (isRecord(p) && (p.type === "text" || p.type === "input_text") && typeof p.text === "string" ? p.text : "")).join("\n");
  }
  return null;
}

export function parseChatRequest(body: unknown): Parsed {
  if (!isRecord(body)) return { ok: false, message: "The request body must be a JSON object.", param: null };
  if (typeof body.model !== "string" || body.model === "") {
    return { ok: false, message: "you must provide a model parameter", param: "model" };
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return { ok: false, message: "[] is too short - 'messages'", param: "messages" };
  }
  const messageTexts: string[] = [];
  for (const [i, m] of body.messages.entries()) {
    if (!isRecord(m) || typeof m.role !== "string") {
      return { ok: false, message: `Missing required parameter: 'messages[${i}].role'.`, param: `messages[${i}].role` };
    }
    const text = contentText(m.content);
    if (text === null) return { ok: false, message: `Invalid type for 'messages[${i}].content'.`, param: `messages[${i}].content` };
    messageTexts.push(text);
  }
  const rawMax = body.max_completion_tokens ?? body.max_tokens;
  let maxTokens: number | null = null;
  if (rawMax !== undefined && rawMax !== null) {
    if (typeof rawMax !== "number" || !Number.isInteger(rawMax) || rawMax < 1) {
      const param = body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
      return {
        ok: false,
        message: `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${JSON.stringify(rawMax)} instead.`,
        param,
      };
    }
    maxTokens = rawMax;
  }
  const stop = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === "string") : [];
  const stream = body.stream === true;
  const includeUsage = stream && isRecord(body.stream_options) && body.stream_options.include_usage === true;
  return { ok: true, request: { model: body.model, messageTexts, maxTokens, stop, stream, includeUsage } };
}

/** "6m0s", "1.5s", "120ms": the duration format of OpenAI's x-ratelimit-reset-* headers. */
export function formatResetDuration(ms: number): string {
  const t = Math.max(0, Math.ceil(ms));
  if (t < 1000) return `${t}ms`;
  const totalSeconds = t / 1000;
  if (totalSeconds < 60) return `${Number(totalSeconds.toFixed(3))}s`;
  const m = Math.floor(totalSeconds / 60);
  return `${m}m${Number((totalSeconds - m * 60).toFixed(3))}s`;
}

export function rateLimitHeaders(state: RateLimitState | null): Headers {
  const h: Headers = {};
  if (state?.requests) {
    h["x-ratelimit-limit-requests"] = String(state.requests.limit);
    h["x-ratelimit-remaining-requests"] = String(state.requests.remaining);
    h["x-ratelimit-reset-requests"] = formatResetDuration(state.requests.resetMs);
  }
  if (state?.tokens) {
    h["x-ratelimit-limit-tokens"] = String(state.tokens.limit);
    h["x-ratelimit-remaining-tokens"] = String(state.tokens.remaining);
    h["x-ratelimit-reset-tokens"] = formatResetDuration(state.tokens.resetMs);
  }
  return h;
}

export function requestId(): string {
  return `req_${randomBytes(16).toString("hex")}`;
}

export interface WireError {
  status: number;
  body: unknown;
  headers: Headers;
}

function errorBody(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

export function invalidRequest(message: string, param: string | null = null, status = 400): WireError {
  return { status, body: errorBody(message, "invalid_request_error", param), headers: {} };
}

export function openaiError(failure: SimFailure, model: string, rateLimit: RateLimitState | null): WireError {
  const headers = rateLimitHeaders(rateLimit);
  switch (failure.kind) {
    case "authentication":
      return { status: 401, body: errorBody(failure.message, "invalid_request_error"), headers };
    case "not_found":
      return { status: 404, body: errorBody(failure.message, "invalid_request_error", null, "model_not_found"), headers };
    case "invalid_request":
      return { status: 400, body: errorBody(failure.message, "invalid_request_error", failure.param ?? null), headers };
    case "max_tokens_too_large":
      return {
        status: 400,
        body: errorBody(
          `max_tokens is too large: ${failure.maxTokens}. This model supports at most ${failure.limit} completion tokens, whereas you provided ${failure.maxTokens}.`,
          "invalid_request_error",
          "max_tokens",
          "invalid_value",
        ),
        headers,
      };
    case "context_length": {
      const message = failure.promptAlone
        ? `This model's maximum context length is ${failure.contextWindow} tokens. However, your messages resulted in ${failure.promptTokens} tokens. Please reduce the length of the messages.`
        : `This model's maximum context length is ${failure.contextWindow} tokens. However, you requested ${failure.promptTokens + failure.maxTokens} tokens (${failure.promptTokens} in the messages, ${failure.maxTokens} in the completion). Please reduce the length of the messages or completion.`;
      return { status: 400, body: errorBody(message, "invalid_request_error", "messages", "context_length_exceeded"), headers };
    }
    case "rate_limit": {
      const unit = failure.limitedBy === "requests" ? "requests per min (RPM)" : "tokens per min (TPM)";
      const bucket = failure.limitedBy === "requests" ? rateLimit?.requests : rateLimit?.tokens;
      const used = bucket ? bucket.limit - bucket.remaining : failure.limit;
      const message = failure.tooLarge
        ? `Request too large for ${model} in organization org-sim on ${unit}: Limit ${failure.limit}, Requested ${failure.requested}. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`
        : `Rate limit reached for ${model} in organization org-sim on ${unit}: Limit ${failure.limit}, Used ${used}, Requested ${failure.requested}. Please try again in ${formatResetDuration(failure.retryAfterMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
      if (!failure.tooLarge) {
        headers["retry-after"] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
        headers["retry-after-ms"] = String(Math.max(0, Math.ceil(failure.retryAfterMs)));
      }
      return { status: 429, body: errorBody(message, failure.limitedBy, null, "rate_limit_exceeded"), headers };
    }
    case "server":
      return { status: 500, body: errorBody("The server had an error while processing your request. Sorry about that!", "server_error"), headers };
    case "overloaded":
      return { status: failure.status, body: errorBody("The server is overloaded or not ready yet.", "server_error"), headers };
  }
}

function usage(outcome: Extract<SimOutcome, { ok: true }>) {
  return {
    prompt_tokens: outcome.promptTokens,
    completion_tokens: outcome.outputTokens,
    total_tokens: outcome.promptTokens + outcome.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: outcome.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Writes a successful chat completion, streamed or not. Resolves when done or when the client left. */
export async function writeChatCompletion(
  res: ServerResponse,
  outcome: Extract<SimOutcome, { ok: true }>,
  request: OpenAIChatRequest,
  headers: Headers,
  signal: AbortSignal,
): Promise<void> {
  const id = `chatcmpl-${randomBytes(12).toString("hex")}`;
  const created = Math.floor(Date.now() / 1000);
  const finishReason = outcome.finish === "length" ? "length" : "stop";
  const allHeaders = {
    ...headers,
    ...rateLimitHeaders(outcome.rateLimit),
    "openai-processing-ms": String(Math.round(totalLatencyMs(outcome.latency, outcome.outputTokens))),
  };

  if (!request.stream) {
    if (!(await sleep(totalLatencyMs(outcome.latency, outcome.outputTokens), signal))) return;
    sendJson(
      res,
      200,
      {
        id,
        object: "chat.completion",
        created,
        model: outcome.model,
        choices: [
          {
            index: 0,
            // DeepSeek's API puts reasoning in `reasoning_content` beside `content`.
            message: {
              role: "assistant",
              content: outcome.text,
              ...(outcome.reasoning ? { reasoning_content: outcome.reasoning } : {}),
              refusal: null,
              annotations: [],
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage: usage(outcome),
        service_tier: "default",
        system_fingerprint: "fp_igentai_sim",
      },
      allHeaders,
    );
    return;
  }

  startSse(res, allHeaders);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model: outcome.model,
      service_tier: "default",
      system_fingerprint: "fp_igentai_sim",
      choices,
      ...(request.includeUsage ? { usage: null } : {}),
      ...extra,
    });
  if (!writeSse(res, chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]))) return;

  // Reasoning sent apart streams first, in `delta.reasoning_content`, then the answer in `delta.content`.
  const completed = await paceAnswer(outcome, signal, (piece, part) =>
    writeSse(res, chunk([{ index: 0, delta: { [part === "reasoning" ? "reasoning_content" : "content"]: piece }, logprobs: null, finish_reason: null }])),
  );
  if (signal.aborted || res.destroyed) return;
  if (!completed) {
    // A mid-stream failure: OpenAI sends an error object as a data line, then closes.
    writeSse(res, JSON.stringify(errorBody("The server had an error while processing your request. Sorry about that!", "server_error")));
    res.end();
    return;
  }
  writeSse(res, chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
  if (request.includeUsage) writeSse(res, chunk([], { usage: usage(outcome) }));
  writeSse(res, "[DONE]");
  res.end();
}
