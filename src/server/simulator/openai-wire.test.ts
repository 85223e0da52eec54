import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countPromptTokens, countTokens } from "../../lib/sim/tokens";
import { listPrompt, openaiClient, simParamsHeader, startTestSimulator } from "../../../test/helpers/simulator";

/** The OpenAI wire, driven through the real `openai` SDK over loopback. */

let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let client: OpenAI;
const prompt = listPrompt("famous bridges", ["Golden Gate Bridge"], 20);

beforeAll(async () => {
  sim = await startTestSimulator();
  client = openaiClient(sim.url);
});
afterAll(() => sim.stop());

async function failure(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OpenAI.APIError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAI chat completions", () => {
  it("answers non-streaming with correct usage", async () => {
    const messages = [
      { role: "system" as const, content: "You list items." },
      { role: "user" as const, content: prompt },
    ];
    const r = await client.chat.completions.create({ model: "sim-strong", messages });
    const text = r.choices[0]?.message.content ?? "";
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("sim-strong");
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(text.split("\n").length).toBeGreaterThanOrEqual(20);
    expect(r.usage).toMatchObject({
      prompt_tokens: countPromptTokens(["You list items.", prompt]),
      completion_tokens: countTokens(text),
      total_tokens: countPromptTokens(["You list items.", prompt]) + countTokens(text),
    });
  });

  it("streams chunks, then a usage chunk with include_usage, then [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "sim-weak",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: prompt }],
    });
    let text = "";
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe("chat.completion.chunk");
      text += chunk.choices[0]?.delta.content ?? "";
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(10);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: countPromptTokens([prompt]), completion_tokens: countTokens(text) });
  });

  it("sends no usage chunk without include_usage, and the raw stream ends with [DONE]", async () => {
    const res = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: JSON.stringify({ model: "sim-strong", stream: true, messages: [{ role: "user", content: prompt }] }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const raw = await res.text();
    expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(raw).not.toContain('"usage"');
  });

  it("stops at max_tokens with finish_reason length", async () => {
    const r = await client.chat.completions.create({ model: "sim-strong", max_completion_tokens: 10, messages: [{ role: "user", content: prompt }] });
    expect(r.choices[0]?.finish_reason).toBe("length");
    expect(r.usage?.completion_tokens).toBe(10);
  });

  it("honours stop sequences", async () => {
    const r = await client.chat.completions.create({ model: "sim-strong", stop: ["\n"], messages: [{ role: "user", content: prompt }] });
    expect(r.choices[0]?.message.content).not.toContain("\n");
    expect(r.choices[0]?.finish_reason).toBe("stop");
  });

  it("accepts content given as an array of text parts", async () => {
    const r = await client.chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: [{ type: "text", text: prompt }] }] });
    expect(r.usage?.prompt_tokens).toBe(countPromptTokens([prompt]));
  });

  it("lists the models", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(["sim-strong", "sim-weak", "sim-claude", "sim-reasoner"]);
  });
});

describe("OpenAI errors", () => {
  it("429 surfaces as RateLimitError with retry-after, retry-after-ms and x-ratelimit headers", async () => {
    const headers = simParamsHeader({ rateLimits: true, models: { "sim-strong": { rpm: 1 } } });
    const ok = await client.chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: prompt }] }, { headers }).withResponse();
    expect(ok.response.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(ok.response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(ok.response.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+m)?[\d.]+m?s$/);
    expect(ok.response.headers.get("x-ratelimit-limit-tokens")).toBe(String(sim.params.models["sim-strong"].tpm));

    const e = await failure(client.chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: prompt }] }, { headers }));
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.status).toBe(429);
    expect(e.code).toBe("rate_limit_exceeded");
    expect(e.type).toBe("requests");
    expect(Number(e.headers?.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(Number(e.headers?.get("retry-after-ms"))).toBeGreaterThan(58_000);
    expect(e.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(e.message).toMatch(/Rate limit reached for sim-strong .* requests per min \(RPM\): Limit 1/);
  });

  it("429 on tokens per minute names the TPM limit", async () => {
    const headers = simParamsHeader({ rateLimits: true, models: { "sim-weak": { tpm: 1000 } } });
    await client.chat.completions.create({ model: "sim-weak", messages: [{ role: "user", content: listPrompt("x", [], 100) }] }, { headers });
    const e = await failure(
      client.chat.completions.create({ model: "sim-weak", messages: [{ role: "user", content: listPrompt("x", [], 100) }] }, { headers }),
    );
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.type).toBe("tokens");
    expect(e.message).toMatch(/tokens per min \(TPM\): Limit 1000/);
  });

  it("a forced 429 carries the configured retry-after", async () => {
    const e = await failure(
      client.chat.completions.create(
        { model: "sim-strong", messages: [{ role: "user", content: "hi" }] },
        { headers: simParamsHeader({ forceStatus: 429, forceRetryAfterMs: 2500 }) },
      ),
    );
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.headers?.get("retry-after")).toBe("3");
    expect(e.headers?.get("retry-after-ms")).toBe("2500");
  });

  it("the SDK's own retries honour retry-after-ms and then succeed", async () => {
    const seen: Array<{ status: number; retryAfterMs: number }> = [];
    const retrying = new OpenAI({
      apiKey: "sk-test",
      baseURL: `${sim.url}/v1`,
      maxRetries: 2,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        seen.push({ status: res.status, retryAfterMs: Number(res.headers.get("retry-after-ms") ?? 0) });
        return res;
      },
    });
    // A burst of one request, then one more every 500 ms.
    const headers = simParamsHeader({ rateLimits: true, rateLimitWindowMs: 500, models: { "sim-weak": { rpm: 120 } } });
    await retrying.chat.completions.create({ model: "sim-weak", messages: [{ role: "user", content: prompt }] }, { headers });
    const started = Date.now();
    const r = await retrying.chat.completions.create({ model: "sim-weak", messages: [{ role: "user", content: prompt }] }, { headers });
    const elapsed = Date.now() - started;
    expect(r.choices[0]?.message.content).toBeTruthy();
    expect(seen.map((s) => s.status)).toEqual([200, 429, 200]);
    const wait = seen[1]?.retryAfterMs ?? 0;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(500);
    expect(elapsed).toBeGreaterThanOrEqual(wait - 5);
  });

  it("500 surfaces as InternalServerError", async () => {
    const e = await failure(
      client.chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: "hi" }] }, { headers: simParamsHeader({ errorRate500: 1 }) }),
    );
    expect(e).toBeInstanceOf(OpenAI.InternalServerError);
    expect(e.status).toBe(500);
    expect(e.type).toBe("server_error");
  });

  it("overload is a 503 on the OpenAI wire", async () => {
    const e = await failure(
      client.chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: "hi" }] }, { headers: simParamsHeader({ overloadRate: 1 }) }),
    );
    expect(e).toBeInstanceOf(OpenAI.InternalServerError);
    expect(e.status).toBe(503);
  });

  it("a prompt over the context window is a 400 context_length_exceeded", async () => {
    const big = "x".repeat(70_000); // ~17.5k tokens > sim-weak's 16,384
    const e = await failure(client.chat.completions.create({ model: "sim-weak", messages: [{ role: "user", content: big }] }));
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.code).toBe("context_length_exceeded");
    expect(e.type).toBe("invalid_request_error");
    expect(e.param).toBe("messages");
    expect(e.message).toMatch(/maximum context length is 16384 tokens/);
  });

  it("prompt + max_tokens over the window is also context_length_exceeded", async () => {
    const e = await failure(client.chat.completions.create({ model: "sim-weak", max_tokens: 4000, messages: [{ role: "user", content: "x".repeat(50_000) }] }));
    expect(e.code).toBe("context_length_exceeded");
    expect(e.message).toMatch(/in the messages, 4000 in the completion/);
  });

  it("a missing API key is a 401", async () => {
    const e = await failure(
      client.chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: "hi" }] }, { headers: { Authorization: null } }),
    );
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.status).toBe(401);
  });

  it.each(["gpt-nonexistent", "sim-claude"])("model %s is a 404 model_not_found on this wire", async (model) => {
    const e = await failure(client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }));
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.code).toBe("model_not_found");
    expect(e.message).toContain(model);
  });

  it("an invalid x-sim-params header is a 400 naming the field", async () => {
    const e = await failure(
      client.chat.completions.create(
        { model: "sim-strong", messages: [{ role: "user", content: "hi" }] },
        { headers: { "x-sim-params": '{"errorRate500": 2}' } },
      ),
    );
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.message).toContain("errorRate500");
  });

  it("an empty messages array is a 400", async () => {
    const e = await failure(client.chat.completions.create({ model: "sim-strong", messages: [] }));
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe("messages");
  });

  it("a stream that breaks off mid-way throws from the SDK's iterator", async () => {
    const stream = await client.chat.completions.create(
      { model: "sim-strong", stream: true, messages: [{ role: "user", content: prompt }] },
      { headers: simParamsHeader({ streamErrorRate: 1 }) },
    );
    const consume = async () => {
      for await (const _chunk of stream) {
        // read on until the stream breaks
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});
