import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A short simulator run with the dedup judge on: what the near-duplicate decisions were, how
 * many judge calls it took (pairs per call), what the judge cost next to the producers. The
 * simulated judge is our own model (2 % wrong verdicts each way), so these are the pipeline's
 * figures, not a judge's quality. Also: how many lines of output.txt name an item an earlier
 * line already names (the simulator's own identity of a text: its universe, surface noise and
 * misspellings it recognises), and whether a text once merged was ever judged again. Figures
 * go to bench/results/dedup-judge.json.
 *
 *   npm run bench:dedup-judge [-- seconds]
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "igj-"));
process.env.PM2_HOME = path.join(tmp, "pm2"); // before pm2 is loaded
process.env.IGENTAI_SIM_PARAMS = JSON.stringify({ latencyScale: 0.1 });

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 60);
  const { parseServerEnv } = await import("../src/env");
  const { PROVIDER_ENV_NAMES } = await import("../src/lib/provider-settings");
  const { createApp } = await import("../src/server/app");
  const { serveApi } = await import("../src/server/http");
  const pm2 = await import("../src/server/orchestrator/pm2");

  const env = parseServerEnv({
    ...process.env,
    DATABASE_URL: "",
    // No provider of the shell: the simulator only.
    ...Object.fromEntries(PROVIDER_ENV_NAMES.map((name) => [name, ""])),
    IGENTAI_DATA_DIR: tmp,
    IGENTAI_OUTPUT_DIR: path.join(tmp, "output"),
  });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  const server = await serveApi(() => app!);
  app = await createApp({ env, apiUrl: server.url, pm2Daemon: true, log: (l, m) => l === "error" && console.error(`[${l}] ${m}`) });
  const o = app.orchestrator;
  const { runId } = await o.start({ topic: "Famous bridges", producers: 3, requestSize: 60, judge: { enabled: true } });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await o.stop("bench done");

  const prisma = app.db.prisma;
  const [entries, run, kinds, calls] = await Promise.all([
    prisma.entry.count({ where: { runId } }),
    prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { totalCandidates: true } }),
    prisma.dedupDecision.groupBy({ by: ["kind"], where: { runId }, _count: true }),
    prisma.llmCall.findMany({ where: { runId }, select: { producer: true, costUsd: true, itemsParsed: true, error: true } }),
  ]);
  const judge = calls.filter((c) => c.producer === "judge");
  // Lines that repeat an earlier line's item, as the simulator knows its items.
  const { generateUniverse } = await import("../src/lib/sim/universe");
  const { universeIdentify } = await import("../src/lib/sim/judge");
  const { DEFAULT_SIM_PARAMS } = await import("../src/lib/sim/params");
  const { canonicalKey } = await import("../src/lib/dedup");
  const identify = universeIdentify(generateUniverse("Famous bridges", DEFAULT_SIM_PARAMS.universeSize, DEFAULT_SIM_PARAMS.universeSizeJitter));
  const lines = (await prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { text: true } })).map((e) => e.text);
  const seenItems = new Set<string | number>();
  let variantLines = 0;
  let unplaced = 0;
  const examples: string[] = [];
  for (const line of lines) {
    const item = identify(line);
    if (item === null) unplaced++;
    else if (seenItems.has(item)) {
      variantLines++;
      if (examples.length < 10) examples.push(line);
    } else seenItems.add(item);
  }
  const judgedSame = await prisma.dedupDecision.findMany({ where: { runId, kind: "judged-same" }, select: { candidate: true } });
  const mergedKeys = judgedSame.map((d) => canonicalKey(d.candidate));
  const producers = calls.filter((c) => c.producer !== "judge");
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const result = {
    at: new Date().toISOString(),
    seconds,
    producers: 3,
    entries,
    candidates: run.totalCandidates,
    decisions: Object.fromEntries(kinds.map((k) => [k.kind, k._count])),
    judge: {
      calls: judge.length,
      failedCalls: judge.filter((c) => c.error !== null).length,
      verdicts: sum(judge.map((c) => c.itemsParsed)),
      maxCandidatesPerCall: Math.max(0, ...judge.map((c) => c.itemsParsed)),
      costUsd: round(sum(judge.map((c) => c.costUsd)), 6),
    },
    outputTxt: { lines: lines.length, variantLines, variantShare: round(variantLines / Math.max(1, lines.length), 4), unplaced, examples },
    judgePer1000Entries: {
      calls: round((1000 * judge.length) / Math.max(1, entries), 2),
      costUsd: round((1000 * sum(judge.map((c) => c.costUsd))) / Math.max(1, entries), 6),
    },
    textsJudgedSameTwice: mergedKeys.length - new Set(mergedKeys).size,
    producerCalls: producers.length,
    producerCostUsd: round(sum(producers.map((c) => c.costUsd)), 6),
  };
  fs.mkdirSync(path.join(__dirname, "results"), { recursive: true });
  fs.writeFileSync(path.join(__dirname, "results", "dedup-judge.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  await app.close();
  await server.close();
  await pm2.connect(true); // the app disconnected; reconnect only to kill the bench's daemon
  await pm2.killDaemon().catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
