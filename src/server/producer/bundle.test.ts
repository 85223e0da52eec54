import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryOrchestrator } from "../../../test/helpers/memory-orchestrator";
import { serveOrchestrator } from "../../../test/helpers/orchestrator-server";
import { PRODUCER_NODE_FLAGS, producerEntry } from "../orchestrator/supervisor";
import { startSimulator, type SimulatorHandle } from "../simulator";

const ROOT = path.join(__dirname, "../../..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildProducer } = require(path.join(ROOT, "scripts", "build-producer.js")) as { buildProducer: (outDir: string) => Promise<string> };

describe("producerEntry: the bundle when fresh, else the source through tsx", () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "igt-entry-"));
    fs.mkdirSync(path.join(root, "src", "server", "producer"), { recursive: true });
    fs.writeFileSync(path.join(root, "src", "server", "producer", "main.ts"), "");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const source = () => ({ script: path.join(root, "src", "server", "producer", "main.ts"), interpreterArgs: ["--import", "tsx"] });
  const setMtime = (rel: string, s: number) => fs.utimesSync(path.join(root, rel), s, s);

  it("runs the source when there is no bundle", () => {
    expect(producerEntry(root)).toEqual(source());
  });

  it("runs the bundle with plain node when it is newer than every input, the source once one is edited or gone", () => {
    fs.mkdirSync(path.join(root, "dist", "producer"), { recursive: true });
    fs.writeFileSync(path.join(root, "dist", "producer", "main.mjs"), "");
    fs.writeFileSync(path.join(root, "dist", "producer", "meta.json"), JSON.stringify({ inputs: ["src/server/producer/main.ts"] }));
    setMtime("src/server/producer/main.ts", 1_000);
    setMtime("dist/producer/main.mjs", 2_000);
    expect(producerEntry(root)).toEqual({ script: path.join(root, "dist", "producer", "main.mjs"), interpreterArgs: [...PRODUCER_NODE_FLAGS] });

    setMtime("src/server/producer/main.ts", 3_000);
    expect(producerEntry(root)).toEqual(source());

    setMtime("dist/producer/main.mjs", 4_000);
    fs.writeFileSync(path.join(root, "dist", "producer", "meta.json"), JSON.stringify({ inputs: ["src/server/producer/gone.ts"] }));
    expect(producerEntry(root)).toEqual(source());
  });
});

/** The built producer, as pm2 runs it after `npm run build`: `node dist/producer/main.mjs`. */
describe("the producer bundle", () => {
  let sim: SimulatorHandle;
  let outDir: string;
  let bundle: string;
  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "igt-bundle-"));
    bundle = await buildProducer(outDir);
    sim = await startSimulator({ params: { latencyScale: 0.2, errorRate500: 0, overloadRate: 0, rateLimits: false } });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it("holds neither the tokenizer's table nor a TypeScript loader, and lists its sources", () => {
    const meta = JSON.parse(fs.readFileSync(path.join(outDir, "meta.json"), "utf8")) as { inputs: string[]; packages: string[] };
    expect(meta.packages).toContain("openai");
    expect(meta.packages).not.toContain("gpt-tokenizer");
    expect(meta.packages).not.toContain("tsx");
    expect(meta.inputs).toContain("src/server/producer/producer.ts");
    expect(meta.inputs).toContain("src/lib/token-count.ts");
  });

  it("is pure ASCII: one other character in a chunk makes V8 hold its whole source as UTF-16, twice the memory", () => {
    for (const f of fs.readdirSync(outDir).filter((n) => n.endsWith(".mjs"))) {
      const text = fs.readFileSync(path.join(outDir, f), "utf8");
      const at = text.search(/[^\x00-\x7f]/);
      expect(at === -1 ? "" : `${f}: ...${text.slice(Math.max(0, at - 40), at + 10)}`).toBe("");
    }
  });

  it("runs with plain node from any directory: calls the simulator, delivers, exits 0 on SIGINT, no loader warning", async () => {
    const orch = new MemoryOrchestrator({
      topic: "Mountains of the Alps",
      target: { provider: "sim", model: "sim-strong" },
      requestSize: 30,
      promptBudgetTokens: 2000,
    });
    const server = await serveOrchestrator(orch, "s3cret");
    try {
      const child = spawn(process.execPath, [...PRODUCER_NODE_FLAGS, bundle], {
        cwd: os.tmpdir(), // no node_modules within reach: the bundle must carry what it needs
        env: {
          NODE_ENV: "test",
          PATH: process.env.PATH,
          IGENTAI_API_URL: server.url,
          IGENTAI_RUN_ID: "run1",
          IGENTAI_PRODUCER: "p1",
          IGENTAI_RUN_SECRET: "s3cret",
          IGENTAI_SIMULATOR_URL: sim.url,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      try {
        const deadline = Date.now() + 20_000;
        while (orch.calls.length < 2 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
        expect(orch.calls.length, out).toBeGreaterThanOrEqual(2);
        child.kill("SIGINT");
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      expect(out).not.toMatch(/TypeScript|ts-node|ExperimentalWarning/);
      expect(orch.candidates).toBe(orch.calls.reduce((n, c) => n + c.itemsParsed, 0));
      expect(orch.entries.length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
