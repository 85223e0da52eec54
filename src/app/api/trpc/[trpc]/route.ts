import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../../../server/api/root";
import { logInternalError } from "../../../../server/api/on-error";
import { createContext } from "../../../../server/api/trpc";
import { getApp } from "../../../../server/instance";
import { guardFetchRequest } from "../../../../server/request-guard";

export const dynamic = "force-dynamic";

async function handler(req: Request): Promise<Response> {
  const refused = guardFetchRequest(req);
  if (refused) return refused;
  const app = await getApp();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ orchestrator: app.orchestrator, db: app.db }, req.headers),
    onError: logInternalError,
  });
}

export { handler as GET, handler as POST };
