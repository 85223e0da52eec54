import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { universeSizeFor } from "../../lib/sim/universe";
import { anthropicClient, fetchUniverse, listPrompt, openaiClient, startTestSimulator, tally } from "../../../test/helpers/simulator";

/** The server around the model: side routes, concurrency, disconnects, shutdown, the standalone entry. */

describe("side routes", () => {
  it("GET /health", async () => {
    const sim = await startTestSimulator();
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    await sim.stop();
  });

  it("GET /sim/universe gives the true universe size and what each model knows", async () => {
    const sim = await startTestSimulator();
    const res = await fetch(`${sim.url}/sim/universe?topic=${encodeURIComponent("Rivers of Asia")}`);
    const body = (await res.json()) as { size: number; knownByModel: Record<string, number>; reachable: number; items?: string[] };
    expect(body.size).toBe(universeSizeFor("rivers of asia", 2000, 0.25));
    expect(body.knownByModel["sim-weak"]).toBe(Math.round(body.size * 0.35));
    expect(body.reachable).toBeGreaterThanOrEqual(body.knownByModel["sim-strong"] ?? Infinity);
    expect(body.reachable).toBeLessThanOrEqual(body.size);
    expect(body.items).toBeUndefined();
    expect((await fetch(`${sim.url}/sim/universe`)).status).toBe(400);
    await sim.stop();
  });

  it("GET /v1/models answers in the Anthropic shape to the Anthropic SDK", async () => {
    const sim = await startTestSimulator();
    const page = await anthropicClient(sim.url).models.list();
    expect(page.data.map((m) => m.id)).toEqual(["sim-strong", "sim-weak", "sim-claude", "sim-reasoner"]);
    await sim.stop();
  });

  it("an unknown route is a 404 in the provider's error shape", async () => {
    const sim = await startTestSimulator();
    const res = await fetch(`${sim.url}/v1/embeddings`, { method: "POST", headers: { authorization: "Bearer k" }, body: "{}" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    await sim.stop();
  });

  it("a body that is not JSON is a 400", async () => {
    const sim = await startTestSimulator();
    const res = await fetch(`${sim.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k", "anthropic-version": "2026-10-21" }, body: "{nope" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    await sim.stop();
  });
});

describe("connections", () => {
  it("serves many concurrent requests on both wires", async () => {
    const sim = await startTestSimulator();
    const oa = openaiClient(sim.url);
    const an = anthropicClient(sim.url);
    const calls = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? oa.chat.completions
            .create({ model: i % 4 === 0 ? "sim-strong" : "sim-weak", messages: [{ role: "user", content: listPrompt(`topic ${i % 3}`) }] })
            .then((r) => r.choices[0]?.message.content ?? "")
        : an.messages
            .create({ model: "sim-claude", max_tokens: 2000, messages: [{ role: "user", content: listPrompt(`topic ${i % 3}`) }] })
            .then((m) => (m.content[0]?.type === "text" ? m.content[0].text : "")),
    );
    const texts = await Promise.all(calls);
    expect(texts.every((t) => t.length > 100)).toBe(true);
    await sim.stop();
  });

  it("survives a client that aborts mid-stream, and keeps serving", async () => {
    const sim = await startTestSimulator({ latencyScale: 1 });
    const client = openaiClient(sim.url);
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "sim-weak", stream: true, messages: [{ role: "user", content: listPrompt("birds", [], 300) }] },
      { signal: controller.signal },
    );
    let pieces = 0;
    for await (const c of stream) {
      // Stop reading at once: chunks already buffered would otherwise still arrive after the abort.
      if (c.choices[0]?.delta.content && ++pieces === 3) {
        controller.abort();
        break;
      }
    }
    expect(pieces).toBe(3);
    const fast = openaiClient(sim.url);
    const r = await fast.chat.completions.create(
      { model: "sim-weak", messages: [{ role: "user", content: "<topic>birds</topic>" }] },
      { headers: { "x-sim-params": '{"latencyScale":0}' } },
    );
    expect(r.choices[0]?.message.content).toBeTruthy();
    await sim.stop();
  });

  it("close() ends open streams promptly and is idempotent", async () => {
    const sim = await startTestSimulator({ latencyScale: 1 });
    const stream = anthropicClient(sim.url).messages.stream({
      model: "sim-claude",
      max_tokens: 8000,
      messages: [{ role: "user", content: listPrompt("birds", [], 500) }],
    });
    await new Promise<void>((resolve) => stream.once("text", () => resolve()));
    const finished = stream.finalMessage().then(
      () => "completed",
      () => "failed",
    );
    await Promise.all([sim.stop(), sim.stop()]);
    // A 500-item stream at full latency takes many seconds: "failed" means close() cut it off.
    expect(await finished).toBe("failed");
    await expect(fetch(`${sim.url}/health`)).rejects.toThrow();
  });
});

describe("standalone entry (main.ts)", () => {
  const main = path.join(__dirname, "main.ts");

  function startMain(env: Record<string, string> = {}) {
    return spawn(process.execPath, ["--import", "tsx", main, "--port", "0"], {
      cwd: path.resolve(__dirname, "../../.."),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  it("prints its URL, serves, and exits 0 on SIGTERM", async () => {
    const child = startMain({ IGENTAI_SIM_PARAMS: '{"latencyScale":0,"seed":3}' });
    try {
      const [first] = (await once(child.stdout, "data")) as [Buffer];
      const url = first.toString().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await openaiClient(url).chat.completions.create({ model: "sim-strong", messages: [{ role: "user", content: listPrompt("birds") }] });
      expect(r.choices[0]?.message.content).toBeTruthy();
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses bad IGENTAI_SIM_PARAMS with a readable message", async () => {
    const child = startMain({ IGENTAI_SIM_PARAMS: '{"latencyScale":"fast"}' });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toMatch(/invalid IGENTAI_SIM_PARAMS: latencyScale/);
  });

  it("serves a real name list (IGENTAI_SIM_REAL_LISTS) as its topic's universe, through the SDK", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igt-real-list-"));
    const file = path.join(dir, "rivers.json");
    const names = ["Shanxi River", "Shaanxi River", "Oder", "Elbe", "Vltava", "Morava"];
    fs.writeFileSync(file, JSON.stringify({ topic: "Rivers of a test list", plural: "rivers", categories: [{ label: "Europe", items: names }] }));
    const child = startMain({ IGENTAI_SIM_PARAMS: '{"latencyScale":0,"rateLimits":false,"errorRate500":0,"overloadRate":0}', IGENTAI_SIM_REAL_LISTS: file });
    try {
      const [first] = (await once(child.stdout, "data")) as [Buffer];
      const url = first.toString().trim();
      const truth = await fetchUniverse(url, "Rivers of a test list");
      expect([...truth.items].sort()).toEqual([...names].sort());
      const r = await openaiClient(url).chat.completions.create({
        model: "sim-strong",
        messages: [{ role: "user", content: listPrompt("Rivers of a test list", [], 4) }],
      });
      const t = tally(r.choices[0]?.message.content ?? "", truth);
      expect(t.ranks.length).toBeGreaterThan(0);
      child.kill("SIGTERM");
      await once(child, "exit");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a real name list it cannot serve, naming the file and the field", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igt-real-list-"));
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ topic: "Rivers", plural: "rivers", categories: [{ label: "", items: ["Oder"] }] }));
    try {
      for (const [value, message] of [
        [bad, /IGENTAI_SIM_REAL_LISTS: .*bad\.json: categories\.0\.label must not be empty/],
        [path.join(dir, "missing.json"), /IGENTAI_SIM_REAL_LISTS: cannot read .*missing\.json \(ENOENT\)/],
      ] as const) {
        const child = startMain({ IGENTAI_SIM_REAL_LISTS: value });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const [code] = (await once(child, "exit")) as [number | null];
        expect(code).toBe(1);
        expect(stderr).toMatch(message);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
