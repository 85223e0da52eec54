import { errorMessage } from "../../lib/errors";
import type { Db } from "../db/client";
import { addEvent } from "./repo";

/**
 * The run's event log (the Event table). A failed write is logged, never thrown into the
 * lifecycle; `flush` waits for writes still in flight (at shutdown).
 */
export class EventLog {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly log: (level: "error", message: string) => void,
  ) {}

  add(runId: string | null, kind: string, message: string, data?: object): Promise<void> {
    const p = addEvent(this.db.prisma, { runId, kind, message, data: data as never })
      .then(() => undefined)
      .catch((err: unknown) => this.log("error", `event log: ${errorMessage(err)}`));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

/** Calls `fn` once per burst: at most once every `ms` (timer unref'ed, so it never keeps a process alive). */
export function coalesce(fn: () => void, ms: number): (() => void) & { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const call = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
    timer.unref?.();
  };
  return Object.assign(call, { cancel: () => timer && clearTimeout(timer) });
}

export function consoleLog(level: "info" | "warn" | "error", message: string): void {
  const line = `[igentai] ${level}: ${message}`;
  if (level === "error") console.error(line);
  else console.log(line);
}
