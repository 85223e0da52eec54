import { EXIT_NO_RESTART, isStartupError } from "./lib/errors";

/** Boots the orchestrator once, when the Next server starts (before the first request). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getApp } = await import("./server/instance");
  try {
    await getApp();
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    // A start a restart cannot fix (the data folder is another server's, the database cannot
    // be opened) exits with the code pm2 does not restart on (ecosystem.config.js).
    process.exit(isStartupError(err) ? EXIT_NO_RESTART : 1);
  }
}
