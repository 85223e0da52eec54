/**
 * npm run bench:producer-rss — one producer process's memory through a run on the simulator
 * (realistic latency, 1 s of answers per call or so), as pm2 would run it:
 *   bundle:  node PRODUCER_NODE_FLAGS dist/producer/main.mjs (what `npm run build` makes and the supervisor prefers)
 *   source:  node --import tsx src/server/producer/main.ts (development, tests)
 *   [before: the same, from another checkout: IGENTAI_BEFORE_DIR=/path/to/old/checkout]
 * Each runs RUN_SECONDS (default 60) against an in-memory orchestrator served over tRPC, at
 * each concurrency of CONCURRENCY (default "1,10"). VmRSS, and the private part of it (RSS also
 * counts the node binary's pages, which every node process shares), are read from /proc every second; a
 * preloaded sampler (bench/lib/memlog-preload.cjs) reports the V8 heap, external memory, code
 * space and CPU time, also every second. Figures: bench/results/producer-rss.json.
 *
 * Knobs (environment):
 *   RUN_SECONDS=600        a long run (the simulator's universe, UNIVERSE, default 200k, keeps entries coming)
 *   VARIANTS=bundle        bundle, source, before (comma-separated; default bundle,source)
 *   BUNDLE_FLAGS="default;--max-semi-space-size=1 --optimize-for-size"
 *                          node flag sets to compare for the bundle (`default` stands for PRODUCER_NODE_FLAGS)
 *   HEAP_SNAPSHOTS=1       V8 heap snapshots at 20 s and at the end, the growing constructors printed
 *                          (a snapshot inflates RSS: the RSS figures of such a run are not comparable)
 *   PRODUCER_ENV="MALLOC_ARENA_MAX=2"   extra environment for the producer (comma-separated)
 *   OUT=/tmp/x.json        write the figures elsewhere (trials)
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MemoryOrchestrator } from "../test/helpers/memory-orchestrator";
import { serveOrchestrator } from "../test/helpers/orchestrator-server";
import { PRODUCER_NODE_FLAGS } from "../src/server/orchestrator/supervisor";
import { startSimulator } from "../src/server/simulator";
import { heapGrowth } from "./lib/heap-summary";

const ROOT = path.join(__dirname, "..");
const RUN_SECONDS = Number(process.env.RUN_SECONDS ?? 60);
const CONCURRENCY = (process.env.CONCURRENCY ?? "1,10").split(",").map(Number);
const VARIANTS = (process.env.VARIANTS ?? "bundle,source").split(",");
const UNIVERSE = Number(process.env.UNIVERSE ?? 200_000);
const HEAP_SNAPSHOTS = process.env.HEAP_SNAPSHOTS === "1";
const SNAPSHOT_EARLY_S = 20;
/** Ports for the bench's own servers (0: any free one). */
const SIM_PORT = Number(process.env.SIM_PORT ?? 0);
const MEMLOG = path.join(__dirname, "lib", "memlog-preload.cjs");
/** Extra environment for the producer, e.g. PRODUCER_ENV="MALLOC_ARENA_MAX=2". */
const PRODUCER_ENV = Object.fromEntries(
  (process.env.PRODUCER_ENV ?? "")
    .split(",")
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);

type Variant = { name: string; cwd: string; args: string[] };
type MemSample = {
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  codeSpace: number;
  mallocedMemory: number;
  cpuUserUs: number;
  cpuSystemUs: number;
};

const mb = (bytes: number) => Math.round(bytes / 104857.6) / 10;

function vmRssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** Pages only this process holds (RSS also counts the node binary's pages, shared by every producer). */
function privateMb(pid: number): number | null {
  try {
    const t = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(t)?.[1] ?? 0);
    return Math.round((kb("Private_Clean") + kb("Private_Dirty")) / 102.4) / 10;
  } catch {
    return null;
  }
}

function readMemlog(file: string): MemSample[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MemSample);
}

async function measure(v: Variant, simUrl: string, concurrency: number) {
  const orch = new MemoryOrchestrator({
    topic: "Birds of the world",
    target: { provider: "sim", model: "sim-strong" },
    requestSize: 100,
    promptBudgetTokens: 2000,
    concurrency,
  });
  const server = await serveOrchestrator(orch, "s3cret");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "producer-rss-"));
  const memlog = path.join(dir, "memlog.jsonl");
  const snapshotFlags = HEAP_SNAPSHOTS ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${dir}`] : [];
  // The sampler goes first; the script (last argument) stays last.
  const args = ["--require", MEMLOG, ...snapshotFlags, ...v.args];
  const child = spawn(process.execPath, args, {
    cwd: v.cwd,
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH,
      IGENTAI_API_URL: server.url,
      IGENTAI_RUN_ID: "bench",
      IGENTAI_PRODUCER: "p1",
      IGENTAI_RUN_SECRET: "s3cret",
      IGENTAI_SIMULATOR_URL: simUrl,
      ...PRODUCER_ENV,
      IGENTAI_MEMLOG: memlog,
      IGENTAI_MEMLOG_MS: "1000",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const samples: number[] = [];
  const privateSamples: number[] = [];
  const snapshot = async () => {
    const before = fs.readdirSync(dir).filter((f) => f.endsWith(".heapsnapshot")).length;
    child.kill("SIGUSR2");
    // Written synchronously by the child: wait until the file is there and has stopped growing.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".heapsnapshot"));
      if (files.length > before && vmRssMb(child.pid!) !== null) {
        const f = path.join(dir, files.sort().at(-1)!);
        const size = fs.statSync(f).size;
        await new Promise((r) => setTimeout(r, 1000));
        if (fs.statSync(f).size === size && size > 0) return f;
      }
    }
    return undefined;
  };
  const snapshots: string[] = [];
  for (let s = 0; s < RUN_SECONDS && child.exitCode === null; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const rss = vmRssMb(child.pid!);
    if (rss !== null) samples.push(rss);
    const own = privateMb(child.pid!);
    if (own !== null) privateSamples.push(own);
    if (HEAP_SNAPSHOTS && s + 1 === SNAPSHOT_EARLY_S) {
      const f = await snapshot();
      if (f) snapshots.push(f);
    }
  }
  if (HEAP_SNAPSHOTS) {
    const f = await snapshot();
    if (f) snapshots.push(f);
  }
  const diedEarly = child.exitCode !== null;
  child.kill("SIGINT");
  const exitCode = await exited;
  await server.close();

  const mem = readMemlog(memlog);
  const max = (k: keyof MemSample) => (mem.length ? mb(Math.max(...mem.map((m) => m[k]))) : null);
  const last = mem.at(-1);
  const cpuMs = last ? (last.cpuUserUs + last.cpuSystemUs) / 1000 : null;
  // Ten points over the run: what grows, and when.
  const step = Math.max(1, Math.floor(mem.length / 10));
  const timeline = mem
    .filter((_, i) => i % step === step - 1 || i === mem.length - 1)
    .map((m) => ({
      s: Math.round((m.at - mem[0]!.at) / 1000) + 1,
      rss: mb(m.rss),
      heapUsed: mb(m.heapUsed),
      heapTotal: mb(m.heapTotal),
      external: mb(m.external),
    }));
  const figures = {
    variant: v.name,
    concurrency,
    calls: orch.calls.length,
    entries: orch.entries.length,
    rssMaxMb: Math.max(...samples),
    rssLastMb: samples.at(-1) ?? null,
    rssAfter5sMb: samples[4] ?? null,
    privateMaxMb: privateSamples.length ? Math.max(...privateSamples) : null,
    heapUsedMaxMb: max("heapUsed"),
    heapTotalMaxMb: max("heapTotal"),
    externalMaxMb: max("external"),
    arrayBuffersMaxMb: max("arrayBuffers"),
    codeSpaceMaxMb: max("codeSpace"),
    cpuMsPerCall: cpuMs !== null && orch.calls.length > 0 ? Math.round(cpuMs / orch.calls.length) : null,
    cpuShare: cpuMs !== null && mem.length > 0 ? Math.round((cpuMs / (last!.at - mem[0]!.at + 1000)) * 1000) / 1000 : null,
    timeline,
    stderrWarnings: stderr
      .split("\n")
      .filter((l) => /warn|TypeScript|heap/i.test(l))
      .slice(0, 3),
    ...(diedEarly ? { diedEarly: { exitCode, stderr: stderr.slice(-600) } } : {}),
  };
  console.log(JSON.stringify({ ...figures, timeline: undefined }));
  if (snapshots.length === 2) {
    console.log(`heap growth ${path.basename(snapshots[0]!)} -> ${path.basename(snapshots[1]!)}:`);
    console.table(heapGrowth(snapshots[0]!, snapshots[1]!, 15));
    console.log(`(snapshots kept in ${dir})`);
  } else fs.rmSync(dir, { recursive: true, force: true });
  return figures;
}

function variants(): Variant[] {
  const bundle = path.join(ROOT, "dist", "producer", "main.mjs");
  const out: Variant[] = [];
  for (const name of VARIANTS) {
    if (name === "bundle") {
      if (!fs.existsSync(bundle)) throw new Error("no dist/producer/main.mjs: npm run build:producer first");
      for (const set of (process.env.BUNDLE_FLAGS ?? "default").split(";")) {
        const flags = set
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .flatMap((f) => (f === "default" ? [...PRODUCER_NODE_FLAGS] : [f]));
        out.push({ name: `bundle (node ${flags.join(" ")} dist/producer/main.mjs)`, cwd: ROOT, args: [...flags, bundle] });
      }
    } else if (name === "source") {
      out.push({ name: "source (node --import tsx)", cwd: ROOT, args: ["--import", "tsx", path.join(ROOT, "src", "server", "producer", "main.ts")] });
    } else if (name === "before") {
      const before = process.env.IGENTAI_BEFORE_DIR;
      if (!before) throw new Error("VARIANTS=before needs IGENTAI_BEFORE_DIR");
      out.push({
        name: `before: ${path.basename(before)} (node --import tsx)`,
        cwd: before,
        args: ["--import", "tsx", path.join(before, "src", "server", "producer", "main.ts")],
      });
    } else throw new Error(`unknown variant ${name}`);
  }
  return out;
}

async function main() {
  const list = variants();
  // Realistic latency, no faults or rate limits: the producer's steady state. A large universe,
  // so that a long run keeps finding new entries (what grows with entries shows).
  const sim = await startSimulator({ port: SIM_PORT, params: { errorRate500: 0, overloadRate: 0, rateLimits: false, universeSize: UNIVERSE } });
  const results = [];
  try {
    for (const v of list) for (const c of CONCURRENCY) results.push(await measure(v, sim.url, c));
  } finally {
    await sim.close();
  }
  if (HEAP_SNAPSHOTS) return; // RSS inflated by the snapshots: nothing to keep
  const file = process.env.OUT ?? path.join(__dirname, "results", "producer-rss.json");
  fs.writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, runSeconds: RUN_SECONDS, universeSize: UNIVERSE, producerEnv: PRODUCER_ENV, results },
      null,
      2,
    ) + "\n",
  );
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
