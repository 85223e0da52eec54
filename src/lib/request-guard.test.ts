import { describe, expect, it } from "vitest";
import { checkRequest, guardConfig, hostnameOf, isLoopbackHost, MAX_BATCH_CALLS, refusalBody, secretsEqual, type GuardConfig } from "./request-guard";

const OPEN: GuardConfig = guardConfig({ HOSTNAME: "127.0.0.1", IGENTAI_ALLOWED_HOSTS: "igentai.lan, Box.Local" });
const TOKEN = "0123456789abcdef0123";
const LOCKED: GuardConfig = { ...OPEN, token: TOKEN };

function req(method: string, url: string, headers: Record<string, string>) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, url, header: (n: string) => lower[n.toLowerCase()] ?? null };
}
const json = { "content-type": "application/json" };

describe("checkRequest", () => {
  it.each([
    ["loopback v4 with port", "GET", "/api/trpc/topic.status", { host: "127.0.0.1:8080" }, null],
    ["loopback v6 with port", "GET", "/api/trpc/topic.status", { host: "[::1]:8080" }, null],
    ["localhost", "GET", "/api/trpc/topic.status", { host: "localhost:8080" }, null],
    ["an allowed host, any case", "GET", "/api/trpc/topic.status", { host: "BOX.local:8080" }, null],
    [
      "a same-origin mutation",
      "POST",
      "/api/trpc/topic.stop",
      { host: "localhost:8080", origin: "http://localhost:8080", ...json, "content-length": "0" },
      null,
    ],
    ["json with a charset", "POST", "/api/trpc/topic.stop", { host: "localhost:8080", "content-type": "application/json; charset=utf-8" }, null],
    ["same-origin fetch metadata", "GET", "/api/trpc/topic.status", { host: "localhost:8080", "sec-fetch-site": "same-origin" }, null],
    ["a typed-in URL (fetch site none)", "GET", "/api/runs/x/download", { host: "localhost:8080", "sec-fetch-site": "none" }, null],
    ["a rebinding host", "GET", "/api/trpc/topic.status", { host: "evil.example:8080" }, "host_not_allowed"],
    ["a host lookalike", "GET", "/api/trpc/topic.status", { host: "127.0.0.1.evil.example" }, "host_not_allowed"],
    ["a malformed host", "GET", "/api/trpc/topic.status", { host: "local host" }, "host_not_allowed"],
    ["no host", "GET", "/api/trpc/topic.status", {}, "host_not_allowed"],
    ["a foreign origin", "POST", "/api/trpc/topic.stop", { host: "localhost:8080", origin: "http://evil.example", ...json }, "cross_origin"],
    ["another port of localhost", "POST", "/api/trpc/topic.stop", { host: "localhost:8080", origin: "http://localhost:3000", ...json }, "cross_origin"],
    ["another name of this server", "POST", "/api/trpc/topic.stop", { host: "localhost:8080", origin: "http://127.0.0.1:8080", ...json }, "cross_origin"],
    ["origin null", "GET", "/api/trpc/topic.status", { host: "localhost:8080", origin: "null" }, "cross_origin"],
    ["cross-site fetch metadata", "GET", "/api/runs/x/download", { host: "localhost:8080", "sec-fetch-site": "cross-site" }, "cross_origin"],
    ["same-site fetch metadata", "GET", "/api/trpc/topic.status", { host: "localhost:8080", "sec-fetch-site": "same-site" }, "cross_origin"],
    ["a form post", "POST", "/api/trpc/topic.stop", { host: "localhost:8080", "content-type": "multipart/form-data; boundary=x" }, "content_type"],
    ["a text/plain post", "POST", "/api/trpc/topic.stop", { host: "localhost:8080", "content-type": "text/plain" }, "content_type"],
    ["a post without type", "POST", "/api/trpc/topic.stop", { host: "localhost:8080" }, "content_type"],
    ["a DELETE", "DELETE", "/api/trpc/topic.stop", { host: "localhost:8080", ...json }, "method_not_allowed"],
    ["a body too large", "POST", "/api/trpc/topic.start", { host: "localhost:8080", ...json, "content-length": String(2 ** 21) }, "body_too_large"],
    ["a chunked body", "POST", "/api/trpc/topic.start", { host: "localhost:8080", ...json, "transfer-encoding": "chunked" }, "length_required"],
    ["a batch at the limit", "GET", `/api/trpc/${Array(MAX_BATCH_CALLS).fill("topic.status").join(",")}?batch=1`, { host: "localhost:8080" }, null],
    [
      "a batch over the limit",
      "GET",
      `/api/trpc/${Array(MAX_BATCH_CALLS + 1)
        .fill("topic.status")
        .join(",")}?batch=1`,
      { host: "localhost:8080" },
      "batch_too_large",
    ],
  ])("%s", (_name, method, url, headers, reason) => {
    expect(checkRequest(OPEN, req(method, url, headers))?.reason ?? null).toBe(reason);
  });

  it.each([
    ["no token", "GET", "/api/trpc/topic.status", {}, "token_required"],
    ["a wrong token", "GET", "/api/trpc/topic.status", { authorization: "Bearer nope" }, "token_invalid"],
    ["the token", "GET", "/api/trpc/topic.status", { authorization: `Bearer ${TOKEN}` }, null],
    ["the token, lowercase scheme", "GET", "/api/trpc/topic.status", { authorization: `bearer ${TOKEN}` }, null],
    ["the token in a GET's query", "GET", `/api/trpc/topic.status?token=${TOKEN}`, {}, null],
    ["the token in a POST's query", "POST", `/api/trpc/topic.stop?token=${TOKEN}`, json, "token_required"],
    ["a producer call with its run secret", "POST", "/api/trpc/producer.submit", { ...json, "x-igentai-secret": "s" }, null],
    ["a batch mixing producer and user calls", "POST", "/api/trpc/producer.sync,topic.stop?batch=1", { ...json, "x-igentai-secret": "s" }, "token_required"],
    ["a producer call without secret", "POST", "/api/trpc/producer.submit", json, "token_required"],
  ])("with a token: %s", (_name, method, url, headers, reason) => {
    expect(checkRequest(LOCKED, req(method, url, { host: "localhost:8080", ...headers }))?.reason ?? null).toBe(reason);
  });

  it("names the refused host in a short message", () => {
    const r = checkRequest(OPEN, req("GET", "/api/trpc/topic.status", { host: "evil.example" }));
    expect(r).toMatchObject({ status: 403, message: expect.stringContaining("evil.example") });
    expect(r!.message).toContain("IGENTAI_ALLOWED_HOSTS");
  });
});

describe("host names", () => {
  it.each([
    ["127.0.0.1:8080", "127.0.0.1"],
    ["[::1]:8080", "::1"],
    ["LOCALHOST", "localhost"],
    ["a b", null],
    ["evil.example:99999999", null],
  ])("hostnameOf(%j) is %j", (h, want) => expect(hostnameOf(h)).toBe(want));

  it.each([["127.0.0.1"], ["127.1.2.3"], ["::1"], ["localhost"], ["app.localhost"]])("%s is loopback", (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each([["0.0.0.0"], ["::"], ["192.168.1.2"], ["localhost.evil.example"], ["128.0.0.1"]])("%s is not loopback", (h) =>
    expect(isLoopbackHost(h)).toBe(false),
  );

  it("drops wildcard bind addresses from the allowed names", () => {
    expect(guardConfig({ HOSTNAME: "0.0.0.0", IGENTAI_API_TOKEN: TOKEN }).allowedHosts).toEqual([]);
    expect(guardConfig({ HOSTNAME: "box.lan", IGENTAI_ALLOWED_HOSTS: " a.lan ,,B.lan" }).allowedHosts).toEqual(["box.lan", "a.lan", "b.lan"]);
  });
});

describe("secretsEqual", () => {
  it.each([
    [TOKEN, TOKEN, true],
    [TOKEN, `${TOKEN}x`, false],
    ["", TOKEN, false],
  ])("%j vs %j", (a, b, want) => expect(secretsEqual(a, b)).toBe(want));
});

describe("refusalBody", () => {
  const refusal = { status: 403 as const, reason: "cross_origin", message: "no" };
  it("is tRPC's error shape on the tRPC endpoint, one per call of a batch", () => {
    expect(JSON.parse(refusalBody(refusal, "/api/trpc/topic.stop"))).toEqual({
      error: { message: "no", code: -32003, data: { code: "FORBIDDEN", httpStatus: 403, reason: "cross_origin" } },
    });
    expect(JSON.parse(refusalBody(refusal, "/api/trpc/topic.status,topic.list?batch=1"))).toHaveLength(2);
  });
  it("is a plain reason and message elsewhere", () => {
    expect(JSON.parse(refusalBody(refusal, "/api/runs/x/download"))).toEqual({ error: { reason: "cross_origin", message: "no" } });
  });
});
