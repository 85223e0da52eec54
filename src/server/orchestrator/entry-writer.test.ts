import { describe, expect, it } from "vitest";
import { EntryWriter } from "./entry-writer";
import type { EntryRow } from "./repo";

const row = (seq: number): EntryRow => ({ seq, text: `e${seq}`, normalisedKey: `e${seq}`, producer: "p1", provider: "sim", model: "m", batchId: "b", createdAt: new Date(0) });

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
