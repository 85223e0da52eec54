import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { KEPT_BACKUPS } from "../src/lib/embedded-db";
import { isStartupError } from "../src/lib/errors";
import { createCaller } from "../src/server/api/root";
import { createContext } from "../src/server/api/trpc";
import { listBackups } from "../src/server/db/backups";
import { openDb } from "../src/server/db/client";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { startHarness, waitFor } from "./helpers/harness";
import { tempDir } from "./helpers/server-process";

const run = promisify(execFile);
const BIN = path.join(process.cwd(), "bin", "igentai.js");

/**
 * Copies of the embedded database kept at each stop, and `igentai db restore` bringing one
 * back after the database was damaged, with the real server path, PGlite and the CLI.
 */
describe("copies of the embedded database", () => {
  const dataDir = tempDir();
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await connect(true);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  });
  const restore = (...args: string[]) =>
    run(process.execPath, [BIN, "db", "restore", ...args], { timeout: 60_000, env: { ...process.env, IGENTAI_DATA_DIR: dataDir } });

  it("are kept at each stop (the newest few), and a damaged database is restored from one", async () => {
    const h = await startHarness({ db: { dataDir }, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
    let runId: string;
    let entries: string[];
    try {
      const caller = createCaller(createContext({ orchestrator: h.app.orchestrator, db: h.app.db }, new Headers()));
      ({ runId } = await caller.topic.start({ topic: "Volcanoes", producers: 1, requestSize: 20 }));
      await waitFor("entries", async () => (await caller.topic.status()).totals.unique >= 10);
      await caller.topic.stop();
      expect(listBackups(dataDir)).toHaveLength(1);
      entries = (await h.app.db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { text: true } })).map((e) => e.text);

      // Only the newest few are kept, and a copy cut short by a kill is cleared away.
      const cutShort = path.join(dataDir, "backups", "pglite-2026-01-01T00-00-00-000Z.tar.gz.tmp-999999");
      fs.writeFileSync(cutShort, "half a copy");
      for (let i = 0; i < KEPT_BACKUPS + 2; i++) await h.app.db.backup!();
      const kept = listBackups(dataDir);
      expect(kept).toHaveLength(KEPT_BACKUPS);
      expect(fs.readdirSync(path.join(dataDir, "backups")).sort()).toEqual([...kept].sort());
      expect([...kept].sort().reverse()).toEqual(kept);

      // While the server holds the folder, a restore is refused and changes nothing.
      const refused = await restore().catch((e: { code: number; stderr: string }) => e);
      expect(refused).toMatchObject({ code: 2 });
      expect((refused as { stderr: string }).stderr).toContain(`in use by another igentai server (pid ${process.pid}`);
    } finally {
      await h.close();
    }

    // The damage seen after two servers shared the folder.
    fs.rmSync(path.join(dataDir, "pglite", "global", "pg_control"));
    const failed = await openDb({ dataDir }).catch((e: unknown) => e);
    expect(isStartupError(failed)).toBe(true);
    expect((failed as Error).message).toContain(`the newest of the ${KEPT_BACKUPS} copies kept in ${path.join(dataDir, "backups")}`);
    expect((failed as Error).message).toContain("npx igentai db restore");

    expect((await restore("--list")).stdout.trim().split("\n")).toEqual(listBackups(dataDir));
    const restored = await restore();
    expect(restored.stdout).toContain(`restored ${path.join(dataDir, "backups", listBackups(dataDir)[0]!)} into ${path.join(dataDir, "pglite")} (1 runs)`);
    const keptAs = /the folder it replaced is kept as (\S+)/.exec(restored.stdout)?.[1];
    expect(keptAs && fs.existsSync(path.join(keptAs, "PG_VERSION"))).toBe(true);

    const db = await openDb({ dataDir });
    try {
      const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId! }, select: { state: true, totalUnique: true } });
      expect(run).toEqual({ state: "stopped", totalUnique: entries!.length });
      const back = (await db.prisma.entry.findMany({ where: { runId: runId! }, orderBy: { seq: "asc" }, select: { text: true } })).map((e) => e.text);
      expect(back).toEqual(entries!);
    } finally {
      await db.close();
    }
  }, 120_000);
});
