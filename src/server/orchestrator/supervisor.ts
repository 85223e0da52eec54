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

export type ProducerEntry = { script: string; interpreterArgs: string[] };

/**
 * A small young generation, V8 tuned for size, and no optimising compiler (`--max-opt=1`:
 * bytecode and Sparkplug's baseline code only). A producer's heap is mostly short-lived garbage
 * (answers, deltas), which V8 would otherwise let pile up to ~85 MB RSS before collecting it;
 * TurboFan's compiler (its code in the node binary, its zones, its code) costs a producer ~7 MB
 * more, for CPU it barely needs: it mostly waits on HTTP (bench:producer-rss, README there).
 * Not `--jitless`: it disables WebAssembly, and undici (loaded by the SDKs' `Headers`) then
 * throws at load. `--expose-gc`: main.ts runs a full GC after a call, at most every 2 s, so the
 * heap stays near its live size: 68.0 -> 61.2 MB at 10 calls in flight, 62.2 -> 59.9 MB at 1
 * (90 s runs, one sequence), CPU per call 94 -> 97 ms at 10 (bench/results/producer-rss-gc.json).
 */
export const PRODUCER_NODE_FLAGS: readonly string[] = ["--expose-gc", "--max-semi-space-size=1", "--optimize-for-size", "--max-opt=1"];

/**
 * What pm2 runs as a producer: the bundle of `npm run build` (dist/producer/main.mjs, plain
 * node, scripts/build-producer.js) when it is newer than every source file it was built from
 * (listed in dist/producer/meta.json); otherwise the TypeScript source through tsx, so
 * development and tests run what is on disk. The bundle runs with a 1 MB young generation:
 * a producer allocates little at a time, and V8's default 16 MB semi-spaces are ~10 MB of RSS.
 */
export function producerEntry(projectRoot: string): ProducerEntry {
  const source = { script: path.join(projectRoot, "src", "server", "producer", "main.ts"), interpreterArgs: ["--import", "tsx"] };
  const bundle = path.join(projectRoot, "dist", "producer", "main.mjs");
  try {
    const builtAt = fs.statSync(bundle).mtimeMs;
    const meta = JSON.parse(fs.readFileSync(path.join(projectRoot, "dist", "producer", "meta.json"), "utf8")) as { inputs?: unknown };
    if (!Array.isArray(meta.inputs) || meta.inputs.length === 0) return source;
    for (const input of meta.inputs) {
      if (typeof input !== "string" || fs.statSync(path.join(projectRoot, input)).mtimeMs > builtAt) return source;
    }
    return { script: bundle, interpreterArgs: [...PRODUCER_NODE_FLAGS] };
  } catch {
    return source; // no bundle, or a source it lists is gone: the build is stale
  }
}

export class Supervisor {
  constructor(private readonly opts: SupervisorOptions) {}

  get script(): string {
    return producerEntry(this.opts.projectRoot).script;
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
    const entry = producerEntry(this.opts.projectRoot);
    await pm2.startProcess({
      name: producerName(producer),
      script: entry.script,
      interpreterArgs: entry.interpreterArgs,
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
