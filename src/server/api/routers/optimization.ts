import { z } from "zod";
import { runIdSchema, safeText } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";
import { escapeLike } from "./topic";

export const optimizationRouter = router({
  /** Orchestration and optimisation events of a run (newest first), with their scores. */
  events: publicProcedure
    .input(z.object({ runId: runIdSchema, limit: z.number().int().min(1).max(1000).default(200), kind: safeText({ max: 64 }).optional() }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.prisma.event.findMany({
        where: { runId: input.runId, ...(input.kind ? { kind: { startsWith: escapeLike(input.kind) } } : {}) },
        orderBy: { at: "desc" },
        take: input.limit,
        select: { id: true, at: true, kind: true, message: true, data: true, score: true, scoredAt: true },
      });
      return rows.map((r) => ({ ...r, id: r.id.toString(), at: r.at.getTime(), scoredAt: r.scoredAt?.getTime() ?? null }));
    }),
});
