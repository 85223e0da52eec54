import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { E2E_PORT, ROOT, SCREENSHOTS } from "./support/env";
import { assertPortFree, startServer } from "./support/server";

/** Starts the shared server on a fresh temp folder (data, output, PM2_HOME) for this test run. */
export default async function globalSetup(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("no production build: run `npm run test:e2e` (it builds first) or `npm run build`");
  }
  // Short: pm2's Unix socket paths under PM2_HOME must stay well under ~100 characters.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `igentai-e2e-${randomBytes(2).toString("hex")}-`));
  process.env.IGENTAI_E2E_DIR = dir;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await assertPortFree(E2E_PORT);
  const server = await startServer({ port: E2E_PORT, dir: path.join(dir, "main"), pm2Home: path.join(dir, "pm2"), log: path.join(dir, "main-server.log") });
  fs.writeFileSync(path.join(dir, "main.json"), JSON.stringify({ pid: server.pid, port: server.port, pm2Home: server.pm2Home }));
  // The server process is detached; the runner must not wait for it.
  server.proc.unref();
}
