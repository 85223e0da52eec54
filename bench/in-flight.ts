/**
 * npm run bench:in-flight — calls in flight at the simulator with 5 producer processes
 * (the bundle, as pm2 runs it) at `concurrency` 10, the simulator's realistic latency and its
 * rate limits on. A counting proxy in front of the simulator samples the requests open every
 * 250 ms for RUN_SECONDS (default 60, after a 10 s ramp-up). Figures: bench/results/in-flight.json.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startCountingProxy } from "../test/helpers/counting-proxy";
import { MemoryOrchestrator } from "../test/helpers/memory-orchestrator";
import { serveOrchestrator } from "../test/helpers/orchestrator-server";
import { PRODUCER_NODE_FLAGS } from "../src/server/orchestrator/supervisor";
import { startSimulator } from "../src/server/simulator";

const ROOT = path.join(__dirname, "..");
const RUN_SECONDS = Number(process.env.RUN_SECONDS ?? 60);
const PRODUCERS = 5;
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);

async function main() {
  const bundle = path.join(ROOT, "dist", "producer", "main.mjs");
  if (!fs.existsSync(bundle)) throw new Error("no dist/producer/main.mjs: npm run build:producer first");
  const sim = await startSimulator({ params: { universeSize: 200_000, universeSizeJitter: 0 } });
  const proxy = await startCountingProxy(sim.url);
  const orch = new MemoryOrchestrator(
    { topic: "Beetles of the world", target: { provider: "sim", model: "sim-strong" }, requestSize: 100, promptBudgetTokens: 2000, concurrency: CONCURRENCY },
    { poolSize: PRODUCERS },
  );
  const server = await serveOrchestrator(orch, "s3cret");
  const children = Array.from({ length: PRODUCERS }, (_, i) =>
    spawn(process.execPath, [PRODUCER_NODE_FLAGS, bundle], {
      env: { NODE_ENV: "production", PATH: process.env.PATH, IGENTAI_API_URL: server.url, IGENTAI_RUN_ID: "bench", IGENTAI_PRODUCER: `p${i + 1}`, IGENTAI_RUN_SECRET: "s3cret", IGENTAI_SIMULATOR_URL: proxy.url },
      stdio: "ignore",
    }),
  );
  const samples: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 10_000));
    const t0 = Date.now();
    while (Date.now() - t0 < RUN_SECONDS * 1000) {
      samples.push(proxy.stats.inFlight);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((r) => {
            if (c.exitCode !== null) return r(null);
            c.once("exit", r);
            c.kill("SIGINT");
          }),
      ),
    );
    await server.close();
    await proxy.close();
    await sim.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const calls = orch.calls.length;
  const rateLimited = orch.calls.filter((c) => c.error?.kind === "rate_limit").length;
  const figures = {
    producers: PRODUCERS,
    concurrency: CONCURRENCY,
    runSeconds: RUN_SECONDS,
    inFlightMean: Math.round((samples.reduce((a, b) => a + b, 0) / samples.length) * 10) / 10,
    inFlightP50: q(0.5),
    inFlightP10: q(0.1),
    inFlightMax: sorted.at(-1),
    calls,
    rateLimited,
    maxReportedByAProducer: Math.max(...orch.batches.map((b) => b.callsInFlight ?? 0)),
  };
  console.log(figures);
  fs.writeFileSync(path.join(__dirname, "results", "in-flight.json"), JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2) + "\n");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
