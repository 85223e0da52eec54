import path from "node:path";
import { callCostUsd, createPriceTable, parsePriceOverrides, priceOf } from "../lib/pricing";
import type { ServerEnv } from "../env";
import { openDb, type Db, type DbOptions } from "./db/client";
import { Orchestrator } from "./orchestrator/orchestrator";
import { parseProviderSpec } from "../lib/providers";
import { providerEnvOf, providerKeysOf } from "../lib/provider-settings";
import { resolveLlm } from "./producer/llm/factory";
import { Supervisor } from "./orchestrator/supervisor";

export type App = {
  orchestrator: Orchestrator;
  db: Db;
  /** Stops the orchestrator (producers too, unless `keepProducers`), the simulator and the DB. */
  close(opts?: { keepProducers?: boolean }): Promise<void>;
};

export type AppOptions = {
  env: ServerEnv;
  /** Overrides the database choice (tests). */
  db?: DbOptions;
  apiUrl: string;
  projectRoot?: string;
  /** Connect to the pm2 daemon of PM2_HOME (true) or run pm2 inside this process. */
  pm2Daemon: boolean;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  newSecret?: () => string;
};

/**
 * Variables producers inherit from the server's process besides the providers' (which come
 * from the validated environment): the call timeout, the simulator's behaviour, and what
 * Node needs to run.
 */
const PRODUCER_ENV_KEYS = ["IGENTAI_CALL_TIMEOUT_MS", "IGENTAI_SIM_PARAMS", "PATH", "HOME", "NODE_ENV"] as const;

export async function createApp(opts: AppOptions): Promise<App> {
  const { env } = opts;
  const projectRoot = opts.projectRoot ?? process.cwd();
  const prices = createPriceTable(parsePriceOverrides(env.IGENTAI_PRICES));
  const dbOptions = opts.db ?? (env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.dataDir });
  // The embedded database's lock names this server's port to a second server refused on it.
  const db = await openDb("dataDir" in dbOptions ? { port: env.PORT, ...dbOptions } : dbOptions);

  // Read at boot: a list that cannot be served is an error now, not at the first run.
  const realUniverses = env.IGENTAI_SIM_REAL_LISTS ? (await import("./simulator/real-lists")).readRealLists(env.IGENTAI_SIM_REAL_LISTS) : [];
  let simulator: Promise<{ url: string; close(): Promise<void> }> | undefined;
  /** Starts the in-process simulator once; `preferredUrl` keeps its port across restarts. */
  const simulatorUrl = async (preferredUrl?: string) => {
    if (env.IGENTAI_SIMULATOR_URL) return env.IGENTAI_SIMULATOR_URL;
    simulator ??= (async () => {
      const [{ startSimulator }, { parseSimParamsJson }] = await Promise.all([import("./simulator"), import("../lib/sim/params")]);
      const params = env.IGENTAI_SIM_PARAMS ? parseSimParamsJson(env.IGENTAI_SIM_PARAMS, "IGENTAI_SIM_PARAMS") : undefined;
      const preferredPort = preferredUrl ? Number(new URL(preferredUrl).port) || 0 : 0;
      const port = env.IGENTAI_SIMULATOR_PORT || preferredPort;
      try {
        return await startSimulator({ port, params, realUniverses });
      } catch (err) {
        if (port === 0 || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
        return startSimulator({ port: 0, params, realUniverses });
      }
    })();
    return (await simulator).url;
  };

  const orchestrator = new Orchestrator({
    db,
    supervisor: new Supervisor({ projectRoot, logDir: path.join(env.dataDir, "logs"), daemon: opts.pm2Daemon }),
    outputDir: env.outputDir,
    apiUrl: opts.apiUrl,
    defaultProducers: env.IGENTAI_PRODUCERS,
    // A base URL alone is enough: local servers (Ollama, vLLM, LM Studio) need no key.
    keys: providerKeysOf(env.providers),
    producerEnv: () => {
      const out: Record<string, string> = providerEnvOf(env.providers);
      for (const k of PRODUCER_ENV_KEYS) {
        const v = process.env[k];
        if (v) out[k] = v;
      }
      return out;
    },
    simulatorUrl,
    costOf: (call) => callCostUsd(prices, call) ?? 0,
    priceOf: (provider, model) => priceOf(prices, provider, model),
    log: opts.log,
    newSecret: opts.newSecret,
    judgeModel: env.IGENTAI_JUDGE_MODEL ? parseProviderSpec(env.IGENTAI_JUDGE_MODEL) : undefined,
    // The judge calls through the producers' provider layer and SDKs, from the server.
    judgeLlm: (target, simUrl) =>
      resolveLlm(target, {
        providers: env.providers,
        simulatorUrl: simUrl,
        callTimeoutMs: 10_000,
      }),
  });
  try {
    await orchestrator.boot();
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    orchestrator,
    db,
    close(closeOpts) {
      closing ??= (async () => {
        await orchestrator.close({ stopProducers: !closeOpts?.keepProducers });
        if (simulator) await (await simulator).close().catch(() => undefined);
        await db.close();
      })();
      return closing;
    },
  };
}
