import { z } from "zod";
import { int4, runIdSchema } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";

/** Near-duplicate review: what was kept apart or merged, and the user's merge and restore. */
export const dedupRouter = router({
  /** "possible": pairs kept apart but close (newest first); "merged": candidates merged into an entry. */
  review: publicProcedure
    .input(
      z.object({
        runId: runIdSchema,
        kind: z.enum(["possible", "merged"]),
        limit: z.number().int().min(1).max(500).default(100),
        /** Page by decision id: decisions with id < cursor. */
        cursor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.orchestrator.dedup.review(input)),

  /** Merges entry `seq` into the earlier entry `intoSeq`: the later one leaves the DB and output.txt. */
  merge: publicProcedure
    .input(z.object({ runId: runIdSchema, seq: int4({ min: 1 }), intoSeq: int4({ min: 1 }) }))
    .mutation(({ ctx, input }) => ctx.orchestrator.dedup.merge(input)),

  /**
   * Review at scale: merges every open possible duplicate of one kind (`reason`: its evidence,
   * e.g. "description", "slip", "weak-evidence"; or `verdict`: "same", what the judge called
   * the same), oldest first, at most `limit`; never transitively. Returns the merge decisions (undo: restoreMany).
   */
  mergeMany: publicProcedure
    .input(
      z.object({
        runId: runIdSchema,
        reason: z.string().min(1).max(40).optional(),
        verdict: z.enum(["same"]).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      }),
    )
    .mutation(({ ctx, input }) => ctx.orchestrator.dedup.mergeMany(input)),

  /** Undo of a bulk merge: each merge decision's candidate becomes an entry again. */
  restoreMany: publicProcedure
    .input(z.object({ runId: runIdSchema, decisionIds: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(500) }))
    .mutation(({ ctx, input }) => ctx.orchestrator.dedup.restoreMany(input)),

  /** A merged candidate becomes a new entry at the end. */
  restore: publicProcedure
    .input(z.object({ runId: runIdSchema, decisionId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }))
    .mutation(({ ctx, input }) => ctx.orchestrator.dedup.restore(input)),
});
