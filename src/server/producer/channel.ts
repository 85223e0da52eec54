import { createTRPCUntypedClient, httpLink, TRPCClientError } from "@trpc/client";
import type { z } from "zod";
import { reportResultSchema, submitResultSchema, syncResultSchema, type SubmitInput, type SubmitResult, type SyncResult } from "../../lib/protocol";
import { linkedSignal } from "./abort";
import { httpFetch } from "./http-fetch";

/** A batch as the producer builds it; the channel adds the producer's identity. */
export type SubmitBatch = Omit<SubmitInput, "runId" | "producer">;

/**
 * The producer's only link to the orchestrator. One call, one answer; retrying is the
 * caller's business (Outbox for batches, the run loop for hello/sync), and a failure says
 * whether retrying can help.
 */
export interface Channel {
  hello(signal?: AbortSignal): Promise<SyncResult>;
  sync(sinceSeq: number, signal?: AbortSignal): Promise<SyncResult>;
  submit(batch: SubmitBatch, signal?: AbortSignal): Promise<SubmitResult>;
  report(level: "info" | "warn" | "fatal", message: string, signal?: AbortSignal): Promise<void>;
}

export class ChannelError extends Error {
  /** false when the orchestrator rejected the request itself (retrying the same request cannot help). */
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(message: string, opts: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = "ChannelError";
    this.retryable = opts.retryable;
    this.status = opts.status;
  }
}

/** Per-request limit, so a hung orchestrator turns into a retry rather than a stuck producer. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface TrpcChannelOptions {
  url: string;
  secret: string;
  runId: string;
  producer: string;
  pid?: number;
  requestTimeoutMs?: number;
}

/**
 * Channel over tRPC (`producer.*` mutations, `x-igentai-secret` header). The client is
 * untyped on purpose: the shapes are the zod schemas of src/lib/protocol.ts, checked on the
 * way in, so this file does not import the server's router.
 */
export function createTrpcChannel(opts: TrpcChannelOptions): Channel {
  const client = createTRPCUntypedClient({
    links: [httpLink({ url: opts.url, headers: { "x-igentai-secret": opts.secret }, fetch: httpFetch })],
  });
  const identity = { runId: opts.runId, producer: opts.producer };
  const timeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;

  async function mutate<T>(path: string, input: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(new DOMException("no answer within the request timeout", "TimeoutError")), timeoutMs);
    const linked = linkedSignal(signal ? [signal, limit.signal] : [limit.signal]);
    let raw: unknown;
    try {
      raw = await client.mutation(path, input, { signal: linked.signal });
    } catch (err) {
      throw toChannelError(path, err, limit.signal.aborted);
    } finally {
      clearTimeout(timer);
      linked.dispose();
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new ChannelError(`${path}: unexpected answer (${parsed.error.issues[0]?.message ?? "invalid"})`, { retryable: true });
    }
    return parsed.data;
  }

  return {
    hello: (signal) => mutate("producer.hello", { ...identity, pid: opts.pid }, syncResultSchema, signal),
    sync: (sinceSeq, signal) => mutate("producer.sync", { ...identity, sinceSeq }, syncResultSchema, signal),
    submit: (batch, signal) => mutate("producer.submit", { ...identity, ...batch }, submitResultSchema, signal),
    report: async (level, message, signal) => {
      await mutate("producer.report", { ...identity, level, message: message.slice(0, 500) }, reportResultSchema, signal);
    },
  };
}

function toChannelError(path: string, err: unknown, timedOut: boolean): ChannelError {
  if (timedOut) return new ChannelError(`${path}: no answer within the request timeout`, { retryable: true, cause: err });
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as { httpStatus?: unknown; code?: unknown };
    const status = typeof data.httpStatus === "number" ? data.httpStatus : undefined;
    // 400 (bad input, parse error) and 413: this exact request will never be accepted.
    const permanent = status === 400 || status === 413 || data.code === "BAD_REQUEST" || data.code === "PARSE_ERROR";
    return new ChannelError(`${path}: ${err.message}`.slice(0, 300), { retryable: !permanent, status, cause: err });
  }
  return new ChannelError(`${path}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300), { retryable: true, cause: err });
}
