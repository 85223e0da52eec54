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
  changed: () => void;
  timeoutMs: number | undefined;
};

/**
 * The run's verifier when its config enables it. Verifiers are the run's models (and the judge's),
 * the one that found the most entries first; calls are stored and costed
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
  const priceOf = (label: string): number => {
    const t = targets.get(label)!;
    const call = { callId: "price", ...t, startedAt: 0, latencyMs: 0, promptTokens: 1_000, completionTokens: 100, itemsParsed: 0 };
    return deps.costOf(call);
  };
  return new VerifyQueue({
    topic: run.config.topic,
    side: run.side,
    client,
    // The model that found the most entries first (it knows the most: fewer wrong rejections of
    // real long-tail entries and fewer follow-up opinions; measured against cheapest-first in
    // bench:trust, 1.3-1.5 against 3.1-3.7 points of recall for about the same spend per verdict),
    // then the cheaper; a second opinion goes to the next one.
    verifiers: () => {
      const found = new Map(run.metrics.snapshot(deps.clock()).targets.map((t) => [t.key, t.unique]));
      return [...targets.keys()].sort((a, b) => (found.get(b) ?? 0) - (found.get(a) ?? 0) || priceOf(a) - priceOf(b));
    },
    proposers: (text) => run.support.modelsOf(text),
    pathOf: (branchId) => (branchId !== null && run.tree && branchId < run.tree.tree.size ? run.tree.tree.branch(branchId).path : []),
    affordable: (usd) => {
      judgeCost = run.judge?.stats.costUsd ?? judgeCost;
      const side = judgeCost + (run.verifier?.stats.costUsd ?? 0) + usd;
      return side <= v.maxShare * (run.costUsd + usd);
    },
    isEntry: (seq, text) => run.ledger.textOf(seq) === text,
    costOf: deps.costOf,
    onCall: async (call, costUsd) => {
      const stored = await repo.insertLlmCall(prisma, run.id, call, { producer: repo.VERIFY_PRODUCER, itemsNew: 0, costUsd });
      if (stored) run.costUsd += costUsd;
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
    onVerdict: async (item, verdict) => {
      // A branch whose entries verification mostly rejects is exhausted: no more calls there.
      if (item.branchId !== null && item.branchId !== 0) {
        const share = precision.record(item.branchId, verdict === "rejected");
        if (share !== null) run.tree?.saturateByVerification(item.branchId, share);
      }
      const at = new Date(deps.clock());
      const applied = await run.setTrust(item.text, verdict === "rejected", () => repo.setVerdict(prisma, run.id, item.seq, verdict, at));
      if (applied && verdict === "rejected") {
        await deps.eventLog.add(run.id, "trust.rejected", `"${item.text}" (#${item.seq}) rejected: ${item.opinions.join(", ")}`, {
          seq: item.seq,
          opinions: item.opinions,
          verifiers: item.asked,
        });
      }
      if (applied) deps.changed();
    },
    settleMs: (v.settleSeconds ?? DEFAULT_SETTLE_SECONDS) * 1000,
    timeoutMs: deps.timeoutMs ?? 30_000,
    clock: deps.clock,
    log: deps.log,
  });
}
