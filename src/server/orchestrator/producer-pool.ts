import type { Supervisor } from "./supervisor";

const RUNNING_STATUSES = new Set(["online", "launching", "waiting restart"]);

/**
 * A run's producer processes (p1..pN under pm2): what they are started with, which of
 * them still run, and which can be kept when the web app restarts.
 */
export class ProducerPool {
  constructor(
    private readonly supervisor: Supervisor,
    private readonly env: { apiUrl: string; producerEnv: () => Record<string, string> },
  ) {}

  /** The run's producers still running under pm2 (a web-app restart under the daemon leaves them). */
  async running(runId: string): Promise<string[]> {
    return (await this.supervisor.list()).filter((p) => p.runId === runId && RUNNING_STATUSES.has(p.status)).map((p) => p.producer);
  }

  /** Starts each named producer of the run that is not in `keep`. */
  async start(runId: string, names: readonly string[], secret: string, simUrl: string | undefined, keep: readonly string[] = []): Promise<void> {
    for (const producer of names) {
      if (keep.includes(producer)) continue;
      await this.supervisor.start(producer, {
        ...this.env.producerEnv(),
        IGENTAI_API_URL: this.env.apiUrl,
        IGENTAI_RUN_ID: runId,
        IGENTAI_PRODUCER: producer,
        IGENTAI_RUN_SECRET: secret,
        ...(simUrl ? { IGENTAI_SIMULATOR_URL: simUrl } : {}),
      });
    }
  }

  /** Stops every producer process except those in `keep`. */
  async stopOthers(keep: readonly string[]): Promise<number> {
    const strays = (await this.supervisor.list()).filter((p) => !keep.includes(p.producer)).map((p) => p.name);
    if (strays.length > 0) await this.supervisor.stop(strays);
    return strays.length;
  }

  async stopAll(): Promise<void> {
    await this.supervisor.stopAll();
  }
}

/**
 * Which running producers a re-attach keeps: all of them or none. The secret is stored
 * hashed only, so a producer started now needs a new one, and then so do the kept ones;
 * a changed simulator address also means starting afresh.
 */
export function producersToKeep(wanted: readonly string[], alive: readonly string[], sameSimulator: boolean): string[] {
  const keep = sameSimulator ? wanted.filter((p) => alive.includes(p)) : [];
  return keep.length === wanted.length ? keep : [];
}
