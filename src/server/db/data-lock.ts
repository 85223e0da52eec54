import fs from "node:fs";
import path from "node:path";
import { type DataLock, dataLockedMessage, lockIsHeld, parseDataLock, processStartFromStat } from "../../lib/data-lock";
import { StartupError } from "../../lib/errors";

/** Beside `pglite/`, not in it: PGlite creates its directory only when it is empty. */
export const DATA_LOCK_FILE = "pglite.lock";

export type DataLockHandle = {
  /** The stale lock this one replaced (its holder had died), for the log. */
  tookOver: DataLock | undefined;
  /** Removes the lock if it is still this process's. Idempotent. */
  release(): void;
};

/**
 * Takes the lock of `dataDir` for this process, or throws a StartupError naming the server
 * that holds it. A lock whose process is gone is taken over.
 *
 * The lock is created whole or not at all: written to a private file, then hard-linked into
 * place (link fails if the name exists, atomically, also on NFS). Taking over a stale lock
 * renames it away first and checks that what was renamed is the stale lock it judged: if
 * another starting server replaced it meanwhile, that lock is put back and this one retries.
 */
export function acquireDataLock(dataDir: string, opts: { port: number | null }): DataLockHandle {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DATA_LOCK_FILE);
  const mine: DataLock = { pid: process.pid, port: opts.port, startedAt: new Date().toISOString(), processStart: processStartOf(process.pid) };
  const text = `${JSON.stringify(mine)}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  let tookOver: DataLock | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 5) throw err;
      }
      const held = readFile(file);
      if (held === undefined) continue; // released meanwhile
      const lock = parseDataLock(held);
      if (lock && lockIsHeld(lock, probe(lock.pid))) throw new StartupError("data-locked", dataLockedMessage(lock, dataDir));
      const aside = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      if (readFile(aside) !== held) {
        // Not the stale lock judged above: a server that started meanwhile holds it now.
        try {
          fs.linkSync(aside, file);
        } catch {
          // A third server took the name meanwhile: it holds the folder, the retry reads it.
        }
      } else {
        tookOver = lock;
      }
      fs.rmSync(aside, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    // Only our own: a server that took over a lock it judged stale must not lose it to us.
    if (readFile(file) === text) fs.rmSync(file, { force: true });
  };
  // A process that exits without closing the database still frees the folder; one that is
  // killed (SIGKILL) leaves a lock whose pid is gone, which the next server takes over.
  process.on("exit", release);
  return { tookOver, release };
}

function readFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function probe(pid: number): { alive: boolean; processStart: string | null } {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return { alive: false, processStart: null };
  }
  return { alive: true, processStart: processStartOf(pid) };
}

function processStartOf(pid: number): string | null {
  try {
    return processStartFromStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}
