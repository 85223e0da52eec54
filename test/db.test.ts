import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openDb, type Db } from "../src/server/db/client";
import { listMigrations, migrate, type SqlExec } from "../src/server/db/migrate";
import { testDatabases } from "./helpers/databases";

describe.each(testDatabases())("database ($name)", (target) => {
  let db: Db;
  afterAll(async () => db?.close());

  it("migrates and stores a run with entries", async () => {
    db = await openDb(await target.open());
    const id = `t-${Date.now()}`;
    await db.prisma.run.create({ data: { id, topic: "Paris", slug: "paris", state: "running", config: {} } });
    await db.prisma.entry.createMany({
      data: [
        { runId: id, seq: 1, text: "Louvre", normalisedKey: "louvre", producer: "p1", provider: "sim", model: "m", batchId: "b1" },
        { runId: id, seq: 2, text: "Eiffel Tower", normalisedKey: "eiffel tower", producer: "p1", provider: "sim", model: "m", batchId: "b1" },
      ],
    });
    const rows = await db.prisma.entry.findMany({ where: { runId: id }, orderBy: { seq: "asc" }, select: { text: true } });
    expect(rows.map((r) => r.text)).toEqual(["Louvre", "Eiffel Tower"]);
    // The normalised key is unique per run: the database is the last line of defence.
    await expect(
      db.prisma.entry.create({
        data: { runId: id, seq: 3, text: "louvre", normalisedKey: "louvre", producer: "p2", provider: "sim", model: "m", batchId: "b2" },
      }),
    ).rejects.toThrow();
  });
});

describe.each(testDatabases())("support migration ($name)", (target) => {
  it("moves support beyond an entry's own proposal into entry_support and drops the entries' columns", async () => {
    const opts = await target.open();
    const lite = "dataDir" in opts ? await PGlite.create(path.join(opts.dataDir, "pglite")) : undefined;
    const client = "databaseUrl" in opts ? new pg.Client({ connectionString: opts.databaseUrl }) : undefined;
    await client?.connect();
    const sql: SqlExec = lite
      ? { exec: async (q) => void (await lite.exec(q)), query: async (q) => (await lite.query<Record<string, unknown>>(q)).rows }
      : { exec: async (q) => void (await client!.query(q)), query: async (q) => (await client!.query(q)).rows };
    const before = fs.mkdtempSync(path.join(os.tmpdir(), `igentai-test-${process.pid}-`));
    try {
      for (const m of listMigrations().filter((m) => m.name < "0007")) {
        fs.mkdirSync(path.join(before, m.name));
        fs.writeFileSync(path.join(before, m.name, "migration.sql"), m.sql);
      }
      await migrate(sql, before);
      await sql.exec(`INSERT INTO "runs" ("id", "topic", "slug", "state", "config") VALUES ('r1', 'Ponds', 'ponds', 'stopped', '{}');
        INSERT INTO "entries" ("run_id", "seq", "text", "normalised_key", "producer", "provider", "model", "batch_id",
          "support_calls", "support_producers", "support_models", "producer_list", "model_list") VALUES
          ('r1', 1, 'Once Pond', 'once pond', 'p1', 'sim', 'sim-weak', 'b', 1, 1, 1, 'p1', 'sim:sim-weak'),
          ('r1', 2, 'Twice Pond', 'twice pond', 'p1', 'sim', 'sim-weak', 'b', 2, 2, 2, 'p1 p2', 'sim:sim-weak sim:sim-strong')`);
      expect(await migrate(sql)).toContain("0007_entry_support");
      expect(await sql.query(`SELECT "seq", "calls", "producers", "models", "producer_list", "model_list" FROM "entry_support"`)).toEqual([
        { seq: 2, calls: 2, producers: 2, models: 2, producer_list: "p1 p2", model_list: "sim:sim-weak sim:sim-strong" },
      ]);
      const columns = await sql.query(`SELECT "column_name" FROM information_schema.columns WHERE "table_name" = 'entries'`);
      expect(columns.map((c) => c.column_name)).not.toContain("support_calls");
    } finally {
      fs.rmSync(before, { recursive: true, force: true });
      await lite?.close();
      await client?.end();
      if ("dataDir" in opts) fs.rmSync(opts.dataDir, { recursive: true, force: true });
    }
  });
});

describe("embedded PGlite data directory", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `igentai-pgdir-${process.pid}-`));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("is created whole by a child process, with 16 MB of shared buffers, and reopens with its rows", async () => {
    const warn = vi.spyOn(console, "warn");
    const first = await openDb({ dataDir });
    // The child made it (a failing child falls back to this process, with a warning).
    expect(warn.mock.calls.flat().join(" ")).not.toContain("child process failed");
    warn.mockRestore();
    try {
      await first.prisma.run.create({ data: { id: "r1", topic: "Enzymes", slug: "enzymes", state: "stopped", config: {} } });
      const [row] = await first.prisma.$queryRawUnsafe<Array<{ shared_buffers: string }>>("SHOW shared_buffers");
      expect(row?.shared_buffers).toBe("16MB");
    } finally {
      await first.close();
    }
    // Made in a sibling folder and renamed into place: nothing half-made is left beside it.
    expect(fs.readdirSync(dataDir)).toEqual(["pglite"]);
    expect(fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
    const again = await openDb({ dataDir });
    try {
      expect((await again.prisma.run.findMany({ select: { id: true } })).map((r) => r.id)).toEqual(["r1"]);
    } finally {
      await again.close();
    }
  });
});
