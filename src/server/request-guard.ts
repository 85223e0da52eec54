import type { IncomingMessage, ServerResponse } from "node:http";
import { serverEnv } from "../env";
import { checkRequest, guardConfig, refusalBody, type GuardConfig, type GuardRefusal } from "../lib/request-guard";

/** The guard applied at each entry point (src/lib/request-guard.ts decides). */

let cached: GuardConfig | undefined;
/** This server's guard configuration, from the validated environment. */
export function serverGuardConfig(): GuardConfig {
  cached ??= guardConfig(serverEnv());
  return cached;
}

/** For Next route handlers: a refusal Response, or null to go on. */
export function guardFetchRequest(req: Request, cfg: GuardConfig = serverGuardConfig()): Response | null {
  const url = new URL(req.url);
  const refusal = checkRequest(cfg, { method: req.method, url: url.pathname + url.search, header: (n) => req.headers.get(n) });
  return refusal ? refusalResponse(refusal, url.pathname + url.search) : null;
}

function refusalResponse(r: GuardRefusal, url: string): Response {
  return new Response(refusalBody(r, url), { status: r.status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
}

/** For node:http servers: answers the refusal and returns false, or returns true to go on. */
export function guardNodeRequest(req: IncomingMessage, res: ServerResponse, cfg: GuardConfig): boolean {
  const refusal = checkRequest(cfg, {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    header: (n) => {
      const v = req.headers[n.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
  });
  if (!refusal) return true;
  res.writeHead(refusal.status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(refusalBody(refusal, req.url ?? "/"));
  return false;
}
