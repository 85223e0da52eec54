import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { DomainError, errorMessage } from "../../lib/errors";
import type { ModelPrice } from "../../lib/pricing";
import type { CallRecord } from "../../lib/protocol";
import { availableModels, type ProviderKeys } from "../../lib/providers";
import { startInputSchema, type StartInput } from "../../lib/run-config";
import type { RunMode } from "../../lib/run-modes";
import type { Db } from "../db/client";
import type { ActiveRun } from "./active-run";
import { EventLog, coalesce, consoleLog } from "./event-log";
import { buildSnapshot, type LiveSnapshot } from "./live";
import { openRun, producerNames } from "./open-run";
import { ProducerPool, producersToKeep } from "./producer-pool";
import { ProducerApi, sha256 } from "./producer-api";
import * as repo from "./repo";
import { RunStates, type ModeChange } from "./run-state";
import { prepareStart, runConfigOf, type PreparedStart, type SetupDeps, type StoredConfig } from "./run-setup";
import type { Supervisor } from "./supervisor";
import { Ticker } from "./ticker";

export type OrchestratorOptions = {
  db: Db;
  supervisor: Supervisor;
  outputDir: string;
  /** How producers reach the tRPC API, e.g. http://127.0.0.1:8080/api/trpc. */
  apiUrl: string;
  defaultProducers: number;
  keys: ProviderKeys;
  /** Environment passed to every producer (API keys, base URLs); never shown to users. */
  producerEnv: () => Record<string, string>;
  /** Base URL of the simulator, started on first use (on the preferred URL's port if free). */
  simulatorUrl: (preferredUrl?: string) => Promise<string>;
  costOf: (call: CallRecord) => number;
  /** The price table's answer for a model; start refuses real models without a price (run-config.ts). */
  priceOf?: (provider: string, model: string) => ModelPrice | null;
  clock?: () => number;
  /** Makes the per-run producer secret (benchmarks pass a known one to drive the API directly). */
  newSecret?: () => string;
  log?: (level: "info" | "warn" | "error", message: string) => void;
};

/**
 * The run controller: one run at a time. Starts, stops, boots (re-attach or mark
 * interrupted) and shuts down, serialised; the producer endpoints are in producer-api.ts,
 * the once-a-second work in ticker.ts, the run's state in run-state.ts.
 */
export class Orchestrator {
  /** "change" (coalesced), "tick" (every second), "mode" (a ModeChange). */
  readonly events = new EventEmitter();
  readonly clock: () => number;
  readonly producers: ProducerApi;
  private readonly states: RunStates;
  private readonly ticker: Ticker;
  private readonly pool: ProducerPool;
  private run: ActiveRun | undefined;
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
    this.states = new RunStates({ clock: this.clock, save: (c) => repo.saveRunState(this.prisma, c.runId, c, c.totals) });
    this.states.events.on("mode", (c: ModeChange) => this.onModeChange(c));
    this.producers = new ProducerApi({ prisma: () => this.prisma, activeRun: () => this.run, costOf: opts.costOf, clock: this.clock, changed: () => this.changed(), log });
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

  /**
   * At server start: a run left active is re-attached only when its producers still run
   * under pm2 (a web-app restart); with its producers gone it is marked `interrupted` and
   * waits for the user (no money spent unasked). Other leftover producers are stopped.
   */
  boot(): Promise<void> {
    return this.serial(async () => {
      await this.opts.supervisor.connect();
      const active = await repo.findActiveRun(this.prisma);
      if (active) {
        const stored = { id: active.id, mode: active.state as RunMode, totals: () => ({ totalUnique: active.totalUnique, totalCandidates: active.totalCandidates }) };
        const alive = active.state === "stopping" ? [] : await this.pool.running(active.id);
        if (active.state === "stopping") {
          await this.pool.stopAll();
          await this.states.setMode(stored, "stopped", "the server restarted while the run was stopping");
        } else if (alive.length === 0) {
          this.log("warn", `run ${active.id} was active but its producers are gone: marked interrupted (resume it from the history)`);
          await this.states.setMode(stored, "interrupted", "the server stopped while the run was active");
        } else {
          try {
            await this.reattach(active.id, active.slug, active.config as StoredConfig, stored.mode, alive);
          } catch (err) {
            // A run this version cannot resume must not keep the server from starting.
            this.log("error", `cannot re-attach run ${active.id}: ${errorMessage(err)}; marked failed`);
            const run = this.run ?? stored;
            this.run = undefined;
            await this.pool.stopAll().catch(() => undefined);
            await this.states.setMode(run, "failed", `could not resume: ${errorMessage(err)}`);
          }
        }
      }
      if (!this.run) {
        const stopped = await this.pool.stopOthers([]);
        if (stopped > 0) this.log("warn", `stopped ${stopped} producer(s) left from an earlier run`);
      }
      this.ticker.start();
    });
  }

  /**
   * Starts a topic (or resumes it: same topic, same run). The new run is validated and
   * prepared completely (config, keys, simulator, DB row) before the active run is stopped:
   * a rejected start changes nothing.
   */
  start(raw: StartInput): Promise<{ runId: string; resumed: boolean; entries: number }> {
    return this.serial(async () => {
      const prepared = await prepareStart(this.setupDeps(), raw, this.run?.id ?? null);
      if (this.run) await this.stopActive("replaced by a new topic");
      const run = await this.launch(prepared);
      const resumed = prepared.resumedFrom !== null;
      await this.eventLog.add(run.id, resumed ? "run.resumed" : "run.started", `${resumed ? "resumed" : "started"} "${run.config.topic}" with ${run.config.producers} producer(s)`, {
        producers: run.config.producers,
        providers: run.config.providers,
        entries: run.totalUnique,
      });
      return { runId: run.id, resumed, entries: run.totalUnique };
    });
  }

  /** Resumes a stored run (the history's Resume button) with the settings it was started with. */
  async resume(runId: string): Promise<{ runId: string; resumed: boolean; entries: number }> {
    const row = await repo.findRunConfig(this.prisma, runId);
    if (!row) throw new DomainError("NOT_FOUND", `no run ${runId}`);
    const input = startInputSchema.safeParse(row.config);
    if (!input.success) throw new DomainError("BAD_REQUEST", `run ${runId} has settings this version cannot read`);
    return this.start(input.data);
  }

  /** Stops the active run; with `onlyRunId`, only if that run is still the active one. */
  stop(reason = "stopped by user", onlyRunId?: string): Promise<{ runId: string | null; stopped: boolean }> {
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
    const run = await openRun(this.openDeps(), { id: p.runId, slug: p.slug, config: p.config, mode: p.resumedFrom ?? "stopped", secretHash: sha256(p.secret), keepStartTime: false });
    this.run = run;
    this.producers.messages.clear();
    try {
      await this.states.setMode(run, "starting");
      await this.pool.start(run.id, producerNames(p.config), p.secret, p.simUrl);
      await this.states.setMode(run, "running");
    } catch (err) {
      this.run = undefined;
      await this.pool.stopAll().catch(() => undefined);
      await this.states.setMode(run, "failed", `could not start: ${errorMessage(err)}`).catch(() => undefined);
      throw err;
    }
    this.ticker.start();
    this.changed();
    return run;
  }

  /** After a web-app restart: takes over the producers still running, restarting any that cannot be kept. */
  private async reattach(runId: string, slug: string, stored: StoredConfig, mode: RunMode, alive: string[]): Promise<void> {
    const config = runConfigOf(stored, this.setupDeps());
    const simUrl = config.providers.some((p) => p.provider === "sim") ? await this.opts.simulatorUrl(stored.simulatorUrl) : undefined;
    const wanted = producerNames(config);
    const keep = producersToKeep(wanted, alive, simUrl === stored.simulatorUrl);
    const secret = keep.length === 0 ? this.newSecret() : undefined;
    await this.pool.stopOthers(keep);
    const secretHash = secret ? sha256(secret) : stored.secretHash;
    await repo.saveRunConfig(this.prisma, runId, { ...config, secretHash, simulatorUrl: simUrl } as never);
    const run = await openRun(this.openDeps(), { id: runId, slug, config, mode, secretHash, keepStartTime: true });
    this.run = run;
    this.producers.messages.clear();
    if (secret) await this.pool.start(runId, wanted, secret, simUrl, keep);
    if (run.mode === "starting") await this.states.setMode(run, "running");
    if (keep.length > 0) this.log("info", `re-attached to ${keep.length} running producer(s)`);
    await this.eventLog.add(runId, "run.reattached", `server restarted: re-attached ${keep.length}, started ${wanted.length - keep.length} producer(s)`, { kept: keep.length });
    this.changed();
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
    // Submissions that arrived while producers were shutting down are still committed.
    await run.writer.close();
    await run.output.close();
    await this.ticker.sample(run).catch((err: unknown) => this.log("error", `last sample: ${errorMessage(err)}`));
    await this.states.setMode(run, "stopped", reason);
    this.run = undefined;
    this.ticker.reset();
    this.changed();
  }

  /** Every mode change: the live snapshot moves, and terminal ones go to the event log. */
  private onModeChange(c: ModeChange): void {
    this.events.emit("mode", c);
    if (c.to === "stopped" || c.to === "failed" || c.to === "interrupted") {
      void this.eventLog.add(c.runId, `run.${c.to}`, `${c.to}${c.reason ? `: ${c.reason}` : ""}`, { totalUnique: c.totals.totalUnique });
    }
    this.changed();
  }

  private setupDeps(): SetupDeps {
    return { db: this.opts.db, keys: this.opts.keys, defaultProducers: this.opts.defaultProducers, simulatorUrl: this.opts.simulatorUrl, newSecret: () => this.newSecret(), priceOf: this.opts.priceOf };
  }

  private openDeps() {
    return { db: this.opts.db, outputDir: this.opts.outputDir, clock: this.clock, log: this.log, onCommitted: () => this.changed() };
  }

  private newSecret(): string {
    return this.opts.newSecret?.() ?? randomBytes(24).toString("base64url");
  }

  // ---- read side -----------------------------------------------------------------

  availableProviders() {
    return availableModels(this.opts.keys);
  }

  snapshot(): LiveSnapshot {
    return buildSnapshot(this.run, this.ticker.health, this.producers.messages, this.clock(), this.producers.inFlight);
  }

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
    this.changed.cancel();
    const steps: Array<() => Promise<unknown>> = opts.stopProducers
      ? [() => this.stop("server shut down")]
      : [async () => this.run?.writer.close(), async () => this.run?.output.close()];
    steps.push(() => this.eventLog.flush());
    for (const step of steps) {
      await step().catch((err: unknown) => this.log("error", `close: ${errorMessage(err)}`));
    }
    this.opts.supervisor.disconnect();
  }
}
