import { z } from "zod";
import { providerTargetSchema } from "./providers";
import { idText, int4, runIdSchema, storableText } from "./validation";

/**
 * The producer <-> orchestrator protocol (tRPC `producer.*`), shared by both sides.
 * Producers authenticate with the per-run secret in the `x-igentai-secret` header.
 */

export const MAX_CANDIDATES_PER_BATCH = 500;

/**
 * Exit codes of a producer process that pm2 must not restart. pm2 reports a process
 * killed by a signal as code 0, so 0 cannot be one of them (a SIGKILLed producer must
 * come back): a producer whose run has ended exits with RUN_ENDED instead.
 */
export const PRODUCER_EXIT = { RUN_ENDED: 3, BAD_CONFIG: 78 } as const;
export const MAX_CANDIDATE_CHARS = 300;
export const MAX_DELTA_ENTRIES = 20_000;
/** Most LLM calls one producer keeps in flight (a paid tier's rate limit allows tens per model). */
export const MAX_CONCURRENCY = 32;

export const producerIdentity = z.object({
  runId: runIdSchema,
  producer: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});

export const assignmentSchema = z.object({
  topic: z.string(),
  target: providerTargetSchema.omit({ weight: true }),
  requestSize: z.number().int().min(1).max(500),
  /** Token budget for the known-entries part of the prompt. */
  promptBudgetTokens: z.number().int().min(0),
  /** Producer index in the pool (0-based) and pool size, e.g. for partitioning known entries. */
  index: z.number().int().min(0),
  poolSize: z.number().int().min(1),
  /** LLM calls the producer keeps in flight (absent: 1). */
  concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
  /**
   * Tree runs (issue #9): the branch the next call explores, and the candidates of its
   * known-entries section (the branch's own entries, then salient ancestor/sibling ones),
   * each list already cut to `promptBudgetTokens`; the producer's branch prompt picks within it.
   */
  branch: z
    .object({
      id: z.number().int().min(0),
      path: z.array(z.string()),
      own: z.array(z.string()),
      related: z.array(z.string()),
      /** Entries known in the whole run. */
      totalKnown: z.number().int().min(0),
      /** Prompt variant (src/lib/tree/variants.ts). */
      variant: z.string(),
      ownShare: z.number().min(0).max(1),
      lessObvious: z.boolean(),
    })
    .optional(),
});
export type Assignment = z.infer<typeof assignmentSchema>;

export const errorKinds = ["rate_limit", "server", "timeout", "context_overflow", "auth", "no_key", "bad_request", "network", "other"] as const;
export type CallErrorKind = (typeof errorKinds)[number];

/** Accounting for one LLM call, sent with the last batch of that call. */
export const callRecordSchema = z.object({
  callId: idText(64),
  provider: z.string().max(32).transform(storableText),
  model: z.string().max(100).transform(storableText),
  startedAt: z.number().int(),
  latencyMs: int4({ min: 0 }),
  promptTokens: int4({ min: 0 }),
  completionTokens: int4({ min: 0 }),
  itemsParsed: int4({ min: 0 }),
  /** Items of the answer that its prompt listed as already found (a model repeats them once it runs out). */
  itemsShown: int4({ min: 0 }).optional(),
  error: z.object({ kind: z.enum(errorKinds), message: z.string().max(500).transform(storableText), status: z.number().int().optional() }).optional(),
});
export type CallRecord = z.infer<typeof callRecordSchema>;

export const helloInput = producerIdentity.extend({ pid: z.number().int().optional() });

export const submitInput = producerIdentity.extend({
  /** Idempotency key: a retried batch with the same id is applied once. */
  batchId: idText(80),
  /** Which call these candidates came from (several batches per streamed call). */
  callId: idText(64).optional(),
  // Model output: a NUL or a lone surrogate is removed from the candidate (PostgreSQL cannot
  // store them) rather than refusing the batch, which the producer would resend forever.
  candidates: z.array(z.string().max(MAX_CANDIDATE_CHARS).transform(storableText)).max(MAX_CANDIDATES_PER_BATCH),
  /** Present on the last batch of a call (or alone, for a failed call). */
  call: callRecordSchema.optional(),
  /** Entries are numbered 1, 2, 3...; the producer already holds entries 1..sinceSeq. */
  sinceSeq: int4({ min: 0 }),
  /** The producer's LLM calls in flight when it sent this batch (for the dashboard). */
  callsInFlight: z.number().int().min(0).max(MAX_CONCURRENCY).optional(),
  /** The tree branch the call explored (its assignment's `branch.id`). */
  branchId: int4({ min: 0 }).optional(),
});
export type SubmitInput = z.infer<typeof submitInput>;

export const syncInput = producerIdentity.extend({ sinceSeq: int4({ min: 0 }) });
export type SyncInput = z.infer<typeof syncInput>;

export const reportInput = producerIdentity.extend({
  level: z.enum(["info", "warn", "fatal"]),
  message: z.string().max(500).transform(storableText),
});
export type ReportInput = z.infer<typeof reportInput>;

export const deltaSchema = z.object({
  entries: z.array(z.object({ seq: z.number().int(), text: z.string() })),
  /** Pass as sinceSeq next time (the highest seq now held). */
  nextSeq: z.number().int(),
  /** More entries are waiting (delta was capped at MAX_DELTA_ENTRIES). */
  more: z.boolean(),
});
export type Delta = z.infer<typeof deltaSchema>;

/** The answer to hello and sync. */
export const syncResultSchema = z.object({
  /** false when the run is stopping/stopped: the producer should exit cleanly. */
  keepGoing: z.boolean(),
  assignment: assignmentSchema,
  delta: deltaSchema,
});
export type SyncResult = z.infer<typeof syncResultSchema>;

export const submitResultSchema = syncResultSchema.extend({
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  /** true when this batchId had already been applied (a retry). */
  replay: z.boolean(),
});
export type SubmitResult = z.infer<typeof submitResultSchema>;

export const reportResultSchema = z.object({ ok: z.literal(true) });
export type ReportResult = z.infer<typeof reportResultSchema>;
