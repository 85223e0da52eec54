import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseDataLock } from "../src/lib/data-lock";
import { isStartupError } from "../src/lib/errors";
import { openDb } from "../src/server/db/client";
import { DATA_LOCK_FILE } from "../src/server/db/data-lock";
import { topicSlug } from "../src/lib/slug";
import { createCaller } from "../src/server/api/root";
import { createContext } from "../src/server/api/trpc";
import { connect, disconnect, list } from "../src/server/orchestrator/pm2";
import { PRODUCER_PREFIX } from "../src/server/orchestrator/supervisor";
import { startHarness, waitFor } from "./helpers/harness";
import { apiClient, isAlive, SERVER_FIXTURE, spawnServer, tempDir, type ServerProcess } from "./helpers/server-process";

/**
 * One server per data folder, with real server processes (the boot path of `next start`,
 * test/fixtures/server/main.ts) on one embedded database.
 */
const dirs: string[] = [];
const servers: ServerProcess[] = [];
/** Run first, before folders go (a pm2 daemon must be killed while its home exists). */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const s of servers.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    await s.exited;
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

function server(dataDir: string): ServerProcess {
  const s = spawnServer({ dataDir, pm2Home: dir() });
  servers.push(s);
  return s;
}

describe("Ctrl-C under npm start", () => {
  it("shuts down cleanly when the signal arrives twice at once (the terminal's and pm2-runtime's): run stopped, lock released", async () => {
    const dataDir = dir();
    const s = server(dataDir);
    const { port } = await s.ready;
    const api = apiClient(port);
    const { runId } = await api.topic.start.mutate({ topic: "Volcanoes", producers: 1, requestSize: 20 });
    await waitFor("entries", async () => (await api.topic.status.query()).totals.unique >= 10);
    s.child.kill("SIGINT");
    // pm2-runtime's copy comes a moment later (two signals sent together would merge into one).
    await new Promise((r) => setTimeout(r, 150));
    s.child.kill("SIGINT");
    expect(await s.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, DATA_LOCK_FILE))).toBe(false);
    const db = await openDb({ dataDir });
    try {
      expect((await db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { state: true } })).state).toBe("stopped");
    } finally {
      await db.close();
    }
  });
});

describe("a second server on the same data folder", () => {
  it("refuses to start, naming the running one, and the first loses nothing", async () => {
    const dataDir = dir();
    const first = server(dataDir);
    const { pid, port } = await first.ready;
    const api = apiClient(port);
    const { runId } = await api.topic.start.mutate({ topic: "Volcanoes", producers: 2, requestSize: 20 });
    await waitFor("entries", async () => (await api.topic.status.query()).totals.unique >= 20);

    const second = server(dataDir);
    const code = await second.exited;
    expect(code).toBe(78); // EXIT_NO_RESTART: pm2 does not restart it (ecosystem.config.js)
    expect(second.output()).toContain(`in use by another igentai server (pid ${pid}, port ${port}`);
    expect(second.output()).toContain(dataDir);

    // The first keeps running and writing.
    const atRefusal = (await api.topic.status.query()).totals.unique;
    await waitFor("more entries", async () => (await api.topic.status.query()).totals.unique > atRefusal);
    await api.topic.stop.mutate();
    const stopped = await api.topic.status.query();
    const producerPids = stopped.producers.flatMap((p) => (p.health?.pid ? [p.health.pid] : []));
    const listed = (await api.topic.list.query()).find((r) => r.id === runId)!;
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    for (const p of producerPids) expect(isAlive(p)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, DATA_LOCK_FILE))).toBe(false);

    // Everything the first server accepted is in its database and its output.txt.
    const db = await openDb({ dataDir });
    try {
      const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { slug: true, totalUnique: true, state: true } });
      const entries = await db.prisma.entry.findMany({ where: { runId }, orderBy: { seq: "asc" }, select: { text: true } });
      expect(run.state).toBe("stopped");
      expect(entries.length).toBe(listed.totals.unique);
      expect(run.totalUnique).toBe(entries.length);
      const lines = fs
        .readFileSync(path.join(dataDir, "output", run.slug, "output.txt"), "utf8")
        .split("\n")
        .filter(Boolean);
      expect(lines).toEqual(entries.map((e) => e.text));
    } finally {
      await db.close();
    }
  }, 180_000);

  it("takes over the lock of a server that died without releasing it", async () => {
    const dataDir = dir();
    // A process that holds the lock and is killed (SIGKILL: no cleanup runs).
    const holder = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `require("./src/server/db/data-lock").acquireDataLock(${JSON.stringify(dataDir)}, { port: 4321 }); console.log("locked"); setInterval(() => {}, 1000);`,
      ],
      { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((r) => holder.once("exit", r));
    await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
    const lock = parseDataLock(fs.readFileSync(path.join(dataDir, DATA_LOCK_FILE), "utf8"));
    expect(lock).toMatchObject({ pid: holder.pid, port: 4321 });

    // Held: refused, in this process too, with a StartupError naming the holder.
    const refused = await openDb({ dataDir }).catch((e: unknown) => e);
    expect(isStartupError(refused)).toBe(true);
    expect((refused as Error).message).toContain(`pid ${holder.pid}, port 4321`);

    holder.kill("SIGKILL");
    await exited;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const db = await openDb({ dataDir, port: 1234 });
    try {
      expect(warn.mock.calls.flat().join(" ")).toContain(`from pid ${holder.pid}, which is no longer running`);
      expect(parseDataLock(fs.readFileSync(path.join(dataDir, DATA_LOCK_FILE), "utf8"))).toMatchObject({ pid: process.pid, port: 1234 });
      // While it is open, a second open in the same process is refused as well.
      const again = await openDb({ dataDir }).catch((e: unknown) => e);
      expect((again as Error).message).toContain(`pid ${process.pid}, port 1234`);
    } finally {
      warn.mockRestore();
      await db.close();
    }
    expect(fs.readdirSync(dataDir).sort()).toEqual(["pglite"]);
  }, 120_000);
});

describe("an output folder no stored run owns", () => {
  it("is moved aside, not truncated, when a new run on its topic starts, and the answer says where", async () => {
    const h = await startHarness({ db: { dataDir: "memory://" }, env: { IGENTAI_SIM_PARAMS: JSON.stringify({ latencyScale: 0.05 }) } });
    try {
      // A run lost with its database (or written by another server) left its file behind.
      const slug = topicSlug("Volcanoes");
      const old = Array.from({ length: 1435 }, (_, i) => `Old volcano ${i + 1}`);
      fs.mkdirSync(path.join(h.outputDir, slug), { recursive: true });
      fs.writeFileSync(path.join(h.outputDir, slug, "output.txt"), old.map((l) => `${l}\n`).join(""));

      const caller = createCaller(createContext({ orchestrator: h.app.orchestrator, db: h.app.db }, new Headers()));
      const started = await caller.topic.start({ topic: "Volcanoes", producers: 1, requestSize: 20 });
      expect(started.resumed).toBe(false);
      expect(started.movedAside).toMatch(new RegExp(`/${slug}\\.moved-[0-9TZ-]+$`));
      expect(path.dirname(started.movedAside!)).toBe(h.outputDir);
      expect(fs.readFileSync(path.join(started.movedAside!, "output.txt"), "utf8").split("\n").filter(Boolean)).toEqual(old);
      await waitFor("entries", async () => (await caller.topic.status()).totals.unique >= 5);
      await caller.topic.stop();
      const entries = await h.app.db.prisma.entry.findMany({ where: { runId: started.runId }, orderBy: { seq: "asc" }, select: { text: true } });
      expect(
        fs
          .readFileSync(path.join(h.outputDir, slug, "output.txt"), "utf8")
          .split("\n")
          .filter(Boolean),
      ).toEqual(entries.map((e) => e.text));
      const event = await h.app.db.prisma.event.findFirst({ where: { runId: started.runId, kind: "output.moved-aside" }, select: { message: true } });
      expect(event?.message).toContain(started.movedAside);

      // The folder is the run's now: starting the topic again resumes it and moves nothing.
      const again = await caller.topic.start({ topic: "Volcanoes", producers: 1, requestSize: 20 });
      expect(again).toMatchObject({ runId: started.runId, resumed: true, movedAside: null });
      await caller.topic.stop();
    } finally {
      await h.close();
    }
    await connect(true);
    expect(await list(PRODUCER_PREFIX)).toEqual([]);
    disconnect();
  }, 120_000);
});

describe("a damaged embedded database", () => {
  const execFileAsync = promisify(execFile);
  const PM2_BIN = path.join(process.cwd(), "node_modules", "pm2", "bin", "pm2");

  it("stops the server under pm2 with a plain message (folder, what failed, how to restore) and no restart loop", async () => {
    const dataDir = dir();
    const db = await openDb({ dataDir });
    await db.prisma.run.create({ data: { id: "r1", topic: "Volcanoes", slug: "volcanoes-1", state: "stopped", config: {} } });
    await db.close();
    // The damage seen after two servers shared a folder: PGlite then said only "Aborted()".
    fs.rmSync(path.join(dataDir, "pglite", "global", "pg_control"));

    // The real ecosystem.config.js app (restart policy, stop_exit_codes), running the test server.
    const pm2Home = dir();
    const ecosystem = path.join(pm2Home, "damaged.config.js");
    fs.writeFileSync(
      ecosystem,
      `const real = require(${JSON.stringify(path.join(process.cwd(), "ecosystem.config.js"))}).apps[0];
module.exports = { apps: [{ ...real, name: "igentai-web-damaged", script: ${JSON.stringify(SERVER_FIXTURE)}, args: [], interpreter: ${JSON.stringify(process.execPath)},
  node_args: [...real.node_args, "--conditions=react-server", "--import", "tsx"],
  env: { ...real.env, NODE_ENV: "test", DATABASE_URL: "", IGENTAI_DATA_DIR: ${JSON.stringify(dataDir)}, IGENTAI_OUTPUT_DIR: ${JSON.stringify(path.join(dataDir, "output"))} } }] };`,
    );
    const pm2 = (...args: string[]) => execFileAsync(process.execPath, [PM2_BIN, ...args], { env: { ...process.env, PM2_HOME: pm2Home }, cwd: process.cwd() });
    cleanups.push(() => pm2("kill"));
    await pm2("start", ecosystem);
    type Described = {
      pid: number;
      pm2_env: {
        status: string;
        restart_time: number;
        exit_code?: number;
        stop_exit_codes?: number | number[];
        prev_restart_delay?: number;
        pm_err_log_path: string;
      };
    };
    const pm2App = async () => (JSON.parse((await pm2("jlist")).stdout) as Described[])[0]!;
    const exited = await waitFor("the server to exit", async () => ((await pm2App()).pm2_env.exit_code === 78 ? pm2App() : undefined), 90_000);
    expect([exited.pm2_env.stop_exit_codes].flat()).toEqual([78]);
    // pm2 shows it as "waiting restart" (it sets that status whenever exp_backoff_restart_delay is
    // set), but with the exit code in stop_exit_codes it schedules no restart: past the backoff
    // delay it has not run again.
    const delay = exited.pm2_env.prev_restart_delay ?? 200;
    await new Promise((r) => setTimeout(r, delay * 5));
    const later = await pm2App();
    expect(later.pm2_env.restart_time).toBe(0);
    expect(later.pid).toBe(0);
    const log = fs.readFileSync(later.pm2_env.pm_err_log_path, "utf8");
    expect(log.match(/cannot be opened/g)).toHaveLength(1);
    expect(log).toContain(`the embedded database in ${path.join(dataDir, "pglite")} cannot be opened`);
    expect(log).toContain("What failed: global/pg_control is missing; PGlite said: Aborted()");
    expect(log).toContain("To restore");
    expect(log).toContain(`mv ${path.join(dataDir, "pglite")} ${path.join(dataDir, "pglite")}.damaged`);
    // It held the folder's lock only while it tried.
    expect(fs.existsSync(path.join(dataDir, DATA_LOCK_FILE))).toBe(false);
  }, 120_000);
});
