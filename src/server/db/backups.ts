import fs from "node:fs";
import path from "node:path";
import { backupsNewestFirst } from "../../lib/embedded-db";

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
