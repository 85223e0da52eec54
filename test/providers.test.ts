import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/server/api/root";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { startSimulator, type SimulatorHandle } from "../src/server/simulator";
import { startHarness, waitFor, type Harness } from "./helpers/harness";

/**
 * Two presets side by side in one run, for real: OpenRouter (a key) and Ollama (local, a
 * base URL only), both pointed by their own variables at a simulator on loopback, reached
 * by pm2 producer processes through the OpenAI SDK.
 */
describe("openrouter and ollama side by side", () => {
  let sim: SimulatorHandle;
  let h: Harness;
  let dbDir: string;
  let api: ReturnType<typeof createTRPCClient<AppRouter>>;
  // Built at run time so no key-shaped literal sits in the repository.
  const key = ["or", "test", "0123456789abcdef"].join("-");

  beforeAll(async () => {
    sim = await startSimulator({ params: { latencyScale: 0.05, errorRate500: 0, overloadRate: 0, rateLimits: false } });
    dbDir = fs.mkdtempSync(path.join(os.tmpdir(), `igentai-db-${process.pid}-`));
    h = await startHarness({
      db: { dataDir: dbDir },
      env: { OPENROUTER_API_KEY: key, OPENROUTER_BASE_URL: `${sim.url}/v1`, OLLAMA_BASE_URL: `${sim.url}/v1` },
    });
    api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl })] });
  });
  afterAll(async () => {
    await h?.close();
    await sim?.close();
    if (dbDir) fs.rmSync(dbDir, { recursive: true, force: true });
    await connect(true); // the app disconnected from pm2; look for leftovers ourselves
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });

  it("the form offers both presets (and no other real one), without their keys", async () => {
    const { providers } = await api.topic.providers.query();
    const offered = new Set(providers.filter((p) => p.available).map((p) => p.provider));
    expect([...offered].sort()).toEqual(["ollama", "openrouter", "sim"]);
    expect(JSON.stringify(providers)).not.toContain(key);
  });

  it("writes entries from both, each call costed by its own provider's price", async () => {
    const { runId } = await api.topic.start.mutate({
      topic: "Rivers of Europe",
      producers: 2,
      requestSize: 20,
      exploration: "flat",
      strategy: "roundrobin",
      providers: [
        // The simulator's model names: OpenRouter has no price for them, so the start names one.
        { provider: "openrouter", model: "sim-strong", price: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 } },
        { provider: "ollama", model: "sim-weak" },
      ],
    });
    const procs = await waitFor("2 producers online", async () => {
      const ps = await list(PRODUCER_PREFIX);
      return ps.length === 2 && ps.every((p) => p.status === "online") && ps;
    });
    // A producer gets the presets' variables (and only provider settings, not the server's environment).
    const environ = fs.readFileSync(`/proc/${procs[0]!.pid}/environ`, "utf8").split("\0");
    expect(environ).toContain(`OPENROUTER_API_KEY=${key}`);
    expect(environ).toContain(`OLLAMA_BASE_URL=${sim.url}/v1`);

    const byProvider = async () =>
      Object.fromEntries(
        (await h.app.db.prisma.entry.groupBy({ by: ["provider"], where: { runId }, _count: { _all: true } })).map((g) => [g.provider, g._count._all]),
      );
    await waitFor("entries from both providers", async () => {
      const n = await byProvider();
      return (n.openrouter ?? 0) >= 10 && (n.ollama ?? 0) >= 10;
    });
    await api.topic.stop.mutate();

    const counts = await byProvider();
    expect(Object.keys(counts).sort()).toEqual(["ollama", "openrouter"]);
    const total = (counts.openrouter ?? 0) + (counts.ollama ?? 0);
    const slug = (await h.app.db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { slug: true } })).slug;
    const lines = fs
      .readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8")
      .trimEnd()
      .split("\n");
    // Verification is on with real providers: output.txt holds every entry not rejected.
    const rejected = await h.app.db.prisma.entry.count({ where: { runId, verdict: "rejected" } });
    expect(lines).toHaveLength(total - rejected);

    // Calls that used tokens (a call the stop aborted before its first token costs nothing, rightly).
    const calls = await h.app.db.prisma.llmCall.findMany({
      where: { runId, error: null, completionTokens: { gt: 0 } },
      select: { provider: true, model: true, costUsd: true },
    });
    const ollama = calls.filter((c) => c.provider === "ollama");
    const openrouter = calls.filter((c) => c.provider === "openrouter");
    expect(ollama.length).toBeGreaterThan(0);
    expect(openrouter.length).toBeGreaterThan(0);
    expect(ollama.every((c) => Number(c.costUsd) === 0)).toBe(true); // a local server costs nothing
    expect(openrouter.every((c) => Number(c.costUsd) > 0)).toBe(true);
  });
});
