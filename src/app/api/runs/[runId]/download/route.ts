import { downloadRun } from "../../../../../server/download";
import { getApp } from "../../../../../server/instance";
import { guardFetchRequest } from "../../../../../server/request-guard";

export const dynamic = "force-dynamic";

/** A run's entries as txt, json or csv (src/server/download.ts; the run id is read from the path as sent). */
export async function GET(req: Request): Promise<Response> {
  const refused = guardFetchRequest(req);
  if (refused) return refused;
  const { db } = await getApp();
  return downloadRun(req, db);
}
