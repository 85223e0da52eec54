import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client";
import type { RunConfig } from "../../lib/run-config";
import type { ActiveRun } from "./active-run";
import { breakdownCaller, producerLlmConfig } from "./breakdown-call";
import type { DedupReview } from "./dedup-review";
import { makeRunJudge } from "./run-judge";
import { makeRunVerifier } from "./run-verify";
import type { EventLog } from "./event-log";
import type { OpenRunDeps } from "./open-run";
import type { OrchestratorOptions } from "./orchestrator-options";
import type { SetupDeps } from "./run-setup";

// What preparing (run-setup.ts) and opening (open-run.ts) a run take from the orchestrator.

/** A producer secret: the options' generator (tests), else 24 random bytes. */
export function newSecret(o: OrchestratorOptions): string {
  return o.newSecret?.() ?? randomBytes(24).toString("base64url");
}

export function setupDeps(o: OrchestratorOptions): SetupDeps {
  return {
    db: o.db,
    outputDir: o.outputDir,
    keys: o.keys,
    defaultProducers: o.defaultProducers,
    simulatorUrl: o.simulatorUrl,
    newSecret: () => newSecret(o),
    priceOf: o.priceOf,
    judgeModel: o.judgeModel,
  };
}

/** The orchestrator's own parts an opened run uses: the judge merges through the dedup review. */
export type RunServices = {
  prisma: () => PrismaClient;
  clock: () => number;
  log: (level: "info" | "warn" | "error", message: string) => void;
  dedup: DedupReview;
  eventLog: EventLog;
};

export function openDeps(o: OrchestratorOptions, s: RunServices, simUrl: string | undefined): OpenRunDeps {
  const services = { prisma: s.prisma, costOf: o.costOf, clock: s.clock, log: s.log };
  return {
    db: o.db,
    outputDir: o.outputDir,
    clock: s.clock,
    log: s.log,
    makeJudge: (run: ActiveRun) =>
      makeRunJudge(
        { ...services, judgeLlm: o.judgeLlm, timeoutMs: o.judgeTimeoutMs, gatherMs: o.judgeGatherMs, merge: (m, how) => s.dedup.merge(m, how) },
        run,
        simUrl,
      ),
    makeVerifier: (run: ActiveRun) => makeRunVerifier({ ...services, llm: o.judgeLlm, eventLog: s.eventLog, timeoutMs: undefined }, run, simUrl),
    sideGatherMs: o.judgeGatherMs,
    breakdown: (runId: string, config: RunConfig, simUrl: string | undefined) =>
      breakdownCaller({ ...services, runId, config, llm: producerLlmConfig(o.producerEnv(), simUrl, s.clock) }),
  };
}
