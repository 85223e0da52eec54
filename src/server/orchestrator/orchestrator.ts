import { createHash, randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { PrismaClient } from "../../generated/prisma/client";
import { SIM_MODEL_WIRE, type ProviderId } from "../../lib/providers";
import type { Assignment, CallRecord, SubmitInput, SubmitResult, SyncResult } from "../../lib/protocol";
import { assignTargets, requestPricedCostUsd, resolveRunConfig, startInputSchema, unpricedTargetIssue, type RunConfig, type StartInput } from "../../lib/run-config";
import type { ModelPrice } from "../../lib/pricing";
import { topicSlug } from "../../lib/slug";
import { DomainError as OrchestratorError, errorMessage } from "../../lib/errors";
import type { Db } from "../db/client";
import { ActiveRun } from "./active-run";
import { EntryWriter } from "./entry-writer";
import { buildSnapshot, type LiveSnapshot } from "./live";
import { OutputFile } from "./output-file";
import { Optimizer, callObservation } from "./optimizer";
import { addEvent, insertEntries, readEntries, saveRunProgress, scoreEvent, type EntryRow } from "./repo";
import { transition, isActive, type RunMode } from "./run-state";
import { Supervisor, producerName, type ProducerHealth } from "./supervisor";

export type OrchestratorOptions = {
  db: Db;
  supervisor: Supervisor;
  outputDir: string;
  /** How producers reach the tRPC API, e.g. http://127.0.0.1:8080/api/trpc. */
  apiUrl: string;
  defaultProducers: number;
  keys: { openai: boolean; anthropic: boolean };
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

/** The orchestrator's domain errors (recognised by brand, see lib/errors.ts). */
export { DomainError as OrchestratorError } from "../../lib/errors";

export type ProducerMessage = { level: "info" | "warn" | "fatal"; message: string; at: number };

/**
 * The run controller: starts and stops runs, supervises producers through pm2, and
 * takes their submissions. One run at a time; a new start stops the previous run.
 */
export class Orchestrator {
  readonly events = new EventEmitter();
  private run: ActiveRun | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private ticker: NodeJS.Timeout | undefined;
  private health: ProducerHealth[] = [];
  private producerMessages = new Map<string, ProducerMessage>();
  private lastSampleAt = 0;
  private lastHealthAt = 0;
  private changeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly clock: () => number;

  constructor(private readonly opts: OrchestratorOptions) {
    this.clock = opts.clock ?? Date.now;
    this.events.setMaxListeners(1000);
  }

  private newSecret(): string {
    return this.opts.newSecret?.() ?? randomBytes(24).toString("base64url");
  }

  private get prisma(): PrismaClient {
    return this.opts.db.prisma;
  }

  private log(level: "info" | "warn" | "error", message: string): void {
    (this.opts.log ?? defaultLog)(level, message);
  }

  /** Serialises start/stop/boot so they never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(fn, fn);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  /** At server start: re-attach to the run that was active, or clear leftover producers. */
  boot(): Promise<void> {
    return this.serial(async () => {
      await this.opts.supervisor.connect();
      const active = await this.prisma.run.findFirst({
        where: { state: { in: ["starting", "running", "stopping"] } },
        orderBy: { createdAt: "desc" },
      });
      if (active) {
        const cfg = active.config as RunConfig & { secretHash: string; simulatorUrl?: string };
        if (active.state === "stopping") {
          await this.opts.supervisor.stopAll();
          await saveRunProgress(this.prisma, active.id, { totalUnique: active.totalUnique, totalCandidates: active.totalCandidates, state: "stopped", stoppedAt: new Date() });
        } else {
          try {
            const config = resolveRunConfig(startInputSchema.parse(cfg), { producers: this.opts.defaultProducers, keys: this.opts.keys });
            await this.activate(active.id, active.slug, config, cfg.secretHash, undefined, true, cfg.simulatorUrl);
            return;
          } catch (err) {
            // A run this version cannot resume must not keep the server from starting.
            this.log("error", `cannot resume run ${active.id}: ${errorMessage(err)}; marked failed`);
            this.run = undefined;
            await this.opts.supervisor.stopAll().catch(() => undefined);
            await saveRunProgress(this.prisma, active.id, { totalUnique: active.totalUnique, totalCandidates: active.totalCandidates, state: "failed", stopReason: `could not resume: ${errorMessage(err)}`.slice(0, 300), stoppedAt: new Date() });
          }
        }
      }
      const leftovers = await this.opts.supervisor.list();
      if (leftovers.length > 0) {
        this.log("warn", `stopping ${leftovers.length} producer(s) left from an earlier run`);
        await this.opts.supervisor.stop(leftovers.map((p) => p.name));
      }
      this.startTicker();
    });
  }

  start(raw: StartInput): Promise<{ runId: string; resumed: boolean; entries: number }> {
    const parsed = startInputSchema.safeParse(raw);
    if (!parsed.success) throw new OrchestratorError("BAD_REQUEST", parsed.error.issues[0]?.message ?? "invalid input");
    const config = resolveRunConfig(parsed.data, { producers: this.opts.defaultProducers, keys: this.opts.keys });
    for (const p of config.providers) {
      if (p.provider === "openai" && !this.opts.keys.openai) throw new OrchestratorError("BAD_REQUEST", "provider openai needs OPENAI_API_KEY in the server's environment");
      if (p.provider === "anthropic" && !this.opts.keys.anthropic) throw new OrchestratorError("BAD_REQUEST", "provider anthropic needs ANTHROPIC_API_KEY in the server's environment");
    }
    const unpriced = this.opts.priceOf ? unpricedTargetIssue(config.providers, this.opts.priceOf) : null;
    if (unpriced) throw new OrchestratorError("BAD_REQUEST", unpriced, "providers");
    return this.serial(async () => {
      if (this.run) await this.stopActive("replaced by a new topic");
      const slug = topicSlug(config.topic);
      const previous = await this.prisma.run.findFirst({ where: { slug }, orderBy: { createdAt: "desc" }, select: { id: true } });
      const secret = this.newSecret();
      const secretHash = sha256(secret);
      const storedConfig = { ...config, secretHash };
      let runId: string;
      if (previous) {
        runId = previous.id;
        await this.prisma.run.update({ where: { id: runId }, data: { state: "starting", config: storedConfig, startedAt: new Date(), stoppedAt: null, stopReason: null } });
      } else {
        runId = randomUUID();
        await this.prisma.run.create({ data: { id: runId, topic: config.topic, slug, state: "starting", config: storedConfig, startedAt: new Date() } });
      }
      const run = await this.activate(runId, slug, config, secretHash, secret, false);
      await this.event(runId, previous ? "run.resumed" : "run.started", `${previous ? "resumed" : "started"} "${config.topic}" with ${config.producers} producer(s)`, {
        producers: config.producers,
        providers: config.providers,
        entries: run.totalUnique,
      });
      return { runId, resumed: Boolean(previous), entries: run.totalUnique };
    });
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

  /** Loads a run's entries, reconciles output.txt, and (re)starts or re-attaches producers. */
  private async activate(
    runId: string,
    slug: string,
    config: RunConfig,
    secretHash: string,
    secret: string | undefined,
    reattach: boolean,
    previousSimulatorUrl?: string,
  ): Promise<ActiveRun> {
    const output = OutputFile.forSlug(this.opts.outputDir, slug);
    let run!: ActiveRun;
    const writer = new EntryWriter({
      insert: (rows) => insertEntries(this.prisma, runId, rows),
      append: (texts) => output.append(texts, () => [...run.committed, ...texts]),
      onCommitted: (rows) => {
        run.onCommitted(rows);
        this.changed();
      },
      onError: (err, attempt) => this.log("error", `writing entries (attempt ${attempt}): ${errorMessage(err)}`),
    });
    run = new ActiveRun(runId, slug, config, secretHash, writer, output, this.clock());
    const t0 = this.clock();
    const texts: string[] = [];
    for await (const page of readEntries(this.prisma, runId)) {
      run.load(page);
      for (const r of page) texts.push(r.text);
    }
    // Candidate counts and spend are not per entry; carry them over so totals and budgets
    // (maxCostUsd over the whole run; maxMinutes since this start) never go back.
    const stored = await this.prisma.run.findUnique({ where: { id: runId }, select: { totalCandidates: true, startedAt: true } });
    run.totalCandidates = Math.max(stored?.totalCandidates ?? 0, texts.length);
    const spent = await this.prisma.llmCall.aggregate({ where: { runId }, _sum: { costUsd: true } });
    run.costUsd = spent._sum.costUsd ?? 0;
    if (reattach && stored?.startedAt) run.startedAt = stored.startedAt.getTime();
    const fileOutcome = await output.reconcile(texts);
    if (fileOutcome !== "ok") this.log("warn", `output.txt was ${fileOutcome} to match the database (${texts.length} entries)`);
    this.log("info", `run ${runId}: ${texts.length} entries loaded in ${this.clock() - t0} ms`);
    run.optimizer = new Optimizer(config, {
      clock: this.clock,
      log: (level, message) => this.log(level === "info" ? "info" : level === "warn" ? "warn" : "error", message),
      persist: {
        addEvent: (e) => addEvent(this.prisma, { runId, kind: e.kind, message: e.message, data: e.data as never, at: new Date(e.at) }),
        scoreEvent: (id, score, data) => scoreEvent(this.prisma, id, score, data as never),
      },
    });
    run.optimizer.seed(run.proposals);
    const optimizer = run.optimizer;
    run.onOutcome = (outcome, previous) => optimizer.observeCandidate(outcome, previous);
    this.run = run;
    this.producerMessages.clear();

    const needsSim = config.providers.some((p) => p.provider === "sim");
    const simUrl = needsSim ? await this.opts.simulatorUrl(previousSimulatorUrl) : undefined;
    const existing = await this.opts.supervisor.list();
    const wanted = assignTargets(config.providers, config.producers).map((_, i) => `p${i + 1}`);
    const keep = new Set<string>();
    // Producers can be kept only if what they were started with still holds.
    if (reattach && simUrl === previousSimulatorUrl) {
      for (const p of existing) if (p.runId === runId && wanted.includes(p.producer)) keep.add(p.producer);
    }
    const strays = existing.filter((p) => !keep.has(p.producer)).map((p) => p.name);
    if (strays.length > 0) await this.opts.supervisor.stop(strays);
    if (!secret && wanted.some((p) => !keep.has(p))) {
      // Re-attaching without the secret (it is only stored hashed): restart everything with a new one.
      secret = this.newSecret();
      run.secretHash = sha256(secret);
      await this.opts.supervisor.stop([...keep].map(producerName));
      keep.clear();
    }
    await this.prisma.run.update({ where: { id: runId }, data: { config: { ...config, secretHash: run.secretHash, simulatorUrl: simUrl } } });
    for (const producer of wanted) {
      if (keep.has(producer)) continue;
      await this.opts.supervisor.start(producer, {
        ...this.opts.producerEnv(),
        IGENTAI_API_URL: this.opts.apiUrl,
        IGENTAI_RUN_ID: runId,
        IGENTAI_PRODUCER: producer,
        IGENTAI_RUN_SECRET: secret!,
        ...(simUrl ? { IGENTAI_SIMULATOR_URL: simUrl } : {}),
      });
    }
    if (keep.size > 0) this.log("info", `re-attached to ${keep.size} running producer(s)`);
    this.setMode(run, "running");
    await saveRunProgress(this.prisma, runId, { totalUnique: run.totalUnique, totalCandidates: run.totalCandidates, state: "running" });
    if (reattach) await this.event(runId, "run.reattached", `server restarted: re-attached ${keep.size}, started ${wanted.length - keep.size} producer(s)`, { kept: keep.size });
    this.startTicker();
    this.changed();
    return run;
  }

  private async stopActive(reason: string): Promise<void> {
    const run = this.run;
    if (!run) return;
    if (run.mode !== "stopping") this.setMode(run, "stopping");
    await saveRunProgress(this.prisma, run.id, { totalUnique: run.totalUnique, totalCandidates: run.totalCandidates, state: "stopping" });
    try {
      await this.opts.supervisor.stopAll();
    } catch (err) {
      this.log("error", `stopping producers: ${errorMessage(err)}`);
    }
    // Submissions that arrived while producers were shutting down are still committed.
    await run.writer.close();
    await run.output.close();
    this.setMode(run, "stopped");
    await saveRunProgress(this.prisma, run.id, {
      totalUnique: run.totalUnique,
      totalCandidates: run.totalCandidates,
      state: "stopped",
      stopReason: reason,
      stoppedAt: new Date(),
    });
    await this.event(run.id, "run.stopped", `stopped: ${reason}`, { totalUnique: run.totalUnique });
    await this.saveSample(run);
    this.run = undefined;
    this.health = [];
    this.changed();
  }

  private setMode(run: ActiveRun, to: RunMode): void {
    run.mode = transition(run.mode, to);
    this.events.emit("mode", { runId: run.id, mode: to });
  }

  // ---- producer side -------------------------------------------------------------

  private authorise(runId: string, secret: string | null): ActiveRun | undefined {
    const run = this.run;
    if (!run || run.id !== runId) return undefined;
    if (!secret || sha256(secret) !== run.secretHash) throw new OrchestratorError("UNAUTHORIZED", "bad or missing run secret");
    return run;
  }

  private assignment(run: ActiveRun, producer: string): Assignment {
    // Producers are named p1..pN; any other name (a script driving the API) gets slot 0.
    const n = /^p(\d+)$/.exec(producer);
    const index = n ? (Number(n[1]) - 1) % run.config.producers : 0;
    return {
      topic: run.config.topic,
      // The router picks provider/model per call: it may change between calls.
      target: run.optimizer.targetFor(producer, this.clock()),
      requestSize: run.config.requestSize,
      promptBudgetTokens: run.config.promptBudgetTokens,
      index,
      poolSize: run.config.producers,
    };
  }

  private syncResult(run: ActiveRun | undefined, producer: string, sinceSeq: number): SyncResult {
    if (!run) return { keepGoing: false, assignment: GONE_ASSIGNMENT, delta: { entries: [], nextSeq: sinceSeq, more: false } };
    return { keepGoing: isActive(run.mode), assignment: this.assignment(run, producer), delta: run.delta(sinceSeq) };
  }

  hello(input: { runId: string; producer: string }, secret: string | null): SyncResult {
    const run = this.authorise(input.runId, secret);
    if (run) this.producerMessages.delete(input.producer);
    return this.syncResult(run, input.producer, 0);
  }

  sync(input: { runId: string; producer: string; sinceSeq: number }, secret: string | null): SyncResult {
    return this.syncResult(this.authorise(input.runId, secret), input.producer, input.sinceSeq);
  }

  async submit(input: SubmitInput, secret: string | null): Promise<SubmitResult> {
    const run = this.authorise(input.runId, secret);
    // A run that is stopping still takes the producers' last batches: nothing is lost.
    if (!run || run.mode === "stopped" || run.mode === "failed") {
      return { ...this.syncResult(undefined, input.producer, input.sinceSeq), accepted: 0, duplicates: 0, replay: false };
    }
    const now = this.clock();
    const target = input.call ? { provider: input.call.provider, model: input.call.model } : this.assignment(run, input.producer).target;
    const { outcome, replay } = run.submit(input, target, now);
    const result = await outcome;
    if (input.call && !replay) await this.recordCall(run, input.producer, input.call);
    this.changed();
    return { ...this.syncResult(run, input.producer, input.sinceSeq), accepted: result.accepted, duplicates: result.duplicates, replay };
  }

  report(input: { runId: string; producer: string; level: "info" | "warn" | "fatal"; message: string }, secret: string | null): void {
    const run = this.authorise(input.runId, secret);
    if (!run) return;
    this.producerMessages.set(input.producer, { level: input.level, message: input.message, at: this.clock() });
    if (input.level !== "info") this.log("warn", `producer ${input.producer}: ${input.message}`);
    this.changed();
  }

  /**
   * Stores and counts a finished call once: after a server restart the batch map is gone,
   * and a producer re-sending its last batch must not count (or cost) the call twice.
   */
  private async recordCall(run: ActiveRun, producer: string, call: CallRecord): Promise<void> {
    const cost = requestPricedCostUsd(run.config, call) ?? this.opts.costOf(call);
    const tally = run.takeCallTally(call.callId);
    const error = call.error ? `${call.error.kind}: ${call.error.message}`.slice(0, 500) : null;
    let stored: number;
    try {
      stored = await this.prisma.$executeRaw`
        INSERT INTO "llm_calls" ("run_id", "call_id", "at", "producer", "provider", "model", "prompt_tokens", "completion_tokens",
          "latency_ms", "items_parsed", "items_new", "cost_usd", "error")
        VALUES (${run.id}, ${call.callId}, ${new Date(call.startedAt + call.latencyMs)}, ${producer}, ${call.provider}, ${call.model},
          ${call.promptTokens}, ${call.completionTokens}, ${call.latencyMs}, ${call.itemsParsed}, ${tally.new}, ${cost}, ${error})
        ON CONFLICT ("run_id", "call_id") DO NOTHING`;
    } catch (err) {
      this.log("error", `recording a call: ${errorMessage(err)}`);
      stored = 1; // count it in memory anyway: the figures on screen stay right
    }
    if (stored === 0) return;
    run.costUsd += cost;
    run.metrics.call(producer, `${call.provider}:${call.model}`, call, cost);
    run.optimizer.observeCall(callObservation(producer, call, tally, cost, this.clock()));
  }

  // ---- read side -----------------------------------------------------------------

  availableProviders(): Array<{ provider: ProviderId; model: string; label: string; simulated: boolean; available: boolean }> {
    const { openai, anthropic } = this.opts.keys;
    return [
      { provider: "openai", model: "gpt-4o-mini", label: "OpenAI gpt-4o-mini", simulated: false, available: openai },
      { provider: "openai", model: "gpt-4.1-mini", label: "OpenAI gpt-4.1-mini", simulated: false, available: openai },
      { provider: "anthropic", model: "claude-3-5-haiku-latest", label: "Anthropic Claude 3.5 Haiku", simulated: false, available: anthropic },
      { provider: "anthropic", model: "claude-sonnet-4-5", label: "Anthropic Claude Sonnet 4.5", simulated: false, available: anthropic },
      ...Object.keys(SIM_MODEL_WIRE).map((model) => ({ provider: "sim" as const, model, label: `Simulator ${model} (simulated)`, simulated: true, available: true })),
    ];
  }

  get activeRunId(): string | null {
    return this.run?.id ?? null;
  }

  snapshot(): LiveSnapshot {
    return buildSnapshot(this.run, this.health, this.producerMessages, this.clock());
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

  private startTicker(): void {
    if (this.ticker || this.closed) return;
    this.ticker = setInterval(() => void this.tick().catch((err: unknown) => this.log("error", `tick: ${errorMessage(err)}`)), 1_000);
    this.ticker.unref();
  }

  private ticking = false;
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.clock();
      const run = this.run;
      if (run && now - this.lastHealthAt >= 2_000) {
        this.lastHealthAt = now;
        this.health = await this.opts.supervisor.health().catch(() => this.health);
      }
      if (run && isActive(run.mode)) {
        if (now - this.lastSampleAt >= 5_000) {
          this.lastSampleAt = now;
          await this.saveSample(run);
        }
        const reason = stopConditionReached(run, now) ?? run.optimizer.tick(now).stopReason;
        if (reason) void this.stop(reason, run.id).catch((err: unknown) => this.log("error", `automatic stop: ${errorMessage(err)}`));
      }
      this.events.emit("tick");
    } finally {
      this.ticking = false;
    }
  }

  private async saveSample(run: ActiveRun): Promise<void> {
    const snap = this.snapshot();
    await this.prisma.metricSample.create({
      data: {
        runId: run.id,
        at: new Date(snap.at),
        data: {
          totalUnique: snap.totals.unique,
          uniqueLastMinute: snap.totals.uniqueLastMinute,
          candidates: snap.totals.candidates,
          candidatesLastMinute: snap.totals.candidatesLastMinute,
          dupExact: snap.totals.dupExact,
          dupNear: snap.totals.dupNear,
          costUsd: snap.totals.costUsd,
          tokens: snap.totals.promptTokens + snap.totals.completionTokens,
          targets: Object.fromEntries(snap.targets.map((t) => [t.key, { unique: t.unique, uniqueLastMinute: t.uniqueLastMinute, candidatesLastMinute: t.candidatesLastMinute }])),
          weights: snap.routing?.weights ?? {},
          coverage: snap.routing?.coverage?.coverage ?? null,
          estimatedTotal: snap.routing?.coverage?.estimatedTotal ?? null,
        },
      },
    });
    await saveRunProgress(this.prisma, run.id, { totalUnique: run.totalUnique, totalCandidates: run.totalCandidates });
  }

  private async event(runId: string | null, kind: string, message: string, data?: object): Promise<void> {
    await addEvent(this.prisma, { runId, kind, message, data: data as never }).catch((err: unknown) => this.log("error", `event log: ${errorMessage(err)}`));
  }

  /**
   * Shuts the orchestrator down. With `stopProducers: false` (server restart) producers
   * keep running under pm2 and are re-attached by the next boot.
   */
  async close(opts: { stopProducers: boolean }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    const steps: Array<() => Promise<unknown>> = opts.stopProducers
      ? [() => this.stop("server shut down")]
      : [async () => this.run?.writer.close(), async () => this.run?.output.close()];
    for (const step of steps) {
      await step().catch((err: unknown) => this.log("error", `close: ${errorMessage(err)}`));
    }
    this.opts.supervisor.disconnect();
  }
}

const GONE_ASSIGNMENT: Assignment = { topic: "", target: { provider: "sim", model: "none" }, requestSize: 1, promptBudgetTokens: 0, index: 0, poolSize: 1 };

function stopConditionReached(run: ActiveRun, now: number): string | undefined {
  const s = run.config.stop;
  if (s.maxEntries !== undefined && run.totalUnique >= s.maxEntries) return `reached ${s.maxEntries} entries`;
  if (s.maxCostUsd !== undefined && run.costUsd >= s.maxCostUsd) return `reached the $${s.maxCostUsd} budget`;
  if (s.maxMinutes !== undefined && now - run.startedAt >= s.maxMinutes * 60_000) return `ran ${s.maxMinutes} minute(s)`;
  return undefined;
}

export function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}


function defaultLog(level: "info" | "warn" | "error", message: string): void {
  const line = `[igentai] ${level}: ${message}`;
  if (level === "error") console.error(line);
  else console.log(line);
}

export type { EntryRow };
