/**
 * npm run bench:in-flight — calls in flight at the simulator through the real server: the
 * production web server (`next start`, .next built), a run started over tRPC with 5 producers
 * at `concurrency` 10 (the assignment carries it to the producers, which pm2 runs from the
 * bundle), the simulator's realistic latency and its rate limits on. A counting proxy in front
 * of the simulator samples the requests open every 250 ms for RUN_SECONDS (default 60, after a
 * 20 s ramp-up); the live snapshot's calls in flight (what the dashboard shows) are read every
 * second. Port: IN_FLIGHT_PORT (default 8196). Figures: bench/results/in-flight.json.
 */
import { createTRPCClient, httpLink } from "@trpc/client";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pm2Kill, startServer, stopServer, type TestServer } from "../e2e/support/server";
import type { AppRouter } from "../src/server/api/root";
import { startSimulator } from "../src/server/simulator";
import { startCountingProxy } from "../test/helpers/counting-proxy";

const ROOT = path.join(__dirname, "..");
const RUN_SECONDS = Number(process.env.RUN_SECONDS ?? 60);
const PORT = Number(process.env.IN_FLIGHT_PORT ?? 8196);
const PRODUCERS = 5;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID")) || !fs.existsSync(path.join(ROOT, "dist", "producer", "main.mjs"))) {
    throw new Error("no production build: npm run build first");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igt-inflight-"));
  const sim = await startSimulator({ params: { universeSize: 200_000, universeSizeJitter: 0 } });
  const proxy = await startCountingProxy(sim.url);
  let server: TestServer | undefined;
  const samples: number[] = [];
  const reported: number[] = [];
  let status: Awaited<ReturnType<ReturnType<typeof createTRPCClient<AppRouter>>["topic"]["status"]["query"]>> | undefined;
  try {
    server = await startServer({
      port: PORT,
      dir,
      pm2Home: path.join(dir, "pm2"),
      log: path.join(dir, "server.log"),
      // Realistic latency (no speed-up), rate limits on; producers reach the simulator through the proxy.
      env: { IGENTAI_SIMULATOR_URL: proxy.url, IGENTAI_SIM_PARAMS: "", IGENTAI_PRODUCERS: String(PRODUCERS) },
    });
    const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/api/trpc` })] });
    await trpc.topic.start.mutate({ topic: "Beetles of the world", producers: PRODUCERS, concurrency: CONCURRENCY, requestSize: 100 });
    await sleep(20_000);
    const t0 = Date.now();
    let nextRead = 0;
    while (Date.now() - t0 < RUN_SECONDS * 1000) {
      samples.push(proxy.stats.inFlight);
      if (Date.now() >= nextRead) {
        nextRead = Date.now() + 1000;
        status = await trpc.topic.status.query();
        reported.push(status.producers.reduce((n, p) => n + (p.callsInFlight ?? 0), 0));
      }
      await sleep(250);
    }
    await trpc.topic.stop.mutate();
  } finally {
    if (server) {
      await stopServer(server);
      await pm2Kill(server.pm2Home);
    }
    await proxy.close();
    await sim.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 10) / 10;
  const totals = status?.totals;
  const figures = {
    through: "next start (production server), topic.start over tRPC, producers under pm2 (bundle)",
    producers: PRODUCERS,
    concurrency: CONCURRENCY,
    runSeconds: RUN_SECONDS,
    inFlightMean: mean(samples),
    inFlightP50: q(0.5),
    inFlightP10: q(0.1),
    inFlightMax: sorted.at(-1),
    dashboardInFlightMean: mean(reported),
    dashboardInFlightMax: Math.max(0, ...reported),
    calls: totals?.calls ?? null,
    rateLimited: totals?.errors.rate_limit ?? 0,
    entries: totals?.unique ?? null,
  };
  console.log(figures);
  fs.writeFileSync(path.join(__dirname, "results", "in-flight.json"), JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2) + "\n");
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
