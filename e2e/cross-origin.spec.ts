import { chromium, expect, test, type APIRequestContext } from "@playwright/test";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { CHROMIUM_ARGS, CHROMIUM_PATH, e2eDir } from "./support/env";
import { freePort, startServer, stopServer, type TestServer } from "./support/server";
import { expectConnection, uniqueTopic } from "./support/ui";

/**
 * Requests from other sites, in Chromium, against the production build: a page from another
 * origin, a DNS-rebinding page, the domain errors' codes through the bundled server, and a
 * server that requires a token. Each group runs its own server so it disturbs no other test.
 */

const TOKEN = "e2e-token-0123456789abcdef";

async function ownServer(name: string, env?: Record<string, string>): Promise<TestServer> {
  const port = await freePort();
  const dir = path.join(e2eDir(), `${name}-${port}`);
  return startServer({ port, dir, pm2Home: path.join(dir, "pm2"), log: path.join(dir, "server.log"), env });
}

async function status(request: APIRequestContext, server: TestServer, headers: Record<string, string> = {}) {
  const res = await request.get(`${server.url}/api/trpc/topic.status`, { headers });
  expect(res.status()).toBe(200);
  return (await res.json()).result.data as { state: string; run: { id: string } | null; totals: { unique: number } };
}

async function startRun(request: APIRequestContext, server: TestServer, headers: Record<string, string> = {}): Promise<string> {
  const res = await request.post(`${server.url}/api/trpc/topic.start`, {
    data: { topic: uniqueTopic("Lakes of Italy"), producers: 1, requestSize: 20 },
    headers,
  });
  expect(res.status()).toBe(200);
  const runId = (await res.json()).result.data.runId as string;
  await expect.poll(async () => (await status(request, server, headers)).state, { timeout: 60_000 }).toBe("running");
  return runId;
}

async function stopRun(request: APIRequestContext, server: TestServer, headers: Record<string, string> = {}): Promise<void> {
  await request.post(`${server.url}/api/trpc/topic.stop`, { headers: { "content-type": "application/json", ...headers } });
}

/** A page on another origin that tries everything a web page can do without CORS. */
const ATTACK_PAGE = `<!doctype html><meta charset="utf-8"><title>evil</title><body><iframe name="sink"></iframe><script>
window.attack = async (target, runId) => {
  const results = {};
  const tryIt = async (name, fn) => { try { results[name] = await fn(); } catch (e) { results[name] = "blocked: " + e.name; } };
  // Writes that need no preflight: the response is opaque, only the effect would count.
  await tryIt("stopTextPlain", () => fetch(target + "/api/trpc/topic.stop", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" }).then((r) => r.type));
  const form = new FormData(); form.append("x", "1");
  await tryIt("stopMultipart", () => fetch(target + "/api/trpc/topic.stop", { method: "POST", mode: "no-cors", body: form }).then((r) => r.type));
  await tryIt("startTextPlain", () => fetch(target + "/api/trpc/topic.start", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ topic: "evil topic" }) }).then((r) => r.type));
  // Writes with a preflight (JSON): the preflight is refused.
  await tryIt("stopJson", () => fetch(target + "/api/trpc/topic.stop", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.status));
  // Reads: refused, and without CORS headers unreadable anyway.
  await tryIt("readStatus", () => fetch(target + "/api/trpc/topic.status").then((r) => r.text()));
  await tryIt("readEntries", () => fetch(target + "/api/trpc/topic.entries?input=" + encodeURIComponent(JSON.stringify({ runId }))).then((r) => r.text()));
  await tryIt("readDownload", () => fetch(target + "/api/runs/" + runId + "/download?format=txt").then((r) => r.text()));
  // A classic form post, as a top-level navigation of a frame.
  await tryIt("stopForm", () => new Promise((resolve) => {
    const f = document.createElement("form");
    f.method = "POST"; f.enctype = "multipart/form-data"; f.target = "sink"; f.action = target + "/api/trpc/topic.stop";
    document.body.appendChild(f);
    document.querySelector("iframe").addEventListener("load", () => resolve("submitted"), { once: true });
    f.submit();
  }));
  return results;
};
</script>`;

test.describe("requests from other sites", () => {
  test("a page from another origin cannot stop, start or read a run", async ({ page, request }) => {
    const server = await ownServer("xorigin");
    const evil = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(ATTACK_PAGE));
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    try {
      const runId = await startRun(request, server);
      const runsBefore = (await (await request.get(`${server.url}/api/trpc/topic.list`)).json()).result.data.length;
      // localhost:<other port> is another origin (and another name) than 127.0.0.1:<server port>.
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const results = await page.evaluate(
        ([target, id]) => (window as unknown as { attack: (t: string, r: string) => Promise<Record<string, string>> }).attack(target, id),
        [server.url, runId] as const,
      );

      for (const read of ["readStatus", "readEntries", "readDownload", "stopJson"]) expect(results[read], read).toMatch(/^blocked/);
      const after = await status(request, server);
      expect(after.state).toBe("running");
      expect(after.run?.id).toBe(runId);
      const runsAfter = (await (await request.get(`${server.url}/api/trpc/topic.list`)).json()).result.data.length;
      expect(runsAfter).toBe(runsBefore);
      await stopRun(request, server);
    } finally {
      evil.close();
      await stopServer(server);
    }
  });

  test("a DNS-rebinding page (another name for 127.0.0.1) is refused by Host", async ({ request }) => {
    const server = await ownServer("rebind");
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP rebind.test 127.0.0.1"] });
    try {
      const runId = await startRun(request, server);
      const page = await browser.newPage();
      // The page comes from "rebind.test": to the browser, the API calls below are same-origin.
      await page.goto(`http://rebind.test:${server.port}/`);
      const answers = await page.evaluate(async () => ({
        status: (await fetch("/api/trpc/topic.status")).status,
        stop: (await fetch("/api/trpc/topic.stop", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status,
      }));
      expect(answers).toEqual({ status: 403, stop: 403 });
      const after = await status(request, server);
      expect(after.state).toBe("running");
      expect(after.run?.id).toBe(runId);
      await stopRun(request, server);
    } finally {
      await browser.close();
      await stopServer(server);
    }
  });
});

test.describe("the production build", () => {
  test("keeps domain error codes and validates the download's run id", async ({ request }) => {
    const server = await ownServer("codes");
    try {
      const missingKey = await request.post(`${server.url}/api/trpc/topic.start`, {
        data: { topic: "birds", providers: [{ provider: "openai", model: "gpt-4o-mini" }] },
      });
      expect(missingKey.status()).toBe(400);
      expect((await missingKey.json()).error.message).toContain("OPENAI_API_KEY");

      const runId = await startRun(request, server);
      const wrong = await request.post(`${server.url}/api/trpc/producer.hello`, { data: { runId, producer: "p1" }, headers: { "x-igentai-secret": "wrong" } });
      expect(wrong.status()).toBe(401);

      const nul = await request.get(`${server.url}/api/runs/%00/download?format=txt`);
      expect(nul.status()).toBe(400);
      expect((await nul.json()).error.field).toBe("runId");
      for (const [name, headers] of [
        ["foreign origin", { origin: "http://evil.example" }],
        ["cross-site", { "sec-fetch-site": "cross-site" }],
      ] as const) {
        const refused = await request.get(`${server.url}/api/runs/${runId}/download?format=txt`, { headers });
        expect({ name, status: refused.status() }).toEqual({ name, status: 403 });
        expect(await refused.text()).not.toContain("\n"); // the refusal, not a single entry
      }
      const slash = await request.get(`${server.url}/api/runs/..%2F..%2Fetc%2Fpasswd/download?format=txt`);
      expect(slash.status()).toBe(400);
      // Ids Next's router cannot decode: answered by src/proxy.ts (they were a 500).
      for (const raw of ["%ZZ", "%ED%A0%80"]) {
        const undecodable = await request.get(`${server.url}/api/runs/${raw}/download?format=txt`);
        expect({ raw, status: undecodable.status() }).toEqual({ raw, status: 400 });
        expect((await undecodable.json()).error.field).toBe("runId");
      }
      const surrogate = await request.post(`${server.url}/api/trpc/topic.start`, {
        data: `{"topic":"birds \\ud800"}`,
        headers: { "content-type": "application/json" },
      });
      expect(surrogate.status()).toBe(400);
      expect((await surrogate.json()).error.message).toContain("topic");
      const multipart = await request.post(`${server.url}/api/trpc/topic.stop`, { multipart: { x: "1" } });
      expect(multipart.status()).toBe(415);
      const foreign = await request.post(`${server.url}/api/trpc/topic.stop`, {
        headers: { "content-type": "application/json", origin: "http://evil.example" },
      });
      expect(foreign.status()).toBe(403);
      expect((await status(request, server)).state).toBe("running");
      await stopRun(request, server);
    } finally {
      await stopServer(server);
    }
  });

  test("with IGENTAI_API_TOKEN, requests need the token; the page takes it from #token= and downloads work", async ({ page, request }) => {
    const server = await ownServer("token", { IGENTAI_API_TOKEN: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    try {
      expect((await request.get(`${server.url}/api/trpc/topic.status`)).status()).toBe(401);
      expect((await request.get(`${server.url}/api/trpc/topic.status`, { headers: { authorization: "Bearer wrong-token-0000000000" } })).status()).toBe(401);
      const runId = await startRun(request, server, auth);

      await page.goto(`${server.url}/#token=${TOKEN}`);
      await expectConnection(page, "live");
      await expect(page.getByTestId("run-state")).toHaveText("running");
      expect(new URL(page.url()).hash).toBe(""); // not left in the address bar
      await expect.poll(async () => (await status(request, server, auth)).totals.unique, { timeout: 60_000 }).toBeGreaterThan(0);
      const download = await page.evaluate(async (id) => {
        const a = document.querySelector<HTMLAnchorElement>('[data-testid="download-txt"]');
        const res = await fetch(a ? a.href : `/api/runs/${id}/download?format=txt`);
        return { status: res.status, lines: (await res.text()).split("\n").filter(Boolean).length };
      }, runId);
      expect(download.status).toBe(200);
      expect(download.lines).toBeGreaterThan(0);

      // A new tab without the fragment: the first refused request asks for the token once.
      const tab = await page.context().newPage();
      const asked: string[] = [];
      tab.on("dialog", (d) => {
        asked.push(d.message());
        void d.accept(TOKEN);
      });
      await tab.goto(server.url);
      await expectConnection(tab, "live");
      await expect(tab.getByTestId("run-state")).toHaveText("running");
      // Once per page: requests refused at the same time share the one question.
      expect(asked.length).toBe(1);
      for (const message of asked) expect(message).toContain("IGENTAI_API_TOKEN");
      await stopRun(request, server, auth);
    } finally {
      await stopServer(server);
    }
  });
});
