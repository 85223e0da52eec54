/**
 * npm run bench:routing — routing strategies side by side: for each scenario (strong+weak, and
 * strong+weak+claude), universe size (2,000 and 5,000) and simulator seed (BENCH_SEEDS, default
 * 11,12,13), the same budget of 0.15 calls per universe entry from 5 producers, routed by
 * `adaptive` and by `roundrobin`. Every call is a real SDK call to the simulator
 * (zero latency, no rate limits, no random faults) with the producer's prompt, routed by the
 * Optimizer and accounted by the orchestrator's own ActiveRun (test/helpers/routing-run.ts,
 * shared with the routing test).
 *
 * Time is simulated: producers run event by event in the order their calls would end, each call
 * lasting the simulator's modelled latency (at latencyScale 1) for the tokens it used, so the
 * router sees minutes of a run and the result does not depend on the machine's speed.
 *
 * Also measured: the coverage estimate against the simulator's true topic size (`GET /sim/universe`;
 * "reachable" = what the scenario's models know between them), at the moment half of it has been found.
 * Figures go to bench/results/routing.json.
 */
import type { CoverageEstimate } from "../src/lib/coverage";
import type { ModelPrice } from "../src/lib/pricing";
import { targetLabel } from "../src/lib/providers";
import { scoreAgainstCounterfactual } from "../src/lib/routing/score";
import type { RunConfig, StrategyName } from "../src/lib/run-config";
import { SIM_MODEL_PRICES, SIM_MODEL_PROFILES, type SimModelId } from "../src/lib/sim/models";
import { DEFAULT_SIM_PARAMS, type SimParamsOverride } from "../src/lib/sim/params";
import { generateUniverse, knownRanks } from "../src/lib/sim/universe";
import { StatsEngine } from "../src/lib/stats/engine";
import { round } from "../src/lib/stats/math";
import { startSimulator } from "../src/server/simulator";
import { runRouting } from "../test/helpers/routing-run";
import { writeResults } from "./lib/results";

const TOPIC = "Birds of the world";
const PRODUCERS = 5;
const REQUEST_SIZE = 50;
const PROMPT_BUDGET_TOKENS = 1_000;
/** Universe sizes: the simulator's default and a larger topic. */
const UNIVERSE_SIZES = [2_000, 5_000];
/**
 * Calls per run, per universe entry: enough to get well past half of the topic and, on the
 * strong+weak mix, for the weak model's narrower knowledge (35 %) to run dry, which takes
 * minutes of simulated time with 5 producers.
 */
const CALLS_PER_ENTRY = 0.15;
/** Simulator seeds; each seed is a separate pair of runs (adaptive, roundrobin) per scenario and size. */
const SEEDS = (process.env.BENCH_SEEDS ?? "11,12,13").split(",").map(Number);
const SIM_BASE = { latencyScale: 0, rateLimits: false, errorRate500: 0, overloadRate: 0, universeSizeJitter: 0 };
const STRATEGIES: StrategyName[] = ["adaptive", "roundrobin"];
const STRONG = { provider: "sim", model: "sim-strong", weight: 1 } as const;
const WEAK = { provider: "sim", model: "sim-weak", weight: 1 } as const;
const CLAUDE = { provider: "sim", model: "sim-claude", weight: 1 } as const;
/**
 * "identical": sim-weak made a copy of sim-strong (profile and price), so no routing decision
 * can help; the counterfactual score should find about half or fewer of them improvements.
 */
const IDENTICAL_SIM: SimParamsOverride = { models: { "sim-weak": { ...SIM_MODEL_PROFILES["sim-strong"] } } };
type Scenario = { name: string; providers: RunConfig["providers"]; sim?: SimParamsOverride; prices?: Record<string, ModelPrice>; sizes?: number[] };
const SCENARIOS: Scenario[] = [
  { name: "strong+weak", providers: [STRONG, WEAK] },
  { name: "strong+weak+claude", providers: [STRONG, WEAK, CLAUDE] },
  { name: "identical", providers: [STRONG, WEAK], sim: IDENTICAL_SIM, prices: { "sim:sim-weak": SIM_MODEL_PRICES["sim-strong"] } },
].filter((s) => !process.env.BENCH_SCENARIOS || process.env.BENCH_SCENARIOS.split(",").includes(s.name));
/** A decision is scored on this window after it (the Optimizer's default scoring window). */
const SCORE_WINDOW_MS = 60_000;
/** Traffic shares are reported for this many consecutive slices of each run's calls. */
const SHARE_PHASES = 5;

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
  /** Traffic share of each target in each of SHARE_PHASES consecutive slices of the calls. */
  sharesOverTime: Array<Record<string, number>>;
  decisions: number;
  /** The Optimizer's own scoring: the window after a decision against the window before it. */
  decisionsScored: number;
  decisionsImproved: number;
  /** Against the counterfactual: the old weights' mix of each target's yield over the same window (scoreAgainstCounterfactual). */
  counterfactualScored: number;
  counterfactualImproved: number;
  coverageAtHalf: CoverageCheck | null;
  coverageAtEnd: CoverageCheck | null;
  seconds: number;
};

type RunSpec = { scenario: (typeof SCENARIOS)[number]; universeSize: number; seed: number; strategy: StrategyName };

/** The topic's truth from the simulator, with `reachable` narrowed to the scenario's models (the same pure functions the simulator uses). */
async function reachable(simUrl: string, models: readonly SimModelId[], sim: SimParamsOverride = {}): Promise<Universe> {
  const res = await fetch(`${simUrl}/sim/universe?topic=${encodeURIComponent(TOPIC)}`);
  if (!res.ok) throw new Error(`GET /sim/universe: ${res.status}`);
  const u = (await res.json()) as Universe;
  const universe = generateUniverse(TOPIC, u.size, 0);
  const union = new Uint8Array(u.size);
  for (const m of models)
    knownRanks(universe, m, sim.models?.[m]?.breadth ?? SIM_MODEL_PROFILES[m].breadth, DEFAULT_SIM_PARAMS.knowledgeSkew).forEach((k, r) => (union[r] ||= k));
  const reach = union.reduce((a, b) => a + b, 0);
  // With every model in the scenario the count must agree with the simulator's own.
  if (models.length === Object.keys(u.knownByModel).length && reach !== u.reachable) throw new Error(`reachable ${reach} != simulator's ${u.reachable}`);
  return { topic: u.topic, size: u.size, knownByModel: Object.fromEntries(models.map((m) => [m, u.knownByModel[m] ?? 0])), reachable: reach };
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

async function runStrategy(spec: RunSpec): Promise<{ figures: StrategyFigures; universe: Universe }> {
  const { strategy, universeSize } = spec;
  const providers = spec.scenario.providers;
  const calls = Math.round(CALLS_PER_ENTRY * universeSize);
  const sim = await startSimulator({ params: { ...SIM_BASE, ...spec.scenario.sim, seed: spec.seed, universeSize } });
  const started = performance.now();
  try {
    const universe = await reachable(
      sim.url,
      providers.map((p) => p.model as SimModelId),
      spec.scenario.sim,
    );

    const config: RunConfig = {
      topic: TOPIC,
      producers: PRODUCERS,
      providers,
      requestSize: REQUEST_SIZE,
      promptBudgetTokens: PROMPT_BUDGET_TOKENS,
      concurrency: 1,
      strategy,
      stop: {},
    };
    const t0 = Date.UTC(2026, 0, 1);
    let coverageAtHalf: CoverageCheck | null = null;
    const {
      optimizer,
      run,
      calls: done,
      decisions: events,
      end: now,
    } = await runRouting({
      config,
      simulatorUrl: sim.url,
      calls,
      start: t0,
      seed: spec.seed + 7,
      // Refit the coverage estimate at every decision, so "at half" is at most 5 simulated seconds old.
      optimizer: { coverageEveryMs: 0 },
      ...(spec.scenario.prices ? { prices: spec.scenario.prices } : {}),
      ...(spec.scenario.sim ? { sim: spec.scenario.sim } : {}),
      log: (level, m) => console.error(`[optimizer] ${level}: ${m}`),
      onTick: (_now, _tick, opt) => {
        const est = opt.coverageEstimate();
        if (!coverageAtHalf && est && est.observed >= universe.reachable / 2) coverageAtHalf = coverageCheck(est, universe);
      },
    });
    // The last refit may predate the last calls.
    const final = optimizer.tick(now + 5_000);
    const decided = [...events, ...final.events].map((e) => ({
      at: e.at,
      oldWeights: e.data.oldWeights as Record<string, number>,
      newWeights: e.data.newWeights as Record<string, number>,
    }));
    const snap = optimizer.snapshot(now + 5_000);
    // The observations the Optimizer got, for scoring its decisions against the counterfactual.
    const stats = new StatsEngine({ windowsMs: [SCORE_WINDOW_MS], retainMs: 24 * 3_600_000 });
    for (const c of done) stats.add(c);
    const keys = providers.map(targetLabel);
    let counterfactualScored = 0;
    let counterfactualImproved = 0;
    for (const d of decided) {
      if (d.at + SCORE_WINDOW_MS > now) continue;
      const per = (from: number, to: number) => Object.fromEntries(keys.map((t) => [t, stats.between(from, to, { target: t })]));
      const s = scoreAgainstCounterfactual({
        oldWeights: d.oldWeights,
        newWeights: d.newWeights,
        after: per(d.at, d.at + SCORE_WINDOW_MS),
        before: per(d.at - SCORE_WINDOW_MS, d.at),
      });
      if (s.sufficient) {
        counterfactualScored++;
        if (s.improved) counterfactualImproved++;
      }
    }
    const endEstimate = optimizer.coverageEstimate();

    const sum = (list: typeof done, f: (c: (typeof done)[number]) => number) => list.reduce((n, c) => n + f(c), 0);
    const promptTokens = sum(done, (c) => c.promptTokens);
    const completionTokens = sum(done, (c) => c.completionTokens);
    const costUsd = sum(done, (c) => c.costUsd);
    const unique = run.totalUnique;
    const candidates = sum(done, (c) => c.itemsParsed);
    const duplicates = sum(done, (c) => c.dupExact + c.dupNear);
    const byTarget: Record<string, TargetFigures> = {};
    for (const key of keys) {
      const mine = done.filter((c) => c.target === key);
      const u = sum(mine, (c) => c.itemsNew);
      byTarget[key] = {
        calls: mine.length,
        share: round(mine.length / done.length, 3),
        unique: u,
        uniquePerCall: round(u / Math.max(1, mine.length), 2),
        costUsd: round(
          sum(mine, (c) => c.costUsd),
          5,
        ),
      };
    }
    const sharesOverTime = Array.from({ length: SHARE_PHASES }, (_, i) => {
      const slice = done.slice(Math.floor((i * done.length) / SHARE_PHASES), Math.floor(((i + 1) * done.length) / SHARE_PHASES));
      return Object.fromEntries(keys.map((k) => [k, round(slice.filter((c) => c.target === k).length / Math.max(1, slice.length), 3)]));
    });
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
        sharesOverTime,
        decisions: decided.length,
        decisionsScored: snap.effectiveness.scored,
        decisionsImproved: snap.effectiveness.improved,
        counterfactualScored,
        counterfactualImproved,
        coverageAtHalf,
        coverageAtEnd: endEstimate ? coverageCheck(endEstimate, universe) : null,
        seconds: round((performance.now() - started) / 1000, 1),
      },
    };
  } finally {
    await sim.close();
  }
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function pct(n: number): string {
  return `${fmt(n * 100, 0)} %`;
}

type CaseResult = { scenario: string; universeSize: number; seed: number; universe: Universe; results: Partial<Record<StrategyName, StrategyFigures>> };

function printCase(c: CaseResult, providers: RunConfig["providers"]): void {
  const short = (t: string) => t.replace(/^sim:sim-/, "");
  const cov = (x: CoverageCheck | null) =>
    x ? `${fmt(x.estimatedTotal, 0)} [${fmt(x.low, 0)}–${x.high === null ? "∞" : fmt(x.high, 0)}] at ${fmt(x.observed, 0)}` : "n/a";
  const err = (x: CoverageCheck | null) => (x ? `${fmt(x.errorVsReachablePct)} % / ${fmt(x.errorVsUniversePct)} %` : "n/a");
  type Row = [string, (r: StrategyFigures) => string];
  const keys = providers.map(targetLabel);
  const rows: Row[] = [
    ["calls (failed)", (r) => `${r.calls} (${r.failedCalls})`],
    ["unique entries", (r) => fmt(r.unique, 0)],
    ["simulated minutes", (r) => fmt(r.simulatedMinutes)],
    ["unique per 1k tokens", (r) => fmt(r.uniquePer1kTokens, 2)],
    ["cost (USD, sim prices)", (r) => `$${r.costUsd.toFixed(4)}`],
    ["unique per dollar", (r) => fmt(r.uniquePerDollar, 0)],
    ["duplicate rate", (r) => pct(r.duplicateRate)],
    ...keys.map((key): Row => [`${short(key)}: share by fifth of the run`, (r) => r.sharesOverTime.map((s) => fmt((s[key] ?? 0) * 100, 0)).join(" ")]),
    ...keys.map((key): Row => [`${short(key)}: unique per call`, (r) => fmt(r.byTarget[key]!.uniquePerCall)]),
    ["routing decisions (scored, improved)", (r) => `${r.decisions} (${r.decisionsScored}, ${r.decisionsImproved})`],
    ["  vs counterfactual (scored, improved)", (r) => `${r.counterfactualScored}, ${r.counterfactualImproved}`],
    ["coverage estimate at ~half", (r) => cov(r.coverageAtHalf)],
    ["  error vs reachable / universe", (r) => err(r.coverageAtHalf)],
    ["coverage estimate at end", (r) => cov(r.coverageAtEnd)],
    ["  error vs reachable / universe", (r) => err(r.coverageAtEnd)],
  ];
  const names = STRATEGIES.filter((s) => c.results[s]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const cols = names.map((n) => Math.max(n.length, ...rows.map(([, f]) => f(c.results[n]!).length)));
  console.log();
  console.log(`${c.scenario}, universe ${c.universe.size} (reachable ${c.universe.reachable}), seed ${c.seed}`);
  console.log(`${"".padEnd(width)}  ${names.map((n, i) => n.padStart(cols[i]!)).join("  ")}`);
  for (const [label, f] of rows) console.log(`${label.padEnd(width)}  ${names.map((n, i) => f(c.results[n]!).padStart(cols[i]!)).join("  ")}`);
}

async function main(): Promise<void> {
  const cases: CaseResult[] = [];
  for (const scenario of SCENARIOS) {
    for (const universeSize of scenario.sizes ?? UNIVERSE_SIZES) {
      for (const seed of SEEDS) {
        const c: CaseResult = { scenario: scenario.name, universeSize, seed, universe: { topic: "", size: 0, knownByModel: {}, reachable: 0 }, results: {} };
        for (const strategy of STRATEGIES) {
          const r = await runStrategy({ scenario, universeSize, seed, strategy });
          c.results[strategy] = r.figures;
          c.universe = r.universe;
        }
        printCase(c, scenario.providers);
        cases.push(c);
      }
    }
  }

  // The acceptance view: per scenario and universe size, across seeds.
  const summary = [];
  console.log("\nsummary across seeds (adaptive | roundrobin)");
  for (const scenario of SCENARIOS) {
    for (const universeSize of scenario.sizes ?? UNIVERSE_SIZES) {
      const mine = cases.filter((c) => c.scenario === scenario.name && c.universeSize === universeSize);
      const strongKey = targetLabel(STRONG);
      const errs = mine.flatMap((c) => STRATEGIES.map((s) => c.results[s]?.coverageAtHalf?.errorVsUniversePct ?? NaN));
      const errsReach = mine.flatMap((c) => STRATEGIES.map((s) => c.results[s]?.coverageAtHalf?.errorVsReachablePct ?? NaN));
      const perDollar = (s: StrategyName) => mine.map((c) => c.results[s]!.uniquePerDollar);
      const finalStrong = mine.map((c) => c.results.adaptive!.sharesOverTime[SHARE_PHASES - 1]![strongKey] ?? 0);
      const row = {
        scenario: scenario.name,
        universeSize,
        seeds: mine.map((c) => c.seed),
        coverageErrorAtHalfVsUniversePct: errs,
        coverageErrorAtHalfVsReachablePct: errsReach,
        maxAbsCoverageErrorAtHalfPct: round(Math.max(...errs.map(Math.abs)), 1),
        adaptiveStrongShareLastFifth: finalStrong,
        uniquePerDollar: { adaptive: perDollar("adaptive"), roundrobin: perDollar("roundrobin") },
        uniquePer1kTokens: {
          adaptive: mine.map((c) => c.results.adaptive!.uniquePer1kTokens),
          roundrobin: mine.map((c) => c.results.roundrobin!.uniquePer1kTokens),
        },
        unique: { adaptive: mine.map((c) => c.results.adaptive!.unique), roundrobin: mine.map((c) => c.results.roundrobin!.unique) },
        /** Adaptive runs' decisions: scored against the window before (the Optimizer today) and against the counterfactual. */
        decisionEffectiveness: (() => {
          const a = mine.map((c) => c.results.adaptive!);
          const sum = (f: (r: StrategyFigures) => number) => a.reduce((n, r) => n + f(r), 0);
          const scored = sum((r) => r.counterfactualScored);
          const improved = sum((r) => r.counterfactualImproved);
          return {
            windowBefore: { scored: sum((r) => r.decisionsScored), improved: sum((r) => r.decisionsImproved) },
            counterfactual: { scored, improved, rate: scored > 0 ? round(improved / scored, 3) : null },
          };
        })(),
      };
      summary.push(row);
      const effect = row.decisionEffectiveness;
      console.log(
        `${scenario.name.padEnd(20)} N=${universeSize}: ` +
          `coverage error at half ${errs.map((e) => `${fmt(e)}%`).join(" ")} (max |${fmt(row.maxAbsCoverageErrorAtHalfPct)}|%); ` +
          `strong share, last fifth ${finalStrong.map((x) => pct(x)).join(" ")}; ` +
          `unique/$ ${row.uniquePerDollar.adaptive.join(" ")} | ${row.uniquePerDollar.roundrobin.join(" ")}; ` +
          `decisions improved: window-before ${effect.windowBefore.improved}/${effect.windowBefore.scored}, ` +
          `counterfactual ${effect.counterfactual.improved}/${effect.counterfactual.scored}`,
      );
    }
  }

  const out = {
    generatedAt: new Date().toISOString(),
    setup: {
      topic: TOPIC,
      callsPerUniverseEntry: CALLS_PER_ENTRY,
      producers: PRODUCERS,
      scenarios: SCENARIOS.map((s) => ({
        name: s.name,
        targets: s.providers.map(targetLabel),
        ...(s.sim ? { sim: s.sim } : {}),
        sizes: s.sizes ?? UNIVERSE_SIZES,
      })),
      decisionScoring:
        `counterfactual: each target's per-call yield, time and cost over the ${SCORE_WINDOW_MS / 1000} s after a decision, ` +
        "mixed with the new and with the old weights (src/lib/routing/score.ts scoreAgainstCounterfactual)",
      universeSizes: UNIVERSE_SIZES,
      seeds: SEEDS,
      requestSize: REQUEST_SIZE,
      promptBudgetTokens: PROMPT_BUDGET_TOKENS,
      simulator: SIM_BASE,
      time: "simulated: each call lasts the simulator's modelled latency at latencyScale 1 for its tokens",
      objective: "adaptive maximises blend = sqrt(unique per call-minute × unique per dollar)",
      coverageError: "(estimate - truth) / truth at the first refit with observed ≥ reachable / 2",
    },
    summary,
    cases,
  };
  console.log();
  writeResults("routing", out);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
