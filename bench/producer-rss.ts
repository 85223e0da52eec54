/**
 * npm run bench:producer-rss — one producer process's memory through a run on the simulator
 * (realistic latency, 1 s of answers per call or so), as pm2 would run it:
 *   bundle:  node --max-semi-space-size=1 dist/producer/main.mjs (what `npm run build` makes and the supervisor prefers)
 *   source:  node --import tsx src/server/producer/main.ts (development, tests)
 *   [before: the same, from another checkout: IGENTAI_BEFORE_DIR=/path/to/old/checkout]
 * Each runs RUN_SECONDS (default 60) against an in-memory orchestrator served over tRPC,
 * VmRSS read from /proc every second; concurrency 1 and 10. Figures: bench/results/producer-rss.json.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { MemoryOrchestrator } from "../test/helpers/memory-orchestrator";
import { serveOrchestrator } from "../test/helpers/orchestrator-server";
import { PRODUCER_NODE_FLAGS } from "../src/server/orchestrator/supervisor";
import { startSimulator } from "../src/server/simulator";

const ROOT = path.join(__dirname, "..");
const RUN_SECONDS = Number(process.env.RUN_SECONDS ?? 60);

type Variant = { name: string; cwd: string; args: string[] };

function vmRssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
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
  const child = spawn(process.execPath, v.args, {
    cwd: v.cwd,
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH,
      IGENTAI_API_URL: server.url,
      IGENTAI_RUN_ID: "bench",
      IGENTAI_PRODUCER: "p1",
      IGENTAI_RUN_SECRET: "s3cret",
      IGENTAI_SIMULATOR_URL: simUrl,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const samples: number[] = [];
  for (let s = 0; s < RUN_SECONDS && child.exitCode === null; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const rss = vmRssMb(child.pid!);
    if (rss !== null) samples.push(rss);
  }
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  await exited;
  await server.close();
  const figures = {
    variant: v.name,
    concurrency,
    calls: orch.calls.length,
    entries: orch.entries.length,
    rssMaxMb: Math.max(...samples),
    rssLastMb: samples.at(-1) ?? null,
    rssAfter5sMb: samples[4] ?? null,
    stderrWarnings: stderr
      .split("\n")
      .filter((l) => /warn|TypeScript/i.test(l))
      .slice(0, 3),
  };
  console.log(JSON.stringify(figures));
  return figures;
}

async function main() {
  const variants: Variant[] = [
    { name: "bundle (node dist/producer/main.mjs)", cwd: ROOT, args: [...PRODUCER_NODE_FLAGS, path.join(ROOT, "dist", "producer", "main.mjs")] },
    { name: "source (node --import tsx)", cwd: ROOT, args: ["--import", "tsx", path.join(ROOT, "src", "server", "producer", "main.ts")] },
  ];
  const before = process.env.IGENTAI_BEFORE_DIR;
  if (before)
    variants.push({
      name: `before: ${path.basename(before)} (node --import tsx)`,
      cwd: before,
      args: ["--import", "tsx", path.join(before, "src", "server", "producer", "main.ts")],
    });
  if (!fs.existsSync(variants[0]!.args.at(-1)!)) throw new Error("no dist/producer.js: npm run build:producer first");

  // Realistic latency, no faults or rate limits: the producer's steady state.
  const sim = await startSimulator({ params: { errorRate500: 0, overloadRate: 0, rateLimits: false, universeSize: 50_000 } });
  const results = [];
  try {
    for (const v of variants) for (const c of [1, 10]) results.push(await measure(v, sim.url, c));
  } finally {
    await sim.close();
  }
  const file = path.join(__dirname, "results", "producer-rss.json");
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), runSeconds: RUN_SECONDS, results }, null, 2) + "\n");
  console.log(`written ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
