import { z } from "zod";

/**
 * The lock of a data folder: one server per embedded database. Two servers on one PGlite
 * directory each saw only their own run, and once left a database that could not be opened
 * at all. The lock file names its holder so the refused server can say who it is.
 */
export const dataLockSchema = z.object({
  pid: z.number().int().positive(),
  /** The port the holder serves on, when it has one. */
  port: z.number().int().min(0).max(65535).nullable(),
  startedAt: z.string().max(40),
  /**
   * The holder's process start time as the OS reports it (Linux: /proc/<pid>/stat), so a pid
   * reused by another process (a restarted container gives the server the same pid) is not
   * taken for the holder. Null where the OS does not tell.
   */
  processStart: z.string().max(40).nullable(),
});
export type DataLock = z.infer<typeof dataLockSchema>;

/** The lock a file holds, or undefined when it is not one (empty, cut short, foreign): a stale lock. */
export function parseDataLock(text: string): DataLock | undefined {
  try {
    const parsed = dataLockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What the OS says about the lock's pid now. */
export type HolderProbe = { alive: boolean; processStart: string | null };

/** Whether the process that wrote the lock still runs: alive, and the same process where start times are known. */
export function lockIsHeld(lock: DataLock, probe: HolderProbe): boolean {
  if (!probe.alive) return false;
  if (lock.processStart !== null && probe.processStart !== null) return lock.processStart === probe.processStart;
  return true;
}

/** The start time in /proc/<pid>/stat (field 22, clock ticks since boot), or null. The command name may hold spaces and parentheses: fields are counted after the last ")". */
export function processStartFromStat(stat: string): string | null {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state): field 22 is rest[19].
  const start = rest[19];
  return start && /^\d+$/.test(start) ? start : null;
}

/** The refusal a second server prints: who holds the folder, and what to do. */
export function dataLockedMessage(lock: DataLock, dataDir: string): string {
  const port = lock.port ? `, port ${lock.port}` : "";
  return [
    `igentai: the data folder ${dataDir} is in use by another igentai server (pid ${lock.pid}${port}, started ${lock.startedAt}).`,
    "One server per data folder: two servers on one embedded database lose runs and can damage it.",
    `${lock.port ? `Use that server (http://localhost:${lock.port}), or stop it first` : "Stop that server first"} (Ctrl-C in its terminal, or \`npx pm2 delete igentai-web\`), or give this one another folder with IGENTAI_DATA_DIR.`,
  ].join("\n");
}
