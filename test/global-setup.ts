import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * Before the run: drop test databases a crashed earlier run left on the PostgreSQL server.
 * After it: drop this run's databases and kill the test pm2 daemon (and its processes), so
 * nothing is left behind. Temp folders of test processes (`igentai-{db,test}-<pid>-*`)
 * are removed once their process is gone: after this run, or of a crashed earlier one.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await dropTestDatabases();
  removeTempDirs();
  return async () => {
    const home = process.env.IGENTAI_TEST_PM2_HOME;
    if (home && fs.existsSync(home)) {
      spawnSync(process.execPath, [path.join("node_modules", "pm2", "bin", "pm2"), "kill"], {
        env: { ...process.env, PM2_HOME: home },
        stdio: "ignore",
        timeout: 30_000,
      });
      fs.rmSync(home, { recursive: true, force: true });
    }
    await dropTestDatabases();
    removeTempDirs();
  };
}

function removeTempDirs(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(/^igentai-(?:db|test)-(\d+)-/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

async function dropTestDatabases(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'igentai\\_test\\_%'`);
    // Names carry the creating process's pid: only databases of processes that are gone are
    // dropped, so a test run going on elsewhere on this machine keeps its own.
    for (const { datname } of rows) {
      const pid = Number(/^igentai_test_(\d+)_/.exec(datname)?.[1]);
      if (pid && isAlive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
