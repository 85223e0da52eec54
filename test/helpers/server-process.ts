import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTRPCClient } from "@trpc/client";
import type { AppRouter } from "../../src/server/api/root";
import { apiLinks } from "../../src/trpc/links";
import { PROVIDER_ENV_NAMES } from "../../src/lib/provider-settings";

export const SERVER_FIXTURE = path.join(process.cwd(), "test", "fixtures", "server", "main.ts");

export type ServerProcess = {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** The ready line's port and pid; rejects if the process exits first. */
  ready: Promise<{ pid: number; port: number }>;
};

/**
 * A real server process on `dataDir` (test/fixtures/server/main.ts: the boot path of
 * `next start`), with pm2 running inside it in a PM2_HOME of its own (`pm2Home`, short: pm2's
 * sockets break on long paths).
 */
export function spawnServer(opts: { dataDir: string; pm2Home: string; env?: Record<string, string> }): ServerProcess {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", SERVER_FIXTURE], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PM2_HOME: opts.pm2Home,
      DATABASE_URL: "",
      // No provider of the developer's shell: the simulator only.
      ...Object.fromEntries(PROVIDER_ENV_NAMES.map((name) => [name, ""])),
      IGENTAI_DATA_DIR: opts.dataDir,
      IGENTAI_OUTPUT_DIR: path.join(opts.dataDir, "output"),
      IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<{ pid: number; port: number }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const line = /\{"ready":true[^\n]*\}/.exec(out)?.[0];
      if (line) resolve(JSON.parse(line) as { pid: number; port: number });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before it was ready:\n${out}`)));
  });
  ready.catch(() => undefined); // a test that expects the exit reads `exited`
  return { child, output: () => out, exited, ready };
}

export function apiClient(port: number) {
  return createTRPCClient<AppRouter>({ links: apiLinks({ url: `http://127.0.0.1:${port}/api/trpc`, token: null, batch: false }) });
}

/** A temp folder of this test process (short enough for a PM2_HOME); test/global-setup.ts removes any left by a crash. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `igentai-test-${process.pid}-`));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
