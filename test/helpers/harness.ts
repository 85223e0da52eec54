import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseServerEnv } from "../../src/env";
import { PROVIDER_ENV_NAMES } from "../../src/lib/provider-settings";
import { createApp, type App } from "../../src/server/app";
import type { DbOptions } from "../../src/server/db/client";
import { serveApi } from "../../src/server/http";
import type { GuardConfig } from "../../src/lib/request-guard";
import type { PrismaClient } from "../../src/generated/prisma/client";
import { readEntries, type StoredEntry } from "../../src/server/orchestrator/repo";

export type Harness = {
  app: App;
  apiUrl: string;
  dataDir: string;
  outputDir: string;
  /** Simulates a web-app restart: the app goes away, producers keep running under pm2. */
  restart(): Promise<void>;
  close(): Promise<void>;
};

/**
 * A real server without Next: the tRPC API over HTTP, the orchestrator, pm2 (daemon in
 * the test PM2_HOME), producer processes and the simulator. `db` picks PGlite or Postgres.
 */
export async function startHarness(opts: { db: DbOptions; env?: Record<string, string>; newSecret?: () => string; guard?: GuardConfig }): Promise<Harness> {
  if (!process.env.PM2_HOME?.includes("igt-pm2")) throw new Error("tests must run with their own PM2_HOME (see vitest.config.mts)");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `igentai-test-${process.pid}-`));
  const outputDir = path.join(dataDir, "output");
  let app: App | undefined;
  const server = await serveApi(
    () => {
      if (!app) throw new Error("app not ready");
      return app;
    },
    0,
    opts.guard,
  );
  const env = parseServerEnv({
    ...process.env,
    DATABASE_URL: "",
    // No provider of the developer's shell: each test names the ones it uses.
    ...Object.fromEntries(PROVIDER_ENV_NAMES.map((name) => [name, ""])),
    IGENTAI_DATA_DIR: dataDir,
    IGENTAI_OUTPUT_DIR: outputDir,
    PORT: String(server.port),
    ...opts.env,
  });
  const log = process.env.IGENTAI_TEST_LOG ? (l: string, m: string) => console.log(`[${l}] ${m}`) : () => undefined;
  const boot = () => createApp({ env, db: opts.db, apiUrl: server.url, pm2Daemon: true, log, newSecret: opts.newSecret });
  app = await boot();
  const h: Harness = {
    get app() {
      return app!;
    },
    apiUrl: server.url,
    dataDir,
    outputDir,
    async restart() {
      const old = app!;
      app = undefined;
      await old.close({ keepProducers: true });
      app = await boot();
    },
    async close() {
      await app?.close();
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A run's stored entries by text, as a restart reads them (their support included). */
export async function storedEntries(prisma: PrismaClient, runId: string): Promise<Map<string, StoredEntry>> {
  const out = new Map<string, StoredEntry>();
  for await (const page of readEntries(prisma, runId)) for (const e of page) out.set(e.text, e);
  return out;
}
