/**
 * npm run bench — end-to-end ingest of the orchestrator: submit -> dedup -> DB + output.txt
 * -> live snapshot, over the real tRPC HTTP API, with the embedded PGlite database.
 *   A. real: 5 producer processes under pm2 against the simulator at zero latency;
 *   B. capacity: synthetic producers (2 processes) submitting as fast as the server answers;
 *   C. latency at the target rate: the same, paced at 10,000 candidates/s in total.
 * Latency = start of a producer's submit -> a metrics.live snapshot showing its entries.
 * Also the server's CPU time per 1,000 candidates and for the restart: on a shared machine it
 * varies far less than rates and wall times. Figures go to bench/results/pipeline.json.
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { round } from "../src/lib/stats/math";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "igb-"));
process.env.PM2_HOME = path.join(tmp, "pm2"); // before pm2 is loaded
// Zero latency, no rate limits, no injected errors: the producers go as fast as they can.
process.env.IGENTAI_SIM_PARAMS = JSON.stringify({ latencyScale: 0, rateLimits: false, errorRate500: 0, overloadRate: 0 });

type WorkerResult = { sent: number; accepted: number; errors: number; seconds: number; latencies: number[]; unresolved: number };

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const { parseServerEnv } = await import("../src/env");
  const { PROVIDER_ENV_NAMES } = await import("../src/lib/provider-settings");
  const { createApp } = await import("../src/server/app");
  const { serveApi } = await import("../src/server/http");
  const pm2 = await import("../src/server/orchestrator/pm2");
  const { PRODUCER_PREFIX } = await import("../src/server/orchestrator/supervisor");

  const env = parseServerEnv({
    ...process.env,
    DATABASE_URL: "",
    // No provider of the shell: the simulator only.
    ...Object.fromEntries(PROVIDER_ENV_NAMES.map((name) => [name, ""])),
    IGENTAI_DATA_DIR: tmp,
    IGENTAI_OUTPUT_DIR: path.join(tmp, "output"),
  });
  const SECRET = "bench-secret";
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  const server = await serveApi(() => app!);
  app = await createApp({ env, apiUrl: server.url, pm2Daemon: true, newSecret: () => SECRET, log: (l, m) => l !== "info" && console.error(`[${l}] ${m}`) });
  const o = app.orchestrator;
  const cpu0 = process.cpuUsage();

  // A. real producers
  const { runId } = await o.start({ topic: "Bench: world cities", producers: 5, requestSize: 100 });
  await new Promise((r) => setTimeout(r, 3_000)); // warm-up: processes start, tsx compiles
  const a0 = o.snapshot();
  const ta = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const a1 = o.snapshot();
  const aSec = (performance.now() - ta) / 1000;
  const real = {
    producers: 5,
    seconds: round(aSec, 2),
    candidatesPerSec: round((a1.totals.candidates - a0.totals.candidates) / aSec, 2),
    uniquePerSec: round((a1.totals.unique - a0.totals.unique) / aSec, 2),
    calls: a1.totals.calls - a0.totals.calls,
    note: "bounded by the 5 producers and the simulator sharing 2 cores with the server",
    stoppedItself: !o.snapshot().run,
  };
  console.log("A. real producers:", real);
  // On this small topic the run's marginal-cost stop may end it within the phase (5 producers at
  // zero latency exhaust it in seconds, and answers that repeat their list count at their trust):
  // the synthetic phases need it running, so it is resumed.
  if (real.stoppedItself) {
    console.log("A. the run stopped itself (its marginal-cost stop); resumed for the synthetic phases");
    await o.resume(runId);
  }

  // Stop the real producers (the run stays active) and drive the API synthetically.
  for (const p of await pm2.list(PRODUCER_PREFIX)) await pm2.remove(p.name);

  const load = async (ratePerSec: number, workers: number) => {
    const before = o.snapshot();
    const cpuBefore = process.cpuUsage();
    const results = await Promise.all(
      Array.from(
        { length: workers },
        (_, i) =>
          new Promise<WorkerResult>((resolve, reject) => {
            const child = fork(
              path.join(__dirname, "load-worker.ts"),
              [
                JSON.stringify({
                  url: server.url,
                  runId,
                  secret: SECRET,
                  producer: `load${i}`,
                  seconds: SECONDS,
                  ratePerSec: ratePerSec / workers,
                  batch: 100,
                  inflight: 4,
                  universe: 60_000,
                  seed: 17 + i + ratePerSec,
                }),
              ],
              {
                execArgv: ["--import", "tsx"],
              },
            );
            child.once("message", (m) => resolve(m as WorkerResult));
            child.once("error", reject);
            child.once("exit", (code) => code !== 0 && reject(new Error(`load worker exited ${code}`)));
          }),
      ),
    );
    const after = o.snapshot();
    const cpuUsed = process.cpuUsage(cpuBefore);
    const seconds = Math.max(...results.map((r) => r.seconds));
    const latencies = results.flatMap((r) => r.latencies);
    return {
      targetRatePerSec: ratePerSec || "max",
      seconds: round(seconds, 2),
      candidatesPerSec: round(results.reduce((a, r) => a + r.sent, 0) / seconds, 2),
      uniquePerSec: round((after.totals.unique - before.totals.unique) / seconds, 2),
      duplicateShare: round(1 - (after.totals.unique - before.totals.unique) / Math.max(1, after.totals.candidates - before.totals.candidates), 2),
      errors: results.reduce((a, r) => a + r.errors, 0),
      latencyMs: { samples: latencies.length, p50: round(pct(latencies, 50), 2), p95: round(pct(latencies, 95), 2), p99: round(pct(latencies, 99), 2) },
      entriesAtEnd: after.totals.unique,
      // The server's CPU per 1,000 candidates: steadier than rates on a shared machine.
      serverCpuMsPer1kCandidates: round((cpuUsed.user + cpuUsed.system) / 1e3 / ((after.totals.candidates - before.totals.candidates) / 1e3), 1),
    };
  };
  // BENCH_PROFILE=dir: a CPU profile of the server during the capacity phase, for where ingest time goes.
  const profile = process.env.BENCH_PROFILE ? new (await import("node:inspector/promises")).Session() : undefined;
  if (profile) {
    profile.connect();
    await profile.post("Profiler.enable");
    await profile.post("Profiler.start");
  }
  const capacity = await load(0, 2);
  if (profile) {
    const { profile: cpuProfile } = await profile.post("Profiler.stop");
    fs.mkdirSync(process.env.BENCH_PROFILE!, { recursive: true });
    fs.writeFileSync(path.join(process.env.BENCH_PROFILE!, "capacity.cpuprofile"), JSON.stringify(cpuProfile));
    profile.disconnect();
  }
  console.log("B. capacity (synthetic producers, unpaced):", capacity);
  const atTarget = await load(10_000, 2);
  console.log("C. at 10,000 candidates/s:", atTarget);

  const cpu = process.cpuUsage(cpu0);
  await o.stop("bench done");

  // D. restart with a 100,000-entry run: how long until the orchestrator has rebuilt its
  // dedup state from the DB, reconciled output.txt and re-attached to the producers.
  const { insertEntries } = await import("../src/server/orchestrator/repo");
  const big = await o.start({ topic: "Bench: restart with 100k entries", producers: 1, requestSize: 20 });
  await o.stop("filling");
  const BIG = 100_000;
  for (let from = 0; from < BIG; from += 10_000) {
    const rows = Array.from({ length: 10_000 }, (_, k) => {
      const i = from + k + big.entries + 1;
      const text = `Synthetic entry ${i.toString(36)} ${["north", "lake", "hall", "gate", "park"][i % 5]} ${i}`;
      return { seq: i, text, normalisedKey: text.toLowerCase(), producer: "p1", provider: "sim", model: "sim-strong", batchId: "fill", createdAt: new Date() };
    });
    await insertEntries(app.db.prisma, big.runId, rows);
  }
  await o.start({ topic: "Bench: restart with 100k entries", producers: 1, requestSize: 20 });
  await app.close({ keepProducers: true });
  const tr = performance.now();
  const cr = process.cpuUsage();
  app = await createApp({ env, apiUrl: server.url, pm2Daemon: true, newSecret: () => SECRET, log: () => undefined });
  const restartMs = performance.now() - tr;
  const restartCpu = process.cpuUsage(cr);
  const restart = {
    entries: app.orchestrator.snapshot().totals.unique,
    restartMs: Math.round(restartMs),
    restartCpuMs: Math.round((restartCpu.user + restartCpu.system) / 1e3),
    state: app.orchestrator.snapshot().state,
  };
  console.log("D. web-app restart with a large run:", restart);
  await app.orchestrator.stop("bench done");
  const rows = await app.db.prisma.entry.count({ where: { runId } });
  const slug = (await app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).slug;
  const lines = fs.readFileSync(path.join(tmp, "output", slug, "output.txt"), "utf8").split("\n").length - 1;
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    // V8 flags of the process that ran the server (ecosystem.config.js gives the web app its own).
    nodeFlags: process.execArgv.filter((a) => a.startsWith("--max-") || a === "--optimize-for-size"),
    cpus: os.cpus().length,
    database: app.db.kind,
    real,
    capacity,
    atTarget,
    restart,
    check: { dbEntries: rows, outputLines: lines, identical: rows === lines },
    serverCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    targets: { candidatesPerSec: 10_000, p95Ms: 100 },
  };
  fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
  fs.writeFileSync(path.join(__dirname, "results", "pipeline.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote bench/results/pipeline.json (db ${rows} entries, output.txt ${lines} lines)`);
  await app.close();
  await server.close();
  await pm2.connect(true); // the app disconnected; reconnect only to kill the bench's daemon
  await pm2.killDaemon().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
