import { tracked } from "@trpc/server";
import { on } from "node:events";
import { z } from "zod";
import type { LiveSnapshot } from "../../orchestrator/live";
import { publicProcedure, router } from "../trpc";

export const metricsRouter = router({
  /**
   * Live snapshots over SSE: one when something changes (at most every `minIntervalMs`)
   * and a heartbeat every second. Ends when the client goes away.
   */
  live: publicProcedure
    .input(z.object({ minIntervalMs: z.number().int().min(20).max(10_000).default(1_000), lastEventId: z.string().nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const minInterval = input?.minIntervalMs ?? 1_000;
      const orchestrator = ctx.orchestrator;
      let last = 0;
      let seq = 0;
      const snap = (): LiveSnapshot => orchestrator.snapshot();
      yield tracked(String(++seq), snap());
      last = Date.now();
      // Merge "change" and "tick" into one stream of wake-ups.
      const wake = new AbortController();
      signal?.addEventListener("abort", () => wake.abort(), { once: true });
      const tick = () => orchestrator.events.emit("wake");
      orchestrator.events.on("change", tick);
      orchestrator.events.on("tick", tick);
      try {
        for await (const _ of on(orchestrator.events, "wake", { signal: wake.signal })) {
          const now = Date.now();
          if (now - last < minInterval) continue;
          last = now;
          yield tracked(String(++seq), snap());
        }
      } catch (err) {
        if (!wake.signal.aborted) throw err;
      } finally {
        orchestrator.events.off("change", tick);
        orchestrator.events.off("tick", tick);
      }
    }),

  /** Stored samples (every 5 s) for trend charts over the whole run. */
  samples: publicProcedure
    .input(z.object({ runId: z.string().min(1).max(64), limit: z.number().int().min(1).max(20_000).default(5_000) }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.prisma.metricSample.findMany({
        where: { runId: input.runId },
        orderBy: { at: "asc" },
        take: input.limit,
        select: { at: true, data: true },
      });
      return rows.map((r) => ({ at: r.at.getTime(), data: r.data as Record<string, unknown> }));
    }),
});
