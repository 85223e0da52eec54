import { z } from "zod";
import { runIdSchema, safeText } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";
import { runEvents } from "../../orchestrator/repo";

export const optimizationRouter = router({
  /** Orchestration and optimisation events of a run (newest first), with their scores. */
  events: publicProcedure
    .input(z.object({ runId: runIdSchema, limit: z.number().int().min(1).max(1000).default(200), kind: safeText({ max: 64 }).optional() }))
    .query(async ({ ctx, input }) => {
      const rows = await runEvents(ctx.db.prisma, input);
      return rows.map((r) => ({ ...r, id: r.id.toString(), at: r.at.getTime(), scoredAt: r.scoredAt?.getTime() ?? null }));
    }),
});
