import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type SimulatorHandle } from "../simulator";
import { createRedactor, parseProducerEnv, ProducerEnvError, secretsOf } from "./env";
import { MemoryOrchestrator } from "../../../test/helpers/memory-orchestrator";
import { serveOrchestrator } from "../../../test/helpers/orchestrator-server";

const MAIN = path.join(__dirname, "main.ts");
// Built at run time so no key-shaped literal sits in the repository (secret scanners flag it).
const FAKE_KEY = ["sk", "test", "DoNotLeakThisKey1234567890"].join("-");

const baseEnv = {
  IGENTAI_API_URL: "http://127.0.0.1:8080/api/trpc",
  IGENTAI_RUN_ID: "run1",
  IGENTAI_PRODUCER: "p1",
  IGENTAI_RUN_SECRET: "s3cret",
};

describe("producer environment", () => {
  it("validates and applies defaults", () => {
    const env = parseProducerEnv({ ...baseEnv, OPENAI_API_KEY: " ", OPENAI_BASE_URL: "" });
    expect(env.IGENTAI_CALL_TIMEOUT_MS).toBe(60_000);
    expect(env.providers).toEqual({});
    expect(parseProducerEnv({ ...baseEnv, IGENTAI_CALL_TIMEOUT_MS: "5000" }).IGENTAI_CALL_TIMEOUT_MS).toBe(5000);
  });

  it.each([
    ["a missing API URL", { IGENTAI_API_URL: undefined }, "IGENTAI_API_URL"],
    ["a bad base URL", { OPENAI_BASE_URL: "localhost:11434" }, "OPENAI_BASE_URL"],
    ["a bad preset base URL", { OLLAMA_BASE_URL: "localhost:11434" }, "OLLAMA_BASE_URL"],
    ["a bad producer name", { IGENTAI_PRODUCER: "p 1" }, "IGENTAI_PRODUCER"],
    ["a tiny call timeout", { IGENTAI_CALL_TIMEOUT_MS: "10" }, "IGENTAI_CALL_TIMEOUT_MS"],
    ["a missing secret", { IGENTAI_RUN_SECRET: undefined }, "IGENTAI_RUN_SECRET"],
  ])("names the variable on %s, and never echoes a key", (_name, change, variable) => {
    const source = { ...baseEnv, OPENAI_API_KEY: FAKE_KEY, ...change };
    let message = "";
    try {
      parseProducerEnv(source);
    } catch (e) {
      expect(e).toBeInstanceOf(ProducerEnvError);
      message = (e as Error).message;
    }
    expect(message).toContain(variable);
    expect(message).not.toContain(FAKE_KEY);
  });

  it("redacts keys and key-shaped strings from outgoing text", () => {
    const env = parseProducerEnv({ ...baseEnv, OPENAI_API_KEY: FAKE_KEY, ANTHROPIC_API_KEY: "ant-secret-value", GROQ_API_KEY: "gsk-other-secret" });
    const redact = createRedactor(secretsOf(env));
    expect(redact(`401: Incorrect API key provided: ${FAKE_KEY}`)).not.toContain("DoNotLeak");
    expect(redact("bad key ant-secret-value, secret s3cret, gsk-other-secret")).toBe("bad key [redacted], secret [redacted], [redacted]");
    expect(redact(`Incorrect API key provided: ${["sk", "proj", "abcdefghijklmnop"].join("-")}`)).toBe("Incorrect API key provided: sk-proj…");
  });
});

/** The producer as pm2 runs it: node --import tsx main.ts, in its own process. */
describe("producer process", () => {
  let sim: SimulatorHandle;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    sim = await startSimulator({ params: { latencyScale: 0.2, errorRate500: 0, overloadRate: 0, rateLimits: false } });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    // Fails loudly rather than leaving processes behind.
    const alive = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill("SIGKILL");
    expect(alive).toHaveLength(0);
  });

  function startProducer(env: Record<string, string | undefined>) {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      cwd: path.join(__dirname, "../../.."),
      env: { NODE_ENV: "test", PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, output: () => out, exited };
  }

  async function until(check: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function orchestrator(target: { provider: "sim" | "openai"; model: string }) {
    const orch = new MemoryOrchestrator({ topic: "Mountains of the Alps", target, requestSize: 30, promptBudgetTokens: 2000 });
    const server = await serveOrchestrator(orch, "s3cret");
    return { orch, server };
  }

  it("runs against the simulator, and on SIGINT finishes up and exits 0 with nothing lost", async () => {
    const { orch, server } = await orchestrator({ provider: "sim", model: "sim-strong" });
    try {
      const p = startProducer({
        ...baseEnv,
        IGENTAI_API_URL: server.url,
        IGENTAI_SIMULATOR_URL: sim.url,
        OPENAI_API_KEY: FAKE_KEY,
      });
      await until(() => orch.calls.length >= 2, 15_000);
      p.child.kill("SIGINT");
      expect(await p.exited).toBe(0);
      expect(p.output()).toMatch(/SIGINT: stopping/);
      expect(p.output()).toMatch(/exit \(stopped\)/);
      expect(p.output()).not.toContain(FAKE_KEY);
      // Every candidate that was parsed reached the orchestrator, the aborted call's included.
      expect(orch.candidates).toBe(orch.calls.reduce((n, c) => n + c.itemsParsed, 0));
    } finally {
      await server.close();
    }
  });

  it("without a key: reports it, stays up idling (no crash loop), exits 0 on SIGTERM", async () => {
    const { orch, server } = await orchestrator({ provider: "openai", model: "gpt-4o-mini" });
    try {
      const p = startProducer({ ...baseEnv, IGENTAI_API_URL: server.url });
      await until(() => orch.reports.length > 0, 15_000);
      expect(orch.reports[0]).toMatchObject({ level: "fatal", message: expect.stringMatching(/no OPENAI_API_KEY set/) });
      await new Promise((r) => setTimeout(r, 300));
      expect(p.child.exitCode).toBeNull();
      p.child.kill("SIGTERM");
      expect(await p.exited).toBe(0);
      expect(orch.calls).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it("stops by itself, losing nothing, when its parent (pm2) is gone", async () => {
    const { orch, server } = await orchestrator({ provider: "sim", model: "sim-strong" });
    const log = path.join(os.tmpdir(), `igentai-orphan-${process.pid}.log`);
    let pid = 0;
    try {
      // An intermediate parent (pm2's stand-in) that starts the producer; killed once the
      // producer is at work, it leaves the producer orphaned.
      const env: NodeJS.ProcessEnv = { NODE_ENV: "test", PATH: process.env.PATH, ...baseEnv, IGENTAI_API_URL: server.url, IGENTAI_SIMULATOR_URL: sim.url };
      const launcher = spawn(
        process.execPath,
        [
          "-e",
          `const fs = require("node:fs"); const out = fs.openSync(process.argv[2], "w");
           const c = require("node:child_process").spawn(process.execPath, ["--import", "tsx", process.argv[1]], { stdio: ["ignore", out, out], env: process.env });
           process.stdout.write(String(c.pid)); setInterval(() => {}, 1000);`,
          MAIN,
          log,
        ],
        { cwd: path.join(__dirname, "../../.."), env, stdio: ["ignore", "pipe", "inherit"] },
      );
      children.push(launcher);
      let out = "";
      launcher.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      await until(() => orch.calls.length >= 2, 15_000);
      launcher.kill("SIGKILL");
      await new Promise((r) => launcher.on("exit", r));
      pid = Number(out);
      expect(pid).toBeGreaterThan(0);
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await until(() => !alive(), 20_000).catch((e) => {
        console.error(fs.readFileSync(log, "utf8"));
        throw e;
      });
      const text = fs.readFileSync(log, "utf8");
      expect(text).toMatch(/parent process \d+ is gone: stopping/);
      expect(text).toMatch(/exit \(stopped\)/);
      expect(orch.candidates).toBe(orch.calls.reduce((n, c) => n + c.itemsParsed, 0));
    } finally {
      if (pid) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone, as it should be */
        }
      }
      fs.rmSync(log, { force: true });
      await server.close();
    }
  });

  it("with a bad environment: a clear message naming the variable, exit 78", async () => {
    const p = startProducer({ ...baseEnv, IGENTAI_API_URL: "not a url", OPENAI_API_KEY: FAKE_KEY });
    expect(await p.exited).toBe(78);
    expect(p.output()).toMatch(/invalid environment:\n\s+IGENTAI_API_URL: must be the orchestrator's tRPC URL/);
    expect(p.output()).not.toContain(FAKE_KEY);
  });
});
