import http from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter } from "./api/root";
import { createContext } from "./api/trpc";
import type { App } from "./app";
import { MAX_BODY_BYTES, type GuardConfig } from "../lib/request-guard";
import { guardNodeRequest } from "./request-guard";
import { INTERNAL_ERROR_MESSAGE, logInternalError } from "./api/on-error";
import { errorMessage } from "../lib/errors";
import type { Db } from "./db/client";
import { downloadRun } from "./download";

/**
 * The tRPC API on a plain Node HTTP server, without Next: used by integration tests and
 * benchmarks, which need the real HTTP path but not the UI.
 */
export async function serveApi(
  getApp: () => App,
  port = 0,
  /** Loopback only, no token, unless told otherwise (the same guard as the Next routes). */
  guard: GuardConfig = { allowedHosts: [], token: null },
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const handler = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    maxBodySize: MAX_BODY_BYTES,
    onError: logInternalError,
    createContext: ({ req }) => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const app = getApp();
      return createContext({ orchestrator: app.orchestrator, db: app.db }, headers);
    },
  });
  const server = http.createServer((req, res) => {
    if (!guardNodeRequest(req, res, guard)) return;
    if (req.url?.startsWith("/api/trpc/")) return handler(req, res);
    if (req.url?.startsWith("/api/runs/") && req.method === "GET") return void serveDownload(req, res, getApp().db);
    res.statusCode = 404;
    res.end("not found");
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/api/trpc`,
    port: actual,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The download route of the Next app (src/server/download.ts), on node:http. */
async function serveDownload(req: http.IncomingMessage, res: http.ServerResponse, db: Db): Promise<void> {
  try {
    const answer = await downloadRun(new Request(`http://127.0.0.1${req.url ?? "/"}`, { method: "GET" }), db);
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    if (!answer.body) return void res.end();
    Readable.fromWeb(answer.body as NodeReadableStream).pipe(res);
  } catch (err) {
    console.error(`[igentai] error: download: ${errorMessage(err)}`);
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: INTERNAL_ERROR_MESSAGE } }));
  }
}
