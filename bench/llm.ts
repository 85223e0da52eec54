/**
 * npm run bench:llm — two prompt strategies side by side, on one simulated run of fixed size:
 *   naive:    every known entry in every prompt, 100 items asked per call;
 *   budgeted: the producer's strategy (src/lib/prompt.ts): known entries within a token
 *             budget (2k), chosen as re-proposed > earliest > most recent, 100 items asked;
 *   budgeted-200: the same with 200 items asked and a 1k budget (best per token in a sweep).
 * Each run: 5 producers (2 sim-strong, 2 sim-weak, 1 sim-claude) running the real producer
 * loop in-process through the real SDKs against the simulator (zero latency, no rate limits,
 * no random faults), 40 calls each = 200 calls, with the in-memory dedup engine as orchestrator.
 * Figures go to bench/results/llm.json.
 */
import fs from "node:fs";
import path from "node:path";
import { buildPrompt, KnownEntries, type PromptStrategy } from "../src/lib/prompt";
import { callCostUsd, createPriceTable } from "../src/lib/pricing";
import type { ProviderId } from "../src/lib/providers";
import { generateUniverse } from "../src/lib/sim/universe";
import { systemClock } from "../src/server/producer/clock";
import { createLlmResolver } from "../src/server/producer/llm/factory";
import { MemoryOrchestrator } from "../test/helpers/memory-orchestrator";
import { Producer } from "../src/server/producer/producer";
import { startSimulator } from "../src/server/simulator";

const TOPIC = "Birds of the world";
const PRODUCERS: Array<{ provider: ProviderId; model: string }> = [
  { provider: "sim", model: "sim-strong" },
  { provider: "sim", model: "sim-weak" },
  { provider: "sim", model: "sim-claude" },
  { provider: "sim", model: "sim-strong" },
  { provider: "sim", model: "sim-weak" },
];
const CALLS_PER_PRODUCER = 40;
const SIM_PARAMS = { seed: 11, latencyScale: 0, rateLimits: false, errorRate500: 0, overloadRate: 0, universeSize: 10_000, universeSizeJitter: 0 };
const KNOWN_SIZES = [1_000, 5_000, 20_000];

interface StrategyConfig {
  name: string;
  strategy: PromptStrategy;
  requestSize: number;
  promptBudgetTokens: number;
}

const STRATEGIES: StrategyConfig[] = [
  { name: "naive", strategy: "naive", requestSize: 100, promptBudgetTokens: 0 },
  // The same request size, so the prompt is the only difference.
  { name: "budgeted", strategy: "budgeted", requestSize: 100, promptBudgetTokens: 2_000 },
  // The settings recommended for the simulator: more items per call, a smaller list.
  { name: "budgeted-200", strategy: "budgeted", requestSize: 200, promptBudgetTokens: 1_000 },
];

interface RunFigures {
  calls: number;
  failedCalls: number;
  failuresByKind: Record<string, number>;
  unique: number;
  candidates: number;
  duplicateRate: number;
  promptTokens: number;
  completionTokens: number;
  uniquePerCall: number;
  uniquePer1kTokens: number;
  promptTokensPerCall: number;
  costUsd: number;
  uniquePerCent: number;
  seconds: number;
}

async function runOnce(cfg: StrategyConfig): Promise<RunFigures> {
  const sim = await startSimulator({ params: SIM_PARAMS });
  const started = performance.now();
  try {
    const orch = new MemoryOrchestrator(
      { topic: TOPIC, target: PRODUCERS[0]!, requestSize: cfg.requestSize, promptBudgetTokens: cfg.promptBudgetTokens },
      { poolSize: PRODUCERS.length },
    );
    const llmFor = createLlmResolver({ simulatorUrl: sim.url, callTimeoutMs: 60_000 });
    const stop = new AbortController();
    const summaries = await Promise.all(
      PRODUCERS.map((target, i) => {
        const name = `p${i + 1}`;
        orch.setAssignment(name, { target });
        return new Producer({
          channel: orch.channelFor(name),
          llmFor,
          clock: systemClock,
          stopSignal: stop.signal,
          options: {
            strategy: cfg.strategy,
            maxCalls: CALLS_PER_PRODUCER,
            // Failures (the naive prompt outgrowing a context window) still cost a call; not waiting keeps the bench short.
            backoff: { baseMs: 5, maxMs: 20 },
          },
        }).run();
      }),
    );
    const prices = createPriceTable();
    const calls = orch.calls;
    const failuresByKind: Record<string, number> = {};
    for (const c of calls) if (c.error) failuresByKind[c.error.kind] = (failuresByKind[c.error.kind] ?? 0) + 1;
    const promptTokens = calls.reduce((n, c) => n + c.promptTokens, 0);
    const completionTokens = calls.reduce((n, c) => n + c.completionTokens, 0);
    const costUsd = calls.reduce((n, c) => n + (callCostUsd(prices, c) ?? 0), 0);
    const unique = orch.entries.length;
    return {
      calls: calls.length,
      failedCalls: summaries.reduce((n, s) => n + s.failedCalls, 0),
      failuresByKind,
      unique,
      candidates: orch.candidates,
      duplicateRate: orch.duplicates / Math.max(1, orch.candidates),
      promptTokens,
      completionTokens,
      uniquePerCall: unique / Math.max(1, calls.length),
      uniquePer1kTokens: unique / Math.max(1, (promptTokens + completionTokens) / 1000),
      promptTokensPerCall: promptTokens / Math.max(1, calls.length),
      costUsd,
      uniquePerCent: costUsd > 0 ? unique / (costUsd * 100) : 0,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await sim.close();
  }
}

/** Prompt tokens (gpt-tokenizer, o200k) of one call's prompt when N entries are known. */
function promptTokensAtKnown(cfg: StrategyConfig): Record<string, number> {
  const universe = generateUniverse(TOPIC, Math.max(...KNOWN_SIZES), 0);
  const out: Record<string, number> = {};
  for (const n of KNOWN_SIZES) {
    const known = new KnownEntries();
    universe.items.slice(0, n).forEach((text, i) => known.add(i + 1, text));
    // A producer has seen some of its entries re-proposed by then.
    for (let i = 0; i < Math.min(n, 200); i++) known.noteReproposal(universe.items[i]!);
    out[String(n)] = buildPrompt({
      topic: TOPIC,
      requestSize: cfg.requestSize,
      known,
      budgetTokens: cfg.promptBudgetTokens,
      strategy: cfg.strategy,
    }).promptTokens;
  }
  return out;
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function main(): Promise<void> {
  const results: Record<string, RunFigures & { config: StrategyConfig; promptTokensAtKnown: Record<string, number> }> = {};
  for (const cfg of STRATEGIES) {
    process.stdout.write(`running ${cfg.name}... `);
    const figures = await runOnce(cfg);
    results[cfg.name] = { config: cfg, ...figures, promptTokensAtKnown: promptTokensAtKnown(cfg) };
    console.log(`${fmt(figures.seconds)} s`);
  }

  const rows: Array<[string, (r: (typeof results)[string]) => string]> = [
    [
      "calls (failed)",
      (r) =>
        `${r.calls} (${r.failedCalls}${
          Object.keys(r.failuresByKind).length
            ? ` ${Object.entries(r.failuresByKind)
                .map(([k, v]) => `${k}:${v}`)
                .join(",")}`
            : ""
        })`,
    ],
    ["items asked per call", (r) => String(r.config.requestSize)],
    ["unique entries", (r) => String(r.unique)],
    ["unique per call", (r) => fmt(r.uniquePerCall)],
    ["unique per 1k tokens", (r) => fmt(r.uniquePer1kTokens, 2)],
    ["duplicate rate", (r) => `${fmt(r.duplicateRate * 100)} %`],
    ["prompt tokens per call (run)", (r) => fmt(r.promptTokensPerCall, 0)],
    ...KNOWN_SIZES.map(
      (n) =>
        [`prompt tokens at ${n / 1000}k known`, (r: (typeof results)[string]) => fmt(r.promptTokensAtKnown[String(n)] ?? NaN, 0)] as [
          string,
          (r: (typeof results)[string]) => string,
        ],
    ),
    ["cost (USD, sim prices)", (r) => `$${r.costUsd.toFixed(4)}`],
    ["unique per cent (USD 0.01)", (r) => fmt(r.uniquePerCent, 1)],
  ];
  const names = Object.keys(results);
  const width = Math.max(...rows.map(([label]) => label.length));
  const cols = names.map((n) => Math.max(n.length, ...rows.map(([, f]) => f(results[n]!).length)));
  console.log();
  console.log(`${"".padEnd(width)}  ${names.map((n, i) => n.padStart(cols[i]!)).join("  ")}`);
  for (const [label, f] of rows) console.log(`${label.padEnd(width)}  ${names.map((n, i) => f(results[n]!).padStart(cols[i]!)).join("  ")}`);

  const out = {
    generatedAt: new Date().toISOString(),
    setup: {
      topic: TOPIC,
      producers: PRODUCERS.map((p) => `${p.provider}:${p.model}`),
      callsPerProducer: CALLS_PER_PRODUCER,
      simulator: SIM_PARAMS,
      promptTokensCountedWith: "gpt-tokenizer o200k_base (producer side); run token totals are the simulator's usage fields",
    },
    results,
  };
  const file = path.join(__dirname, "results", "llm.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
