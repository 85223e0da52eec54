import type { ProcessDescription, StartOptions } from "pm2";
import { coerceError } from "../../lib/errors";
import { PRODUCER_EXIT } from "../../lib/protocol";

/**
 * The only file that imports pm2. pm2 reads PM2_HOME when it is first loaded, so it is
 * required lazily, after the environment is settled. Its callback API is wrapped in
 * promises; the rest of the orchestrator sees only these functions.
 */
type Pm2 = typeof import("pm2");
let pm2: Pm2 | undefined;
let connected: Promise<void> | undefined;

function load(): Pm2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  pm2 ??= require("pm2") as Pm2;
  return pm2;
}

function call<T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(coerceError(err)) : resolve(value))));
}

/**
 * Connects once per process. `daemon: false` runs pm2's God in this process (dev mode,
 * nothing outlives us); `true` connects to (or starts) the daemon of PM2_HOME, which is
 * what pm2-runtime and `pm2 start ecosystem.config.js` provide.
 */
export function connect(daemon: boolean): Promise<void> {
  connected ??= call<void>((cb) => load().connect(!daemon, (err) => cb(err, undefined))).catch((err) => {
    connected = undefined;
    throw err;
  });
  return connected;
}

export type ProcessInfo = {
  name: string;
  pmId: number | undefined;
  pid: number | undefined;
  status: string;
  restarts: number;
  unstableRestarts: number;
  uptimeMs: number | undefined;
  memoryBytes: number | undefined;
  cpuPercent: number | undefined;
  /** Only the non-secret igentai variables, never the whole environment. */
  runId: string | undefined;
};

function toInfo(p: ProcessDescription): ProcessInfo {
  const env = (p.pm2_env ?? {}) as Record<string, unknown> & { env?: Record<string, unknown> };
  const status = String(env.status ?? "unknown");
  const runId = env.IGENTAI_RUN_ID ?? env.env?.IGENTAI_RUN_ID;
  return {
    name: p.name ?? "?",
    pmId: p.pm_id,
    pid: p.pid || undefined,
    status,
    restarts: Number(env.restart_time ?? 0),
    unstableRestarts: Number(env.unstable_restarts ?? 0),
    uptimeMs: status === "online" && typeof env.pm_uptime === "number" ? Date.now() - env.pm_uptime : undefined,
    memoryBytes: p.monit?.memory,
    cpuPercent: p.monit?.cpu,
    runId: typeof runId === "string" ? runId : undefined,
  };
}

export async function list(prefix: string): Promise<ProcessInfo[]> {
  const all = await call<ProcessDescription[]>((cb) => load().list(cb));
  return all.filter((p) => p.name?.startsWith(prefix)).map(toInfo);
}

export type ProducerSpec = {
  name: string;
  script: string;
  cwd: string;
  env: Record<string, string>;
  logDir: string;
  /** Grace period between SIGINT and SIGKILL. */
  killTimeoutMs: number;
  /** Node flags before the script (`--import tsx` for TypeScript source, none for the built file). */
  interpreterArgs: string[];
};

export async function startProcess(spec: ProducerSpec): Promise<void> {
  const options: StartOptions & Record<string, unknown> = {
    name: spec.name,
    script: spec.script,
    cwd: spec.cwd,
    interpreter: process.execPath,
    interpreter_args: spec.interpreterArgs,
    // No @pm2/io agent injected into each producer: ~11 MB of RSS each, for metrics we do not read.
    pmx: false,
    env: spec.env,
    // Only the variables in spec.env reach producers, not the web app's whole environment
    // (DATABASE_URL included) that pm2 merges in by default. `filter_env: true` is ignored
    // by pm2 7 (it tests `.length`), so every inherited name is listed; spec.env is applied
    // after the filter and so is kept.
    filter_env: Object.keys(process.env).filter((k) => !(k in spec.env)),
    autorestart: true,
    // The run ended, or the configuration is bad: neither is a crash to restart.
    stop_exit_codes: [PRODUCER_EXIT.RUN_ENDED, PRODUCER_EXIT.BAD_CONFIG],
    // A crashing producer is restarted with growing delays (100 ms x1.5 up to 15 s).
    exp_backoff_restart_delay: 100,
    max_restarts: 50,
    min_uptime: 5_000,
    kill_timeout: spec.killTimeoutMs,
    output: `${spec.logDir}/${spec.name}.out.log`,
    error: `${spec.logDir}/${spec.name}.err.log`,
    merge_logs: true,
    time: true,
  };
  await call((cb) => load().start(options, cb));
}

/** SIGINT, then SIGKILL after the process's kill timeout; the app is removed from pm2. */
export async function remove(name: string): Promise<void> {
  try {
    await call((cb) => load().delete(name, cb));
  } catch (err) {
    if (!/not found/i.test(coerceError(err).message)) throw err;
  }
}

export function disconnect(): void {
  if (!pm2 || !connected) return;
  pm2.disconnect();
  connected = undefined;
}

export async function killDaemon(): Promise<void> {
  await call((cb) => load().killDaemon(cb));
  connected = undefined;
}
