/**
 * npm run bench:explore — flat exploration (today: one prompt for the whole topic) against the
 * adaptive topic tree (src/lib/tree), each with and without prompt optimisation, on the same
 * token budget and simulator seed, on two universes: a hierarchical one of 6,000 items and a
 * flat one of 2,000 items with no natural sub-categories.
 *
 * The simulator's engine runs in process (no HTTP): every call is a SimEngine request built
 * from the production prompt builders (src/lib/prompt.ts), its answer is parsed by
 * parse-items and classified by the EntryLedger, as in the orchestrator. Five producers run
 * event by event in simulated time (each call lasts the simulator's modelled latency), so the
 * per-minute side of the allocation sees realistic durations and the run takes a minute or two.
 *
 * Coverage is the truth: distinct universe items found / universe size, and / items the models
 * know between them ("reachable"). Figures go to bench/results/explore.json.
 */
import { EntryLedger } from "../src/lib/entry-ledger";
import { parseItems } from "../src/lib/parse-items";
import { scoreAgainstCounterfactual } from "../src/lib/routing/score";
import { SimEngine } from "../src/lib/sim/engine";
import { resolvePath } from "../src/lib/sim/hierarchy";
import { summarizeCalls } from "../src/lib/stats/engine";
import { totalLatencyMs } from "../src/lib/sim/latency";
import { simCallCostUsd, simModelWire, type SimModelId } from "../src/lib/sim/models";
import { itemKey } from "../src/lib/sim/universe";
import { round, seededRng } from "../src/lib/stats/math";
import { classifyCandidates, TreeExplorer, type PlannedCall } from "../src/lib/tree/explorer";
import { writeResults } from "./lib/results";

const PRODUCERS = 5;
const PROMPT_BUDGET_TOKENS = 2_000;
const MODELS: SimModelId[] = (process.env.BENCH_MODELS ?? "sim-strong").split(",") as SimModelId[];
/** The cheap model that answers breakdown requests. */
const BREAKDOWN_MODEL: SimModelId = "sim-weak";
const SEED = Number(process.env.BENCH_SEED ?? 7);
const SIM_BASE = {
  cueDependence: Number(process.env.BENCH_CUE ?? 0.3),
  latencyScale: 1,
  latencyJitter: 0.2,
  rateLimits: false,
  errorRate500: 0,
  overloadRate: 0,
  universeSizeJitter: 0,
  seed: SEED,
} as const;

type UniverseSpec = { name: string; topic: string; size: number; shape: "hierarchical" | "flat"; budgetTokens: number };
const UNIVERSES: UniverseSpec[] = [
  {
    name: "hierarchical-6000",
    topic: "Birds of the world",
    size: 6_000,
    shape: "hierarchical",
    budgetTokens: Number(process.env.BENCH_BUDGET_HIER ?? 1_500_000),
  },
  { name: "flat-2000", topic: "Famous shipwrecks", size: 2_000, shape: "flat", budgetTokens: Number(process.env.BENCH_BUDGET_FLAT ?? 300_000) },
];
type Mode = { exploration: "flat" | "tree"; promptOptimisation: boolean };
const MODES: Mode[] = [
  { exploration: "flat", promptOptimisation: false },
  { exploration: "tree", promptOptimisation: false },
  { exploration: "flat", promptOptimisation: true },
  { exploration: "tree", promptOptimisation: true },
].slice(0, Number(process.env.BENCH_MODES ?? 4)) as Mode[];
/** Decisions of the variant selector are scored on the next this-many calls. */
const VARIANT_SCORE_CALLS = 40;

type Pending = {
  call: PlannedCall;
  startedAt: number;
  at: number;
  text: string;
  truncated: boolean;
  promptTokens: number;
  outputTokens: number;
  costUsd: number;
};

type CurvePoint = { tokens: number; costUsd: number; found: number; coverage: number };

type ModeResult = {
  exploration: Mode["exploration"];
  promptOptimisation: boolean;
  calls: number;
  breakdownCalls: number;
  tokens: number;
  costUsd: number;
  simulatedMinutes: number;
  unique: number;
  /** Distinct universe items among the unique entries. */
  found: number;
  coverage: number;
  coverageOfReachable: number;
  uniquePerDollar: number;
  branches: { total: number; saturated: number; maxDepth: number; recognised: number } | null;
  treeEstimate: { estimatedTotal: number; coverage: number } | null;
  variantSwitches: number;
  variantSwitchesImproved: number;
  variantShares: Record<string, number>;
  curve: CurvePoint[];
  seconds: number;
};

function runMode(u: UniverseSpec, mode: Mode): ModeResult {
  const started = performance.now();
  const engine = new SimEngine({ ...SIM_BASE, universeSize: u.size, universeShape: u.shape });
  const universe = engine.universe(u.topic);
  const hierarchy = engine.hierarchy(u.topic);
  const reachable = (() => {
    const union = new Uint8Array(universe.items.length);
    for (const m of MODELS) engine.known(universe, m, engine.params).forEach((k, r) => (union[r] ||= k));
    return union.reduce((a, b) => a + b, 0);
  })();
  const rng = seededRng(SEED * 31 + (mode.exploration === "tree" ? 1 : 0) + (mode.promptOptimisation ? 2 : 0));
  const explorer = new TreeExplorer({
    topic: u.topic,
    exploration: mode.exploration,
    models: MODELS,
    breakdownModel: BREAKDOWN_MODEL,
    promptBudgetTokens: PROMPT_BUDGET_TOKENS,
    promptOptimisation: mode.promptOptimisation,
    rng,
  });
  const tree = explorer.tree;
  const ledger = new EntryLedger();
  const foundRanks = new Set<number>();
  const curve: CurvePoint[] = [];
  const variantCalls: Array<{ variant: string; itemsNew: number; tokens: number }> = [];
  const variantUse: Record<string, number> = {};
  const debugAgg: Record<number, { calls: number; fresh: number; rep: number; tokens: number }> = {};
  let tokens = 0;
  let costUsd = 0;
  let calls = 0;
  let breakdownCalls = 0;
  const freeAt = new Array<number>(PRODUCERS).fill(0);
  const inFlight = new Array<Pending | null>(PRODUCERS).fill(null);
  let now = 0;

  const apply = (c: Pending) => {
    tokens += c.promptTokens + c.outputTokens;
    costUsd += c.costUsd;
    if (c.call.kind === "breakdown") {
      breakdownCalls++;
      explorer.onBreakdown(c.call, c.text, c.truncated);
      return;
    }
    calls++;
    const { newEntries, reproposed } = classifyCandidates(ledger, parseItems(c.text, { truncated: c.truncated }));
    for (const text of newEntries) {
      const rank = universe.index.get(itemKey(text));
      if (rank !== undefined) foundRanks.add(rank);
    }
    if (process.env.BENCH_DEBUG_TREE && mode.exploration === "tree") {
      const node = resolvePath(hierarchy, tree.branch(c.call.branchId).path);
      const agg = (debugAgg[hierarchy.nodes[node]!.depth] ??= { calls: 0, fresh: 0, rep: 0, tokens: 0 });
      agg.calls++;
      agg.fresh += newEntries.length;
      agg.rep += reproposed.length;
      agg.tokens += c.promptTokens + c.outputTokens;
    }
    const used = c.promptTokens + c.outputTokens;
    explorer.onItems(c.call, { newEntries, reproposed, tokens: used, costUsd: c.costUsd, latencyMs: c.at - c.startedAt }, now);
    variantCalls.push({ variant: c.call.variant.id, itemsNew: newEntries.length, tokens: used });
    curve.push({ tokens, costUsd, found: foundRanks.size, coverage: foundRanks.size / universe.items.length });
  };

  const inFlightTokens = () => inFlight.reduce((n, c) => n + (c ? c.promptTokens + c.outputTokens : 0), 0);

  const issue = (): Pending | null => {
    if (tokens + inFlightTokens() >= u.budgetTokens) return null;
    const call = explorer.next();
    if (!call) return null;
    if (call.kind === "items") variantUse[call.variant.id] = (variantUse[call.variant.id] ?? 0) + 1;
    const model = call.model as SimModelId;
    const outcome = engine.handle(
      {
        wire: simModelWire(model),
        model,
        apiKey: "bench",
        messageTexts: [call.system, call.user],
        maxTokens: call.maxTokens,
        stopSequences: [],
        stream: false,
      },
      now,
    );
    if (!outcome.ok) throw new Error(`simulator refused a call: ${outcome.failure.kind}`);
    return {
      call,
      startedAt: now,
      at: now + totalLatencyMs(outcome.latency, outcome.outputTokens),
      text: outcome.text,
      truncated: outcome.finish === "length",
      promptTokens: outcome.promptTokens,
      outputTokens: outcome.outputTokens,
      costUsd: simCallCostUsd(model, outcome.promptTokens, outcome.outputTokens),
    };
  };

  for (;;) {
    let p = 0;
    for (let i = 1; i < PRODUCERS; i++) if (freeAt[i]! < freeAt[p]!) p = i;
    if (freeAt[p] === Infinity) break;
    now = freeAt[p]!;
    const done = inFlight[p];
    if (done) {
      inFlight[p] = null;
      apply(done);
    }
    const next = issue();
    inFlight[p] = next;
    freeAt[p] = next ? next.at : Infinity;
  }

  // Each switch of the leading variant, scored on the calls that followed it against the old weights.
  let improved = 0;
  let scored = 0;
  for (const sw of explorer.switches) {
    const window = variantCalls.slice(sw.afterCalls, sw.afterCalls + VARIANT_SCORE_CALLS);
    const byVariant: Record<string, { calls: number; itemsNew: number; tokens: number }> = {};
    for (const c of window) {
      const v = (byVariant[c.variant] ??= { calls: 0, itemsNew: 0, tokens: 0 });
      v.calls++;
      v.itemsNew += c.itemsNew;
      v.tokens += c.tokens;
    }
    // Tokens stand in for dollars, as in the selector.
    const empty = summarizeCalls([], 0, 1);
    const stats = Object.fromEntries(
      Object.entries(byVariant).map(([id, v]) => [id, { ...empty, calls: v.calls, itemsNew: v.itemsNew, callMs: v.calls * 60_000, costUsd: v.tokens }]),
    );
    const s = scoreAgainstCounterfactual({ oldWeights: sw.oldWeights, newWeights: sw.weights, after: stats }, { objective: "per_dollar" });
    if (s.sufficient) {
      scored++;
      if (s.improved) improved++;
    }
  }

  if (process.env.BENCH_DEBUG_TREE && mode.exploration === "tree") {
    console.error(JSON.stringify(debugAgg));
    const covered = new Set(tree.all().map((b) => resolvePath(hierarchy, b.path)));
    for (const n of hierarchy.nodes.filter((x) => x.depth > 0)) {
      const f = n.ranks.filter((r) => foundRanks.has(r)).length;
      console.error(`${"  ".repeat(n.depth)}${n.label} size=${n.ranks.length} found=${(f / n.ranks.length).toFixed(2)} ${covered.has(n.id) ? "BRANCH" : "-"}`);
    }
    if (process.env.BENCH_DEBUG_TREE === "2")
      for (const b of tree.all()) {
        const c = b.counters;
        const figures = `calls=${c.calls} new=${c.newEntries} rep=${c.reproposals} y=${tree.marginalYield(b.id)?.toFixed(2)}`;
        console.error(`${"  ".repeat(b.depth)}${b.label} [${b.state}] node=${resolvePath(hierarchy, b.path)} ${figures}`);
      }
  }
  const branchesUsed = tree.all().filter((b) => b.counters.calls > 0);
  const recognised = tree.all().filter((b) => b.depth > 0 && resolvePath(hierarchy, b.path) !== 0).length;
  return {
    exploration: mode.exploration,
    promptOptimisation: mode.promptOptimisation,
    calls,
    breakdownCalls,
    tokens,
    costUsd: round(costUsd, 4),
    simulatedMinutes: round(now / 60_000, 1),
    unique: ledger.texts.length,
    found: foundRanks.size,
    coverage: round(foundRanks.size / universe.items.length, 4),
    coverageOfReachable: round(foundRanks.size / reachable, 4),
    uniquePerDollar: Math.round(ledger.texts.length / Math.max(costUsd, 1e-9)),
    branches:
      mode.exploration === "tree"
        ? {
            total: tree.size,
            saturated: tree.all().filter((b) => b.state === "saturated").length,
            maxDepth: Math.max(...branchesUsed.map((b) => b.depth)),
            recognised,
          }
        : null,
    treeEstimate: (() => {
      const e = tree.overallCoverage(ledger.texts.length);
      return { estimatedTotal: Math.round(e.estimatedTotal), coverage: round(e.coverage, 3) };
    })(),
    variantSwitches: scored,
    variantSwitchesImproved: improved,
    variantShares: Object.fromEntries(Object.entries(variantUse).map(([k, v]) => [k, round(v / Math.max(1, calls), 3)])),
    curve: thin(curve, 60),
    seconds: round((performance.now() - started) / 1000, 1),
  };
}

/** Keeps about `n` evenly spaced points and the last one. */
function thin<T>(points: T[], n: number): T[] {
  if (points.length <= n) return points;
  const step = points.length / n;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(points[Math.floor(i * step)]!);
  out.push(points.at(-1)!);
  return out;
}

/** Coverage a mode had reached when it had spent `budget` tokens (from its curve). */
function coverageAt(curve: readonly CurvePoint[], budget: number): number {
  let c = 0;
  for (const p of curve) if (p.tokens <= budget) c = p.coverage;
  return c;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

function main(): void {
  const out: Record<string, unknown> = {};
  const universes = [];
  for (const u of UNIVERSES.filter((x) => !process.env.BENCH_UNIVERSE || x.name === process.env.BENCH_UNIVERSE)) {
    const results: ModeResult[] = [];
    for (const mode of MODES) {
      const r = runMode(u, mode);
      results.push(r);
      console.log(
        `${u.name.padEnd(18)} ${`${r.exploration}${r.promptOptimisation ? "+variants" : ""}`.padEnd(14)} ` +
          `coverage ${pct(r.coverage)} (of reachable ${pct(r.coverageOfReachable)}), ` +
          `${r.unique} unique, ${r.calls} calls + ${r.breakdownCalls} breakdowns, ` +
          `${(r.tokens / 1e6).toFixed(2)} M tokens, $${r.costUsd.toFixed(3)}, ${r.uniquePerDollar} unique/$` +
          (r.branches ? `, ${r.branches.total} branches (${r.branches.saturated} saturated, depth ${r.branches.maxDepth})` : "") +
          (r.promptOptimisation ? `, variant switches improved ${r.variantSwitchesImproved}/${r.variantSwitches}` : "") +
          ` [${r.seconds} s]`,
      );
    }
    const flat = results.find((r) => r.exploration === "flat" && !r.promptOptimisation)!;
    const tree = results.find((r) => r.exploration === "tree" && !r.promptOptimisation) ?? flat;
    if (process.env.BENCH_CURVES)
      for (const r of results)
        console.log(
          r.exploration,
          r.promptOptimisation,
          r.curve
            .filter((_, i) => i % 6 === 0)
            .map((p) => `${(p.tokens / 1e6).toFixed(2)}M:${(p.coverage * 100).toFixed(0)}`)
            .join(" "),
        );
    universes.push({
      ...u,
      models: MODELS,
      breakdownModel: BREAKDOWN_MODEL,
      results,
      verdict: {
        flatCoverage: flat.coverage,
        treeCoverage: tree.coverage,
        treeMinusFlat: round(tree.coverage - flat.coverage, 4),
        treeOverFlatPerDollar: round(tree.uniquePerDollar / flat.uniquePerDollar, 3),
        coverageAtHalfBudget: { flat: coverageAt(flat.curve, u.budgetTokens / 2), tree: coverageAt(tree.curve, u.budgetTokens / 2) },
      },
    });
  }
  out.generatedAt = new Date().toISOString();
  out.setup = {
    seed: SEED,
    producers: PRODUCERS,
    promptBudgetTokens: PROMPT_BUDGET_TOKENS,
    models: MODELS,
    simulator: SIM_BASE,
    coverage: "distinct universe items found / universe size (truth from the simulator); reachable = items at least one of the models knows",
    tokens: "prompt + completion tokens as the simulator counts them, breakdown calls included",
  };
  out.universes = universes;
  writeResults("explore", out);
}

main();
