import { requestPricedCostUsd } from "../../lib/run-config";
import type { PrismaClient } from "../../generated/prisma/client";
import type { CallRecord } from "../../lib/protocol";
import { targetLabel, type ProviderId } from "../../lib/providers";
import type { LlmClient } from "../producer/llm/types";
import type { LlmResolution } from "../producer/llm/factory";
import type { ActiveRun } from "./active-run";
import type { EventLog } from "./event-log";
import * as repo from "./repo";
import { VerifyQueue } from "./verify-queue";
import { BranchPrecision } from "../../lib/trust/branch-precision";
import { DEFAULT_SETTLE_SECONDS } from "../../lib/trust/config";

export type RunVerifyDeps = {
  prisma: () => PrismaClient;
  costOf: (call: CallRecord) => number;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** A client for a verifier's model, through the producers' provider layer and SDKs. */
  llm: ((target: { provider: ProviderId; model: string }, simulatorUrl: string | undefined) => LlmResolution) | undefined;
  eventLog: EventLog;
  timeoutMs: number | undefined;
};

/**
 * The run's verifier when its config enables it. Verifiers are the run's models (and the judge's);
 * calls are stored and costed
 * in llm_calls (producer "verify") and count in the run's spend; side calls (judge and
 * verification) together stay within `verify.maxShare` of it.
 */
export function makeRunVerifier(deps: RunVerifyDeps, run: ActiveRun, simUrl: string | undefined): VerifyQueue | undefined {
  const v = run.config.verify;
  if (!v?.enabled || !deps.llm) return undefined;
  const prisma = deps.prisma();
  const targets = new Map<string, { provider: ProviderId; model: string }>();
  for (const t of run.config.providers) targets.set(targetLabel(t), { provider: t.provider, model: t.model });
  const j = run.config.judge;
  if (j?.enabled) targets.set(targetLabel(j), { provider: j.provider, model: j.model });
  const clients = new Map<string, LlmClient | null>();
  const client = (label: string): LlmClient | undefined => {
    let c = clients.get(label);
    if (c === undefined) {
      const target = targets.get(label);
      const resolved = target && deps.llm!(target, simUrl);
      c = resolved && "client" in resolved ? resolved.client : null;
      if (resolved && "unavailable" in resolved) deps.log("warn", `verifier ${label} unavailable: ${resolved.unavailable}`);
      clients.set(label, c);
    }
    return c ?? undefined;
  };
  let judgeCost = 0;
  const precision = new BranchPrecision();
  const priceOf = (label: string, promptTokens: number, completionTokens: number): number => {
    const t = targets.get(label)!;
    const call = { callId: "price", ...t, startedAt: 0, latencyMs: 0, promptTokens, completionTokens, itemsParsed: 0 };
    return requestPricedCostUsd(run.config, call) ?? deps.costOf(call);
  };
  const verifier = new VerifyQueue({
    topic: run.config.topic,
    side: run.side,
    client,
    // Best-informed first: the model that found the most entries knows the most, and a real
    // long-tail name is what a model that knows less doubts (bench:trust: best-informed first
    // cost 1.3-1.5 points of recall, cheapest first 2.6-3.7). The queue sends entries several
    // models proposed to the cheapest instead.
    verifiers: () => {
      const found = new Map(run.metrics.snapshot(deps.clock()).targets.map((t) => [t.key, t.unique]));
      const reachable = [...targets.keys()].filter((label) => client(label) !== undefined);
      return reachable.sort((a, b) => (found.get(b) ?? 0) - (found.get(a) ?? 0) || priceOf(a, 1_000, 100) - priceOf(b, 1_000, 100));
    },
    priceOf,
    support: (text) => ({ models: run.support.modelsOf(text), calls: run.support.callsOf(text), repeating: run.support.fromRepeatingAnswer(text) }),
    pathOf: (branchId) => (branchId !== null && run.tree && branchId < run.tree.tree.size ? run.tree.tree.branch(branchId).path : []),
    affordable: (usd) => {
      judgeCost = run.judge?.stats.costUsd ?? judgeCost;
      const side = judgeCost + (run.verifier?.stats.costUsd ?? 0) + usd;
      return side <= v.maxShare * (run.costUsd + usd);
    },
    // Renamed since (its display form): found by its number; gone once merged away.
    textOf: (seq) => run.textOf(seq),
    // A target the run priced itself (a model missing from the price table) is billed at its price, as producer calls are.
    costOf: (call) => requestPricedCostUsd(run.config, call) ?? deps.costOf(call),
    onCall: async (call, costUsd) => {
      const stored = await repo.insertLlmCall(prisma, run.id, call, { producer: repo.VERIFY_PRODUCER, itemsNew: 0, costUsd });
      if (stored) run.observeServerCall(call, costUsd, "verify");
    },
    onOpinions: async (callId, label, given) => {
      const target = targets.get(label)!;
      const at = new Date(deps.clock());
      await repo.insertChecks(
        prisma,
        run.id,
        given.map((g) => ({ seq: g.item.seq, provider: target.provider, model: target.model, opinion: g.opinion, callId, at })),
      );
    },
    onVerdicts: async (verdicts) => {
      // A branch whose single-model entries verification mostly rejects is exhausted: no more calls there.
      for (const { item, verdict } of verdicts) {
        const models = run.support.modelsOf(item.text);
        const kept = verdict !== "rejected";
        // The yield of the model (and of its arm: model x branch) whose call found it counts only
        // what verification keeps: an inventing model loses its calls, in the branch where it invents.
        if (models[0] !== undefined) {
          run.optimizer.observeProposerVerdict(models[0], kept);
          if (item.branchId !== null) run.tree?.observeVerdict(models[0], item.branchId, kept);
        }
        // The run's stop counts new entries verification does not reject (inventions look new
        // forever). Every new entry is proposed once by one model; those still so when checked
        // are what the run's recent calls add.
        if (models.length >= 2) continue;
        run.optimizer.observeVerdict(!kept);
        if (item.branchId === null || item.branchId === 0) continue;
        const share = precision.record(item.branchId, verdict === "rejected");
        if (share !== null) run.tree?.saturateByVerification(item.branchId, share);
      }
      const at = new Date(deps.clock());
      const rejected = verdicts.filter((v) => v.verdict === "rejected").map((v) => v.item);
      await run.applyVerdicts(
        rejected.map((i) => i.text),
        () =>
          repo.setVerdicts(
            prisma,
            run.id,
            verdicts.map((v) => ({ seq: v.item.seq, verdict: v.verdict })),
            at,
          ),
      );
      // An entry rejected before and kept now (another model proposed it since) is back in output.txt.
      for (const v of verdicts) if (v.verdict !== "rejected" && run.rejected.has(v.item.text)) await run.setTrust(v.item.text, false, async () => true);
      // One event per call: its rejections, each with the opinions and verifiers behind it.
      if (rejected.length > 0) {
        const names = rejected.slice(0, 5).map((i) => `"${i.text}"`);
        await deps.eventLog.add(
          run.id,
          "trust.rejected",
          `${rejected.length} rejected by verification: ${names.join(", ")}${rejected.length > 5 ? ", …" : ""}`,
          { entries: rejected.map((i) => ({ seq: i.seq, opinions: i.opinions, verifiers: i.asked })) },
        );
      }
    },
    settleMs: (v.settleSeconds ?? DEFAULT_SETTLE_SECONDS) * 1000,
    timeoutMs: deps.timeoutMs ?? 30_000,
    clock: deps.clock,
    log: deps.log,
  });
  // Committed entries, to be checked once they settled; unsubscribed with the run.
  run.events.on("committed", ({ rows }) => verifier.enqueue(rows));
  return verifier;
}

/**
 * Longest the stop's verification drain lasts. It ends sooner once every entry has its verdict
 * or the budget allows no more (2.5-4 s in bench:trust runs on the simulator), or when the user
 * stops the run again (Orchestrator.stop); the run shows `stopping` meanwhile.
 */
const VERIFY_DRAIN_MS = 180_000;
/** The drain when the server shuts down: its process manager's kill timeout is 10 s (ecosystem.config.js). */
export const SHUTDOWN_DRAIN_MS = 5_000;
/** The drain also ends when no call gave an opinion for this long (a provider down; a call times out at 30 s). */
const VERIFY_STALL_MS = 45_000;

/** The stop's verification of what is left, reported in the event log ("trust.drained"): opinions, time, entries left unverified and why. */
export async function drainVerification(run: ActiveRun, eventLog: EventLog, maxMs = VERIFY_DRAIN_MS): Promise<void> {
  if (!run.verifier) return;
  const d = await run.verifier.drain(maxMs, Math.min(maxMs, VERIFY_STALL_MS));
  const why = {
    done: "",
    budget: " (the verification budget is spent)",
    time: ` (the drain's limit of ${Math.round(maxMs / 1000)} s)`,
    stalled: ` (no verifier answered for ${VERIFY_STALL_MS / 1000} s)`,
    cut: " (stopped again)",
  }[d.ended];
  const message = `verification at the stop: ${d.checked} opinion(s) in ${(d.ms / 1000).toFixed(1)} s; ${d.left} entries left unverified${why}`;
  await eventLog.add(run.id, "trust.drained", message, {
    seconds: d.ms / 1000,
    opinions: d.checked,
    left: d.left,
    ended: d.ended,
    inventedShareByKind: d.inventedShareByKind,
    /** Rejected entries kept after all, once proposed again (a model that knows them, another call). */
    restored: run.verifier.stats.restored,
  });
}
