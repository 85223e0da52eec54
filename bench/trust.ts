/**
 * npm run bench:trust [-- minutes] — how much of output.txt is true. Real runs as a user starts
 * them: the tRPC API, the orchestrator, 5 producers under pm2 (a pm2 home of its own), the
 * built-in simulator at its documented defaults (invention and off-topic drift on, realistic
 * latency, rate limits), the three simulated models. Each mode runs `minutes` (default 3;
 * BENCH_MINUTES) then stops (pending verification gets the stop's drain time).
 *
 * Modes (BENCH_MODES, default "off,on"): verification off, and on (defaults: 10 % share).
 * For each: output.txt against the simulator's truth (its universe: SimEngine in this process
 * computes the same deterministic universe the server's simulator serves at /sim/universe):
 * precision = lines naming a real member / lines; recall = distinct real members / universe
 * size (and / items the models know between them); invented and off-topic lines; the cost of
 * verification (its spend / the run's), and the recall it cost (real members it rejected).
 * Figures: bench/results/trust.json (BENCH_RESULTS to name another file).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readRealLists } from "../src/server/simulator/real-lists";
import { writeResults } from "./lib/results";

const MINUTES = Number(process.argv[2] ?? process.env.BENCH_MINUTES ?? 3);
const MODES = (process.env.BENCH_MODES ?? "off,on").split(",").map((m) => m.trim()) as Array<"off" | "on">;
/**
 * BENCH_REAL_LIST: a real name list served as the topic's universe (bench/data/explore/subdivisions.json:
 * ISO 3166-2, or timezones.json), so the run is measured on names we did not make; its topic
 * replaces BENCH_TOPIC.
 */
const REAL_LIST = process.env.BENCH_REAL_LIST?.trim() ? path.resolve(process.env.BENCH_REAL_LIST.trim()) : undefined;
if (REAL_LIST) process.env.IGENTAI_SIM_REAL_LISTS = REAL_LIST;
const TOPIC = REAL_LIST ? readRealLists(REAL_LIST)[0]!.topic : (process.env.BENCH_TOPIC ?? "Medieval castles of Europe");
const PRODUCERS = Number(process.env.BENCH_PRODUCERS ?? 5);
const RESULTS = process.env.BENCH_RESULTS ?? "trust";
/** BENCH_SIM_PARAMS (JSON): simulator parameters for the run and its truth, e.g. {"universeSize":20000} for a topic no run exhausts. */
const SIM_PARAMS = process.env.BENCH_SIM_PARAMS?.trim() || undefined;
if (SIM_PARAMS) process.env.IGENTAI_SIM_PARAMS = SIM_PARAMS;

// pm2 reads PM2_HOME when first loaded: a short home of our own, set before anything imports it.
const pm2Home = path.join(os.tmpdir(), `igt-pm2-bench-${process.pid}`);
process.env.PM2_HOME = pm2Home;

async function main() {
  const { startHarness, storedEntries } = await import("../test/helpers/harness");
  const { createTRPCClient, httpLink } = await import("@trpc/client");
  const { SimEngine } = await import("../src/lib/sim/engine");
  const { itemKey } = await import("../src/lib/sim/universe");
  const { OFF_TOPIC_ITEMS } = await import("../src/lib/sim/names");
  const { kindOf, VerifierModel } = await import("../src/lib/trust/verifier-model");
  type Opinion = import("../src/lib/trust/verify-prompt").Opinion;
  type AppRouter = import("../src/server/api/root").AppRouter;

  const truth = new SimEngine(SIM_PARAMS ? JSON.parse(SIM_PARAMS) : undefined, { realUniverses: readRealLists(REAL_LIST) }).universeInfo(TOPIC, true);
  const rankOf = new Map((truth.items ?? []).map((t, r) => [itemKey(t), r]));
  const offTopic = new Set(OFF_TOPIC_ITEMS.map((t) => itemKey(t)));
  const results: Record<string, unknown> = {};
  try {
    for (const mode of MODES) {
      const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), `igentai-db-${process.pid}-`));
      const secret = "bench-trust-secret";
      const h = await startHarness({ db: { dataDir: dbDir }, newSecret: () => secret });
      try {
        const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: h.apiUrl, headers: { "x-igentai-secret": secret } })] });
        const started = Date.now();
        const { runId } = await api.topic.start.mutate({ topic: TOPIC, producers: PRODUCERS, verify: { enabled: mode === "on" } });
        console.log(`[${mode}] running ${MINUTES} min…`);
        while (Date.now() - started < MINUTES * 60_000) {
          await new Promise((r) => setTimeout(r, 30_000));
          const s = await api.topic.status.query();
          // The run may stop itself (its stop rules): nothing more will be written.
          if (s.state !== "running" && s.state !== "starting") {
            console.log(`[${mode}] ${Math.round((Date.now() - started) / 1000)} s: the run is ${s.state}`);
            break;
          }
          const t = await api.trust.summary.query({ runId });
          console.log(
            `[${mode}] ${Math.round((Date.now() - started) / 1000)} s: ${s.totals.unique} entries, $${s.totals.costUsd.toFixed(4)}; ${JSON.stringify(t.counts)}, side ${(100 * t.sideShare).toFixed(1)} %`,
          );
        }
        const stopAt = Date.now();
        // A run that stopped itself is left to finish its stop (its verification drain): a stop
        // request while it is stopping would end the drain at once, as a user's second stop does.
        const state = (await api.topic.status.query()).state;
        if (state === "running" || state === "starting") await api.topic.stop.mutate();
        else while ((await api.topic.status.query()).state === "stopping") await new Promise((r) => setTimeout(r, 500));
        const drainSeconds = (Date.now() - stopAt) / 1000;
        const prisma = h.app.db.prisma;
        const { slug } = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
        const raw = fs.readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8");
        const lines = raw === "" ? [] : raw.replace(/\n$/, "").split("\n");
        const entries = [...(await storedEntries(prisma, runId)).values()];
        const kind = (text: string) => (rankOf.has(itemKey(text)) ? "real" : offTopic.has(itemKey(text)) ? "offTopic" : "other");
        const count = (texts: string[]) => {
          const real = new Set<number>();
          let invented = 0;
          let off = 0;
          for (const t of texts) {
            const k = kind(t);
            if (k === "real") real.add(rankOf.get(itemKey(t))!);
            else if (k === "offTopic") off++;
            else invented++;
          }
          return { lines: texts.length, realLines: texts.length - invented - off, distinctReal: real.size, invented, offTopic: off };
        };
        const file = count(lines);
        // The simple reference on the same run: keep what several models, or one model in 3 calls, proposed; no verification.
        const ref = count(entries.filter((e) => e.support.models >= 2 || e.support.calls >= 3).map((e) => e.text));
        const reference = { ...ref, precision: round(ref.realLines / Math.max(1, ref.lines)), recall: round(ref.distinctReal / truth.size) };
        // A line whose name is a real member but which carries a description the name does not have.
        const described = lines.filter((t) => kind(t) !== "real" && rankOf.has(itemKey(t.replace(/\s*(\(.*\)|\s[-–—]\s.*|[:,]\s.*)\s*[.!]?$/, ""))));
        // Where single-model entries end up, by truth and support (calls): the evidence a policy can use.
        const singles: Record<string, Record<string, number>> = {};
        for (const e of entries) {
          if (e.support.models > 1) continue;
          const key = `${kind(e.text)} calls=${Math.min(3, e.support.calls)}${e.support.calls >= 3 ? "+" : ""}`;
          const row = (singles[key] ??= {});
          row[e.verdict ?? "unverified"] = (row[e.verdict ?? "unverified"] ?? 0) + 1;
        }
        // Producer calls per 30 s: new entries and their cost (what the marginal-yield stop sees).
        const producerCalls = await prisma.llmCall.findMany({
          where: { runId, producer: { notIn: ["verify", "judge", "tree"] }, error: null },
          select: { at: true, itemsNew: true, costUsd: true },
          orderBy: { at: "asc" },
        });
        const yieldBy30s: Array<{ s: number; calls: number; fresh: number; usd: number }> = [];
        for (const c of producerCalls) {
          const k = Math.floor((c.at.getTime() - started) / 30_000);
          const b = (yieldBy30s[k] ??= { s: k * 30, calls: 0, fresh: 0, usd: 0 });
          b.calls++;
          b.fresh += c.itemsNew;
          b.usd = round(b.usd + c.costUsd, 6);
        }
        // New entries per 30 s by truth and by what verification made of them: where the invented lines come from.
        const entryTimes = await prisma.entry.findMany({ where: { runId }, select: { text: true, createdAt: true, verdict: true } });
        const entriesBy30s: Array<Record<string, number>> = [];
        for (const e of entryTimes) {
          const k = Math.floor((e.createdAt.getTime() - started) / 30_000);
          const b = (entriesBy30s[k] ??= { s: k * 30 });
          const key = `${kind(e.text)} ${e.verdict === "rejected" ? "rejected" : "kept"}`;
          b[key] = (b[key] ?? 0) + 1;
        }
        const verifyByModel = await prisma.llmCall.groupBy({
          by: ["model"],
          where: { runId, producer: "verify" },
          _sum: { costUsd: true, itemsParsed: true, promptTokens: true },
          _count: true,
        });
        const branches = await prisma.branch.findMany({ where: { runId }, select: { id: true, state: true, calls: true, newEntries: true } });
        const saturations = await prisma.event.findMany({ where: { runId, kind: "tree.saturated" }, select: { at: true, message: true } });
        const armPauses = await prisma.event.findMany({ where: { runId, kind: "tree.arm-paused" }, select: { message: true } });
        // Entries only one model proposed, by that model: real and invented (what an arm's precision sees).
        const byModel: Record<string, { real: number; invented: number }> = {};
        for (const e of entries) {
          if (e.support.models > 1) continue;
          const m = (byModel[e.support.modelList[0] ?? ""] ??= { real: 0, invented: 0 });
          if (kind(e.text) === "real") m.real++;
          else m.invented++;
        }
        const run = await prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { stretches: true } });
        const all = count(entries.map((e) => e.text));
        // The verifier model as the run would learn it (refitted on every opinion stored), against the truth.
        const checks = await prisma.entryCheck.findMany({
          where: { runId },
          select: { seq: true, provider: true, model: true, opinion: true },
          orderBy: { id: "asc" },
        });
        const bySeq = new Map(entries.map((e) => [e.seq, e]));
        const observed = new Map<number, { kind: string; anchor: boolean; asked: string[]; opinions: Opinion[]; truth: string }>();
        for (const c of checks) {
          const e = bySeq.get(c.seq);
          if (!e) continue;
          const models = e.support.modelList;
          const o = observed.get(c.seq) ?? { kind: kindOf(models, e.support.calls), anchor: models.length >= 2, asked: [], opinions: [], truth: kind(e.text) };
          o.asked.push(`${c.provider}:${c.model}`);
          o.opinions.push(c.opinion as Opinion);
          observed.set(c.seq, o);
        }
        const vm = new VerifierModel();
        vm.fit([...observed.values()]);
        const trueRates: Record<string, Record<string, Record<string, number>>> = {};
        for (const o of observed.values())
          for (const [k, v] of o.asked.entries()) {
            const t = ((trueRates[v] ??= {})[o.truth] ??= {});
            t[o.opinions[k]!] = (t[o.opinions[k]!] ?? 0) + 1;
          }
        const kinds = [...new Set([...observed.values()].map((o) => o.kind))];
        const verifierModel = {
          learnt: vm.describe(),
          trueOpinionCounts: trueRates,
          inventedShareByKind: Object.fromEntries(
            kinds.map((k) => {
              const of = [...observed.values()].filter((o) => o.kind === k);
              return [k, { n: of.length, learnt: round(vm.inventedShare(k), 3), true: round(of.filter((o) => o.truth !== "real").length / of.length, 3) }];
            }),
          ),
        };
        // Opinions per entry, by support: entries several models (or one in 3 calls) proposed need only the on-topic check.
        const opinionsPerEntry: Record<string, Record<string, number>> = {};
        for (const [seq, o] of observed) {
          const e = bySeq.get(seq)!;
          const key = `${e.support.models >= 2 || e.support.calls >= 3 ? "supported" : "single"} ${o.truth}`;
          const row = (opinionsPerEntry[key] ??= {});
          const n = `${o.opinions.length} ${e.verdict ?? "unverified"}`;
          row[n] = (row[n] ?? 0) + 1;
        }
        // What opinions after the first bought: for output.txt only a rejection changes anything (an unverified entry stays).
        // By first opinion: entries asked again, their final verdict and truth.
        const afterFirst: Record<string, Record<string, number>> = {};
        for (const [seq, o] of observed) {
          const pending = o.opinions.length === 1 && bySeq.get(seq)!.verdict === null;
          if (o.opinions.length < 2 && !pending) continue;
          const row = (afterFirst[`first ${o.opinions[0]}${pending ? ", not asked again" : ""}`] ??= {});
          const key = `${bySeq.get(seq)!.verdict ?? "unverified"} ${o.truth}`;
          row[key] = (row[key] ?? 0) + 1;
        }
        // The stop's verification drain as the run reported it (its event), whoever stopped the run.
        const drained = await prisma.event.findFirst({ where: { runId, kind: "trust.drained" }, select: { data: true, message: true } });
        const summary = await api.trust.summary.query({ runId });
        const calls = await prisma.llmCall.groupBy({ by: ["producer"], where: { runId }, _sum: { costUsd: true }, _count: true });
        const spend = (p: string) => calls.find((c) => c.producer === p)?._sum.costUsd ?? 0;
        const rejectedReal = entries.filter((e) => e.verdict === "rejected" && kind(e.text) === "real").length;
        const rejected = entries.filter((e) => e.verdict === "rejected");
        results[mode] = {
          minutes: MINUTES,
          producers: PRODUCERS,
          output: {
            ...file,
            precision: round(file.realLines / Math.max(1, file.lines)),
            recall: round(file.distinctReal / truth.size),
            recallOfReachable: round(file.distinctReal / truth.reachable),
          },
          supportOnlyReference: reference,
          allEntries: { ...all, precision: round(all.realLines / Math.max(1, all.lines)), recall: round(all.distinctReal / truth.size) },
          verdicts: summary.counts,
          rejected: {
            total: rejected.length,
            real: rejectedReal,
            invented: rejected.filter((e) => kind(e.text) === "other").length,
            offTopic: rejected.filter((e) => kind(e.text) === "offTopic").length,
          },
          /** Recall verification cost inside this run: real members it rejected / universe size. */
          recallCostPoints: round((100 * rejectedReal) / truth.size),
          singleModelEntries: entries.filter((e) => e.support.models <= 1).length,
          spend: {
            totalUsd: round(summary.costUsd, 6),
            verifyUsd: round(spend("verify"), 6),
            judgeUsd: round(spend("judge"), 6),
            verifyCalls: summary.verify.calls,
            verifyFailedCalls: await prisma.llmCall.count({ where: { runId, producer: "verify", error: { not: null } } }),
            verifyErrors: (await prisma.llmCall.findMany({ where: { runId, producer: "verify", error: { not: null } }, select: { error: true }, take: 3 })).map(
              (c) => c.error,
            ),
            sideShare: round(summary.sideShare),
          },
          stopDrainSeconds: Math.round(drainSeconds),
          drain: drained ? { ...(drained.data as object), message: drained.message } : null,
          unverifiedBySupport: {
            supported: entries.filter((e) => e.verdict === null && (e.support.models >= 2 || e.support.calls >= 3)).length,
            single: entries.filter((e) => e.verdict === null && e.support.models < 2 && e.support.calls < 3).length,
          },
          opinionsPerEntry,
          afterFirst,
          descriptionLines: described.length,
          descriptionExamples: described.slice(0, 5),
          singleModelEntriesByTruth: singles,
          stretches: run.stretches,
          yieldBy30s: yieldBy30s.filter(Boolean),
          entriesBy30s: entriesBy30s.filter(Boolean),
          tree: {
            branches: branches.length,
            byState: Object.fromEntries(["open", "saturated", "pinned", "pruned"].map((st) => [st, branches.filter((b) => b.state === st).length])),
            rootCalls: branches.find((b) => b.id === 0)?.calls ?? 0,
            rootNew: branches.find((b) => b.id === 0)?.newEntries ?? 0,
            saturatedByVerification: saturations.filter((e) => e.message.includes("verification")).length,
            saturatedByYield: saturations.filter((e) => !e.message.includes("verification")).length,
            armPauses: armPauses.length,
            armPauseExamples: armPauses.slice(0, 3).map((e) => e.message),
          },
          singleModelEntriesByModel: byModel,
          verifyByModel: verifyByModel.map((v) => ({
            model: v.model,
            calls: v._count,
            opinions: v._sum.itemsParsed,
            promptTokens: v._sum.promptTokens,
            usd: round(v._sum.costUsd ?? 0, 6),
          })),
          offTopicLinesInOutput: lines.filter((t) => kind(t) === "offTopic"),
          verifierModel,
        };
        console.log(`[${mode}]`, JSON.stringify(results[mode]));
      } finally {
        await h.close();
        fs.rmSync(dbDir, { recursive: true, force: true });
      }
    }
  } finally {
    const { spawnSync } = await import("node:child_process");
    spawnSync(process.execPath, [path.join("node_modules", "pm2", "bin", "pm2"), "kill"], { env: { ...process.env, PM2_HOME: pm2Home }, stdio: "ignore" });
    fs.rmSync(pm2Home, { recursive: true, force: true });
  }
  writeResults(RESULTS, {
    topic: TOPIC,
    universe: { size: truth.size, reachable: truth.reachable },
    simulator: SIM_PARAMS
      ? `documented defaults but ${SIM_PARAMS}`
      : "documented defaults (seed 1, invention 1, junkRate per model, latencyScale 1, rate limits on)",
    ...(REAL_LIST ? { realList: path.relative(process.cwd(), REAL_LIST) } : {}),
    ...results,
  });
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
