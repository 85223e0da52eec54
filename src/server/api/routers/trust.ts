import { z } from "zod";
import { int4, runIdSchema } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";

/** Verification of entries (issue #21): counts by verdict, the rejected list, the user's restore. */
export const trustRouter = router({
  /** Verified, unsure, rejected and unverified counts; the verifier's calls and spend; side calls' share of the run's spend. */
  summary: publicProcedure.input(z.object({ runId: runIdSchema })).query(({ ctx, input }) => ctx.orchestrator.trust.summary(input.runId)),

  /** Rejected entries, newest first, with each verifier's opinion. */
  rejected: publicProcedure
    .input(
      z.object({
        runId: runIdSchema,
        limit: z.number().int().min(1).max(500).default(100),
        /** Page by seq: entries with seq < before. */
        before: int4({ min: 1 }).optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.orchestrator.trust.rejected(input)),

  /** A rejected entry back into output.txt (the user says it is real). */
  restore: publicProcedure.input(z.object({ runId: runIdSchema, seq: int4({ min: 1 }) })).mutation(({ ctx, input }) => ctx.orchestrator.trust.restore(input)),
});
