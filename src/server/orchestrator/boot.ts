import type { PrismaClient } from "../../generated/prisma/client";
import { errorMessage } from "../../lib/errors";
import type { RunMode } from "../../lib/run-modes";
import type { ActiveRun } from "./active-run";
import type { EventLog } from "./event-log";
import { openRun, producerNames, type OpenRunDeps } from "./open-run";
import { producersToKeep, type ProducerPool } from "./producer-pool";
import { sha256 } from "./producer-api";
import * as repo from "./repo";
import { runConfigOf, type SetupDeps, type StoredConfig } from "./run-setup";
import { storedRun, type RunStates } from "./run-state";
import type { Supervisor } from "./supervisor";

/** The orchestrator's parts that boot() works with. */
export type BootDeps = {
  prisma: PrismaClient;
  supervisor: Supervisor;
  pool: ProducerPool;
  states: RunStates;
  eventLog: EventLog;
  setup: SetupDeps;
  open: (simUrl: string | undefined) => OpenRunDeps;
  /** The active run, if any. */
  active: () => ActiveRun | undefined;
  /** Makes `run` the active one (undefined: none). */
  setActive: (run: ActiveRun | undefined) => void;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/**
 * At server start: a run left active is re-attached only when its producers still run
 * under pm2 (a web-app restart); with its producers gone it is marked `interrupted` and
 * waits for the user (no money spent unasked). Other leftover producers are stopped.
 */
export async function bootActiveRun(d: BootDeps): Promise<void> {
  await d.supervisor.connect();
  const active = await repo.findActiveRun(d.prisma);
  if (active) {
    const stored = storedRun(active.id, active.state as RunMode, () => ({
      totalUnique: active.totalUnique,
      totalCandidates: active.totalCandidates,
      totalDupExact: active.totalDupExact,
      totalDupNear: active.totalDupNear,
      totalJunk: active.totalJunk,
    }));
    const alive = active.state === "stopping" ? [] : await d.pool.running(active.id);
    if (active.state === "stopping") {
      await d.pool.stopAll();
      await d.states.setMode(stored, "stopped", "the server restarted while the run was stopping");
    } else if (alive.length === 0) {
      d.log("warn", `run ${active.id} was active but its producers are gone: marked interrupted (resume it from the history)`);
      await d.states.setMode(stored, "interrupted", "the server stopped while the run was active");
    } else {
      try {
        await reattach(d, active.id, active.slug, active.config as StoredConfig, active.state as RunMode, alive);
      } catch (err) {
        // A run this version cannot resume must not keep the server from starting.
        d.log("error", `cannot re-attach run ${active.id}: ${errorMessage(err)}; marked failed`);
        const run = d.active() ?? stored;
        d.setActive(undefined);
        await d.pool.stopAll().catch(() => undefined);
        await d.states.setMode(run, "failed", `could not resume: ${errorMessage(err)}`);
      }
    }
  }
  if (!d.active()) {
    const stopped = await d.pool.stopOthers([]);
    if (stopped > 0) d.log("warn", `stopped ${stopped} producer(s) left from an earlier run`);
  }
}

/** After a web-app restart: takes over the producers still running, restarting any that cannot be kept. */
async function reattach(d: BootDeps, runId: string, slug: string, stored: StoredConfig, mode: RunMode, alive: string[]): Promise<void> {
  const config = runConfigOf(stored, d.setup);
  const simUrl =
    config.providers.some((p) => p.provider === "sim") || (config.judge?.enabled && config.judge.provider === "sim")
      ? await d.setup.simulatorUrl(stored.simulatorUrl)
      : undefined;
  const wanted = producerNames(config);
  const keep = producersToKeep(wanted, alive, simUrl === stored.simulatorUrl);
  const secret = keep.length === 0 ? d.setup.newSecret() : undefined;
  await d.pool.stopOthers(keep);
  const secretHash = secret ? sha256(secret) : stored.secretHash;
  await repo.saveRunConfig(d.prisma, runId, { ...config, secretHash, simulatorUrl: simUrl } as never);
  const run = await openRun(d.open(simUrl), { id: runId, slug, config, mode, secretHash, keepStartTime: true, simUrl });
  d.setActive(run);
  if (secret) await d.pool.start(runId, wanted, secret, simUrl, keep);
  if (run.mode === "starting") await d.states.setMode(run, "running");
  if (keep.length > 0) d.log("info", `re-attached to ${keep.length} running producer(s)`);
  await d.eventLog.add(runId, "run.reattached", `server restarted: re-attached ${keep.length}, started ${wanted.length - keep.length} producer(s)`, {
    kept: keep.length,
  });
}
