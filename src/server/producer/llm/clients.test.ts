import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrompt, KnownEntries } from "../../../lib/prompt";
import { startSimulator, type SimulatorHandle, type SimParamsOverride } from "../../simulator";
import { resolveLlm } from "./factory";
import { LlmCallError, streamedTokensOf, type LlmClient } from "./types";

let sim: SimulatorHandle;
beforeAll(async () => {
  sim = await startSimulator({ params: { latencyScale: 0, errorRate500: 0, overloadRate: 0, rateLimits: false } });
});
afterAll(() => sim.close());

function client(model: string, params?: SimParamsOverride, timeoutMs = 5000): LlmClient {
  const r = resolveLlm(
    { provider: "sim", model },
    { simulatorUrl: sim.url, callTimeoutMs: timeoutMs, defaultHeaders: params ? { "x-sim-params": JSON.stringify(params) } : undefined },
  );
  if (!("client" in r)) throw new Error(r.unavailable);
  return r.client;
}

const prompt = buildPrompt({ topic: "Rivers of Europe", requestSize: 30, known: new KnownEntries(), budgetTokens: 1000 });

async function callOnce(llm: LlmClient, opts: { maxTokens?: number; signal?: AbortSignal } = {}) {
  const deltas: string[] = [];
  const res = await llm.stream({
    system: prompt.system,
    user: prompt.user,
    maxTokens: opts.maxTokens ?? 1000,
    signal: opts.signal ?? new AbortController().signal,
    onText: (d) => deltas.push(d),
  });
  return { res, deltas };
}

async function failure(p: Promise<unknown>): Promise<LlmCallError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LlmCallError);
  return err as LlmCallError;
}

describe.each([
  ["sim-strong", "openai"],
  ["sim-claude", "anthropic"],
])("%s through the %s SDK", (model, wire) => {
  it("streams text in pieces and reports usage and rate-limit headers", async () => {
    const llm = client(model);
    expect(llm.wire).toBe(wire);
    const { res, deltas } = await callOnce(llm);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join("")).toBe(res.text);
    expect(res.promptTokens).toBeGreaterThan(100);
    expect(res.completionTokens).toBeGreaterThan(10);
    expect(res.truncated).toBe(false);
  });

  it("flags an answer cut by max_tokens as truncated", async () => {
    const { res } = await callOnce(client(model), { maxTokens: 20 });
    expect(res.truncated).toBe(true);
  });

  it.each([
    [429, "rate_limit"],
    [500, "server"],
    [wire === "openai" ? 503 : 529, "server"],
  ] as const)("classifies a %i as %s", async (status, kind) => {
    const err = await failure(callOnce(client(model, { forceStatus: status, forceRetryAfterMs: 1234 })));
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    if (status === 429) expect(err.retryAfterMs).toBe(1234);
  });

  it("classifies a context overflow", async () => {
    const err = await failure(callOnce(client(model, { models: { [model]: { contextWindow: 200 } } })));
    expect(err.kind).toBe("context_overflow");
  });

  it("classifies an error event in the middle of the stream, keeping what was streamed", async () => {
    const err = await failure(callOnce(client(model, { streamErrorRate: 1 })));
    expect(err.kind).toBe("server");
    expect(err.partialText.length).toBeGreaterThanOrEqual(0);
  });

  it("times out when the model does not answer in time", async () => {
    const err = await failure(callOnce(client(model, { latencyScale: 100 }, 300)));
    expect(err.kind).toBe("timeout");
  });

  it("aborts mid-stream on the stop signal, keeping what was streamed", async () => {
    const stop = new AbortController();
    const llm = client(model, { latencyScale: 2, models: { [model]: { ttftMs: 0, tokensPerSecond: 100 } } });
    const got: string[] = [];
    const p = llm.stream({
      system: prompt.system,
      user: prompt.user,
      maxTokens: 1000,
      signal: stop.signal,
      onText: (d) => {
        got.push(d);
        if (got.length === 3) stop.abort();
      },
    });
    const err = await failure(p);
    expect(err.aborted).toBe(true);
    expect(err.partialText).toBe(got.join(""));
  });
});

describe("provider selection", () => {
  it("an OpenAI-compatible server works through the openai provider via OPENAI_BASE_URL", async () => {
    const r = resolveLlm({ provider: "openai", model: "sim-strong" }, { providers: { openai: { baseUrl: `${sim.url}/v1` } }, callTimeoutMs: 5000 });
    if (!("client" in r)) throw new Error(r.unavailable);
    expect(r.client.provider).toBe("openai");
    const { res } = await callOnce(r.client);
    expect(res.text.length).toBeGreaterThan(0);
  });

  it("an Anthropic base URL override works through the anthropic provider", async () => {
    const r = resolveLlm(
      { provider: "anthropic", model: "sim-claude" },
      { providers: { anthropic: { apiKey: "test-key", baseUrl: sim.url } }, callTimeoutMs: 5000 },
    );
    if (!("client" in r)) throw new Error(r.unavailable);
    const { res } = await callOnce(r.client);
    expect(res.completionTokens).toBeGreaterThan(0);
  });

  it.each([
    ["openai", "gpt-4o-mini", {}, /no OPENAI_API_KEY set/],
    ["anthropic", "claude-3-5-haiku-latest", {}, /no ANTHROPIC_API_KEY set/],
    ["sim", "sim-strong", {}, /no IGENTAI_SIMULATOR_URL set/],
  ] as const)("%s without its key or URL is unavailable with a clear message", (provider, model, cfg, message) => {
    const r = resolveLlm({ provider, model }, { ...cfg, callTimeoutMs: 1000 });
    expect("unavailable" in r && r.unavailable).toMatch(message);
  });

  it("picks the SDK by the simulated model's wire format", () => {
    const cfg = { simulatorUrl: "http://127.0.0.1:1", callTimeoutMs: 1000 };
    const wires = ["sim-strong", "sim-weak", "sim-claude"].map((model) => {
      const r = resolveLlm({ provider: "sim", model }, cfg);
      return "client" in r ? r.client.wire : r.unavailable;
    });
    expect(wires).toEqual(["openai", "openai", "anthropic"]);
  });

  it("a wrong key is an auth error", async () => {
    // The simulator accepts any key, so check the mapping with a server that rejects it.
    const { createServer } = await import("node:http");
    const server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Incorrect API key provided: sk-abc...xyz", type: "invalid_request_error", code: "invalid_api_key" } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = resolveLlm(
        { provider: "openai", model: "gpt-4o-mini" },
        { providers: { openai: { apiKey: "sk-wrong", baseUrl: `http://127.0.0.1:${port}/v1` } }, callTimeoutMs: 2000 },
      );
      if (!("client" in r)) throw new Error(r.unavailable);
      const err = await failure(callOnce(r.client));
      expect(err.kind).toBe("auth");
      expect(err.status).toBe(401);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("reasoning through the SDKs", () => {
  const reasoner = (mode: "think" | "prefilled" | "field", model = "sim-reasoner") => client(model, { models: { [model]: { reasoning: mode } } });

  it.each(["think", "field"] as const)("keeps a reasoning model's thinking (%s) out of the text, and in its usage", async (mode) => {
    const { res, deltas } = await callOnce(reasoner(mode));
    expect(res.reasoning).toMatch(/brainstorm/);
    expect(res.text).not.toMatch(/<\/?think>|brainstorm/);
    expect(deltas.join("")).toBe(res.text);
    expect(res.completionTokens).toBeGreaterThanOrEqual(Math.ceil((res.reasoning.length + res.text.length) / 4));
  });

  it("an answer cut inside an unclosed <think> block has no text, only reasoning", async () => {
    const { res, deltas } = await callOnce(reasoner("think"), { maxTokens: 20 });
    expect(res.truncated).toBe(true);
    expect(res.text).toBe("");
    expect(deltas).toEqual([]);
    expect(res.reasoning.length).toBeGreaterThan(20);
  });

  it("a call that breaks off mid-answer keeps the reasoning it streamed, to be billed", async () => {
    const llm = client("sim-reasoner", { streamErrorRate: 1, models: { "sim-reasoner": { reasoning: "field" } } });
    const err = await failure(callOnce(llm));
    expect(err.partialReasoning).toMatch(/brainstorm/);
    expect(streamedTokensOf(err)).toBeGreaterThan(Math.ceil(err.partialReasoning.length / 8));
  });

  it("learns that a model's answers start inside a <think> its template opened: the next answers keep all thinking out", async () => {
    const llm = reasoner("prefilled");
    const first = await callOnce(llm);
    expect(first.res.text).toMatch(/brainstorm/); // streamed before its </think> showed what it was
    for (const { res } of [await callOnce(llm), await callOnce(llm)]) {
      expect(res.reasoning).toMatch(/brainstorm/);
      expect(res.text).not.toMatch(/brainstorm|<\/?think>/);
      expect(res.text.split("\n").length).toBeGreaterThan(10);
    }
  });

  it("Anthropic extended thinking (thinking_delta) is reasoning, not text", async () => {
    const { res } = await callOnce(reasoner("field", "sim-claude"));
    expect(res.reasoning).toMatch(/brainstorm/);
    expect(res.text).not.toMatch(/brainstorm/);
    expect(res.text.length).toBeGreaterThan(50);
  });
});
