import type { CallErrorKind } from "../../../lib/protocol";
import { LlmCallError } from "./types";

/** Longest server-requested wait we honour as such; beyond it, the producer re-checks in with backoff. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * The server's requested wait, in ms: `retry-after-ms` (OpenAI, Anthropic; the precise
 * form) else `retry-after` (seconds or an HTTP date). A zero or negative value is ignored
 * (Azure OpenAI sends `retry-after-ms: 0` when its token window is used up, and honouring
 * it would retry without pause); undefined then means "use backoff".
 */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const waits: number[] = [];
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const v = Number(ms);
    if (Number.isFinite(v) && v > 0) return Math.min(v, MAX_RETRY_AFTER_MS);
  }
  const ra = headers.get("retry-after");
  if (ra !== null && ra.trim() !== "") {
    const seconds = Number(ra);
    if (Number.isFinite(seconds)) {
      if (seconds > 0) waits.push(seconds * 1000);
    } else {
      const at = Date.parse(ra);
      if (Number.isFinite(at) && at - now > 0) waits.push(at - now);
    }
  }
  return waits.length > 0 ? Math.min(waits[0]!, MAX_RETRY_AFTER_MS) : undefined;
}

const CONTEXT_OVERFLOW =
  /context[_ ]length|context (?:window|limit)|maximum context|prompt is too long|too many (?:input )?tokens|input (?:is )?too long|exceeds? (?:the )?(?:model'?s? )?(?:context|maximum)|input length and `?max_tokens`? exceed/i;

/** The bits of an SDK error we use; both SDKs' APIError classes have this shape. */
interface ApiErrorLike {
  status?: number;
  /** Anthropic SDK: the body's error.message (its `message` is the whole JSON body). */
  apiMessage?: string | null;
  headers?: Headers;
  message?: string;
  code?: string | null;
  type?: string | null;
  errorCode?: string | null;
  error?: unknown;
}

function bodyErrorType(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as { type?: unknown; error?: { type?: unknown; code?: unknown } };
  const inner = b.error;
  if (inner && typeof inner.type === "string") return inner.type;
  if (inner && typeof inner.code === "string") return inner.code;
  return typeof b.type === "string" && b.type !== "error" ? b.type : undefined;
}

function bodyMessage(e: ApiErrorLike): string | undefined {
  if (typeof e.apiMessage === "string" && e.apiMessage) return e.apiMessage;
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  if (typeof body?.error?.message === "string") return body.error.message;
  if (typeof body?.message === "string") return body.message;
  return undefined;
}

/**
 * The output-token ceiling a 400 names ("supports at most 16384 completion tokens",
 * "max_tokens: 60000 > 8192"), so the producer can lower max_tokens and carry on.
 */
export function maxTokensLimitOf(message: string): number | undefined {
  const m = /at most (\d+) (?:completion|output) tokens/i.exec(message) ?? /max_tokens:? \d+ > (\d+)/i.exec(message);
  const n = m ? Number(m[1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A 429 for a request that can never fit the per-minute budget (no retry-after: waiting will not help). */
export function isRequestTooLarge(message: string): boolean {
  return /request too large|on its own/i.test(message);
}

function kindOf(status: number | undefined, type: string, message: string): CallErrorKind {
  if (/context_length_exceeded/.test(type) || ((status === 400 || status === 413 || status === undefined) && CONTEXT_OVERFLOW.test(message))) {
    return "context_overflow";
  }
  if (status === 413) return "context_overflow";
  // A drained account answers 429 too, but waiting does not help: report it and idle.
  if (/insufficient_quota|billing/.test(type) || /insufficient_quota|exceeded your current quota|credit balance is too low/i.test(message)) return "auth";
  if (status === 429 || /rate_limit/.test(type)) return "rate_limit";
  if (status === 401 || status === 403 || /authentication|permission/.test(type)) return "auth";
  if (status === 408 || /timeout/.test(type)) return "timeout";
  if (status === 409 || status === 529 || (status !== undefined && status >= 500) || /overloaded|api_error|server_error/.test(type)) {
    return "server";
  }
  if (status !== undefined && status >= 400) return "bad_request";
  return "other";
}

/**
 * Any error out of an SDK call -> LlmCallError with the protocol's kind. `timedOut` and
 * `aborted` say which of the producer's own abort reasons fired (both surface from the
 * SDKs as a user abort).
 */
export function classifyError(err: unknown, ctx: { now: number; timedOut: boolean; aborted: boolean }): LlmCallError {
  if (err instanceof LlmCallError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as ApiErrorLike & { name?: string };
  const name = e.name ?? (err as object)?.constructor?.name ?? "";
  const message = (bodyMessage(e) ?? e.message ?? String(err)).slice(0, 400);
  if (ctx.timedOut) return new LlmCallError("timeout", "call timed out", { cause: err });
  if (ctx.aborted) return new LlmCallError("other", "call aborted: producer stopping", { aborted: true, cause: err });
  if (/ConnectionTimeout/.test(name)) return new LlmCallError("timeout", message, { cause: err });
  if (/Connection/.test(name) || /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|terminated/i.test(message)) {
    return new LlmCallError("network", message, { cause: err });
  }
  const status = typeof e.status === "number" ? e.status : undefined;
  const type = [e.type, e.code, e.errorCode, bodyErrorType(e.error)].filter((x) => typeof x === "string").join(" ");
  const headers = e.headers instanceof Headers ? e.headers : undefined;
  return new LlmCallError(kindOf(status, type, message), message, {
    status,
    headers,
    retryAfterMs: retryAfterMs(headers, ctx.now),
    cause: err,
  });
}
