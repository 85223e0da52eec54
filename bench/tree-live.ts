/**
 * npm run bench:tree-live — the product end to end, `flat` vs `tree`: the same topic, the same
 * 3 producers (pm2) and models, the simulator's hierarchical universe, for BENCH_SECONDS each
 * (default 120), each mode on a fresh embedded database. Records unique entries, the share of
 * the universe found (asked from the simulator's /sim/universe), tokens and cost every 15 s.
 * Figures go to bench/results/tree-live.json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const UNIVERSE = Number(process.env.BENCH_UNIVERSE ?? 5000);
/** Categories of the universe: many, as in a large real topic (bench:explore's real one has 200). */
const CATEGORIES = Number(process.env.BENCH_CATEGORIES ?? 40);
const TOPIC = "Bench: plants of the world";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "igbt-"));
process.env.PM2_HOME = path.join(tmp, "pm2"); // before pm2 is loaded
process.env.IGENTAI_SIM_PARAMS = JSON.stringify({ universeSize: UNIVERSE, universeShape: "hierarchical", categories: CATEGORIES, latencyScale: 0.25 });

type Point = { seconds: number; unique: number; universeFound: number; tokens: number; costUsd: number };

async function main(): Promise<void> {
  const { parseServerEnv } = await import("../src/env");
  const { PROVIDER_ENV_NAMES } = await import("../src/lib/provider-settings");
  const { createApp } = await import("../src/server/app");
  const { serveApi } = await import("../src/server/http");
  const { itemKey } = await import("../src/lib/sim/universe");
  const pm2 = await import("../src/server/orchestrator/pm2");

  const results: Record<string, { points: Point[]; branches: number; breakdownCalls: number }> = {};
  for (const exploration of ["flat", "tree"] as const) {
    const dir = path.join(tmp, exploration);
    const env = parseServerEnv({
      ...process.env,
      DATABASE_URL: "",
      // No provider of the shell: the simulator only.
      ...Object.fromEntries(PROVIDER_ENV_NAMES.map((name) => [name, ""])),
      IGENTAI_DATA_DIR: dir,
      IGENTAI_OUTPUT_DIR: path.join(dir, "output"),
    });
    let app: Awaited<ReturnType<typeof createApp>> | undefined;
    const server = await serveApi(() => app!);
    app = await createApp({ env, apiUrl: server.url, pm2Daemon: true, log: (l, m) => l === "error" && console.error(`[${l}] ${m}`) });
    const o = app.orchestrator;
    const { runId } = await o.start({ topic: TOPIC, producers: 3, exploration });
    const simUrl = ((await app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).config as { simulatorUrl: string }).simulatorUrl;
    const truth = (await (await fetch(`${simUrl}/sim/universe?items=1&topic=${encodeURIComponent(TOPIC)}`)).json()) as { items: string[] };
    const inUniverse = new Set(truth.items.map(itemKey));
    const points: Point[] = [];
    const t0 = performance.now();
    for (let s = 15; s <= SECONDS; s += 15) {
      await new Promise((r) => setTimeout(r, t0 + s * 1000 - performance.now()));
      const snap = o.snapshot();
      const texts = await app.db.prisma.entry.findMany({ where: { runId }, select: { text: true } });
      const found = texts.filter((e) => inUniverse.has(itemKey(e.text))).length;
      points.push({
        seconds: s,
        unique: snap.totals.unique,
        universeFound: round(found / truth.items.length),
        tokens: snap.totals.promptTokens + snap.totals.completionTokens,
        costUsd: round(snap.totals.costUsd, 5),
      });
      console.log(exploration, points.at(-1));
    }
    const branches = await app.db.prisma.branch.count({ where: { runId } });
    const breakdownCalls = await app.db.prisma.llmCall.count({ where: { runId, producer: "tree" } });
    await app.close();
    await server.close();
    results[exploration] = { points, branches, breakdownCalls };
  }
  const last = (m: string) => results[m]!.points.at(-1)!;
  const out = {
    at: new Date().toISOString(),
    setup: {
      topic: TOPIC,
      universe: UNIVERSE,
      shape: "hierarchical",
      categories: CATEGORIES,
      producers: 3,
      models: "sim-strong, sim-weak, sim-claude (the defaults)",
      seconds: SECONDS,
      latencyScale: 0.25,
      machine: "2 cores shared with other work",
    },
    results,
    summary: {
      flat: last("flat"),
      tree: last("tree"),
      uniqueRatio: round(last("tree").unique / Math.max(1, last("flat").unique)),
      universeFoundRatio: round(last("tree").universeFound / Math.max(1e-9, last("flat").universeFound)),
    },
  };
  fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
  fs.writeFileSync(path.join(__dirname, "results", "tree-live.json"), JSON.stringify(out, null, 2) + "\n");
  console.log(JSON.stringify(out.summary, null, 2));
  await pm2.connect(true); // the apps disconnected; reconnect only to kill the bench's daemon
  await pm2.killDaemon().catch(() => undefined);
  pm2.disconnect();
  fs.rmSync(tmp, { recursive: true, force: true });
}

function round(x: number, d = 3): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  },
);
