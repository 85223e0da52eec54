import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EntryLedger } from "../../src/lib/entry-ledger";
import { parseItems } from "../../src/lib/parse-items";
import { callCostUsd, createPriceTable, type ModelPrice } from "../../src/lib/pricing";
import { buildPrompt, KnownEntries, maxTokensFor } from "../../src/lib/prompt";
import type { CallRecord, SubmitInput } from "../../src/lib/protocol";
import { callObservation, Optimizer, type CallObservation } from "../../src/lib/routing/optimizer";
import type { OptimizerEvent, OptimizerOptions, TickResult } from "../../src/lib/routing/optimizer-options";
import { ProducerPool } from "../../src/lib/routing/simulate";
import { requestPricedCostUsd, type RunConfig } from "../../src/lib/run-config";
import { planLatency, totalLatencyMs } from "../../src/lib/sim/latency";
import { isSimModelId, SIM_MODEL_PROFILES } from "../../src/lib/sim/models";
import type { SimParamsOverride } from "../../src/lib/sim/params";
import { Rng } from "../../src/lib/sim/prng";
import { seededRng } from "../../src/lib/stats/math";
import { ActiveRun } from "../../src/server/orchestrator/active-run";
import { RunMetrics } from "../../src/server/orchestrator/metrics";
import { OutputFile } from "../../src/server/orchestrator/output-file";
import { createLlmResolver } from "../../src/server/producer/llm/factory";
import { LlmCallError } from "../../src/server/producer/llm/types";

/** A finished call: what the optimiser observed of it, and when it started. */
export type RoutedCall = CallObservation & { startedAt: number };

export type RoutingRunOptions = {
  config: RunConfig;
  simulatorUrl: string;
  /** Calls to make in all, spread over `config.producers` producers calling back to back. */
  calls: number;
  /** Simulated clock origin (ms epoch). */
  start: number;
  /** Seed of the optimiser's Thompson draws. */
  seed: number;
  optimizer?: Partial<OptimizerOptions>;
  /** Price overrides per "provider:model" (createPriceTable). */
  prices?: Record<string, ModelPrice>;
  /** The simulator's parameter overrides, for the modelled latency of changed model profiles. */
  sim?: SimParamsOverride;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** After every step's tick (a call ended and was accounted, or a producer's first turn). */
  onTick?: (now: number, tick: TickResult, optimizer: Optimizer) => void;
};

export type RoutingRun = {
  optimizer: Optimizer;
  run: ActiveRun;
  calls: RoutedCall[];
  decisions: Array<OptimizerEvent & { decisionId: number }>;
  /** Simulated time when the last call was accounted. */
  end: number;
};

/** What a call takes at latencyScale 1 for its tokens: the simulator's latency model without its jitter. */
export function modelledLatencyMs(model: string, promptTokens: number, completionTokens: number, sim: SimParamsOverride = {}): number {
  if (!isSimModelId(model)) throw new Error(`not a simulated model: ${model}`);
  const profile = { ...SIM_MODEL_PROFILES[model], ...sim.models?.[model] };
  return totalLatencyMs(planLatency(profile, { latencyScale: 1, latencyJitter: 0 }, promptTokens, new Rng(0)), completionTokens);
}

type InFlight = { call: CallRecord; producer: string; items: string[] };

/**
 * A run routed by the real optimiser and accounted by the orchestrator's own ActiveRun, against
 * the simulator over the producers' SDK clients. Shared by the routing integration test and
 * bench:routing, so neither re-implements the accounting.
 *
 * Producers: each asks for its target as the producer endpoints do (`optimizer.targetFor`),
 * syncs the entries it lacks (`run.delta`), builds the producer's prompt, makes the call, and
 * reports it as a producer would: the call's candidates and its record in one submission
 * (`run.submit`, then `run.observeCall` with the cost the endpoints compute). The DB insert of
 * the call record is the only step left out. Entries go to an output.txt in a temporary folder.
 *
 * Time is simulated (ProducerPool): each call lasts the simulator's modelled latency for the
 * tokens it used, so the router sees minutes of a run whatever the machine's speed.
 */
export async function runRouting(opts: RoutingRunOptions): Promise<RoutingRun> {
  const { config } = opts;
  let now = opts.start;
  const clock = () => now;
  const optimizer = new Optimizer(config, { clock, rng: seededRng(opts.seed), log: opts.log, ...(opts.optimizer ? { options: opts.optimizer } : {}) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-routing-"));
  const output = new OutputFile(path.join(dir, "output.txt"));
  await output.reconcile([]);
  const run = new ActiveRun({
    id: "routing",
    slug: "routing",
    config,
    mode: "running",
    secretHash: "",
    startedAt: now,
    ledger: new EntryLedger(),
    tree: null,
    metrics: new RunMetrics(),
    totalCandidates: 0,
    costUsd: 0,
    optimizer,
    output,
    insert: async () => {},
    log: opts.log,
  });
  const llmFor = createLlmResolver({ simulatorUrl: opts.simulatorUrl, callTimeoutMs: 60_000 });
  const prices = createPriceTable(opts.prices);
  // Every producer holds every accepted entry before each call (it syncs first), so one list serves them all.
  const known = new KnownEntries();
  let synced = 0;
  const calls: RoutedCall[] = [];
  const decisions: RoutingRun["decisions"] = [];
  const pool = new ProducerPool<InFlight>(config.producers, opts.start);
  let issued = 0;
  let batch = 0;

  /** The producer's submission of a finished call, as the producer endpoints handle it. */
  const finish = async ({ call, producer, items }: InFlight) => {
    const input: SubmitInput = { runId: run.id, producer, batchId: `b${++batch}`, callId: call.callId, candidates: items, call, sinceSeq: synced };
    const { outcome } = run.submit(input, { provider: call.provider, model: call.model }, now);
    const { outcomes } = await outcome;
    if (!outcomes) throw new Error(`batch ${input.batchId} was a replay`);
    const costUsd = requestPricedCostUsd(config, call) ?? callCostUsd(prices, call) ?? 0;
    run.observeCall(producer, call, costUsd, now);
    // One submission per call, so the batch's outcomes are the call's tally (the figures the optimiser got).
    const tally = { new: outcomes.unique, dupExact: outcomes.dupExact, dupNear: outcomes.dupNear, junk: outcomes.junk };
    calls.push({ ...callObservation(producer, call, tally, costUsd, now), startedAt: call.startedAt });
  };

  try {
    for (let step = pool.next(); step; step = pool.next()) {
      now = step.now;
      if (step.ended) await finish(step.ended);
      const tick = optimizer.tick(now);
      decisions.push(...tick.events);
      opts.onTick?.(now, tick, optimizer);
      if (issued >= opts.calls) {
        pool.retire(step.producer);
        continue;
      }
      issued++;
      const producer = `p${step.producer + 1}`;
      const target = optimizer.targetFor(producer, now);
      for (let d = run.delta(synced); ; d = run.delta(synced)) {
        for (const e of d.entries) known.add(e.seq, e.text);
        synced = d.nextSeq;
        if (!d.more) break;
      }
      const resolution = llmFor(target);
      if (!("client" in resolution)) throw new Error(resolution.unavailable);
      const prompt = buildPrompt({ topic: config.topic, requestSize: config.requestSize, known, budgetTokens: config.promptBudgetTokens });
      const call: CallRecord = { callId: `c${issued}`, ...target, startedAt: now, latencyMs: 0, promptTokens: 0, completionTokens: 0, itemsParsed: 0 };
      let items: string[] = [];
      try {
        const res = await resolution.client.stream({
          system: prompt.system,
          user: prompt.user,
          maxTokens: maxTokensFor(config.requestSize),
          signal: AbortSignal.timeout(60_000),
          onText: () => {},
        });
        items = parseItems(res.text, { truncated: res.truncated });
        call.promptTokens = res.promptTokens ?? prompt.promptTokens;
        call.completionTokens = res.completionTokens ?? 0;
        call.itemsParsed = items.length;
        call.latencyMs = Math.round(modelledLatencyMs(target.model, call.promptTokens, call.completionTokens, opts.sim));
      } catch (err) {
        if (!(err instanceof LlmCallError)) throw err;
        call.error = { kind: err.kind, message: err.message.slice(0, 500) };
        call.latencyMs = 200;
      }
      pool.start(step.producer, now + call.latencyMs, { call, producer, items });
    }
    await run.writer.close();
    return { optimizer, run, calls, decisions, end: now };
  } finally {
    await output.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
