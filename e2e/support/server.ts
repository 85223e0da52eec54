import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PROVIDER_ENV_NAMES } from "../../src/lib/provider-settings";
import { ROOT } from "./env";

/**
 * A production igentai server for tests: `next start` in its own process group, with its
 * own PM2_HOME, data and output folders, the simulator sped up, and no provider keys.
 */
export type TestServer = {
  pid: number;
  port: number;
  url: string;
  dir: string;
  pm2Home: string;
  proc: ChildProcess;
  exited: Promise<void>;
};

/** Keys of the parent environment that must not leak into a test server (and every provider's variables). */
const SCRUB = /^(IGENTAI_|OPENAI_|ANTHROPIC_|DATABASE_URL$|PM2_|pm_|NODE_APP_INSTANCE$|PORT$|HOSTNAME$|NEXT_)/;

export function serverEnv(opts: { port: number; dir: string; pm2Home: string; env?: Record<string, string> }): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!SCRUB.test(k) && !PROVIDER_ENV_NAMES.includes(k)) env[k] = v;
  return {
    ...env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(opts.port),
    HOSTNAME: "127.0.0.1",
    PM2_HOME: opts.pm2Home,
    IGENTAI_DATA_DIR: path.join(opts.dir, "data"),
    IGENTAI_OUTPUT_DIR: path.join(opts.dir, "output"),
    IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.2 }),
    IGENTAI_PRODUCERS: "3",
    ...opts.env,
  };
}

export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", () => reject(new Error(`port ${port} is in use: set E2E_PORT to a free port`)));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(opts: {
  port: number;
  dir: string;
  pm2Home: string;
  log: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}): Promise<TestServer> {
  fs.mkdirSync(opts.dir, { recursive: true });
  fs.mkdirSync(opts.pm2Home, { recursive: true });
  const out = fs.openSync(opts.log, "a");
  const proc = spawn(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(opts.port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: serverEnv(opts),
    // Its own process group: a kill of the group never reaches the test runner.
    detached: true,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  if (!proc.pid) throw new Error("could not spawn the server");
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const server: TestServer = { pid: proc.pid, port: opts.port, url: `http://127.0.0.1:${opts.port}`, dir: opts.dir, pm2Home: opts.pm2Home, proc, exited };
  recordPid(opts.dir, proc.pid, opts.port);
  try {
    await waitForReady(server, opts.timeoutMs ?? 90_000, opts.log, opts.env?.IGENTAI_API_TOKEN);
  } catch (err) {
    await stopServer(server);
    throw err;
  }
  return server;
}

async function waitForReady(server: TestServer, timeoutMs: number, log: string, token?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited during start; log:\n${tail(log)}`);
    try {
      const res = await fetch(`${server.url}/api/trpc/topic.status`, {
        signal: AbortSignal.timeout(5_000),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server did not answer within ${timeoutMs} ms; log:\n${tail(log)}`);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no log)";
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A crash: SIGKILL to the server process only (its producers are in their own groups). */
export async function crashServer(server: TestServer): Promise<void> {
  if (alive(server.pid)) process.kill(server.pid, "SIGKILL");
  await Promise.race([server.exited, sleep(10_000)]);
}

/** SIGTERM (the server stops its producers), then SIGKILL to its group after a grace period. */
export async function stopServer(server: TestServer, graceMs = 20_000): Promise<void> {
  await stopPid(server.pid, graceMs, server.exited);
}

export async function stopPid(pid: number, graceMs = 20_000, exited?: Promise<void>): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await Promise.race([exited ?? sleep(200), sleep(200)]);
  if (alive(pid)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Producers outlive a crashed server (pm2 starts them detached). They are found by the
 * API URL in their environment, which names a port this test run owns, and killed by pid.
 */
export function findProducers(ports: readonly number[]): number[] {
  const needles = ports.map((p) => `IGENTAI_API_URL=http://127.0.0.1:${p}/api/trpc`);
  const found: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let env: string;
    try {
      env = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue;
    }
    const vars = env.split("\0");
    if (needles.some((n) => vars.includes(n))) found.push(pid);
  }
  return found;
}

export async function killProducers(ports: readonly number[]): Promise<number> {
  const pids = findProducers(ports);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  if (pids.length > 0) await sleep(300);
  return pids.length;
}

/** `pm2 kill` for a PM2_HOME, only if a daemon was started there (it would otherwise start one). */
export async function pm2Kill(pm2Home: string): Promise<void> {
  if (!fs.existsSync(path.join(pm2Home, "pm2.pid"))) return;
  await new Promise<void>((resolve) => {
    const p = spawn(process.execPath, [path.join(ROOT, "node_modules", "pm2", "bin", "pm2"), "kill"], {
      cwd: ROOT,
      env: { ...process.env, PM2_HOME: pm2Home },
      stdio: "ignore",
    });
    const t = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Every server a test run starts is recorded, so teardown can stop what a failed test left. */
export function recordPid(dir: string, pid: number, port: number): void {
  const root = process.env.IGENTAI_E2E_DIR ?? dir;
  fs.appendFileSync(path.join(root, "servers.txt"), `${pid} ${port}\n`);
}

export function recordedServers(root: string): Array<{ pid: number; port: number }> {
  try {
    return fs
      .readFileSync(path.join(root, "servers.txt"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [pid, port] = l.split(" ").map(Number);
        return { pid: pid!, port: port! };
      });
  } catch {
    return [];
  }
}
