import { tracked } from "@trpc/server";
import { z } from "zod";
import { readMetricSample } from "../../../lib/metric-sample";
import { recentSamples } from "../../orchestrator/repo";
import { runIdSchema } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";

export const metricsRouter = router({
  /**
   * Live snapshots over SSE: one when something changes (at most every `minIntervalMs`)
   * and a heartbeat every second. Ends when the client goes away. Each event is the whole
   * snapshot, so a reconnecting client needs nothing replayed: the `lastEventId` tRPC adds to
   * the input on reconnect is dropped with the other unknown keys.
   */
  live: publicProcedure.input(z.object({ minIntervalMs: z.number().int().min(20).max(10_000).default(1_000) }).optional()).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const minInterval = input?.minIntervalMs ?? 1_000;
    const events = ctx.orchestrator.events;
    // One flag and one waker per subscriber: no queue grows behind a slow client, and
    // subscribers do not wake each other.
    let pending = false;
    let wake: (() => void) | undefined;
    const onEvent = () => {
      pending = true;
      wake?.();
    };
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    events.on("change", onEvent);
    events.on("tick", onEvent);
    let seq = 0;
    let last = 0;
    try {
      while (!signal?.aborted) {
        last = Date.now();
        yield tracked(String(++seq), ctx.orchestrator.snapshot());
        const wait = minInterval - (Date.now() - last);
        if (wait > 0) await Promise.race([aborted, new Promise((r) => setTimeout(r, wait))]);
        if (!pending) await Promise.race([aborted, new Promise<void>((r) => (wake = r))]);
        wake = undefined;
        pending = false;
      }
    } finally {
      events.off("change", onEvent);
      events.off("tick", onEvent);
    }
  }),

  /** Stored samples (every 5 s) for trend charts over the whole run. */
  samples: publicProcedure.input(z.object({ runId: runIdSchema, limit: z.number().int().min(1).max(20_000).default(5_000) })).query(async ({ ctx, input }) => {
    const rows = await recentSamples(ctx.db.prisma, input.runId, input.limit);
    return rows.map((r) => ({ at: r.at.getTime(), data: readMetricSample(r.data) }));
  }),
});
