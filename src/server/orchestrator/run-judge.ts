import type { PrismaClient } from "../../generated/prisma/client";
import type { CallRecord } from "../../lib/protocol";
import type { ProviderId } from "../../lib/providers";
import { requestPricedCostUsd } from "../../lib/run-config";
import type { LlmResolution } from "../producer/llm/factory";
import type { ActiveRun } from "./active-run";
import type { DedupReview } from "./dedup-review";
import { JudgeQueue, pendingPairs } from "./judge-queue";
import * as repo from "./repo";

export type RunJudgeDeps = {
  prisma: () => PrismaClient;
  costOf: (call: CallRecord) => number;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
  /** A client for the judge's model, through the producers' provider layer and SDKs. */
  judgeLlm: ((target: { provider: ProviderId; model: string }, simulatorUrl: string | undefined) => LlmResolution) | undefined;
  timeoutMs: number | undefined;
  gatherMs: number | undefined;
  /** The review's merge path: a "same" verdict merges like the user's Merge (as `judged-same`). */
  merge: DedupReview["merge"];
};

/**
 * The run's dedup judge when its config enables it: it subscribes to the run's committed
 * entries, and their kept-apart pairs are judged in batches; its calls are stored and costed in
 * llm_calls (producer "judge") and counted in the run's spend through the run.
 */
export function makeRunJudge(deps: RunJudgeDeps, run: ActiveRun, simUrl: string | undefined): JudgeQueue | undefined {
  const j = run.config.judge;
  if (!j?.enabled || !deps.judgeLlm) return undefined;
  const resolved = deps.judgeLlm({ provider: j.provider, model: j.model }, simUrl);
  if ("unavailable" in resolved) {
    deps.log("warn", `dedup judge off: ${resolved.unavailable}`);
    return undefined;
  }
  const prisma = deps.prisma();
  const judge = new JudgeQueue({
    side: run.side,
    topic: run.config.topic,
    client: resolved.client,
    timeoutMs: deps.timeoutMs ?? 10_000,
    gatherMs: deps.gatherMs ?? 2_000,
    // A target the run priced itself (a model missing from the price table) is billed at its price, as producer calls are.
    costOf: (call) => requestPricedCostUsd(run.config, call) ?? deps.costOf(call),
    clock: deps.clock,
    log: deps.log,
    onCall: async (call, costUsd, same) => {
      const stored = await repo.insertLlmCall(prisma, run.id, call, { producer: repo.JUDGE_PRODUCER, itemsNew: same, costUsd });
      if (stored) run.observeServerCall(call, costUsd, "judge");
    },
    onVerdict: async (pair, decision) => {
      const intoSeq = pair.entrySeq ?? run.seqOf(pair.entryText);
      if (decision === "same" && intoSeq !== undefined) {
        await deps.merge({ runId: run.id, seq: pair.candidateSeq, intoSeq }, { kind: "judged-same", verdict: "same" });
      } else if (decision === "different") {
        await repo.recordJudgedDifferent(prisma, run.id, {
          origin: `judged:${pair.origin}`,
          kind: "judged-different",
          candidate: pair.candidate,
          candidateSeq: pair.candidateSeq,
          entrySeq: intoSeq ?? null,
          entryText: pair.entryText,
          reason: "judged",
          edit: null,
          cost: null,
          sources: null,
          verdict: "different",
          producer: repo.JUDGE_PRODUCER,
          provider: j.provider,
          model: j.model,
          at: new Date(deps.clock()),
        });
      }
    },
  });
  // Unsubscribed with the run: the judge lives as long as its run's bus.
  run.events.on("committed", ({ decisions }) => judge.enqueue(pendingPairs(decisions)));
  return judge;
}
