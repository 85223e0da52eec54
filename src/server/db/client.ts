import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client";
import { REQUIRED_PGLITE_PATHS, unreadableDatabaseMessage } from "../../lib/embedded-db";
import { errorMessage, StartupError } from "../../lib/errors";
import { backupsDir, listBackups, writeBackup } from "./backups";
import { acquireDataLock, type DataLockHandle } from "./data-lock";
import { migrate } from "./migrate";

export type Db = {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** Where the data lives, for messages (no credentials). */
  location: string;
  /** Keeps a copy of an embedded database in data/backups (the newest few); absent for others. Returns the copy's path. */
  backup?: () => Promise<string>;
  close(): Promise<void>;
};

export type DbOptions =
  | { databaseUrl: string }
  /**
   * dataDir: a folder for file-backed PGlite, or "memory://" for an in-memory one. A folder is
   * locked for this process while it is open (`port` names this server in a refusal).
   */
  | { dataDir: string; port?: number | null };

/**
 * Opens the database and brings its schema up to date. Without DATABASE_URL this is an
 * embedded PGlite under `dataDir`; PGlite allows one process per data directory, so only
 * the server process opens it (producers go through the API).
 */
export async function openDb(opts: DbOptions): Promise<Db> {
  if ("databaseUrl" in opts) {
    const setup = new pg.Client({ connectionString: opts.databaseUrl });
    await setup.connect();
    try {
      await migrate({
        exec: async (sql) => void (await setup.query(sql)).rows,
        query: async (sql) => (await setup.query(sql)).rows,
      });
    } finally {
      await setup.end();
    }
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: opts.databaseUrl, max: 8 }) });
    return {
      prisma,
      kind: "postgres",
      location: redactUrl(opts.databaseUrl),
      close: () => prisma.$disconnect(),
    };
  }

  if (opts.dataDir === "memory://") return openPglite("memory://", undefined);
  const lock = acquireDataLock(path.resolve(opts.dataDir), { port: opts.port ?? null });
  if (lock.tookOver) console.warn(`igentai: took over the lock of ${opts.dataDir} from pid ${lock.tookOver.pid}, which is no longer running`);
  try {
    const dir = path.resolve(opts.dataDir, "pglite");
    await initPgliteDir(dir);
    return await openPglite(dir, lock, opts.dataDir);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openPglite(dir: string, lock: DataLockHandle | undefined, dataDir?: string): Promise<Db> {
  let lite: PGlite;
  try {
    lite = await PGlite.create(dir, { startParams: [...PGLITE_START_PARAMS] });
  } catch (err) {
    if (dataDir === undefined) throw err;
    // PGlite's own words for a damaged folder are often just "Aborted()": say which folder,
    // what is missing, and how to restore it, and let the server exit without a restart loop.
    const missing = REQUIRED_PGLITE_PATHS.filter((p) => !fs.existsSync(path.join(dir, p)));
    const copies = listBackups(dataDir);
    throw new StartupError(
      "database-unreadable",
      unreadableDatabaseMessage({ dir, error: errorMessage(err), missing, copies, copiesDir: backupsDir(dataDir) }),
    );
  }
  await migrate({
    exec: async (sql) => void (await lite.exec(sql)),
    query: async (sql) => (await lite.query<Record<string, unknown>>(sql)).rows,
  });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    prisma,
    kind: "pglite",
    location: dir,
    ...(dataDir !== undefined ? { backup: async () => (await writeBackup(lite, dataDir, new Date())).file } : {}),
    close: async () => {
      try {
        await prisma.$disconnect().catch(() => undefined);
        if (!lite.closed) await lite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * PGlite's settings. Postgres' default shared_buffers (128 MB) is WASM memory that PGlite
 * touches when it starts and never gives back: +128 MB of the server's RSS. A run's working
 * set is small (the newest entries, the run's counters; older pages come back through the
 * OS page cache, PGlite keeps its files on disk with NODEFS), so 16 MB does: opening an
 * existing data directory costs ~90 MB of RSS instead of ~220 MB (README, "Memory").
 */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

const execFileAsync = promisify(execFile);

/**
 * Creates a new PGlite data directory (initdb) in a short-lived child process. initdb grows
 * PGlite's WASM memory by ~140 MB more than opening a database does, and WASM memory is never
 * given back: done in the server, that memory stayed in its RSS for the whole run. The child
 * writes a sibling folder that is renamed into place when complete, so a crash half-way
 * leaves no half-made database. An existing database, or an unusable child (its error is
 * logged), leaves the work to PGlite in this process as before.
 */
async function initPgliteDir(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, "PG_VERSION"))) return;
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) return; // not ours to replace: PGlite decides
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.init-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const script = `import { PGlite } from "@electric-sql/pglite";
const pg = await PGlite.create(process.argv[1], { startParams: JSON.parse(process.argv[2]) });
await pg.close();`;
  try {
    // Resolved from the working directory, as the migrations are (the project root).
    await execFileAsync(process.execPath, ["--input-type=module", "-e", script, tmp, JSON.stringify(PGLITE_START_PARAMS)], {
      cwd: process.cwd(),
      timeout: 120_000,
    });
    fs.rmSync(dir, { recursive: true, force: true }); // an empty folder at most (checked above)
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.warn(`igentai: creating the database in a child process failed, creating it here instead (${String(e).slice(0, 300)})`);
    fs.mkdirSync(dir, { recursive: true });
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
