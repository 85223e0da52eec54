/**
 * npm run bench:soak [-- minutes] — a long run as a user would leave it: the production web
 * server (`next start`, .next built), 5 producers on the simulator (realistic latency, a
 * universe of 200,000 items: the run never runs out), one live dashboard subscription open.
 * Every SOAK_SAMPLE_SECONDS (default 60): RSS of the web server and of each producer
 * (/proc/<pid>/status), the server's V8 heap (a preloaded sampler, bench/lib/memlog-preload.cjs),
 * and the entries found. With SOAK_SNAPSHOTS=1, heap snapshots of the server after the first
 * sample and at the end, compared by constructor (bench/lib/heap-summary.ts): what grows. A
 * snapshot stalls the server and inflates its RSS for the rest of the run: RSS figures come
 * from runs without them. Results are rewritten after every sample (a stopped run keeps them).
 * The simulator runs in this process, not inside the server, so the server's figures are its own.
 * Duration: first argument or SOAK_MINUTES (default 30). Port: SOAK_PORT (default 8195).
 * Database: embedded PGlite, or PostgreSQL with SOAK_DATABASE_URL (an empty database).
 * Results: SOAK_RESULTS (default bench/results/soak.json).
 * Figures: bench/results/soak.json.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { findProducers, pm2Kill, serverEnv, stopServer, type TestServer } from "../e2e/support/server";
import type { AppRouter } from "../src/server/api/root";
import { startSimulator } from "../src/server/simulator";
import { heapGrowth } from "./lib/heap-summary";

const ROOT = path.join(__dirname, "..");
const MINUTES = Number(process.argv[2] ?? process.env.SOAK_MINUTES ?? 30);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60) * 1000;
const PORT = Number(process.env.SOAK_PORT ?? 8195);
const PRODUCERS = 5;
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 1);
const SNAPSHOTS = process.env.SOAK_SNAPSHOTS === "1";
const RESULTS = process.env.SOAK_RESULTS ?? path.join(__dirname, "results", "soak.json");
const DATABASE_URL = process.env.SOAK_DATABASE_URL;

type Sample = { minute: number; serverRssMb: number | null; entries: number; producers: Array<{ pid: number; rssMb: number | null }> } & Record<
  string,
  unknown
>;

function summarise(samples: Sample[]) {
  const after5 = samples.find((s) => s.minute >= 5);
  const last = samples.at(-1);
  return {
    serverRssMbFirst: samples[0]?.serverRssMb ?? null,
    serverRssMbAtMinute5: after5?.serverRssMb ?? null,
    serverRssMbLast: last?.serverRssMb ?? null,
    serverRssGrowthAfterMinute5Percent: after5?.serverRssMb && last?.serverRssMb ? Math.round((last.serverRssMb / after5.serverRssMb - 1) * 1000) / 10 : null,
    producerRssMbMax: Math.max(0, ...samples.flatMap((s) => s.producers.map((p) => p.rssMb ?? 0))),
    entriesLast: last?.entries ?? null,
  };
}

function writeResults(samples: Sample[], extra: Record<string, unknown> = {}) {
  fs.writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        database: DATABASE_URL ? "postgresql" : "pglite",
        minutes: MINUTES,
        producers: PRODUCERS,
        concurrency: CONCURRENCY,
        serverNodeFlags: SERVER_NODE_FLAGS,
        snapshots: SNAPSHOTS,
        summary: summarise(samples),
        samples,
        ...extra,
      },
      null,
      2,
    ) + "\n",
  );
}

/** The web server as pm2 runs it (ecosystem.config.js): its node flags (IGENTAI_SERVER_NODE_ARGS included) and malloc setting. */
const SERVER_APP = (require(path.join(ROOT, "ecosystem.config.js")) as { apps: Array<{ node_args?: string[]; env?: Record<string, string> }> }).apps[0];
const SERVER_NODE_FLAGS: string[] = SERVER_APP?.node_args ?? [];
const SERVER_MALLOC_ARENA_MAX = SERVER_APP?.env?.MALLOC_ARENA_MAX;

function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForSnapshot(dir: string, count: number): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".heapsnapshot"))
      .sort();
    // Written when the size stops changing.
    if (files.length >= count) {
      const f = path.join(dir, files[count - 1]!);
      const a = fs.statSync(f).size;
      await sleep(2000);
      if (fs.statSync(f).size === a && a > 0) return f;
    }
    await sleep(1000);
  }
  throw new Error("no heap snapshot");
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("no production build: npm run build first");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igt-soak-"));
  const snapDir = path.join(dir, "snapshots");
  const memlog = path.join(dir, "memlog.jsonl");
  fs.mkdirSync(snapDir, { recursive: true });
  const sim = await startSimulator({ params: { universeSize: 200_000, universeSizeJitter: 0, errorRate500: 0, overloadRate: 0 } });
  const pm2Home = path.join(dir, "pm2");
  const env = {
    ...serverEnv({ port: PORT, dir, pm2Home }),
    IGENTAI_SIMULATOR_URL: sim.url,
    IGENTAI_SIM_PARAMS: "",
    IGENTAI_PRODUCERS: String(PRODUCERS),
    IGENTAI_MEMLOG: memlog,
    IGENTAI_MEMLOG_MS: String(Math.min(SAMPLE_MS, 10_000)),
    ...(SERVER_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: SERVER_MALLOC_ARENA_MAX } : {}),
    ...(DATABASE_URL ? { DATABASE_URL } : {}),
  };
  fs.mkdirSync(pm2Home, { recursive: true });
  const log = fs.openSync(path.join(dir, "server.log"), "a");
  const proc = spawn(
    process.execPath,
    [
      ...SERVER_NODE_FLAGS,
      `--heapsnapshot-signal=SIGUSR2`,
      `--diagnostic-dir=${snapDir}`,
      "--require",
      path.join(__dirname, "lib", "memlog-preload.cjs"),
      path.join(ROOT, "node_modules", "next", "dist", "bin", "next"),
      "start",
      "-p",
      String(PORT),
      "-H",
      "127.0.0.1",
    ],
    { cwd: ROOT, env, detached: true, stdio: ["ignore", log, log] },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const server: TestServer = { pid: proc.pid!, port: PORT, url: `http://127.0.0.1:${PORT}`, dir, pm2Home, proc, exited };
  const samples: Sample[] = [];
  const snapshots: string[] = [];
  let sub: { unsubscribe(): void } | undefined;
  try {
    for (let i = 0; ; i++) {
      if (i > 120) throw new Error(`server did not start: see ${dir}/server.log`);
      try {
        if ((await fetch(server.url)).ok) break;
      } catch {
        /* not yet */
      }
      await sleep(1000);
    }
    const api = `${server.url}/api/trpc`;
    const trpc = createTRPCClient<AppRouter>({
      links: [
        splitLink({ condition: (op) => op.type === "subscription", true: httpSubscriptionLink({ url: api, EventSource }), false: httpLink({ url: api }) }),
      ],
    });
    let liveMessages = 0;
    sub = trpc.metrics.live.subscribe(undefined, { onData: () => liveMessages++ });
    const started = await trpc.topic.start.mutate({
      topic: "Soak: species of beetles",
      producers: PRODUCERS,
      ...(CONCURRENCY > 1 ? { concurrency: CONCURRENCY } : {}),
    });
    console.log(`soak: run ${started.runId}, ${MINUTES} min, sample every ${SAMPLE_MS / 1000} s, server pid ${server.pid}, logs in ${dir}`);
    const t0 = Date.now();
    for (let n = 1; Date.now() - t0 < MINUTES * 60_000; n++) {
      await sleep(Math.max(0, t0 + n * SAMPLE_MS - Date.now()));
      const status = await trpc.topic.status.query();
      const heap = fs.existsSync(memlog) ? fs.readFileSync(memlog, "utf8").trim().split("\n").at(-1) : undefined;
      const h = heap ? (JSON.parse(heap) as { heapUsed: number; heapTotal: number; external: number }) : undefined;
      const producers = findProducers([PORT]).map((pid) => ({ pid, rssMb: rssMb(pid) }));
      const sample = {
        minute: Math.round(((Date.now() - t0) / 60_000) * 10) / 10,
        serverRssMb: rssMb(server.pid),
        serverHeapUsedMb: h ? mb(h.heapUsed) : null,
        serverHeapTotalMb: h ? mb(h.heapTotal) : null,
        serverExternalMb: h ? mb(h.external) : null,
        entries: status.totals.unique,
        producers,
        liveMessages,
      };
      samples.push(sample);
      writeResults(samples);
      console.log(JSON.stringify(sample));
      if (n === 1 && SNAPSHOTS) {
        process.kill(server.pid, "SIGUSR2");
        snapshots.push(await waitForSnapshot(snapDir, 1));
      }
    }
    if (SNAPSHOTS) {
      process.kill(server.pid, "SIGUSR2");
      snapshots.push(await waitForSnapshot(snapDir, 2));
    }
  } finally {
    sub?.unsubscribe();
    await stopServer(server);
    await pm2Kill(server.pm2Home);
    await sim.close();
  }
  const growth = snapshots.length === 2 ? heapGrowth(snapshots[0]!, snapshots[1]!, 20) : [];
  if (growth.length > 0) console.table(growth);
  writeResults(samples, { heapGrowthByConstructor: growth.map((g) => ({ ...g, bytesDeltaMb: mb(g.bytesDelta) })) });
  console.log(summarise(samples));
  console.log(`written ${path.relative(process.cwd(), RESULTS)}`);
  for (const s of snapshots) fs.rmSync(s, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
