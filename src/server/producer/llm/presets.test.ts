import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrompt, KnownEntries } from "../../../lib/prompt";
import { providerSpec, REAL_PROVIDER_IDS, wireFormatOf, type RealProviderId } from "../../../lib/providers";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { parseProducerEnv } from "../env";
import { resolveLlm } from "./factory";
import { completionTokensOf } from "./types";

// Each preset through its own variables, as a producer reads them: <ID>_BASE_URL points at
// the simulator (behind a recording relay, to see which key arrives), <ID>_API_KEY is sent.

let sim: SimulatorHandle;
let relay: Server;
let relayUrl: string;
const seen: Array<{ path: string | undefined; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  sim = await startSimulator({ params: { latencyScale: 0, errorRate500: 0, overloadRate: 0, rateLimits: false } });
  const upstream = new URL(sim.url);
  relay = createServer((req, res) => {
    const seenRequest = { path: req.url, headers: req.headers, body: "" };
    seen.push(seenRequest);
    req.on("data", (chunk: Buffer) => {
      seenRequest.body += chunk.toString("utf8");
    });
    const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
});
afterAll(async () => {
  relay.closeAllConnections();
  await new Promise((r) => relay.close(r));
  await sim.close();
});

const producerBase = { IGENTAI_API_URL: "http://127.0.0.1:8080/api/trpc", IGENTAI_RUN_ID: "run1", IGENTAI_PRODUCER: "p1", IGENTAI_RUN_SECRET: "s3cret" };
const prompt = buildPrompt({ topic: "Rivers of Europe", requestSize: 20, known: new KnownEntries(), budgetTokens: 1000 });

async function callThrough(id: RealProviderId, vars: Record<string, string>) {
  const env = parseProducerEnv({ ...producerBase, ...vars });
  // The simulator knows its own model names: one per wire.
  const model = wireFormatOf({ provider: id, model: "" }) === "anthropic" ? "sim-claude" : "sim-strong";
  const r = resolveLlm({ provider: id, model }, { providers: env.providers, callTimeoutMs: 5000 });
  if (!("client" in r)) throw new Error(r.unavailable);
  const from = seen.length;
  const res = await r.client.stream({
    system: prompt.system,
    user: prompt.user,
    maxTokens: 500,
    signal: new AbortController().signal,
    onText: () => undefined,
  });
  return { res, client: r.client, requests: seen.slice(from) };
}

describe.each(REAL_PROVIDER_IDS)("the %s preset", (id) => {
  const spec = providerSpec(id);
  const wirePath = spec.wire === "anthropic" ? "" : "/v1";

  it(`calls ${spec.baseUrlEnv} with ${spec.keyEnv}`, async () => {
    const key = `key-for-${id}-0123456789`;
    const { res, client, requests } = await callThrough(id, { [spec.keyEnv!]: key, [spec.baseUrlEnv!]: `${relayUrl}${wirePath}` });
    expect(client.provider).toBe(id);
    expect(client.wire).toBe(spec.wire);
    expect(res.text.split("\n").length).toBeGreaterThanOrEqual(10);
    expect(completionTokensOf(res)).toBeGreaterThan(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.path).toBe(spec.wire === "anthropic" ? "/v1/messages" : "/v1/chat/completions");
    const sent = requests[0]!.headers;
    // OpenAI's SDK sends `Authorization: Bearer`; Anthropic's this version too, older ones `x-api-key`.
    expect([sent.authorization, sent["x-api-key"]].filter((h) => h === `Bearer ${key}` || h === key)).toHaveLength(1);
    // Usage in the stream is asked for where the endpoint accepts the field (Mistral's rejects it).
    if (spec.wire === "openai") expect("stream_options" in JSON.parse(requests[0]!.body)).toBe(spec.streamOptions !== false);
  });

  it(spec.local ? "needs no key (its base URL is enough)" : "without its key or base URL is unavailable, naming the variable", async () => {
    if (!spec.local) {
      const r = resolveLlm({ provider: id, model: spec.cheapModel }, { providers: parseProducerEnv(producerBase).providers, callTimeoutMs: 1000 });
      expect("unavailable" in r && r.unavailable).toContain(spec.keyEnv);
      return;
    }
    const { res } = await callThrough(id, { [spec.baseUrlEnv!]: `${relayUrl}/v1` });
    expect(res.text.length).toBeGreaterThan(0);
  });
});
