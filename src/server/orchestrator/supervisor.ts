import fs from "node:fs";
import path from "node:path";
import * as pm2 from "./pm2";

/** Producer processes under pm2: named `igentai-producer-<producer>`, one run at a time. */
export const PRODUCER_PREFIX = "igentai-producer-";
export const PRODUCER_KILL_TIMEOUT_MS = 5_000;

export type ProducerHealth = {
  producer: string;
  name: string;
  pid: number | null;
  status: string;
  restarts: number;
  unstableRestarts: number;
  uptimeMs: number | null;
  memoryMb: number | null;
  cpuPercent: number | null;
};

export type SupervisorOptions = {
  projectRoot: string;
  logDir: string;
  /** Connect to the pm2 daemon of PM2_HOME (true) or run pm2 inside this process (false). */
  daemon: boolean;
};

export function producerName(producer: string): string {
  return `${PRODUCER_PREFIX}${producer}`;
}

export class Supervisor {
  constructor(private readonly opts: SupervisorOptions) {}

  get script(): string {
    return path.join(this.opts.projectRoot, "src", "server", "producer", "main.ts");
  }

  async connect(): Promise<void> {
    if (!fs.existsSync(this.script)) throw new Error(`producer entry point not found: ${this.script}`);
    fs.mkdirSync(this.opts.logDir, { recursive: true });
    await pm2.connect(this.opts.daemon);
  }

  async list(): Promise<Array<pm2.ProcessInfo & { producer: string }>> {
    const all = await pm2.list(PRODUCER_PREFIX);
    return all.map((p) => ({ ...p, producer: p.name.slice(PRODUCER_PREFIX.length) }));
  }

  async health(): Promise<ProducerHealth[]> {
    return (await this.list()).map((p) => ({
      producer: p.producer,
      name: p.name,
      pid: p.pid ?? null,
      status: p.status,
      restarts: p.restarts,
      unstableRestarts: p.unstableRestarts,
      uptimeMs: p.uptimeMs ?? null,
      memoryMb: p.memoryBytes === undefined ? null : Math.round(p.memoryBytes / 1e5) / 10,
      cpuPercent: p.cpuPercent ?? null,
    }));
  }

  async start(producer: string, env: Record<string, string>): Promise<void> {
    await pm2.startProcess({
      name: producerName(producer),
      script: this.script,
      cwd: this.opts.projectRoot,
      env,
      logDir: this.opts.logDir,
      killTimeoutMs: PRODUCER_KILL_TIMEOUT_MS,
    });
  }

  /** Graceful: SIGINT, SIGKILL after the kill timeout. Stops them in parallel. */
  async stop(names: string[]): Promise<void> {
    const results = await Promise.allSettled(names.map((n) => pm2.remove(n)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw new Error(`could not stop ${failed.length} producer(s): ${String(failed[0]!.reason)}`);
  }

  async stopAll(): Promise<void> {
    await this.stop((await this.list()).map((p) => p.name));
  }

  disconnect(): void {
    pm2.disconnect();
  }
}
