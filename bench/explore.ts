/**
 * npm run bench:explore — exploration on the same token budgets, three ways:
 *   - the adaptive topic tree (src/lib/tree, the product's default);
 *   - flat exploration (one prompt for the whole topic, routing between models only);
 *   - the reference: a simple partitioned loop written here (`PartitionedLoop`, ~50 lines): it
 *     asks for subtopics until an answer names none it has (at most 10 asks), then explores one subtopic per call
 *     round-robin and drops a subtopic once under 10% of an answer is new.
 * on several universes: a real one (5,127 ISO 3166-2 subdivisions under 200 countries, two and
 * three levels; bench/data/explore, from Debian's iso-codes) and generated ones (hierarchical
 * with many categories, and flat), each over several seeds.
 *
 * The simulator's engine runs in process (no HTTP): every call is a SimEngine request built
 * from the production prompt builders, its answer is parsed by parse-items and classified by
 * the EntryLedger, as in the orchestrator. Five producers run event by event in simulated time.
 * Each way runs once to the largest budget; the coverage at a smaller budget is read off its
 * curve (nothing decides by the budget).
 *
 * Coverage is the truth: distinct universe items found / universe size, and / items the models
 * know between them ("reachable"). Figures go to bench/results/explore.json.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { EntryLedger } from "../src/lib/entry-ledger";
import { parseItems } from "../src/lib/parse-items";
import { scoreAgainstCounterfactual } from "../src/lib/routing/score";
import { SimEngine } from "../src/lib/sim/engine";
import { parseRealList, type RealUniverseSpec } from "../src/lib/sim/real-list";
import { resolvePath } from "../src/lib/sim/hierarchy";
import { summarizeCalls } from "../src/lib/stats/engine";
import { totalLatencyMs } from "../src/lib/sim/latency";
import { simCallCostUsd, simModelWire, type SimModelId } from "../src/lib/sim/models";
import { itemKey } from "../src/lib/sim/universe";
import { round, seededRng } from "../src/lib/stats/math";
import { classifyCandidates, TreeExplorer, type ItemsOutcome, type PlannedCall } from "../src/lib/tree/explorer";
import { PartitionedLoop, REFERENCE_DROP_BELOW, REFERENCE_SUBTOPICS_PER_ASK } from "./lib/partitioned-loop";
import { writeResults } from "./lib/results";

const PRODUCERS = 5;
const PROMPT_BUDGET_TOKENS = 2_000;
const MODELS: SimModelId[] = (process.env.BENCH_MODELS ?? "sim-strong").split(",") as SimModelId[];
/** The cheap model that answers breakdown requests. */
const BREAKDOWN_MODEL: SimModelId = "sim-weak";
const SEEDS = (process.env.BENCH_SEEDS ?? "7,11,23").split(",").map(Number);
const BUDGETS = (process.env.BENCH_BUDGETS ?? "500000,1000000,2000000").split(",").map(Number);
const SIM_BASE = {
  cueDependence: Number(process.env.BENCH_CUE ?? 0.3),
  latencyScale: 1,
  latencyJitter: 0.2,
  rateLimits: false,
  errorRate500: 0,
  overloadRate: 0,
  universeSizeJitter: 0,
} as const;

const realList = (file: string) => parseRealList(readFileSync(path.join(__dirname, "data", "explore", file), "utf8"), file);
const TIMEZONES = realList("timezones.json");
const SUBDIVISIONS = realList("subdivisions.json");

type UniverseSpec = {
  name: string;
  topic: string;
  size: number;
  shape: "hierarchical" | "flat";
  categories?: number;
  subcategories?: number;
  real?: RealUniverseSpec;
};
const UNIVERSES: UniverseSpec[] = [
  { name: "iso-subdivisions-5127", topic: SUBDIVISIONS.topic, size: 5_127, shape: "hierarchical", real: SUBDIVISIONS },
  // Not used while tuning the tree's policy (added afterwards, as held-out data).
  { name: "tz-cities-407", topic: TIMEZONES.topic, size: 407, shape: "hierarchical", real: TIMEZONES },
  { name: "hierarchical-6000", topic: "Birds of the world", size: 6_000, shape: "hierarchical", categories: 40, subcategories: 6 },
  { name: "flat-2000", topic: "Famous shipwrecks", size: 2_000, shape: "flat" },
];
type Mode = { exploration: "flat" | "tree" | "reference"; promptOptimisation: boolean };
const MODES: Mode[] = [
  { exploration: "reference", promptOptimisation: false },
  { exploration: "tree", promptOptimisation: false },
  { exploration: "flat", promptOptimisation: false },
  { exploration: "tree", promptOptimisation: true },
].slice(0, Number(process.env.BENCH_MODES ?? 3)) as Mode[];
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
  /** Distinct universe items / unique entries: the share of the list that is real (the simulator invents past what a model knows). */
  precision: number;
  coverageOfReachable: number;
  uniquePerDollar: number;
  branches: { total: number; saturated: number; maxDepth: number; recognised: number } | null;
  treeEstimate: { estimatedTotal: number; coverage: number } | null;
  variantSwitches: number;
  variantSwitchesImproved: number;
  variantShares: Record<string, number>;
  reachable: number;
  curve: CurvePoint[];
  fullCurve: CurvePoint[];
  seconds: number;
};

/** What drives a run: the product's TreeExplorer, or the reference loop below. */
type Driver = {
  next(): PlannedCall | null;
  onBreakdown(call: PlannedCall, answer: string | null, truncated: boolean): unknown;
  onItems(call: PlannedCall, outcome: ItemsOutcome, now: number): unknown;
};

function runMode(u: UniverseSpec, mode: Mode, seed: number, budgetTokens: number): ModeResult {
  const started = performance.now();
  const engine = new SimEngine(
    {
      ...SIM_BASE,
      seed,
      universeSize: u.size,
      universeShape: u.shape,
      ...(u.categories ? { categories: u.categories } : {}),
      ...(u.subcategories ? { subcategories: u.subcategories } : {}),
    },
    u.real ? { realUniverses: [u.real] } : {},
  );
  const universe = engine.universe(u.topic);
  const hierarchy = engine.hierarchy(u.topic);
  const reachable = (() => {
    const union = new Uint8Array(universe.items.length);
    for (const m of MODELS) engine.known(universe, m, engine.params).forEach((k, r) => (union[r] ||= k));
    return union.reduce((a, b) => a + b, 0);
  })();
  const rng = seededRng(seed * 31 + (mode.exploration === "tree" ? 1 : 0) + (mode.promptOptimisation ? 2 : 0));
  const explorer = new TreeExplorer({
    topic: u.topic,
    exploration: mode.exploration === "reference" ? "flat" : mode.exploration,
    models: MODELS,
    breakdownModel: BREAKDOWN_MODEL,
    promptBudgetTokens: PROMPT_BUDGET_TOKENS,
    promptOptimisation: mode.promptOptimisation,
    rng,
  });
  const tree = explorer.tree;
  const driver: Driver =
    mode.exploration === "reference"
      ? new PartitionedLoop(u.topic, { models: MODELS, breakdownModel: BREAKDOWN_MODEL, promptBudgetTokens: PROMPT_BUDGET_TOKENS })
      : explorer;
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
      driver.onBreakdown(c.call, c.text, c.truncated);
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
    driver.onItems(c.call, { newEntries, reproposed, tokens: used, costUsd: c.costUsd, latencyMs: c.at - c.startedAt }, now);
    variantCalls.push({ variant: c.call.variant.id, itemsNew: newEntries.length, tokens: used });
    curve.push({ tokens, costUsd, found: foundRanks.size, coverage: foundRanks.size / universe.items.length });
  };

  const inFlightTokens = () => inFlight.reduce((n, c) => n + (c ? c.promptTokens + c.outputTokens : 0), 0);

  const issue = (): Pending | null => {
    if (tokens + inFlightTokens() >= budgetTokens) return null;
    const call = driver.next();
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
    // Nothing to call yet (a breakdown is in flight): wait for the next call to finish.
    const others = inFlight.flatMap((c) => (c ? [c.at] : []));
    freeAt[p] = next ? next.at : others.length > 0 ? Math.min(...others) + 1e-6 : Infinity;
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
    precision: round(foundRanks.size / Math.max(1, ledger.texts.length), 4),
    coverageOfReachable: round(foundRanks.size / reachable, 4),
    uniquePerDollar: Math.round(ledger.texts.length / Math.max(costUsd, 1e-9)),
    branches:
      driver instanceof PartitionedLoop
        ? {
            total: driver.subtopics.length + 1,
            saturated: driver.subtopics.length - driver.liveCount,
            maxDepth: 1,
            recognised: driver.subtopics.filter((l) => resolvePath(hierarchy, [l]) !== 0).length,
          }
        : mode.exploration === "tree"
          ? {
              total: tree.size,
              saturated: tree.all().filter((b) => b.state === "saturated").length,
              maxDepth: Math.max(...branchesUsed.map((b) => b.depth)),
              recognised,
            }
          : null,
    treeEstimate:
      mode.exploration === "reference"
        ? null
        : (() => {
            const e = tree.overallCoverage(ledger.texts.length);
            return { estimatedTotal: Math.round(e.estimatedTotal), coverage: round(e.coverage, 3) };
          })(),
    variantSwitches: scored,
    variantSwitchesImproved: improved,
    variantShares: Object.fromEntries(Object.entries(variantUse).map(([k, v]) => [k, round(v / Math.max(1, calls), 3)])),
    reachable,
    curve: thin(curve, 60),
    fullCurve: curve,
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

/** Coverage a mode had reached when it had spent `budget` tokens (from its full curve). */
function coverageAt(curve: readonly CurvePoint[], budget: number): number {
  let c = 0;
  for (const p of curve) if (p.tokens <= budget) c = p.coverage;
  return c;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

const modeName = (m: Pick<Mode, "exploration" | "promptOptimisation">) => `${m.exploration}${m.promptOptimisation ? "+variants" : ""}`;

function main(): void {
  const out: Record<string, unknown> = {};
  const universes = [];
  const maxBudget = Math.max(...BUDGETS);
  const table: string[] = [];
  for (const u of UNIVERSES.filter((x) => !process.env.BENCH_UNIVERSE || x.name === process.env.BENCH_UNIVERSE)) {
    const runs: Array<{ seed: number; reachable: number; results: Array<Omit<ModeResult, "fullCurve">>; atBudget: Record<string, Record<string, number>> }> =
      [];
    for (const seed of SEEDS) {
      const results = [];
      const atBudget: Record<string, Record<string, number>> = {};
      for (const mode of MODES) {
        const { fullCurve, ...r } = runMode(u, mode, seed, maxBudget);
        results.push(r);
        for (const b of BUDGETS) (atBudget[String(b)] ??= {})[modeName(mode)] = round(coverageAt(fullCurve, b), 4);
        console.log(
          `${u.name.padEnd(22)} seed ${String(seed).padEnd(3)} ${modeName(r).padEnd(14)} ` +
            `coverage ${pct(r.coverage)} (of reachable ${pct(r.coverageOfReachable)}), precision ${pct(r.precision)}, ` +
            `${r.unique} unique, ${r.calls} calls + ${r.breakdownCalls} breakdowns, ` +
            `${(r.tokens / 1e6).toFixed(2)} M tokens, $${r.costUsd.toFixed(3)}` +
            (r.branches
              ? `, ${r.branches.total} branches (${r.branches.saturated} saturated, depth ${r.branches.maxDepth}, ${r.branches.recognised} recognised)`
              : "") +
            ` [${r.seconds} s]`,
        );
      }
      runs.push({ seed, reachable: results[0]!.reachable, results, atBudget });
    }
    for (const b of BUDGETS) {
      const cells = MODES.map((m) => runs.map((r) => pct(r.atBudget[String(b)]![modeName(m)]!)).join(" / "));
      table.push(`| ${u.name} | ${(b / 1e6).toFixed(1)}M | ${cells.join(" | ")} |`);
    }
    const precision = MODES.map((m) => runs.map((r) => pct(r.results.find((x) => modeName(x) === modeName(m))!.precision)).join(" / "));
    table.push(`| ${u.name} | precision at the end | ${precision.join(" | ")} |`);
    universes.push({
      ...u,
      real: u.real ? { source: (u.real as { source?: string }).source, categories: u.real.categories.length } : undefined,
      models: MODELS,
      breakdownModel: BREAKDOWN_MODEL,
      runs,
    });
  }
  console.log(`\n| universe | budget | ${MODES.map((m) => `${modeName(m)} (seeds ${SEEDS.join(", ")})`).join(" | ")} |`);
  console.log(`|---|---|${MODES.map(() => "---|").join("")}`);
  for (const line of table) console.log(line);
  out.generatedAt = new Date().toISOString();
  out.setup = {
    seeds: SEEDS,
    budgets: BUDGETS,
    producers: PRODUCERS,
    promptBudgetTokens: PROMPT_BUDGET_TOKENS,
    models: MODELS,
    simulator: SIM_BASE,
    reference: { subtopicsPerAsk: REFERENCE_SUBTOPICS_PER_ASK, dropBelowNewShare: REFERENCE_DROP_BELOW },
    coverage: "distinct universe items found / universe size (truth from the simulator); reachable = items at least one of the models knows",
    tokens: "prompt + completion tokens as the simulator counts them, breakdown calls included",
  };
  out.table = table;
  out.universes = universes;
  writeResults(process.env.BENCH_OUT ?? "explore", out);
}

main();
