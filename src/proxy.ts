import { NextResponse } from "next/server";
import { runIdFromDownloadPath } from "./lib/validation";

/**
 * Next decodes a dynamic route's parameters before the route handler runs, and a run id that is
 * not percent-encoded UTF-8 (`/api/runs/%ZZ/download`) made its router throw: a 500. Such paths
 * are answered 400 here, before routing; every other download request goes on to the route.
 */
export function proxy(req: Request): Response {
  const id = runIdFromDownloadPath(new URL(req.url).pathname);
  if (id && "error" in id) {
    return NextResponse.json({ error: { field: "runId", message: id.error } }, { status: 400, headers: { "cache-control": "no-store" } });
  }
  return NextResponse.next();
}

export const config = { matcher: "/api/runs/:path*" };
