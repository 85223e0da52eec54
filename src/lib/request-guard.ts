/**
 * What every API and download request must satisfy before it reaches tRPC or the database.
 * Pure decision logic; the Next route handlers and the standalone server (src/server/http.ts)
 * apply it. The threat is the user's own browser: any page it visits can send requests to
 * a server on loopback (form posts and `no-cors` fetches need no preflight), and a page
 * served under a DNS name that later resolves to 127.0.0.1 (DNS rebinding) can even read
 * the answers. So:
 *  - `Host` must be a name this server is known by: loopback, `localhost`, the configured
 *    host name, `IGENTAI_ALLOWED_HOSTS`. A rebinding page sends its own name and is refused.
 *  - State-changing requests (POST: tRPC mutations) must be `application/json` (the types a
 *    page can post without a preflight, `multipart/form-data`, `text/plain` and
 *    `application/x-www-form-urlencoded`, are refused) and carry no `Origin` or our own.
 *  - Reads (queries, subscriptions, downloads) with a foreign `Origin` or
 *    `Sec-Fetch-Site: cross-site|same-site` are refused too: a page on another port of
 *    localhost is another origin, and may not read runs.
 *  - With a token configured (required when listening beyond loopback), every request must
 *    carry `Authorization: Bearer <token>`; GETs may pass it as `?token=` because
 *    EventSource and download links cannot set headers.
 *  - Batches of at most MAX_BATCH_CALLS calls and bodies of at most MAX_BODY_BYTES.
 */

/** tRPC calls in one batched request: 1,000 calls in one GET once took 8.9 MB and seconds. */
export const MAX_BATCH_CALLS = 50;

/**
 * Request body limit. The largest legitimate body is a producer submission: 500 candidates
 * of at most 300 UTF-16 units, each escaped by JSON.stringify to at most 6 bytes
 * (`\u0001`), i.e. 900 kB, plus the call record: 1 MiB covers it (test/bad-input.test.ts checks).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export type GuardConfig = {
  /** Extra host names (lowercase, no port) besides loopback and `localhost`. */
  allowedHosts: readonly string[];
  /** When set, every request needs it as a bearer token. */
  token: string | null;
};

export type GuardRequest = {
  method: string;
  /** Path and query, e.g. `/api/trpc/topic.status,topic.list?batch=1`. */
  url: string;
  header(name: string): string | null;
};

export type GuardRefusal = { status: 400 | 401 | 403 | 405 | 411 | 413 | 415; reason: string; message: string };

const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]"]);

/** True for loopback host names and addresses (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return LOOPBACK_NAMES.has(h) || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1" || h === "[::ffff:127.0.0.1]";
}

/** `example.com:8080` -> `example.com`, `[::1]:8080` -> `::1`; null when malformed. */
export function hostnameOf(hostHeader: string): string | null {
  const h = hostHeader.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1]!;
  const named = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return named ? named[1]! : null;
}

function hostAllowed(cfg: GuardConfig, hostname: string): boolean {
  return isLoopbackHost(hostname) || cfg.allowedHosts.includes(hostname);
}

/**
 * Compares two secrets in time that depends only on their lengths, not on where they
 * differ. Plain JS (no node:crypto) because the browser bundle imports this module's limits.
 */
export function secretsEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  const n = Math.max(given.length, expected.length);
  for (let i = 0; i < n; i++) diff |= (given.charCodeAt(i % (given.length || 1)) || 0) ^ (expected.charCodeAt(i % (expected.length || 1)) || 0);
  return diff === 0;
}

function refuse(status: GuardRefusal["status"], reason: string, message: string): GuardRefusal {
  return { status, reason, message };
}

/** null when the request may proceed, else why not (status, a short reason code and a message). */
export function checkRequest(cfg: GuardConfig, req: GuardRequest): GuardRefusal | null {
  const host = req.header("host");
  const hostname = host ? hostnameOf(host) : null;
  if (!hostname || !hostAllowed(cfg, hostname)) {
    return refuse(403, "host_not_allowed", `Host ${JSON.stringify(host ?? "")} is not allowed; add it to IGENTAI_ALLOWED_HOSTS to serve under that name`);
  }

  const origin = req.header("origin");
  if (origin !== null) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host.toLowerCase();
    } catch {
      originHost = null;
    }
    // Same origin only: the page this server serves. Another port of localhost is another site's page.
    if (originHost === null || originHost !== host!.trim().toLowerCase()) {
      return refuse(403, "cross_origin", `requests from origin ${JSON.stringify(origin)} are not allowed`);
    }
  }
  const fetchSite = req.header("sec-fetch-site");
  if (fetchSite === "cross-site" || fetchSite === "same-site") {
    return refuse(403, "cross_origin", `${fetchSite} requests are not allowed`);
  }

  const method = req.method.toUpperCase();
  const query = req.url.indexOf("?");
  const path = query < 0 ? req.url : req.url.slice(0, query);
  const params = new URLSearchParams(query < 0 ? "" : req.url.slice(query + 1));

  // Producers authenticate every call with their run's secret (checked by the orchestrator),
  // so their calls need no API token.
  const producerOnly = path
    .slice(path.lastIndexOf("/") + 1)
    .split(",")
    .every((p) => p.startsWith("producer."));
  if (cfg.token !== null && !(producerOnly && req.header("x-igentai-secret"))) {
    const auth = req.header("authorization");
    const bearer = auth && /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1];
    const given = bearer || (method === "GET" ? params.get("token") : null);
    if (!given) return refuse(401, "token_required", "this server requires a token: send Authorization: Bearer <IGENTAI_API_TOKEN>");
    if (!secretsEqual(given, cfg.token)) return refuse(401, "token_invalid", "wrong token");
  }

  if (method !== "GET" && method !== "HEAD") {
    if (method !== "POST") return refuse(405, "method_not_allowed", `method ${method} is not allowed`);
    const type = (req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      return refuse(415, "content_type", `content-type must be application/json, got ${JSON.stringify(type || "none")}`);
    }
    const length = req.header("content-length");
    if (length === null) {
      // Chunked bodies could not be bounded before reading them; every client we ship sends a length.
      if (req.header("transfer-encoding")) return refuse(411, "length_required", "send the body with a content-length");
    } else if (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES) {
      return refuse(413, "body_too_large", `request body is larger than ${MAX_BODY_BYTES} bytes`);
    }
  }

  if (params.get("batch") === "1") {
    const last = path.slice(path.lastIndexOf("/") + 1);
    const calls = last.split(",").length;
    if (calls > MAX_BATCH_CALLS) return refuse(413, "batch_too_large", `a batch may hold at most ${MAX_BATCH_CALLS} calls, got ${calls}`);
  }
  return null;
}

/** The guard's configuration from the server environment (see src/env.ts). */
export function guardConfig(env: { HOSTNAME: string; IGENTAI_ALLOWED_HOSTS?: string; IGENTAI_API_TOKEN?: string }): GuardConfig {
  const configured = [env.HOSTNAME, ...(env.IGENTAI_ALLOWED_HOSTS ?? "").split(",")]
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ""),
    )
    // A wildcard bind address is not a name anyone reaches the server by.
    .filter((h) => h !== "" && h !== "0.0.0.0" && h !== "::");
  return { allowedHosts: [...new Set(configured)], token: env.IGENTAI_API_TOKEN ?? null };
}

const TRPC_CODES: Record<GuardRefusal["status"], [number, string]> = {
  400: [-32600, "BAD_REQUEST"],
  401: [-32001, "UNAUTHORIZED"],
  403: [-32003, "FORBIDDEN"],
  405: [-32005, "METHOD_NOT_SUPPORTED"],
  411: [-32600, "BAD_REQUEST"],
  413: [-32013, "PAYLOAD_TOO_LARGE"],
  415: [-32015, "UNSUPPORTED_MEDIA_TYPE"],
};

/**
 * A refusal as the JSON body the entry point answers with: short, no stack. For the tRPC
 * endpoint it is shaped as tRPC's own error (one per call of a batch), so the clients
 * (page, CLI) show the message instead of failing to read the answer.
 */
export function refusalBody(r: GuardRefusal, url: string): string {
  if (!url.startsWith("/api/trpc/")) return JSON.stringify({ error: { reason: r.reason, message: r.message } });
  const [code, name] = TRPC_CODES[r.status];
  const error = { error: { message: r.message, code, data: { code: name, httpStatus: r.status, reason: r.reason } } };
  const query = url.indexOf("?");
  if (!new URLSearchParams(query < 0 ? "" : url.slice(query + 1)).has("batch")) return JSON.stringify(error);
  const calls = Math.min(MAX_BATCH_CALLS, url.slice(0, query).split("/").pop()!.split(",").length);
  return JSON.stringify(Array.from({ length: calls }, () => error));
}
