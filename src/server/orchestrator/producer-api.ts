import { createHash } from "node:crypto";
import { DomainError, errorMessage } from "../../lib/errors";
import type { Assignment, CallRecord, ReportInput, SubmitInput, SubmitResult, SyncInput, SyncResult } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import { requestPricedCostUsd } from "../../lib/run-config";
import { isProducing } from "../../lib/run-modes";
import type { PrismaClient } from "../../generated/prisma/client";
import type { ActiveRun } from "./active-run";
import { insertLlmCall } from "./repo";

export type ProducerMessage = Pick<ReportInput, "level" | "message"> & { at: number };

/** A producer's calls in flight as its latest submission reported them, and the model they went to. */
export type ProducerInFlight = { calls: number; target: string };

export type ProducerApiDeps = {
  prisma: () => PrismaClient;
  /** The run this server holds now, if any. */
  activeRun: () => ActiveRun | undefined;
  costOf: (call: CallRecord) => number;
  clock: () => number;
  /** A producer reported a message (shown in the live snapshot); the run's own changes are on its bus. */
  reported: () => void;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

export function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

const GONE_ASSIGNMENT: Assignment = { topic: "", target: { provider: "sim", model: "none" }, requestSize: 1, promptBudgetTokens: 0, index: 0, poolSize: 1 };

/**
 * What producers call (`producer.*`). `authenticate` runs first (the tRPC
 * `producerProcedure` middleware); each endpoint then gets the run it resolved:
 * undefined when the producer's run is no longer the active one (it is told to stop).
 */
export class ProducerApi {
  /** The last message each producer reported, shown next to its health. */
  readonly messages = new Map<string, ProducerMessage>();
  /** The latest calls in flight of each producer (dashboard). */
  readonly inFlight = new Map<string, ProducerInFlight>();

  constructor(private readonly deps: ProducerApiDeps) {}

  /** The active run when `runId` is it and the secret matches; UNAUTHORIZED on a bad secret. */
  authenticate(runId: string, secret: string | null): ActiveRun | undefined {
    const run = this.deps.activeRun();
    if (!run || run.id !== runId) return undefined;
    if (!secret || sha256(secret) !== run.secretHash) throw new DomainError("UNAUTHORIZED", "bad or missing run secret");
    return run;
  }

  hello(run: ActiveRun | undefined, input: { producer: string }): SyncResult {
    if (run) {
      this.messages.delete(input.producer);
      this.inFlight.delete(input.producer);
    }
    return this.syncResult(run, input.producer, 0);
  }

  sync(run: ActiveRun | undefined, input: SyncInput): SyncResult {
    return this.syncResult(run, input.producer, input.sinceSeq);
  }

  /** authenticate -> the ledger classifies -> the writer commits -> the optimiser observes -> the run's bus announces it. */
  async submit(run: ActiveRun | undefined, input: SubmitInput): Promise<SubmitResult> {
    // A run that is stopping still takes the producers' last batches: nothing is lost.
    if (!run || run.mode === "stopped" || run.mode === "failed" || run.mode === "interrupted") {
      return { ...this.syncResult(undefined, input.producer, input.sinceSeq), accepted: 0, duplicates: 0, replay: false };
    }
    const now = this.deps.clock();
    const target = input.call ? { provider: input.call.provider, model: input.call.model } : this.assignment(run, input.producer).target;
    if (input.callsInFlight !== undefined) this.inFlight.set(input.producer, { calls: input.callsInFlight, target: targetLabel(target) });
    const { outcome, replay } = run.submit(input, target, now);
    const result = await outcome;
    if (input.call && !replay) await this.accountCall(run, input.producer, input.call, input.branchId);
    return { ...this.syncResult(run, input.producer, input.sinceSeq), accepted: result.accepted, duplicates: result.duplicates, replay };
  }

  report(run: ActiveRun | undefined, input: ReportInput): void {
    if (!run) return;
    this.messages.set(input.producer, { level: input.level, message: input.message, at: this.deps.clock() });
    if (input.level !== "info") this.deps.log("warn", `producer ${input.producer}: ${input.message}`);
    this.deps.reported();
  }

  /** Stores a finished call once, then counts it once (a re-sent last batch after a restart must not cost twice). */
  private async accountCall(run: ActiveRun, producer: string, call: CallRecord, branchId?: number): Promise<void> {
    // A price given in the start request (a model the table does not know) wins.
    const cost = requestPricedCostUsd(run.config, call) ?? this.deps.costOf(call);
    let isNew: boolean;
    try {
      isNew = await insertLlmCall(this.deps.prisma(), run.id, call, { producer, itemsNew: run.newEntriesOf(call.callId), costUsd: cost });
    } catch (err) {
      this.deps.log("error", `recording a call: ${errorMessage(err)}`);
      isNew = true; // count it in memory anyway: the figures on screen stay right
    }
    if (isNew) run.observeCall(producer, call, cost, this.deps.clock(), branchId);
  }

  private assignment(run: ActiveRun, producer: string): Assignment {
    // Producers are named p1..pN; any other name (a script driving the API) gets slot 0.
    const n = /^p(\d+)$/.exec(producer);
    const index = n ? (Number(n[1]) - 1) % run.config.producers : 0;
    // The router picks provider/model per call: it may change between calls.
    const target = run.optimizer.targetFor(producer, this.deps.clock());
    return {
      topic: run.config.topic,
      target,
      requestSize: run.config.requestSize,
      concurrency: run.config.concurrency,
      promptBudgetTokens: run.config.promptBudgetTokens,
      index,
      poolSize: run.config.producers,
      // Tree runs: the branch (and prompt variant) of the producer's next call, its known entries as this model's prompt may list them.
      ...run.tree?.assignment(producer, target, run.support.shownTo(targetLabel(target), run.rejected)),
    };
  }

  private syncResult(run: ActiveRun | undefined, producer: string, sinceSeq: number): SyncResult {
    if (!run) return { keepGoing: false, assignment: GONE_ASSIGNMENT, delta: { entries: [], nextSeq: sinceSeq, more: false } };
    return { keepGoing: isProducing(run.mode), assignment: this.assignment(run, producer), delta: run.delta(sinceSeq) };
  }
}
