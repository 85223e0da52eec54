/**
 * The embedded database's folder, told in plain words: what is missing when it cannot be
 * opened, and the copies kept of it (names, which to keep). No I/O: src/server/db/ reads the
 * folder and passes what it found.
 */

/** Files a PostgreSQL data directory cannot open without, checked to say what is wrong. */
export const REQUIRED_PGLITE_PATHS: readonly string[] = ["PG_VERSION", "global/pg_control", "base", "pg_wal"];

/** The message of a server whose embedded database cannot be opened: which folder, what failed, how to restore. */
export function unreadableDatabaseMessage(opts: {
  dir: string;
  error: string;
  missing: readonly string[];
  /** Kept copies, newest first (file names). */
  copies: readonly string[];
  copiesDir: string;
}): string {
  const what = opts.missing.length > 0 ? `${opts.missing.join(", ")} ${opts.missing.length === 1 ? "is" : "are"} missing; ` : "";
  const lines = [
    `igentai: the embedded database in ${opts.dir} cannot be opened.`,
    `What failed: ${what}PGlite said: ${opts.error.split("\n")[0]!.slice(0, 300)}`,
    "The server did not start and changed nothing. To restore:",
  ];
  if (opts.copies.length > 0) {
    lines.push(
      `  - bring back the newest of the ${opts.copies.length} copies kept in ${opts.copiesDir} (${opts.copies[0]}):`,
      "      npx igentai db restore            (the damaged folder is kept beside it; --list shows the copies)",
    );
  } else {
    lines.push(`  - no copy of it is kept in ${opts.copiesDir} (copies are made at each stop of a run).`);
  }
  lines.push(
    `  - or move the folder aside (mv ${opts.dir} ${opts.dir}.damaged) and start with an empty database;`,
    "    every run's entries stay in output/<topic>/output.txt.",
  );
  return lines.join("\n");
}

/** Copies of the embedded database kept in data/backups/ (PGlite's dumpDataDir, gzipped tar): the newest few. */
export const KEPT_BACKUPS = 5;
const BACKUP_NAME = /^pglite-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.tar\.gz$/;

/** The copies among `names` (other files ignored), newest first. */
export function backupsNewestFirst(names: readonly string[]): string[] {
  return names.filter((n) => BACKUP_NAME.test(n)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** A copy's file name: its UTC time, so names sort by age. */
export function backupFileName(at: Date): string {
  return `pglite-${at.toISOString().replace(/[:.]/g, "-")}.tar.gz`;
}

/** The copies to delete so that the newest `keep` remain. */
export function backupsToPrune(names: readonly string[], keep = KEPT_BACKUPS): string[] {
  return backupsNewestFirst(names).slice(keep);
}
