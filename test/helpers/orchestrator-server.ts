import type { AddressInfo } from "node:net";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { helloInput, reportInput, submitInput, syncInput } from "../../src/lib/protocol";
import type { MemoryOrchestrator } from "./memory-orchestrator";

/**
 * A stand-in for the app's `producer.*` procedures (same input schemas, same header),
 * served over real HTTP by tRPC's standalone adapter, backed by the in-memory orchestrator.
 */
export function serveOrchestrator(orch: MemoryOrchestrator, secret: string, port = 0) {
  const t = initTRPC.context<{ secret: string | null }>().create();
  const authed = t.procedure.use(({ ctx, next }) => {
    if (ctx.secret !== secret) throw new TRPCError({ code: "UNAUTHORIZED", message: "bad or missing run secret" });
    return next();
  });
  const appRouter = t.router({
    producer: t.router({
      hello: authed.input(helloInput).mutation(({ input }) => orch.channelFor(input.producer).hello()),
      sync: authed.input(syncInput).mutation(({ input }) => orch.channelFor(input.producer).sync(input.sinceSeq)),
      submit: authed.input(submitInput).mutation(({ input }) => {
        const { runId: _r, producer, ...batch } = input;
        return orch.channelFor(producer).submit(batch);
      }),
      report: authed.input(reportInput).mutation(async ({ input }) => {
        await orch.channelFor(input.producer).report(input.level, input.message);
        return { ok: true as const };
      }),
    }),
  });
  const server = createHTTPServer({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req }) => ({ secret: (req.headers["x-igentai-secret"] as string | undefined) ?? null }),
  });
  return new Promise<{ url: string; port: number; close: () => Promise<void> }>((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const p = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${p}/api/trpc`,
        port: p,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
