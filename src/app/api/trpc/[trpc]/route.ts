import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../../../server/api/root";
import { createContext } from "../../../../server/api/trpc";
import { getApp } from "../../../../server/instance";

export const dynamic = "force-dynamic";

async function handler(req: Request): Promise<Response> {
  const app = await getApp();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ orchestrator: app.orchestrator, db: app.db }, req.headers),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[igentai] error: tRPC ${path ?? "?"}: ${error.message}`);
    },
  });
}

export { handler as GET, handler as POST };
