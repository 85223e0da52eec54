import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SimEngine, type SimOutcome } from "../../lib/sim/engine";
import { isSimModelId, SIM_MODEL_IDS, simModelWire, type SimModelId } from "../../lib/sim/models";
import { parseSimParamsOverride, SimParamsError, type SimParams, type SimParamsOverride } from "../../lib/sim/params";
import type { RealUniverseSpec } from "../../lib/sim/real-list";
import { countPromptTokens } from "../../lib/sim/tokens";
import { anthropicError, invalidRequest as anthropicInvalid, parseMessagesRequest, requestId as anthropicRequestId, writeMessage } from "./anthropic-wire";
import { BodyTooLargeError, readBody, requestSignal, sendJson, type Headers } from "./http";
import {
  invalidRequest as openaiInvalid,
  openaiError,
  parseChatRequest,
  requestId as openaiRequestId,
  writeChatCompletion,
  type WireError,
} from "./openai-wire";

/**
 * The local LLM simulator: a real HTTP server speaking the OpenAI Chat Completions and the
 * Anthropic Messages wire formats, so the official SDKs talk to it unchanged via baseURL
 * (`${url}/v1` for OpenAI, `${url}` for Anthropic). Behaviour lives in src/lib/sim/.
 */

export interface StartSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  params?: SimParamsOverride;
  /** Real name lists, each served as its topic's universe (src/lib/sim/real-list.ts; `readRealLists`). */
  realUniverses?: readonly RealUniverseSpec[];
}

export interface SimulatorHandle {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  /** The server's effective parameters (before per-request x-sim-params). */
  params: SimParams;
  /** Stops listening, ends open connections and in-flight answers. Idempotent. */
  close(): Promise<void>;
}

type Wire = "openai" | "anthropic";

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The API key from `Authorization: Bearer`, `x-api-key` or `api-key`; null when none or empty. */
export function apiKeyOf(req: IncomingMessage): string | null {
  const auth = header(req, "authorization");
  const bearer = auth?.match(/^Bearer\s+(.*)$/i)?.[1]?.trim();
  const key = bearer || header(req, "x-api-key")?.trim() || header(req, "api-key")?.trim();
  return key ? key : null;
}

function sendWireError(res: ServerResponse, err: WireError, id: Headers): void {
  sendJson(res, err.status, err.body, { ...err.headers, ...id });
}

/** Anthropic's token count: `{ input_tokens }`. */
async function handleCountTokens(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const idHeaders = { "request-id": anthropicRequestId() };
  if (!apiKeyOf(req)) return sendWireError(res, anthropicError({ kind: "authentication", message: "x-api-key header is required" }, "", null), idHeaders);
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (e) {
    if (e instanceof BodyTooLargeError) return sendWireError(res, anthropicInvalid("Request exceeds the maximum allowed number of bytes.", 413), idHeaders);
    return sendWireError(res, anthropicInvalid("There was an error parsing the body of your request: invalid JSON"), idHeaders);
  }
  // count_tokens has no max_tokens; borrow the Messages parser with a placeholder.
  const parsed = parseMessagesRequest(typeof body === "object" && body !== null ? { max_tokens: 1, ...body } : body);
  if (!parsed.ok) return sendWireError(res, anthropicInvalid(parsed.message), idHeaders);
  sendJson(res, 200, { input_tokens: countPromptTokens(parsed.request.messageTexts) }, idHeaders);
}

/** The model list or one model, in the shape of the SDK that asks (`anthropic-version` says which). */
function handleModels(req: IncomingMessage, res: ServerResponse, id: string | undefined, created: number): void {
  const anthropic = header(req, "anthropic-version") !== undefined;
  const wire: Wire = anthropic ? "anthropic" : "openai";
  const idHeaders: Headers = anthropic ? { "request-id": anthropicRequestId() } : { "x-request-id": openaiRequestId() };
  if (!apiKeyOf(req)) {
    const failure = { kind: "authentication", message: anthropic ? "x-api-key header is required" : "You didn't provide an API key." } as const;
    return sendWireError(res, anthropic ? anthropicError(failure, "", null) : openaiError(failure, "", null), idHeaders);
  }
  // `wire` is an extra field: which SDK reaches the model.
  const describe = (m: SimModelId) =>
    anthropic
      ? { type: "model", id: m, display_name: m, created_at: new Date(created * 1000).toISOString(), wire: simModelWire(m) }
      : { id: m, object: "model", created, owned_by: "igentai-sim", wire: simModelWire(m) };
  if (id !== undefined) {
    if (!isSimModelId(id)) {
      const failure = { kind: "not_found", model: id, message: anthropic ? `model: ${id}` : `The model '${id}' does not exist` } as const;
      return sendWireError(res, wire === "openai" ? openaiError(failure, id, null) : anthropicError(failure, id, null), idHeaders);
    }
    return sendJson(res, 200, describe(id), idHeaders);
  }
  const data = SIM_MODEL_IDS.map(describe);
  if (anthropic) sendJson(res, 200, { data, has_more: false, first_id: SIM_MODEL_IDS[0], last_id: SIM_MODEL_IDS.at(-1) }, idHeaders);
  else sendJson(res, 200, { object: "list", data }, idHeaders);
}

/** The truth about a topic's universe, for tests and benchmarks. */
function handleUniverse(req: IncomingMessage, res: ServerResponse, url: URL, engine: SimEngine): void {
  const topic = url.searchParams.get("topic");
  if (!topic || topic.trim() === "") return sendJson(res, 400, { error: "topic query parameter is required" });
  let params: SimParams;
  try {
    params = engine.paramsFor(header(req, "x-sim-params"));
  } catch (e) {
    if (e instanceof SimParamsError) return sendJson(res, 400, { error: e.message });
    throw e;
  }
  const withItems = ["1", "true", "yes"].includes(url.searchParams.get("items") ?? "");
  sendJson(res, 200, engine.universeInfo(topic, withItems, params));
}

export async function startSimulator(opts: StartSimulatorOptions = {}): Promise<SimulatorHandle> {
  const engine = new SimEngine(opts.params ? parseSimParamsOverride(opts.params, "simulator params") : undefined, { realUniverses: opts.realUniverses ?? [] });
  const shutdown = new AbortController();
  const created = Math.floor(Date.now() / 1000);

  async function handleChat(req: IncomingMessage, res: ServerResponse, wire: Wire): Promise<void> {
    const idHeaders: Headers = wire === "openai" ? { "x-request-id": openaiRequestId() } : { "request-id": anthropicRequestId() };
    const invalid = (message: string, status = 400) =>
      sendWireError(res, wire === "openai" ? openaiInvalid(message, null, status) : anthropicInvalid(message, status), idHeaders);
    const apiKey = apiKeyOf(req);
    if (!apiKey) {
      // Authentication comes before reading the body, as on the real APIs.
      const outcome = engine.handle({ wire, model: "", apiKey: null, messageTexts: [], maxTokens: null, stopSequences: [], stream: false }, Date.now());
      if (!outcome.ok) sendWireError(res, wire === "openai" ? openaiError(outcome.failure, "", null) : anthropicError(outcome.failure, "", null), idHeaders);
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return invalid("Request exceeds the maximum allowed number of bytes.", 413);
      throw e;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return invalid(
        wire === "openai"
          ? "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
          : "There was an error parsing the body of your request: invalid JSON",
      );
    }
    const paramsHeader = header(req, "x-sim-params");
    const signal = requestSignal(res, shutdown.signal);

    if (wire === "openai") {
      const parsed = parseChatRequest(body);
      if (!parsed.ok) return sendWireError(res, openaiInvalid(parsed.message, parsed.param), idHeaders);
      const r = parsed.request;
      const outcome: SimOutcome = engine.handle(
        { wire, model: r.model, apiKey, messageTexts: r.messageTexts, maxTokens: r.maxTokens, stopSequences: r.stop, stream: r.stream, paramsHeader },
        Date.now(),
      );
      if (!outcome.ok) return sendWireError(res, openaiError(outcome.failure, r.model, outcome.rateLimit), idHeaders);
      await writeChatCompletion(res, outcome, r, idHeaders, signal);
    } else {
      const parsed = parseMessagesRequest(body);
      if (!parsed.ok) return invalid(parsed.message);
      const r = parsed.request;
      const outcome: SimOutcome = engine.handle(
        { wire, model: r.model, apiKey, messageTexts: r.messageTexts, maxTokens: r.maxTokens, stopSequences: r.stopSequences, stream: r.stream, paramsHeader },
        Date.now(),
      );
      if (!outcome.ok) return sendWireError(res, anthropicError(outcome.failure, r.model, outcome.rateLimit), idHeaders);
      await writeMessage(res, outcome, r, idHeaders, signal);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.local");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/health") return sendJson(res, 200, { status: "ok" });
    if (method === "GET" && path === "/sim/universe") return handleUniverse(req, res, url, engine);
    if (method === "GET" && path === "/v1/models") return handleModels(req, res, undefined, created);
    if (method === "GET" && path.startsWith("/v1/models/")) return handleModels(req, res, decodeURIComponent(path.slice("/v1/models/".length)), created);
    if (method === "POST" && path === "/v1/chat/completions") return handleChat(req, res, "openai");
    if (method === "POST" && path === "/v1/messages") return handleChat(req, res, "anthropic");
    if (method === "POST" && path === "/v1/messages/count_tokens") return handleCountTokens(req, res);
    req.resume();
    const anthropic = header(req, "anthropic-version") !== undefined || path.startsWith("/v1/messages");
    if (anthropic) return sendWireError(res, anthropicInvalid("Not Found", 404), { "request-id": anthropicRequestId() });
    return sendWireError(res, openaiInvalid(`Invalid URL (${method} ${path})`, null, 404), { "x-request-id": openaiRequestId() });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // A bug in the simulator, not a simulated fault: say so loudly, answer 500 if still possible.
      console.error("[simulator] unhandled error:", err);
      if (!res.headersSent) sendJson(res, 500, { error: { message: `simulator bug: ${String(err)}`, type: "server_error", param: null, code: null } });
      else res.destroy();
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    params: engine.params,
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export type { SimParams, SimParamsOverride } from "../../lib/sim/params";
