import type { CallErrorKind } from "../../../lib/protocol";
import type { ProviderId, WireFormat } from "../../../lib/providers";
import { estimateTokens } from "../../../lib/token-count";

export interface LlmRequest {
  system: string;
  user: string;
  maxTokens: number;
  /** Aborts the call (producer stopping, run ended). */
  signal: AbortSignal;
  /** Each streamed text delta, as it arrives. */
  onText: (delta: string) => void;
}

export interface LlmResponse {
  /** The answer, without reasoning. */
  text: string;
  /** Reasoning: inline `<think>` blocks and reasoning fields (src/lib/reasoning.ts). Billed, never parsed. */
  reasoning: string;
  /** From the API's usage fields; null when the server sent none. */
  promptTokens: number | null;
  completionTokens: number | null;
  /** The answer was cut by the output-token limit: its last line is incomplete. */
  truncated: boolean;
  /** Response headers, for rate-limit pacing. */
  headers: Headers;
}

/** One provider:model reached through its SDK, streaming. */
export interface LlmClient {
  readonly provider: ProviderId;
  readonly model: string;
  readonly wire: WireFormat;
  stream(req: LlmRequest): Promise<LlmResponse>;
}

/** A failed call, classified into the protocol's error kinds; it decides what the producer does next. */
export class LlmCallError extends Error {
  readonly kind: CallErrorKind;
  readonly status: number | undefined;
  /** The server's retry-after / retry-after-ms, if it sent one. */
  readonly retryAfterMs: number | undefined;
  readonly headers: Headers | undefined;
  /** The call was aborted by the producer (stop), not failed by the provider. */
  readonly aborted: boolean;
  /** Answer text streamed before the failure. */
  partialText = "";
  /** Reasoning streamed before the failure (billed like the answer). */
  partialReasoning = "";

  constructor(
    kind: CallErrorKind,
    message: string,
    opts: { status?: number; retryAfterMs?: number; headers?: Headers; aborted?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "LlmCallError";
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.headers = opts.headers;
    this.aborted = opts.aborted ?? false;
  }
}

/** Completion tokens of an answer: the API's usage, else our count of answer and reasoning (some OpenAI-compatible servers send no usage). */
export function completionTokensOf(res: Pick<LlmResponse, "completionTokens" | "text" | "reasoning">): number {
  return res.completionTokens ?? estimateTokens(res.text) + estimateTokens(res.reasoning);
}

/** Completion tokens a failed call streamed before it broke (0 when nothing came). */
export function streamedTokensOf(err: Pick<LlmCallError, "partialText" | "partialReasoning">): number {
  return estimateTokens(err.partialText) + estimateTokens(err.partialReasoning);
}
