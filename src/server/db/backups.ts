import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { backupFileName, backupsNewestFirst, backupsToPrune } from "../../lib/embedded-db";
import { errorMessage } from "../../lib/errors";
import { acquireDataLock } from "./data-lock";

/** data/backups: copies of data/pglite kept at each stop of a run. */
export function backupsDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), "backups");
}

/** The kept copies' file names, newest first (none when the folder does not exist). */
export function listBackups(dataDir: string): string[] {
  try {
    return backupsNewestFirst(fs.readdirSync(backupsDir(dataDir)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

/**
 * Writes a copy of the open database (PGlite's dumpDataDir, a gzipped tar; ~1.4 s and 4.8 MB
 * for a 40 MB folder here) and keeps the newest KEPT_BACKUPS. Written to a temporary name
 * and renamed, so a copy that exists is whole. Returns the copy's path.
 */
export async function writeBackup(lite: PGlite, dataDir: string, now: Date): Promise<{ file: string; pruned: string[] }> {
  const dir = backupsDir(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  // A copy cut short (the server killed while writing it) left a temporary file: the folder's
  // lock means no other writer, so any is stale.
  for (const name of fs.readdirSync(dir)) if (/\.tar\.gz\.tmp-\d+$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  let at = now;
  while (fs.existsSync(path.join(dir, backupFileName(at)))) at = new Date(at.getTime() + 1);
  const file = path.join(dir, backupFileName(at));
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const dump = await lite.dumpDataDir("gzip");
    await fs.promises.writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
    await fs.promises.rename(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const pruned = backupsToPrune(fs.readdirSync(dir));
  for (const name of pruned) fs.rmSync(path.join(dir, name), { force: true });
  return { file, pruned };
}

export type RestoreResult = { from: string; runs: number; damagedKeptAs: string | null };

/**
 * Brings back a kept copy of data/pglite (the newest, or `name`): only while no server holds
 * the folder (its lock). The copy is loaded and checked in a folder of its own first; then the
 * current one is moved aside to `pglite.replaced-<time>` (kept, never deleted) and the copy
 * takes its place. Used by `igentai db restore` (src/cli/igentai.ts loads it lazily, with require).
 * @public
 */
export async function restoreBackup(dataDir: string, opts: { name?: string; now: Date; startParams?: readonly string[] }): Promise<RestoreResult> {
  const copies = listBackups(dataDir);
  const name = opts.name ?? copies[0];
  if (!name) throw new Error(`no copy of the database is kept in ${backupsDir(dataDir)}`);
  if (!copies.includes(name)) throw new Error(`no copy named ${name} in ${backupsDir(dataDir)} (kept: ${copies.join(", ") || "none"})`);
  const lock = acquireDataLock(dataDir, { port: null });
  const target = path.join(path.resolve(dataDir), "pglite");
  const staging = `${target}.restore-${process.pid}`;
  try {
    fs.rmSync(staging, { recursive: true, force: true });
    const dump = await fs.promises.readFile(path.join(backupsDir(dataDir), name));
    let runs: number;
    const lite = await PGlite.create(staging, { loadDataDir: new Blob([dump]), ...(opts.startParams ? { startParams: [...opts.startParams] } : {}) });
    try {
      runs = (await lite.query<{ n: number }>(`SELECT count(*)::int AS n FROM "runs"`)).rows[0]?.n ?? 0;
    } catch (err) {
      throw new Error(`the copy ${name} does not hold an igentai database: ${errorMessage(err)}`);
    } finally {
      await lite.close();
    }
    let damagedKeptAs: string | null = null;
    if (fs.existsSync(target)) {
      damagedKeptAs = `${target}.replaced-${opts.now.toISOString().replace(/[:.]/g, "-")}`;
      fs.renameSync(target, damagedKeptAs);
    }
    fs.renameSync(staging, target);
    return { from: path.join(backupsDir(dataDir), name), runs, damagedKeptAs };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}
