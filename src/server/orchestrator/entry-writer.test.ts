import { describe, expect, it } from "vitest";
import { EntryWriter } from "./entry-writer";
import type { EntryRow } from "./repo";

const row = (seq: number): EntryRow => ({
  seq,
  text: `e${seq}`,
  normalisedKey: `e${seq}`,
  producer: "p1",
  provider: "sim",
  model: "m",
  batchId: "b",
  createdAt: new Date(0),
});

describe("EntryWriter", () => {
  it("groups concurrent writes into one insert, in order, and acknowledges after commit", async () => {
    const inserts: number[][] = [];
    const appended: string[] = [];
    const committed: number[] = [];
    const w = new EntryWriter({
      insert: async (rows) => void inserts.push(rows.map((r) => r.seq)),
      append: async (texts) => void appended.push(...texts),
      onCommitted: (rows) => committed.push(...rows.map((r) => r.seq)),
      onError: () => undefined,
    });
    await Promise.all([w.write([row(1), row(2)]), w.write([row(3)]), w.write([row(4)])]);
    expect(inserts).toEqual([[1, 2, 3, 4]]);
    expect(appended).toEqual(["e1", "e2", "e3", "e4"]);
    expect(committed).toEqual([1, 2, 3, 4]);
  });

  it("runs a task queued as soon as a write is acknowledged, with no further write to carry it", async () => {
    const w = new EntryWriter({ insert: async () => undefined, append: async () => undefined, onCommitted: () => undefined, onError: () => undefined });
    // The submit path: await the write, then at once ask for an exclusive slot (display forms).
    // The drain that acknowledged the write was still ending; the task must not wait in the queue.
    const ran = await w.write([row(1)]).then(() => w.exclusive(async () => "ran"));
    expect(ran).toBe("ran");
    await w.idle();
  });

  it("retries a failed insert and never drops entries", async () => {
    let failures = 2;
    const errors: number[] = [];
    const inserted: number[] = [];
    const w = new EntryWriter({
      insert: async (rows) => {
        if (failures-- > 0) throw new Error("db down");
        inserted.push(...rows.map((r) => r.seq));
      },
      append: async () => undefined,
      onCommitted: () => undefined,
      onError: (_e, attempt) => errors.push(attempt),
    });
    await w.write([row(1)]);
    expect(inserted).toEqual([1]);
    expect(errors).toEqual([1, 2]);
  });

  it("refuses writes after close", async () => {
    const w = new EntryWriter({ insert: async () => undefined, append: async () => undefined, onCommitted: () => undefined, onError: () => undefined });
    await w.close();
    await expect(w.write([row(1)])).rejects.toThrow(/closed/);
  });
});

describe("EntryWriter.exclusive", () => {
  it("runs a task after the rows queued before it are committed and before those queued after", async () => {
    const order: string[] = [];
    const w = new EntryWriter({
      insert: async (rows, decisions) => void order.push(`insert ${rows.map((r) => r.seq).join(",")} +${decisions.length}`),
      append: async () => undefined,
      onCommitted: () => undefined,
      onError: () => undefined,
    });
    const decision = {
      origin: "b:0",
      kind: "merged" as const,
      candidate: "E1",
      candidateSeq: null,
      entrySeq: 1,
      entryText: "e1",
      reason: "typo",
      edit: null,
      cost: null,
      sources: null,
      verdict: null,
      producer: "p1",
      provider: "sim",
      model: "m",
      at: new Date(0),
    };
    const a = w.write([row(1)], [decision]);
    const task = w.exclusive(async () => {
      order.push("task");
      return 7;
    });
    const b = w.write([row(2)]);
    expect(await task).toBe(7);
    await Promise.all([a, b]);
    expect(order).toEqual(["insert 1 +1", "task", "insert 2 +0"]);
  });
});
