import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countPromptTokens, countTokens } from "../../lib/sim/tokens";
import { anthropicClient, listPrompt, simParamsHeader, startTestSimulator } from "../../../test/helpers/simulator";

/** The Anthropic wire, driven through the real `@anthropic-ai/sdk` over loopback. */

let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let client: Anthropic;
const prompt = listPrompt("famous bridges", ["Golden Gate Bridge"], 20);
const user = [{ role: "user" as const, content: prompt }];

beforeAll(async () => {
  sim = await startTestSimulator();
  client = anthropicClient(sim.url);
});
afterAll(() => sim.stop());

async function failure(p: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Anthropic.APIError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

function textOf(m: Anthropic.Message): string {
  return m.content.map((b) => (b.type === "text" ? b.text : "")).join("");
}

describe("Anthropic messages", () => {
  it("answers non-streaming with correct usage; system may be a string", async () => {
    const m = await client.messages.create({ model: "sim-claude", max_tokens: 2000, system: "You list items.", messages: user });
    expect(m.type).toBe("message");
    expect(m.role).toBe("assistant");
    expect(m.model).toBe("sim-claude");
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage.input_tokens).toBe(countPromptTokens(["You list items.", prompt]));
    expect(m.usage.output_tokens).toBe(countTokens(textOf(m)));
  });

  it("reads the tags from a system given as text blocks", async () => {
    const m = await client.messages.create({
      model: "sim-claude",
      max_tokens: 2000,
      system: [{ type: "text", text: prompt }],
      messages: [{ role: "user", content: "Go on." }],
    });
    expect(m.usage.input_tokens).toBe(countPromptTokens([prompt, "Go on."]));
    expect(
      textOf(m)
        .split("\n")
        .filter((l) => l.trim()).length,
    ).toBeGreaterThanOrEqual(20);
  });

  it("ignores temperature rather than rejecting it", async () => {
    const m = await client.messages.create({
      model: "sim-claude",
      max_tokens: 2000,
      messages: user,
      temperature: 1,
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(m.stop_reason).toBe("end_turn");
  });

  it("streams message_start ... message_stop, and the SDK assembles the same usage", async () => {
    const stream = client.messages.stream({ model: "sim-claude", max_tokens: 2000, messages: user });
    const events: string[] = [];
    stream.on("streamEvent", (e) => events.push(e.type));
    const final = await stream.finalMessage();
    expect(events[0]).toBe("message_start");
    expect(events[1]).toBe("content_block_start");
    expect(events.filter((e) => e === "content_block_delta").length).toBeGreaterThan(10);
    expect(events.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.input_tokens).toBe(countPromptTokens([prompt]));
    expect(final.usage.output_tokens).toBe(countTokens(textOf(final)));
  });

  it("streams with stream: true through create()", async () => {
    const stream = await client.messages.create({ model: "sim-claude", max_tokens: 2000, messages: user, stream: true });
    let text = "";
    let outputTokens = 0;
    for await (const e of stream) {
      if (e.type === "content_block_delta" && e.delta.type === "text_delta") text += e.delta.text;
      if (e.type === "message_delta") outputTokens = e.usage.output_tokens;
    }
    expect(outputTokens).toBe(countTokens(text));
  });

  it("stops at max_tokens with stop_reason max_tokens", async () => {
    const m = await client.messages.create({ model: "sim-claude", max_tokens: 7, messages: user });
    expect(m.stop_reason).toBe("max_tokens");
    expect(m.usage.output_tokens).toBe(7);
  });

  it("honours stop_sequences", async () => {
    const m = await client.messages.create({ model: "sim-claude", max_tokens: 2000, stop_sequences: ["\n"], messages: user });
    expect(m.stop_reason).toBe("stop_sequence");
    expect(m.stop_sequence).toBe("\n");
    expect(textOf(m)).not.toContain("\n");
  });

  it("counts tokens", async () => {
    const r = await client.messages.countTokens({ model: "sim-claude", messages: user });
    expect(r.input_tokens).toBe(countPromptTokens([prompt]));
  });
});

describe("Anthropic errors", () => {
  it("429 surfaces as RateLimitError with retry-after and anthropic-ratelimit headers", async () => {
    const headers = simParamsHeader({ rateLimits: true, models: { "sim-claude": { rpm: 1 } } });
    const ok = await client.messages.create({ model: "sim-claude", max_tokens: 2000, messages: user }, { headers }).withResponse();
    expect(ok.response.headers.get("anthropic-ratelimit-requests-limit")).toBe("1");
    expect(ok.response.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(ok.response.headers.get("anthropic-ratelimit-requests-reset")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ok.response.headers.get("anthropic-ratelimit-tokens-limit")).toBe(String(sim.params.models["sim-claude"].tpm));

    const e = await failure(client.messages.create({ model: "sim-claude", max_tokens: 2000, messages: user }, { headers }));
    expect(e).toBeInstanceOf(Anthropic.RateLimitError);
    expect(e.status).toBe(429);
    expect(e.type).toBe("rate_limit_error");
    expect(Number(e.headers?.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(Number(e.headers?.get("retry-after-ms"))).toBeGreaterThan(58_000);
    expect(e.headers?.get("anthropic-ratelimit-requests-remaining")).toBe("0");
  });

  it("529 surfaces as OverloadedError", async () => {
    const e = await failure(
      client.messages.create({ model: "sim-claude", max_tokens: 100, messages: user }, { headers: simParamsHeader({ overloadRate: 1 }) }),
    );
    expect(e).toBeInstanceOf(Anthropic.OverloadedError);
    expect(e.status).toBe(529);
    expect(e.type).toBe("overloaded_error");
  });

  it("500 surfaces as InternalServerError with api_error", async () => {
    const e = await failure(
      client.messages.create({ model: "sim-claude", max_tokens: 100, messages: user }, { headers: simParamsHeader({ forceStatus: 500 }) }),
    );
    expect(e).toBeInstanceOf(Anthropic.InternalServerError);
    expect(e.status).toBe(500);
    expect(e.type).toBe("api_error");
  });

  it("a prompt over the context window is a 400 'prompt is too long'", async () => {
    const headers = simParamsHeader({ models: { "sim-claude": { contextWindow: 1000 } } });
    const e = await failure(
      client.messages.create({ model: "sim-claude", max_tokens: 100, messages: [{ role: "user", content: "y".repeat(8000) }] }, { headers }),
    );
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e.type).toBe("invalid_request_error");
    expect(e.message).toMatch(/prompt is too long: \d+ tokens > 1000 maximum/);
  });

  it("a missing API key is a 401 authentication_error", async () => {
    const e = await failure(
      client.messages.create({ model: "sim-claude", max_tokens: 100, messages: user }, { headers: { Authorization: null, "X-Api-Key": null } }),
    );
    expect(e).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(e.type).toBe("authentication_error");
  });

  it("accepts the key as x-api-key too", async () => {
    const m = await client.messages.create(
      { model: "sim-claude", max_tokens: 100, messages: user },
      { headers: { Authorization: null, "X-Api-Key": "sk-ant-other" } },
    );
    expect(m.type).toBe("message");
  });

  it.each(["claude-nonexistent", "sim-strong"])("model %s is a 404 not_found_error on this wire", async (model) => {
    const e = await failure(client.messages.create({ model, max_tokens: 100, messages: user }));
    expect(e).toBeInstanceOf(Anthropic.NotFoundError);
    expect(e.type).toBe("not_found_error");
  });

  it("a missing max_tokens is a 400", async () => {
    const e = await failure(client.messages.create({ model: "sim-claude", messages: user } as unknown as Anthropic.MessageCreateParamsNonStreaming));
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(e.message).toContain("max_tokens");
  });

  it("a stream that breaks off sends an error event the SDK throws", async () => {
    const stream = client.messages.stream({ model: "sim-claude", max_tokens: 2000, messages: user }, { headers: simParamsHeader({ streamErrorRate: 1 }) });
    const e = await failure(stream.finalMessage());
    expect(e.type).toBe("overloaded_error");
  });
});
