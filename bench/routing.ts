/**
 * npm run bench:routing — routing strategies side by side on one simulated run of fixed size:
 * the same budget of 300 LLM calls from 5 producers over sim-strong, sim-weak and sim-claude,
 * routed by `adaptive` and by `roundrobin`. Every call is a real SDK call to the simulator
 * (zero latency, no rate limits, no random faults) with the producer's prompt; the dedup engine
 * and the Optimizer run in process, as in the orchestrator.
 *
 * Time is simulated: producers run event by event in the order their calls would end, each call
 * lasting the simulator's modelled latency (at latencyScale 1) for the tokens it used, so the
 * router sees minutes of a run and the result does not depend on the machine's speed.
 *
 * Also measured: the coverage estimate (from re-proposals) against the simulator's true topic
 * size (`GET /sim/universe`), at the moment about half of it has been found.
 * Figures go to bench/results/routing.json.
 */
import fs from "node:fs";
import path from "node:path";
import { cleanCandidate } from "../src/lib/candidate";
import type { CoverageEstimate } from "../src/lib/coverage";
import { createDedupEngine } from "../src/lib/dedup";
import { parseItems } from "../src/lib/parse-items";
import { callCostUsd, createPriceTable } from "../src/lib/pricing";
import { buildPrompt, KnownEntries, maxTokensFor } from "../src/lib/prompt";
import type { RunConfig, StrategyName } from "../src/lib/run-config";
import { isSimModelId, SIM_MODEL_PROFILES } from "../src/lib/sim/models";
import { seededRng } from "../src/lib/stats/math";
import { Optimizer } from "../src/server/orchestrator/optimizer";
import { createLlmResolver } from "../src/server/producer/llm/factory";
import { LlmCallError } from "../src/server/producer/llm/types";
import { startSimulator } from "../src/server/simulator";

const TOPIC = "Birds of the world";
const CALLS = 300;
const PRODUCERS = 5;
const REQUEST_SIZE = 50;
const PROMPT_BUDGET_TOKENS = 1_000;
// A topic the budget gets well past half of (5k entries) without exhausting it.
const SIM_PARAMS = { seed: 11, latencyScale: 0, rateLimits: false, errorRate500: 0, overloadRate: 0, universeSize: 5_000, universeSizeJitter: 0 };
const STRATEGIES: StrategyName[] = ["adaptive", "roundrobin"];
const PROVIDERS: RunConfig["providers"] = [
  { provider: "sim", model: "sim-strong", weight: 1 },
  { provider: "sim", model: "sim-weak", weight: 1 },
  { provider: "sim", model: "sim-claude", weight: 1 },
];

type Universe = { topic: string; size: number; knownByModel: Record<string, number>; reachable: number };

type CoverageCheck = {
  /** Entries found when the estimate was made. */
  observed: number;
  estimatedTotal: number;
  low: number;
  high: number | null;
  method: string;
  /** (estimate - truth) / truth, in %, against what the three models can reach and against the whole universe. */
  errorVsReachablePct: number;
  errorVsUniversePct: number;
  reachableInBand: boolean;
};

type TargetFigures = { calls: number; share: number; unique: number; uniquePerCall: number; costUsd: number };

type StrategyFigures = {
  calls: number;
  failedCalls: number;
  unique: number;
  simulatedMinutes: number;
  uniquePerSimulatedMinute: number;
  promptTokens: number;
  completionTokens: number;
  uniquePer1kTokens: number;
  costUsd: number;
  uniquePerDollar: number;
  duplicateRate: number;
  byTarget: Record<string, TargetFigures>;
  /** Traffic share of each target over the last third of the calls. */
  lateShares: Record<string, number>;
  decisions: number;
  decisionsScored: number;
  decisionsImproved: number;
  coverageAtHalf: CoverageCheck | null;
  coverageAtEnd: CoverageCheck | null;
  seconds: number;
};

type Pending = {
  producer: string;
  target: string;
  model: string;
  startedAt: number;
  at: number;
  items: string[];
  promptTokens: number;
  completionTokens: number;
  error?: LlmCallError["kind"];
};

/** What a call takes at latencyScale 1 (the simulator's latency model without its jitter). */
function modelledLatencyMs(model: string, promptTokens: number, completionTokens: number): number {
  if (!isSimModelId(model)) throw new Error(`not a simulated model: ${model}`);
  const p = SIM_MODEL_PROFILES[model];
  return p.ttftMs + (p.prefillMsPer1kTokens * promptTokens) / 1000 + (1000 / p.tokensPerSecond) * Math.max(0, completionTokens - 1);
}

function coverageCheck(est: CoverageEstimate, universe: Universe): CoverageCheck {
  const err = (truth: number) => round(((est.estimatedTotal - truth) / truth) * 100, 1);
  return {
    observed: est.observed,
    estimatedTotal: Math.round(est.estimatedTotal),
    low: Math.round(est.low),
    high: Number.isFinite(est.high) ? Math.round(est.high) : null,
    method: est.method,
    errorVsReachablePct: err(universe.reachable),
    errorVsUniversePct: err(universe.size),
    reachableInBand: est.low <= universe.reachable && universe.reachable <= est.high,
  };
}

async function runStrategy(strategy: StrategyName): Promise<{ figures: StrategyFigures; universe: Universe }> {
  const sim = await startSimulator({ params: SIM_PARAMS });
  const started = performance.now();
  try {
    const res = await fetch(`${sim.url}/sim/universe?topic=${encodeURIComponent(TOPIC)}`);
    if (!res.ok) throw new Error(`GET /sim/universe: ${res.status}`);
    const universe = (await res.json()) as Universe;

    const config: RunConfig = { topic: TOPIC, producers: PRODUCERS, providers: PROVIDERS, requestSize: REQUEST_SIZE, promptBudgetTokens: PROMPT_BUDGET_TOKENS, strategy, stop: {} };
    const t0 = Date.UTC(2026, 0, 1);
    let now = t0;
    // Refit the coverage estimate at every decision, so "at half" is at most 5 simulated seconds old.
    const optimizer = new Optimizer(config, { clock: () => now, rng: seededRng(7), log: (level, m) => console.error(`[optimizer] ${level}: ${m}`), options: { coverageEveryMs: 0 } });
    const llmFor = createLlmResolver({ simulatorUrl: sim.url, callTimeoutMs: 60_000 });
    const prices = createPriceTable();
    const dedup = createDedupEngine();
    const known = new KnownEntries();
    const proposals: number[] = [];
    const indexByText = new Map<string, number>();
    const done: Array<Pending & { itemsNew: number; costUsd: number }> = [];
    let candidates = 0;
    let duplicates = 0;
    let decisions = 0;
    let coverageAtHalf: CoverageCheck | null = null;

    const freeAt = new Array<number>(PRODUCERS).fill(t0);
    const inFlight = new Array<Pending | null>(PRODUCERS).fill(null);
    let issued = 0;

    /** The call's answer reaches the orchestrator: dedup, tallies, observation. */
    const apply = (c: Pending) => {
      const tally = { new: 0, dupExact: 0, dupNear: 0, junk: 0 };
      for (const raw of c.items) {
        candidates++;
        const text = cleanCandidate(raw);
        const check = text === null ? null : dedup.check(text);
        if (text === null || check === null || check.key === "") {
          tally.junk++;
          optimizer.observeCandidate("junk");
        } else if (check.unique) {
          dedup.accept(text, check.key);
          indexByText.set(text, proposals.length);
          proposals.push(1);
          known.add(proposals.length, text);
          tally.new++;
          optimizer.observeCandidate("unique");
        } else {
          duplicates++;
          const kind = check.kind === "near" ? "dupNear" : "dupExact";
          const i = indexByText.get(check.duplicateOf);
          tally[kind]++;
          optimizer.observeCandidate(kind, i === undefined ? undefined : proposals[i]!++);
        }
      }
      const costUsd = c.error ? 0 : (callCostUsd(prices, { provider: "sim", model: c.model, promptTokens: c.promptTokens, completionTokens: c.completionTokens }) ?? 0);
      optimizer.observeCall({
        at: c.at,
        producer: c.producer,
        target: c.target,
        promptTokens: c.promptTokens,
        completionTokens: c.completionTokens,
        costUsd,
        latencyMs: c.at - c.startedAt,
        itemsParsed: c.items.length,
        itemsNew: tally.new,
        dupExact: tally.dupExact,
        dupNear: tally.dupNear,
        junk: tally.junk,
        ...(c.error ? { error: c.error } : {}),
      });
      done.push({ ...c, itemsNew: tally.new, costUsd });
    };

    for (;;) {
      let p = 0;
      for (let i = 1; i < PRODUCERS; i++) if (freeAt[i]! < freeAt[p]!) p = i;
      if (freeAt[p] === Infinity) break;
      now = freeAt[p]!;
      const finished = inFlight[p];
      if (finished) {
        apply(finished);
        inFlight[p] = null;
      }
      decisions += optimizer.tick(now).events.length;
      const est = optimizer.coverageEstimate();
      if (!coverageAtHalf && est && est.observed >= universe.reachable / 2) coverageAtHalf = coverageCheck(est, universe);
      if (issued >= CALLS) {
        freeAt[p] = Infinity;
        continue;
      }
      issued++;
      const producer = `p${p + 1}`;
      const target = optimizer.targetFor(producer, now);
      const resolution = llmFor(target);
      if (!("client" in resolution)) throw new Error(resolution.unavailable);
      const prompt = buildPrompt({ topic: TOPIC, requestSize: REQUEST_SIZE, known, budgetTokens: PROMPT_BUDGET_TOKENS });
      const call: Pending = { producer, target: `${target.provider}:${target.model}`, model: target.model, startedAt: now, at: now, items: [], promptTokens: 0, completionTokens: 0 };
      try {
        const r = await resolution.client.stream({ system: prompt.system, user: prompt.user, maxTokens: maxTokensFor(REQUEST_SIZE), signal: AbortSignal.timeout(60_000), onText: () => {} });
        call.items = parseItems(r.text, { truncated: r.truncated });
        call.promptTokens = r.promptTokens ?? prompt.promptTokens;
        call.completionTokens = r.completionTokens ?? 0;
        call.at = now + Math.round(modelledLatencyMs(target.model, call.promptTokens, call.completionTokens));
      } catch (err) {
        if (!(err instanceof LlmCallError)) throw err;
        call.error = err.kind;
        call.at = now + 200;
      }
      inFlight[p] = call;
      freeAt[p] = call.at;
    }
    // The last refit may predate the last calls.
    const final = optimizer.tick(now + 5_000);
    decisions += final.events.length;
    const snap = optimizer.snapshot(now + 5_000);
    const endEstimate = optimizer.coverageEstimate();

    const sum = (list: typeof done, f: (c: (typeof done)[number]) => number) => list.reduce((n, c) => n + f(c), 0);
    const promptTokens = sum(done, (c) => c.promptTokens);
    const completionTokens = sum(done, (c) => c.completionTokens);
    const costUsd = sum(done, (c) => c.costUsd);
    const unique = proposals.length;
    const byTarget: Record<string, TargetFigures> = {};
    const lateShares: Record<string, number> = {};
    const late = done.slice(Math.floor((2 * done.length) / 3));
    for (const { provider, model } of PROVIDERS) {
      const key = `${provider}:${model}`;
      const mine = done.filter((c) => c.target === key);
      const u = sum(mine, (c) => c.itemsNew);
      byTarget[key] = { calls: mine.length, share: round(mine.length / done.length, 3), unique: u, uniquePerCall: round(u / Math.max(1, mine.length), 2), costUsd: round(sum(mine, (c) => c.costUsd), 5) };
      lateShares[key] = round(late.filter((c) => c.target === key).length / Math.max(1, late.length), 3);
    }
    const simulatedMinutes = (now - t0) / 60_000;
    return {
      universe,
      figures: {
        calls: done.length,
        failedCalls: done.filter((c) => c.error).length,
        unique,
        simulatedMinutes: round(simulatedMinutes, 2),
        uniquePerSimulatedMinute: round(unique / simulatedMinutes, 1),
        promptTokens,
        completionTokens,
        uniquePer1kTokens: round((unique * 1000) / Math.max(1, promptTokens + completionTokens), 3),
        costUsd: round(costUsd, 5),
        uniquePerDollar: round(unique / Math.max(costUsd, 1e-9), 0),
        duplicateRate: round(duplicates / Math.max(1, candidates), 3),
        byTarget,
        lateShares,
        decisions,
        decisionsScored: snap.effectiveness.scored,
        decisionsImproved: snap.effectiveness.improved,
        coverageAtHalf,
        coverageAtEnd: endEstimate ? coverageCheck(endEstimate, universe) : null,
        seconds: round((performance.now() - started) / 1000, 1),
      },
    };
  } finally {
    await sim.close();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function pct(n: number): string {
  return `${fmt(n * 100, 0)} %`;
}

async function main(): Promise<void> {
  const results: Partial<Record<StrategyName, StrategyFigures>> = {};
  let universe: Universe | undefined;
  for (const strategy of STRATEGIES) {
    process.stdout.write(`running ${strategy}... `);
    const r = await runStrategy(strategy);
    results[strategy] = r.figures;
    universe = r.universe;
    console.log(`${fmt(r.figures.seconds)} s`);
  }

  const short = (t: string) => t.replace(/^sim:sim-/, "");
  const cov = (c: CoverageCheck | null) =>
    c ? `${fmt(c.estimatedTotal, 0)} [${fmt(c.low, 0)}–${c.high === null ? "∞" : fmt(c.high, 0)}] at ${fmt(c.observed, 0)}` : "n/a";
  type Row = [string, (r: StrategyFigures) => string];
  const rows: Row[] = [
    ["calls (failed)", (r) => `${r.calls} (${r.failedCalls})`],
    ["unique entries", (r) => fmt(r.unique, 0)],
    ["simulated minutes", (r) => fmt(r.simulatedMinutes)],
    ["unique per simulated minute", (r) => fmt(r.uniquePerSimulatedMinute)],
    ["unique per 1k tokens", (r) => fmt(r.uniquePer1kTokens, 2)],
    ["cost (USD, sim prices)", (r) => `$${r.costUsd.toFixed(4)}`],
    ["unique per dollar", (r) => fmt(r.uniquePerDollar, 0)],
    ["duplicate rate", (r) => pct(r.duplicateRate)],
    ...PROVIDERS.map((p): Row => {
      const key = `${p.provider}:${p.model}`;
      return [`${short(key)}: share all / last third`, (r) => `${pct(r.byTarget[key]!.share)} / ${pct(r.lateShares[key]!)}`];
    }),
    ...PROVIDERS.map((p): Row => {
      const key = `${p.provider}:${p.model}`;
      return [`${short(key)}: unique per call`, (r) => fmt(r.byTarget[key]!.uniquePerCall)];
    }),
    ["routing decisions (scored, improved)", (r) => `${r.decisions} (${r.decisionsScored}, ${r.decisionsImproved})`],
    ["coverage estimate at ~half", (r) => cov(r.coverageAtHalf)],
    ["  error vs reachable / universe", (r) => (r.coverageAtHalf ? `${fmt(r.coverageAtHalf.errorVsReachablePct)} % / ${fmt(r.coverageAtHalf.errorVsUniversePct)} %` : "n/a")],
    ["coverage estimate at end", (r) => cov(r.coverageAtEnd)],
    ["  error vs reachable / universe", (r) => (r.coverageAtEnd ? `${fmt(r.coverageAtEnd.errorVsReachablePct)} % / ${fmt(r.coverageAtEnd.errorVsUniversePct)} %` : "n/a")],
  ];
  const names = STRATEGIES.filter((s) => results[s]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const cols = names.map((n) => Math.max(n.length, ...rows.map(([, f]) => f(results[n]!).length)));
  console.log();
  console.log(`topic "${TOPIC}": universe ${universe?.size}, reachable by these models ${universe?.reachable} (${JSON.stringify(universe?.knownByModel)})`);
  console.log(`${"".padEnd(width)}  ${names.map((n, i) => n.padStart(cols[i]!)).join("  ")}`);
  for (const [label, f] of rows) console.log(`${label.padEnd(width)}  ${names.map((n, i) => f(results[n]!).padStart(cols[i]!)).join("  ")}`);

  const out = {
    generatedAt: new Date().toISOString(),
    setup: {
      topic: TOPIC,
      calls: CALLS,
      producers: PRODUCERS,
      targets: PROVIDERS.map((p) => `${p.provider}:${p.model}`),
      requestSize: REQUEST_SIZE,
      promptBudgetTokens: PROMPT_BUDGET_TOKENS,
      simulator: SIM_PARAMS,
      universe,
      time: "simulated: each call lasts the simulator's modelled latency at latencyScale 1 for its tokens",
      objective: "adaptive maximises blend = sqrt(unique per call-minute × unique per dollar)",
    },
    results,
  };
  const file = path.join(__dirname, "results", "routing.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
