import type { CallErrorKind } from "../../../lib/protocol";
import type { ProviderId, WireFormat } from "../../../lib/providers";

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
  text: string;
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
  /** Text streamed before the failure. */
  partialText = "";

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
