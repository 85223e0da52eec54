import "server-only";
import { parseServerEnv } from "../env";
import { createApp, type App } from "./app";

/**
 * The one orchestrator of this server process, booted by instrumentation.ts and shared
 * with route handlers through globalThis (which also survives `next dev` reloads).
 */
const g = globalThis as typeof globalThis & { __igentai?: Promise<App> };

/** A signal this soon after the first is the same Ctrl-C delivered twice, not a second one. */
const REPEAT_SIGNAL_MS = 2_000;

export function getApp(): Promise<App> {
  g.__igentai ??= boot();
  return g.__igentai;
}

async function boot(): Promise<App> {
  const env = parseServerEnv();
  const underPm2 = env.pm_id !== undefined;
  const app = await createApp({
    env,
    apiUrl: env.IGENTAI_API_URL ?? `http://127.0.0.1:${env.PORT}/api/trpc`,
    // Under pm2 (pm2-runtime or the daemon) producers become siblings of the web app and
    // survive its restarts; without pm2 (next dev) they live and die with this process.
    pm2Daemon: underPm2,
  });
  // Under the pm2 daemon a restart of the web app must not take the producers down with
  // it: the next boot re-attaches to them. Under `npm start` (pm2-runtime in the
  // foreground) Ctrl-C means "stop everything", so the run is stopped and marked so; it
  // does not silently resume, on real API keys, at the next start.
  const stopRun = !underPm2 || env.IGENTAI_STOP_RUN_ON_EXIT === "1" || env.IGENTAI_STOP_RUN_ON_EXIT === "true";
  // Ctrl-C under `npm start` reaches this process twice within milliseconds (from the terminal,
  // to the whole process group, and from pm2-runtime): the repeat must not kill it by the
  // default action before the run is stopped and the data folder's lock released. A later
  // signal (a user pressing Ctrl-C again) exits at once.
  let closingSince: number | undefined;
  const shutdown = () => {
    if (closingSince !== undefined) {
      if (Date.now() - closingSince > REPEAT_SIGNAL_MS) process.exit(1);
      return;
    }
    closingSince = Date.now();
    void app.close({ keepProducers: !stopRun }).finally(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  console.log(
    `[igentai] ready: database ${app.db.kind} (${app.db.location}), ${Object.keys(env.providers).length > 0 ? `providers: ${Object.keys(env.providers).join(", ")}` : "no API key: simulated providers"}`,
  );
  return app;
}
