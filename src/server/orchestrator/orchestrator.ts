import { randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { DomainError, errorMessage } from "../../lib/errors";
import type { CallRecord } from "../../lib/protocol";
import { availableModels, isProviderAvailable, type ProviderKeys } from "../../lib/providers";
import { resolveRunConfig, startInputSchema, type RunConfig, type StartInput } from "../../lib/run-config";
import type { RunMode } from "../../lib/run-modes";
import { topicSlug } from "../../lib/slug";
import type { Db } from "../db/client";
import type { ActiveRun } from "./active-run";
import { buildSnapshot, type LiveSnapshot } from "./live";
import { openRun, producerNames, runningProducers } from "./open-run";
import { ProducerApi, sha256 } from "./producer-api";
import * as repo from "./repo";
import { RunStates, type ModeChange } from "./run-state";
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
  clock?: () => number;
  /** Makes the per-run producer secret (benchmarks pass a known one to drive the API directly). */
  newSecret?: () => string;
  log?: (level: "info" | "warn" | "error", message: string) => void;
};

/** A run's config as stored: the start settings, the producers' secret (hashed) and the simulator they were given. */
type StoredConfig = RunConfig & { secretHash: string; simulatorUrl?: string };

/** A start validated and prepared in full, before anything running is touched. */
type PreparedStart = { runId: string; slug: string; config: RunConfig; secret: string; simUrl: string | undefined; resumedFrom: RunMode | null };

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
  private run: ActiveRun | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private changeTimer: NodeJS.Timeout | undefined;
  private readonly pendingEvents = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly opts: OrchestratorOptions) {
    this.clock = opts.clock ?? Date.now;
    this.events.setMaxListeners(1000);
    const log = (level: "info" | "warn" | "error", message: string) => (opts.log ?? defaultLog)(level, message);
    this.log = log;
    this.states = new RunStates({ clock: this.clock, save: (c) => repo.saveRunState(this.prisma, c.runId, c, c.totals) });
    this.states.events.on("mode", (c: ModeChange) => this.onModeChange(c));
    this.producers = new ProducerApi({ prisma: () => this.prisma, activeRun: () => this.run, costOf: opts.costOf, clock: this.clock, changed: () => this.changed(), log });
    this.ticker = new Ticker({
      clock: this.clock,
      activeRun: () => this.run,
      health: () => opts.supervisor.health(),
      snapshot: () => this.snapshot(),
      saveSample: async (run, sample, at) => {
        await repo.insertMetricSample(this.prisma, run.id, new Date(at), sample);
        await repo.saveRunTotals(this.prisma, run.id, run.totals());
      },
      stop: (reason, runId) => this.stop(reason, runId),
      ticked: () => this.events.emit("tick"),
      log,
    });
  }

  private readonly log: (level: "info" | "warn" | "error", message: string) => void;

  private get prisma() {
    return this.opts.db.prisma;
  }

  /** Serialises start/stop/boot so they never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(fn, fn);
    this.lifecycle = next.catch(() => undefined);
    return next;
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
        const alive = active.state === "stopping" ? [] : await runningProducers(this.opts.supervisor, active.id);
        if (active.state === "stopping") {
          await this.opts.supervisor.stopAll();
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
            await this.opts.supervisor.stopAll().catch(() => undefined);
            await this.states.setMode(run, "failed", `could not resume: ${errorMessage(err)}`);
          }
        }
      }
      if (!this.run) {
        const leftovers = await this.opts.supervisor.list();
        if (leftovers.length > 0) {
          this.log("warn", `stopping ${leftovers.length} producer(s) left from an earlier run`);
          await this.opts.supervisor.stop(leftovers.map((p) => p.name));
        }
      }
      if (!this.closed) this.ticker.start();
    });
  }

  /**
   * Starts a topic (or resumes it: same topic, same run). The new run is validated and
   * prepared completely (config, keys, simulator, DB row) before the active run is stopped:
   * a rejected start changes nothing.
   */
  start(raw: StartInput): Promise<{ runId: string; resumed: boolean; entries: number }> {
    return this.serial(async () => {
      const prepared = await this.prepare(raw);
      if (this.run) await this.stopActive("replaced by a new topic");
      const run = await this.launch(prepared);
      const resumed = prepared.resumedFrom !== null;
      await this.event(run.id, resumed ? "run.resumed" : "run.started", `${resumed ? "resumed" : "started"} "${run.config.topic}" with ${run.config.producers} producer(s)`, {
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

  private async prepare(raw: StartInput): Promise<PreparedStart> {
    const parsed = startInputSchema.safeParse(raw);
    if (!parsed.success) throw new DomainError("BAD_REQUEST", parsed.error.issues[0]?.message ?? "invalid input");
    const config = resolveRunConfig(parsed.data, { producers: this.opts.defaultProducers, keys: this.opts.keys });
    for (const p of config.providers) {
      if (!isProviderAvailable(p.provider, this.opts.keys)) {
        const key = p.provider === "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
        throw new DomainError("BAD_REQUEST", `provider ${p.provider} needs ${key} in the server's environment`);
      }
    }
    const slug = topicSlug(config.topic);
    const simUrl = config.providers.some((p) => p.provider === "sim") ? await this.opts.simulatorUrl() : undefined;
    const secret = this.newSecret();
    const stored: StoredConfig = { ...config, secretHash: sha256(secret), simulatorUrl: simUrl };
    const previous = await repo.findRunBySlug(this.prisma, slug);
    if (!previous) {
      const runId = randomUUID();
      await repo.createPreparedRun(this.prisma, { id: runId, topic: config.topic, slug, config: stored as never });
      return { runId, slug, config, secret, simUrl, resumedFrom: null };
    }
    // The active run's row keeps its config until it is stopped (a restart re-attaches with it).
    if (previous.id !== this.run?.id) await repo.saveRunConfig(this.prisma, previous.id, stored as never);
    return { runId: previous.id, slug, config, secret, simUrl, resumedFrom: previous.id === this.run?.id ? "stopped" : (previous.state as RunMode) };
  }

  /** Opens a prepared run and starts its producers. */
  private async launch(p: PreparedStart): Promise<ActiveRun> {
    await repo.saveRunConfig(this.prisma, p.runId, { ...p.config, secretHash: sha256(p.secret), simulatorUrl: p.simUrl } as never);
    const run = await openRun(this.openDeps(), { id: p.runId, slug: p.slug, config: p.config, mode: p.resumedFrom ?? "stopped", secretHash: sha256(p.secret), keepStartTime: false });
    this.run = run;
    this.producers.messages.clear();
    try {
      await this.states.setMode(run, "starting");
      for (const producer of producerNames(p.config)) await this.opts.supervisor.start(producer, this.producerEnv(run.id, producer, p.secret, p.simUrl));
      await this.states.setMode(run, "running");
    } catch (err) {
      this.run = undefined;
      await this.opts.supervisor.stopAll().catch(() => undefined);
      await this.states.setMode(run, "failed", `could not start: ${errorMessage(err)}`).catch(() => undefined);
      throw err;
    }
    this.ticker.start();
    this.changed();
    return run;
  }

  /** After a web-app restart: takes over the producers still running, restarting any that cannot be kept. */
  private async reattach(runId: string, slug: string, stored: StoredConfig, mode: RunMode, alive: string[]): Promise<void> {
    const config = resolveRunConfig(startInputSchema.parse(stored), { producers: this.opts.defaultProducers, keys: this.opts.keys });
    const simUrl = config.providers.some((p) => p.provider === "sim") ? await this.opts.simulatorUrl(stored.simulatorUrl) : undefined;
    const wanted = producerNames(config);
    // Producers can be kept only if what they were started with still holds.
    let keep = simUrl === stored.simulatorUrl ? wanted.filter((p) => alive.includes(p)) : [];
    let secret: string | undefined;
    if (keep.length < wanted.length) {
      // The secret is stored hashed only: producers started now need a new one, and so do the kept ones.
      secret = this.newSecret();
      keep = [];
    }
    const strays = (await this.opts.supervisor.list()).filter((p) => !keep.includes(p.producer)).map((p) => p.name);
    if (strays.length > 0) await this.opts.supervisor.stop(strays);
    const secretHash = secret ? sha256(secret) : stored.secretHash;
    await repo.saveRunConfig(this.prisma, runId, { ...config, secretHash, simulatorUrl: simUrl } as never);
    const run = await openRun(this.openDeps(), { id: runId, slug, config, mode, secretHash, keepStartTime: true });
    this.run = run;
    this.producers.messages.clear();
    for (const producer of wanted) {
      if (!keep.includes(producer)) await this.opts.supervisor.start(producer, this.producerEnv(runId, producer, secret!, simUrl));
    }
    if (run.mode === "starting") await this.states.setMode(run, "running");
    if (keep.length > 0) this.log("info", `re-attached to ${keep.length} running producer(s)`);
    await this.event(runId, "run.reattached", `server restarted: re-attached ${keep.length}, started ${wanted.length - keep.length} producer(s)`, { kept: keep.length });
    this.changed();
  }

  private async stopActive(reason: string): Promise<void> {
    const run = this.run;
    if (!run) return;
    if (run.mode !== "stopping") await this.states.setMode(run, "stopping", reason);
    try {
      await this.opts.supervisor.stopAll();
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
      void this.event(c.runId, `run.${c.to}`, `${c.to}${c.reason ? `: ${c.reason}` : ""}`, { totalUnique: c.totals.totalUnique });
    }
    this.changed();
  }

  private openDeps() {
    return { db: this.opts.db, outputDir: this.opts.outputDir, clock: this.clock, log: this.log, onCommitted: () => this.changed() };
  }

  private producerEnv(runId: string, producer: string, secret: string, simUrl: string | undefined): Record<string, string> {
    return {
      ...this.opts.producerEnv(),
      IGENTAI_API_URL: this.opts.apiUrl,
      IGENTAI_RUN_ID: runId,
      IGENTAI_PRODUCER: producer,
      IGENTAI_RUN_SECRET: secret,
      ...(simUrl ? { IGENTAI_SIMULATOR_URL: simUrl } : {}),
    };
  }

  private newSecret(): string {
    return this.opts.newSecret?.() ?? randomBytes(24).toString("base64url");
  }

  // ---- read side -----------------------------------------------------------------

  availableProviders() {
    return availableModels(this.opts.keys);
  }

  get activeRunId(): string | null {
    return this.run?.id ?? null;
  }

  snapshot(): LiveSnapshot {
    return buildSnapshot(this.run, this.ticker.health, this.producers.messages, this.clock());
  }

  /** Entries committed so far, for tests and the bench (the DB is the source of truth). */
  committedEntries(): readonly string[] {
    return this.run?.committed ?? [];
  }

  private changed(): void {
    // Coalesce bursts: listeners get at most one "change" per 5 ms (each live subscriber
    // then applies its own minimum interval).
    this.changeTimer ??= setTimeout(() => {
      this.changeTimer = undefined;
      this.events.emit("change");
    }, 5);
    this.changeTimer.unref?.();
  }

  private event(runId: string | null, kind: string, message: string, data?: object): Promise<void> {
    const p = repo
      .addEvent(this.prisma, { runId, kind, message, data: data as never })
      .then(() => undefined)
      .catch((err: unknown) => this.log("error", `event log: ${errorMessage(err)}`));
    this.pendingEvents.add(p);
    void p.finally(() => this.pendingEvents.delete(p));
    return p;
  }

  /**
   * Shuts the orchestrator down. With `stopProducers: false` (server restart) producers
   * keep running under pm2 and are re-attached by the next boot.
   */
  async close(opts: { stopProducers: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ticker.close();
    if (this.changeTimer) clearTimeout(this.changeTimer);
    const steps: Array<() => Promise<unknown>> = opts.stopProducers
      ? [() => this.stop("server shut down")]
      : [async () => this.run?.writer.close(), async () => this.run?.output.close()];
    steps.push(() => Promise.all([...this.pendingEvents]));
    for (const step of steps) {
      await step().catch((err: unknown) => this.log("error", `close: ${errorMessage(err)}`));
    }
    this.opts.supervisor.disconnect();
  }
}

/** The orchestrator's domain errors (recognised by brand, see lib/errors.ts). */
export { DomainError as OrchestratorError } from "../../lib/errors";

function defaultLog(level: "info" | "warn" | "error", message: string): void {
  const line = `[igentai] ${level}: ${message}`;
  if (level === "error") console.error(line);
  else console.log(line);
}
