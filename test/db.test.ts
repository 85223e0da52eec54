import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openDb, type Db } from "../src/server/db/client";
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
