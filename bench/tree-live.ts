/**
 * npm run bench:tree-live — the product end to end, `flat` vs `tree`: the same topic, the same
 * 3 producers (pm2) and models, the simulator's hierarchical universe, for BENCH_SECONDS each
 * (default 120), each mode on a fresh embedded database. Records unique entries, the share of
 * the universe found (asked from the simulator's /sim/universe), tokens and cost every 15 s.
 * Beside them, `reference`: bench:explore's simple partitioned loop (bench/lib/partitioned-loop.ts)
 * on the same wire path (the same models over their SDKs against the same simulator, 3 calls at
 * once, the product's dedup) but without the orchestrator. BENCH_MODES picks modes (default all).
 * The summary compares the modes at equal tokens. Figures go to bench/results/tree-live.json.
 */
import { spawnSync } from "node:child_process";
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
const SIM_PARAMS = { universeSize: UNIVERSE, universeShape: "hierarchical", categories: CATEGORIES, latencyScale: 0.25 } as const;
process.env.IGENTAI_SIM_PARAMS = JSON.stringify(SIM_PARAMS);
const MODES = (process.env.BENCH_MODES ?? "reference,flat,tree").split(",").map((m) => m.trim());
/** Token budgets the summary compares the modes at (read off each curve). */
const AT_TOKENS = [100_000, 250_000, 500_000];

type Point = { seconds: number; unique: number; universeFound: number; tokens: number; costUsd: number };
/** One mode's readings; `stoppedItself`: it ended before BENCH_SECONDS (its stop rules, or the loop dropped every subtopic). */
type ModeResult = {
  points: Point[];
  branches: number;
  breakdownCalls: number;
  stoppedItself: boolean;
  byModel?: Record<string, { calls: number; entries: number; real: number }>;
};

async function main(): Promise<void> {
  const { parseServerEnv } = await import("../src/env");
  const { PROVIDER_ENV_NAMES } = await import("../src/lib/provider-settings");
  const { createApp } = await import("../src/server/app");
  const { serveApi } = await import("../src/server/http");
  const { itemKey } = await import("../src/lib/sim/universe");

  const results: Record<string, ModeResult> = {};
  if (MODES.includes("reference")) results.reference = await runReference();
  for (const exploration of (["flat", "tree"] as const).filter((m) => MODES.includes(m))) {
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
    // BENCH_VERIFY=1: verification on, as it is by default with real keys (off with the simulator alone).
    const { runId } = await o.start({ topic: TOPIC, producers: 3, exploration, ...(process.env.BENCH_VERIFY === "1" ? { verify: { enabled: true } } : {}) });
    const simUrl = ((await app.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).config as { simulatorUrl: string }).simulatorUrl;
    const truth = (await (await fetch(`${simUrl}/sim/universe?items=1&topic=${encodeURIComponent(TOPIC)}`)).json()) as { items: string[] };
    const inUniverse = new Set(truth.items.map(itemKey));
    const points: Point[] = [];
    const t0 = performance.now();
    let stoppedItself = false;
    for (let s = 15; s <= SECONDS; s += 15) {
      await new Promise((r) => setTimeout(r, t0 + s * 1000 - performance.now()));
      const snap = o.snapshot();
      // The run stopped itself (its stop rules): its last reading stands.
      stoppedItself = !snap.run;
      if (stoppedItself) break;
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
    // Per model: item calls, entries it proposed first and how many of them are real.
    const calls = await app.db.prisma.llmCall.groupBy({ by: ["model"], where: { runId, producer: { notIn: ["tree", "judge", "verify"] } }, _count: true });
    const entries = await app.db.prisma.entry.findMany({ where: { runId }, select: { text: true, model: true } });
    const byModel: Record<string, { calls: number; entries: number; real: number }> = {};
    for (const c of calls) byModel[c.model] = { calls: c._count, entries: 0, real: 0 };
    for (const e of entries) {
      const m = (byModel[e.model] ??= { calls: 0, entries: 0, real: 0 });
      m.entries++;
      if (inUniverse.has(itemKey(e.text))) m.real++;
    }
    console.log(exploration, byModel);
    const branches = await app.db.prisma.branch.count({ where: { runId } });
    const breakdownCalls = await app.db.prisma.llmCall.count({ where: { runId, producer: "tree" } });
    await app.close();
    await server.close();
    results[exploration] = { points, branches, breakdownCalls, stoppedItself, byModel };
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
      ...Object.fromEntries(Object.keys(results).map((m) => [m, last(m)])),
      // Share of the universe found once each mode had spent these tokens; a mode that stopped
      // itself before has its final share (what that budget buys); null: cut by BENCH_SECONDS first.
      atTokens: Object.fromEntries(AT_TOKENS.map((t) => [t, Object.fromEntries(Object.keys(results).map((m) => [m, foundAt(results[m]!, t)]))])),
    },
  };
  fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
  fs.writeFileSync(path.join(__dirname, "results", `${process.env.BENCH_RESULTS ?? "tree-live"}.json`), JSON.stringify(out, null, 2) + "\n");
  console.log(JSON.stringify(out.summary, null, 2));
  // The bench's daemon, killed by pm2's own CLI: reconnecting the programmatic client after a run
  // that stopped itself crashed inside pm2 (Client.js:365, `sock` of null) and left the daemon.
  spawnSync(process.execPath, [path.join("node_modules", "pm2", "bin", "pm2"), "kill"], { env: process.env, stdio: "ignore" });
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** The share found when `tokens` were spent, interpolated between the two readings around it (see atTokens). */
function foundAt(result: ModeResult, tokens: number): number | null {
  let before = { tokens: 0, universeFound: 0 };
  for (const p of result.points) {
    if (p.tokens >= tokens)
      return round(before.universeFound + ((p.universeFound - before.universeFound) * (tokens - before.tokens)) / Math.max(1, p.tokens - before.tokens));
    before = p;
  }
  return result.stoppedItself ? before.universeFound : null;
}

/**
 * The reference on the real path: the partitioned loop calling the product's default models
 * through the producers' SDK clients against a simulator with the same parameters, 3 calls at
 * once (the product's 3 producers), new entries told by the product's EntryLedger.
 */
async function runReference(): Promise<ModeResult> {
  const { startSimulator } = await import("../src/server/simulator");
  const { createLlmResolver } = await import("../src/server/producer/llm/factory");
  const { EntryLedger } = await import("../src/lib/entry-ledger");
  const { parseItems } = await import("../src/lib/parse-items");
  const { classifyCandidates } = await import("../src/lib/tree/explorer");
  const { simCallCostUsd } = await import("../src/lib/sim/models");
  const { itemKey } = await import("../src/lib/sim/universe");
  const { PROVIDERS } = await import("../src/lib/providers");
  const { PartitionedLoop } = await import("./lib/partitioned-loop");
  const sim = await startSimulator({ params: SIM_PARAMS });
  try {
    const truth = (await (await fetch(`${sim.url}/sim/universe?items=1&topic=${encodeURIComponent(TOPIC)}`)).json()) as { items: string[] };
    const inUniverse = new Set(truth.items.map(itemKey));
    const models = PROVIDERS.sim.defaultModels;
    const loop = new PartitionedLoop(TOPIC, { models, breakdownModel: PROVIDERS.sim.cheapModel, promptBudgetTokens: 2_000 });
    const client = createLlmResolver({ simulatorUrl: sim.url, callTimeoutMs: 60_000 });
    const ledger = new EntryLedger();
    let tokens = 0;
    let costUsd = 0;
    let found = 0;
    let unique = 0;
    let breakdownCalls = 0;
    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    const worker = async () => {
      while (performance.now() < end && !loop.done) {
        const call = loop.next();
        if (!call) {
          await new Promise((r) => setTimeout(r, 100)); // a breakdown is in flight
          continue;
        }
        const r = client({ provider: "sim", model: call.model });
        if (!("client" in r)) throw new Error(r.unavailable);
        const started = performance.now();
        const res = await r.client
          .stream({ system: call.system, user: call.user, maxTokens: call.maxTokens, signal: AbortSignal.timeout(60_000), onText: () => undefined })
          .catch(() => null); // a rate limit or an overload: the loop asks again
        if (!res) {
          if (call.kind === "breakdown") loop.onBreakdown(call, null, false);
          await new Promise((r) => setTimeout(r, 1_000));
          continue;
        }
        const used = (res.promptTokens ?? 0) + (res.completionTokens ?? 0);
        const cost = simCallCostUsd(call.model as SimModel, res.promptTokens ?? 0, res.completionTokens ?? 0);
        tokens += used;
        costUsd += cost;
        if (call.kind === "breakdown") {
          breakdownCalls++;
          loop.onBreakdown(call, res.text, res.truncated);
          continue;
        }
        const { newEntries, reproposed } = classifyCandidates(ledger, parseItems(res.text, { truncated: res.truncated }));
        unique += newEntries.length;
        for (const t of newEntries) if (inUniverse.has(itemKey(t))) found++;
        loop.onItems(call, { newEntries, reproposed, tokens: used, costUsd: cost, latencyMs: performance.now() - started });
      }
    };
    const points: Point[] = [];
    const reading = (async () => {
      for (let s = 15; s <= SECONDS; s += 15) {
        await new Promise((r) => setTimeout(r, t0 + s * 1000 - performance.now()));
        points.push({ seconds: s, unique, universeFound: round(found / truth.items.length), tokens, costUsd: round(costUsd, 5) });
        console.log("reference", points.at(-1));
      }
    })();
    await Promise.all([worker(), worker(), worker(), reading]);
    return { points, branches: loop.subtopics.length, breakdownCalls, stoppedItself: loop.done };
  } finally {
    await sim.close();
  }
}

type SimModel = import("../src/lib/sim/models").SimModelId;

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
