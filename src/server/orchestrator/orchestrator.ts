import { AsyncLocalStorage } from "node:async_hooks";
import { EventEmitter } from "node:events";
import { DomainError, errorMessage } from "../../lib/errors";
import { availableModels } from "../../lib/provider-settings";
import { startInputSchema, type StartInput } from "../../lib/run-config";
import type { ActiveRun } from "./active-run";
import { DedupReview } from "./dedup-review";
import { TrustReview } from "./trust-review";
import { EventLog, coalesce, consoleLog } from "./event-log";
import { buildSnapshot, type LiveSnapshot } from "./live";
import { openRun, producerNames, type OpenRunDeps } from "./open-run";
import { ProducerPool } from "./producer-pool";
import { ProducerApi, sha256 } from "./producer-api";
import * as repo from "./repo";
import { onAnyRunEvent } from "./run-events";
import { RunStates, type ModeChange } from "./run-state";
import { prepareStart, type PreparedStart } from "./run-setup";
import { openDeps, setupDeps } from "./run-deps";
import { drainVerification, SHUTDOWN_DRAIN_MS } from "./run-verify";
import { bootActiveRun, type BootDeps } from "./boot";
import type { OrchestratorOptions } from "./orchestrator-options";
import { Ticker } from "./ticker";
import type { BranchView } from "./branch-view";
import { editTree, treeView, type TreeEdit } from "./tree-view";
import type { BetweenRuns } from "./stored-runs";

/** What a start or resume answers; `movedAside`: where an output folder no stored run owned was moved to. */
export type StartAnswer = { runId: string; resumed: boolean; entries: number; movedAside: string | null };

/**
 * The run controller: one run at a time. Starts, stops, boots (boot.ts: re-attach or mark
 * interrupted) and shuts down, serialised; the producer endpoints are in producer-api.ts,
 * the once-a-second work in ticker.ts, the run's state in run-state.ts.
 */
export class Orchestrator {
  /** "change" (coalesced), "tick" (every second). */
  readonly events = new EventEmitter();
  readonly clock: () => number;
  readonly producers: ProducerApi;
  /** Near-duplicate review, merge and restore (dedup-review.ts). */
  readonly dedup: DedupReview;
  /** Verification counts, rejected entries and their restore (trust-review.ts). */
  readonly trust: TrustReview;
  private readonly states: RunStates;
  private readonly ticker: Ticker;
  private readonly pool: ProducerPool;
  private run: ActiveRun | undefined;
  /** Ends the live view's subscription to the active run's bus. */
  private unfollow: (() => void) | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private readonly eventLog: EventLog;
  private closed = false;

  constructor(private readonly opts: OrchestratorOptions) {
    this.clock = opts.clock ?? Date.now;
    this.events.setMaxListeners(1000);
    const log = (level: "info" | "warn" | "error", message: string) => (opts.log ?? consoleLog)(level, message);
    this.log = log;
    this.eventLog = new EventLog(opts.db, log);
    this.pool = new ProducerPool(opts.supervisor, { apiUrl: opts.apiUrl, producerEnv: opts.producerEnv });
    this.states = new RunStates({ clock: this.clock, save: (c) => repo.saveRunState(this.prisma, c.runId, c, c.totals), log });
    this.states.events.on("mode", (c: ModeChange) => this.onModeChange(c));
    this.producers = new ProducerApi({
      prisma: () => this.prisma,
      activeRun: () => this.run,
      costOf: opts.costOf,
      clock: this.clock,
      reported: () => this.changed(),
      log,
    });
    this.dedup = new DedupReview({
      prisma: () => this.prisma,
      activeRun: () => this.run,
      outputDir: opts.outputDir,
      eventLog: this.eventLog,
      clock: this.clock,
    });
    this.trust = new TrustReview({
      prisma: () => this.prisma,
      activeRun: () => this.run,
      outputDir: opts.outputDir,
      eventLog: this.eventLog,
      clock: this.clock,
    });
    this.ticker = new Ticker({
      clock: this.clock,
      activeRun: () => this.run,
      health: () => opts.supervisor.health(),
      snapshot: () => this.snapshot(),
      saveSample: (run, sample, at) => repo.saveSample(this.prisma, run.id, new Date(at), sample, run.totals()),
      stop: (reason, runId) => this.stop(reason, runId),
      ticked: () => this.events.emit("tick"),
      log,
    });
  }

  private readonly log: (level: "info" | "warn" | "error", message: string) => void;

  private get prisma() {
    return this.opts.db.prisma;
  }

  /**
   * The async context the orchestrator was made in (server start, no request). A promise or
   * timer keeps the context it was created in, and a request's context holds the whole
   * request and response: the lifecycle chain and the ticker's interval live for the run.
   */
  private readonly outsideRequests = AsyncLocalStorage.snapshot();

  /** Serialises start/stop/boot so they never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.outsideRequests(() => {
      const next = this.lifecycle.then(fn, fn);
      this.lifecycle = next.catch(() => undefined);
      return next;
    });
  }

  /** At server start: re-attaches the run left active, or marks it interrupted (boot.ts). */
  boot(): Promise<void> {
    return this.serial(async () => {
      await bootActiveRun(this.bootDeps());
      this.ticker.start();
    });
  }

  /**
   * Starts a topic (or resumes it: same topic, same run). The new run is validated and
   * prepared completely (config, keys, simulator, DB row) before the active run is stopped:
   * a rejected start changes nothing.
   */
  start(raw: StartInput): Promise<StartAnswer> {
    return this.serial(async () => {
      const prepared = await prepareStart(setupDeps(this.opts), raw, this.run?.id ?? null);
      const { movedAside } = prepared;
      if (movedAside) this.log("warn", `output folder of "${prepared.config.topic}" belonged to no stored run: moved to ${movedAside}`);
      if (this.run) await this.stopActive("replaced by a new topic");
      const run = await this.launch(prepared);
      const resumed = prepared.resumedFrom !== null;
      if (movedAside)
        await this.eventLog.add(run.id, "output.moved-aside", `the output folder belonged to no stored run: moved to ${movedAside}`, { movedAside });
      await this.eventLog.add(
        run.id,
        resumed ? "run.resumed" : "run.started",
        `${resumed ? "resumed" : "started"} "${run.config.topic}" with ${run.config.producers} producer(s)`,
        {
          producers: run.config.producers,
          providers: run.config.providers,
          entries: run.totalUnique,
        },
      );
      return { runId: run.id, resumed, entries: run.totalUnique, movedAside };
    });
  }

  /** Resumes a stored run (the history's Resume button) with the settings it was started with. */
  async resume(runId: string): Promise<StartAnswer> {
    const row = await repo.findRunConfig(this.prisma, runId);
    if (!row) throw new DomainError("NOT_FOUND", `no run ${runId}`);
    const input = startInputSchema.safeParse(row.config);
    if (!input.success) throw new DomainError("BAD_REQUEST", `run ${runId} has settings this version cannot read`);
    return this.start(input.data);
  }

  /** Stops the active run; with `onlyRunId`, only if that run is still the active one. */
  stop(reason = "stopped by user", onlyRunId?: string): Promise<{ runId: string | null; stopped: boolean }> {
    // Stopped again while stopping (the user, the server shutting down): verification ends now.
    if (this.run?.mode === "stopping" && onlyRunId === undefined) this.run.verifier?.cut();
    return this.serial(async () => {
      const id = this.run?.id ?? null;
      if (!this.run || (onlyRunId !== undefined && onlyRunId !== id)) return { runId: null, stopped: false };
      await this.stopActive(reason);
      return { runId: id, stopped: true };
    });
  }

  /** Opens a prepared run and starts its producers. */
  private async launch(p: PreparedStart): Promise<ActiveRun> {
    await repo.saveRunConfig(this.prisma, p.runId, { ...p.config, secretHash: sha256(p.secret), simulatorUrl: p.simUrl } as never);
    const run = await openRun(this.openDeps(p.simUrl), {
      id: p.runId,
      slug: p.slug,
      config: p.config,
      mode: p.resumedFrom ?? "stopped",
      secretHash: sha256(p.secret),
      keepStartTime: false,
      simUrl: p.simUrl,
    });
    this.setActive(run);
    try {
      await this.states.setMode(run, "starting");
      await this.pool.start(run.id, producerNames(p.config), p.secret, p.simUrl);
      await this.states.setMode(run, "running");
    } catch (err) {
      this.setActive(undefined);
      await this.pool.stopAll().catch(() => undefined);
      await this.states.setMode(run, "failed", `could not start: ${errorMessage(err)}`).catch(() => undefined);
      throw err;
    }
    this.ticker.start();
    return run;
  }

  private async stopActive(reason: string): Promise<void> {
    const run = this.run;
    if (!run) return;
    if (run.mode !== "stopping") await this.states.setMode(run, "stopping", reason);
    try {
      await this.pool.stopAll();
    } catch (err) {
      this.log("error", `stopping producers: ${errorMessage(err)}`);
    }
    // Entries committed by now get their verification (drainVerification: its bounds, shorter when
    // the server shuts down); the rest stay unverified. Pairs not yet judged stay apart (review list).
    await run.writer.idle();
    await drainVerification(run, this.eventLog, this.closed ? SHUTDOWN_DRAIN_MS : this.opts.verifyDrainMs);
    await run.closeSideCalls();
    // Submissions that arrived while producers were shutting down are still committed.
    await run.writer.close();
    await run.output.close();
    await run.tree?.close();
    await this.ticker.sample(run).catch((err: unknown) => this.log("error", `last sample: ${errorMessage(err)}`));
    await this.states.setMode(run, "stopped", reason);
    this.setActive(undefined);
    this.ticker.reset();
    await this.keepDatabaseCopy();
  }

  /** A copy of the embedded database at each stop (`igentai db restore` brings one back); a failure is logged, never the stop's. */
  private async keepDatabaseCopy(): Promise<void> {
    const kept = await this.opts.db.backup?.().catch((err: unknown) => this.log("error", `keeping a copy of the database: ${errorMessage(err)}`));
    if (kept) this.log("info", `kept a copy of the database: ${kept}`);
  }

  /** Every run's mode changes (stored ones too): terminal ones go to the event log. */
  private onModeChange(c: ModeChange): void {
    if (c.to === "stopped" || c.to === "failed" || c.to === "interrupted") {
      void this.eventLog.add(c.runId, `run.${c.to}`, `${c.to}${c.reason ? `: ${c.reason}` : ""}`, { totalUnique: c.totals.totalUnique });
    }
  }

  /** Makes `run` the active one (undefined: none); the live view follows its bus. */
  private setActive(run: ActiveRun | undefined): void {
    this.unfollow?.();
    this.run = run;
    this.unfollow = run ? onAnyRunEvent(run.events, () => this.changed()) : undefined;
    if (run) this.producers.messages.clear();
    this.changed();
  }

  private bootDeps(): BootDeps {
    return {
      prisma: this.prisma,
      supervisor: this.opts.supervisor,
      pool: this.pool,
      states: this.states,
      eventLog: this.eventLog,
      setup: setupDeps(this.opts),
      open: (simUrl) => this.openDeps(simUrl),
      active: () => this.run,
      setActive: (run) => this.setActive(run),
      log: this.log,
    };
  }

  private openDeps(simUrl: string | undefined): OpenRunDeps {
    return openDeps(this.opts, { prisma: () => this.prisma, clock: this.clock, log: this.log, dedup: this.dedup, eventLog: this.eventLog }, simUrl);
  }

  // ---- read side -----------------------------------------------------------------

  availableProviders() {
    return availableModels(this.opts.keys);
  }

  snapshot(): LiveSnapshot {
    return buildSnapshot(this.run, this.ticker.health, this.producers.messages, this.clock(), this.producers.inFlight);
  }

  /** A run's topic tree: live for the active run, as stored otherwise; null for a run without one (flat). */
  tree(runId: string) {
    return treeView(this.prisma, this.run, runId, this.clock());
  }

  /** A hand-made change to the active run's tree; refused (changing nothing) for any other run. */
  editTree(runId: string, edit: TreeEdit): BranchView {
    return editTree(this.run, runId, edit);
  }

  /** `fn` between lifecycle steps (no start or stop meanwhile): a stored run deleted or imported (stored-runs.ts). */
  readonly betweenRuns = <T>(fn: (at: BetweenRuns) => Promise<T>) =>
    this.serial(() => fn({ activeRunId: this.run?.id ?? null, outputDir: this.opts.outputDir, log: this.log }));
  /** Listeners get at most one "change" per 5 ms (each live subscriber then applies its own minimum interval). */
  private readonly changed = coalesce(() => this.events.emit("change"), 5);

  /**
   * Shuts the orchestrator down. With `stopProducers: false` (server restart) producers
   * keep running under pm2 and are re-attached by the next boot.
   */
  async close(opts: { stopProducers: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ticker.close();
    this.unfollow?.();
    this.changed.cancel();
    const steps: Array<() => Promise<unknown>> = opts.stopProducers
      ? [() => this.stop("server shut down")]
      : [
          async () => this.run?.closeSideCalls(),
          async () => this.run?.writer.close(),
          async () => this.run?.output.close(),
          async () => this.run?.tree?.close(),
        ];
    steps.push(() => this.eventLog.flush());
    for (const step of steps) {
      await step().catch((err: unknown) => this.log("error", `close: ${errorMessage(err)}`));
    }
    this.opts.supervisor.disconnect();
  }
}
