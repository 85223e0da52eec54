import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import zlib from "node:zlib";

/**
 * `fetch` over node:http, for the producer's SDK clients and tRPC channel. Node's own fetch
 * (undici, with its WebAssembly HTTP parser) adds ~30 MB of RSS on first use, this ~10 MB
 * (web streams and the Response class): a third of a producer's budget. Enough of fetch for
 * JSON and streamed (SSE) answers: string or byte bodies, abort signals, keep-alive,
 * compressed answers.
 */
const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function abortError(signal: AbortSignal | null | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason instanceof Error && reason.name === "AbortError" ? reason : new DOMException("This operation was aborted", "AbortError");
}

function bodyOf(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("httpFetch: only string and byte bodies are supported");
}

function decoded(res: http.IncomingMessage): Readable {
  switch ((res.headers["content-encoding"] ?? "").toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return res.pipe(zlib.createGunzip());
    case "deflate":
      return res.pipe(zlib.createInflate());
    case "br":
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

export const httpFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
  if (typeof Request !== "undefined" && input instanceof Request) {
    throw new TypeError("httpFetch: pass a URL and init, not a Request");
  }
  const url = new URL(typeof input === "string" ? input : (input as URL).href);
  const signal = init.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  const body = bodyOf(init.body);
  if (body !== undefined) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);

  return new Promise<Response>((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, { method: init.method ?? "GET", headers, agent: agents[url.protocol as keyof typeof agents] });
    const onAbort = () => req.destroy(abortError(signal) as Error);
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? abortError(signal) : new TypeError("fetch failed", { cause: err }));
    });
    req.on("response", (res) => {
      res.on("close", () => signal?.removeEventListener("abort", onAbort));
      const responseHeaders = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const status = res.statusCode ?? 502;
      const stream = NULL_BODY.has(status) ? null : (Readable.toWeb(decoded(res)) as ReadableStream<Uint8Array>);
      if (!stream) res.resume();
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: responseHeaders }));
    });
    req.end(body);
  });
};
