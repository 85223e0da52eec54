import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { startInputSchema } from "../../../lib/run-config";
import { int4, runIdSchema, storable } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";

const runId = runIdSchema;

export const topicRouter = router({
  start: publicProcedure.input(startInputSchema).mutation(({ ctx, input }) => ctx.orchestrator.start(input)),

  // No input on purpose: tRPC 11.22 fails to parse the empty body a client sends for an
  // omitted optional input, so `topic.stop.mutate()` must not declare one.
  stop: publicProcedure.mutation(({ ctx }) => ctx.orchestrator.stop("stopped by user")),

  status: publicProcedure.query(({ ctx }) => ctx.orchestrator.snapshot()),

  /** Provider/models the form may offer: real ones only when their key is set, plus the simulator. */
  providers: publicProcedure.query(({ ctx }) => ({ providers: ctx.orchestrator.availableProviders() })),

  list: publicProcedure
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(async ({ ctx, input }) => {
      const runs = await ctx.db.prisma.run.findMany({
        orderBy: { createdAt: "desc" },
        take: input?.limit ?? 50,
        select: { id: true, topic: true, slug: true, state: true, createdAt: true, startedAt: true, stoppedAt: true, stopReason: true, totalUnique: true, totalCandidates: true },
      });
      const active = ctx.orchestrator.activeRunId;
      const live = ctx.orchestrator.snapshot();
      return runs.map((r) => ({
        ...r,
        totalUnique: r.id === active ? live.totals.unique : r.totalUnique,
        createdAt: r.createdAt.getTime(),
        startedAt: r.startedAt?.getTime() ?? null,
        stoppedAt: r.stoppedAt?.getTime() ?? null,
        active: r.id === active,
      }));
    }),

  entries: publicProcedure
    .input(
      z.object({
        runId,
        /** Page by seq: entries with seq < before, newest first. */
        before: int4({ min: 1 }).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        search: storable(z.string().trim().max(100, "at most 100 characters")).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const run = await ctx.db.prisma.run.findUnique({ where: { id: input.runId }, select: { id: true } });
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `no run ${input.runId}` });
      const rows = await ctx.db.prisma.entry.findMany({
        where: {
          runId: input.runId,
          ...(input.before ? { seq: { lt: input.before } } : {}),
          ...(input.search ? { text: { contains: escapeLike(input.search), mode: "insensitive" as const } } : {}),
        },
        orderBy: { seq: "desc" },
        take: input.limit,
        select: { seq: true, text: true, producer: true, provider: true, model: true, createdAt: true },
      });
      const items = rows.map((r) => ({ ...r, createdAt: r.createdAt.getTime() }));
      const last = items[items.length - 1];
      return { items, nextBefore: items.length === input.limit && last ? last.seq : null };
    }),
});

/** Prisma passes `contains` to LIKE unescaped: a search for "100%" or "_" must be literal. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
