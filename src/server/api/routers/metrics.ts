import { tracked } from "@trpc/server";
import { z } from "zod";
import { readMetricSample } from "../../../lib/metric-sample";
import { recentSamples } from "../../orchestrator/repo";
import { runIdSchema } from "../../../lib/validation";
import { publicProcedure, router } from "../trpc";

export const metricsRouter = router({
  /**
   * Live snapshots over SSE, as tRPC's own examples stream: `tracked(id, snapshot)` events, one
   * when something changes (at most every `minIntervalMs`; every second while a run is active,
   * whose clock moves). Each event is the whole snapshot, so a client reconnecting with the
   * `lastEventId` tRPC adds to the input gets the current one at once and misses nothing.
   * Keep-alive and reconnection are tRPC's (`sse` in trpc.ts): no heartbeat of our own.
   */
  live: publicProcedure
    .input(
      z
        .object({
          minIntervalMs: z.number().int().min(20).max(10_000).default(1_000),
          /** Set by the client on reconnect: the id (the snapshot's time) of the last event it got. */
          lastEventId: z.string().max(40).nullish(),
        })
        .optional(),
    )
    .subscription(async function* ({ ctx, input, signal }) {
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
      let lastId = Number(input?.lastEventId ?? 0) || 0;
      try {
        while (!signal?.aborted) {
          const started = Date.now();
          const snapshot = ctx.orchestrator.snapshot();
          // Ids only grow, also for a client resuming from another moment of the server's clock.
          lastId = Math.max(snapshot.at, lastId + 1);
          yield tracked(String(lastId), snapshot);
          const wait = minInterval - (Date.now() - started);
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
