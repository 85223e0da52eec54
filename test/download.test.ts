import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../src/server/db/client";
import { downloadRun } from "../src/server/download";
import { createPreparedRun, insertEntries, type EntryRow } from "../src/server/orchestrator/repo";
import { testDatabases } from "./helpers/databases";

const rows = (from: number, n: number, batchId: string): EntryRow[] =>
  Array.from({ length: n }, (_, i) => {
    const seq = from + i;
    return { seq, text: `Entry ${seq}`, normalisedKey: `entry ${seq}`, producer: "p1", provider: "sim", model: "sim-strong", batchId, createdAt: new Date() };
  });

/**
 * An export is the run at one moment: entries committed while it streams (a live run) are not
 * in it, and the JSON header's total is the number of entries written.
 */
describe.each(testDatabases())("exports at one moment on $name", (target) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(await target.open());
  }, 120_000);
  afterAll(async () => db?.close());

  it.each(["json", "csv"] as const)(
    "%s: the header's total equals the entries written while the run grows",
    async (format) => {
      const runId = `download-${format}`;
      await createPreparedRun(db.prisma, { id: runId, topic: "Rivers", slug: `rivers-${format}`, config: {} });
      // More than one page (5,000 entries a page), so the stream reads while entries arrive.
      await insertEntries(db.prisma, runId, rows(1, 7_000, "before"));
      // The run row's stored total lags (it is saved with each sample): the export must not use it.
      await db.prisma.run.update({ where: { id: runId }, data: { totalUnique: 6_990 } });

      const res = await downloadRun(new Request(`http://localhost/api/runs/${runId}/download?format=${format}`), db);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = "";
      const first = await reader.read();
      text += decoder.decode(first.value);
      // Committed after the download began: the next entries of a live run.
      await insertEntries(db.prisma, runId, rows(7_001, 500, "after"));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }

      if (format === "json") {
        const parsed = JSON.parse(text) as { run: { totalUnique: number }; entries: Array<{ seq: number }> };
        expect(parsed.entries).toHaveLength(7_000);
        expect(parsed.run.totalUnique).toBe(parsed.entries.length);
        expect(parsed.entries.at(-1)!.seq).toBe(7_000);
      } else {
        const lines = text.split("\r\n").filter((l) => l.length > 0);
        expect(lines.length - 1).toBe(7_000);
      }
    },
    120_000,
  );
});
