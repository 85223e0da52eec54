import { afterAll, describe, expect, it } from "vitest";
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
