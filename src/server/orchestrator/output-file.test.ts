import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { moveAsideUnowned, OutputFile } from "./output-file";

describe("OutputFile", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-out-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("creates the file and appends lines", async () => {
    const f = OutputFile.forSlug(tmp(), "paris-1234");
    expect(await f.reconcile([])).toBe("ok");
    await f.append(["Louvre", "Eiffel Tower"], () => ["Louvre", "Eiffel Tower"]);
    await f.close();
    expect(fs.readFileSync(f.filePath, "utf8")).toBe("Louvre\nEiffel Tower\n");
  });

  it("appends what the database has and the file lacks (a crash between commit and append)", async () => {
    const f = OutputFile.forSlug(tmp(), "s");
    fs.mkdirSync(path.dirname(f.filePath), { recursive: true });
    fs.writeFileSync(f.filePath, "a\nb\n");
    expect(await f.reconcile(["a", "b", "c"])).toBe("appended");
    await f.close();
    expect(fs.readFileSync(f.filePath, "utf8")).toBe("a\nb\nc\n");
  });

  it("rewrites a file that disagrees with the database", async () => {
    const f = OutputFile.forSlug(tmp(), "s");
    fs.mkdirSync(path.dirname(f.filePath), { recursive: true });
    fs.writeFileSync(f.filePath, "a\nX\nb\nb\n");
    expect(await f.reconcile(["a", "b"])).toBe("rewritten");
    await f.close();
    expect(fs.readFileSync(f.filePath, "utf8")).toBe("a\nb\n");
    expect(f.keptCopy).toBeNull();
  });

  it("keeps a copy of a file with lines the database lacks before rewriting it, when asked", async () => {
    const f = OutputFile.forSlug(tmp(), "s");
    fs.mkdirSync(path.dirname(f.filePath), { recursive: true });
    fs.writeFileSync(f.filePath, "a\nb\nc\nd\n");
    expect(await f.reconcile(["a", "b"], { keepLost: true })).toBe("rewritten");
    await f.close();
    expect(fs.readFileSync(f.filePath, "utf8")).toBe("a\nb\n");
    expect(f.keptCopy).toMatch(/output\.txt\.replaced-[0-9TZ-]+$/);
    expect(fs.readFileSync(f.keptCopy!, "utf8")).toBe("a\nb\nc\nd\n");
    // Only reordered or already known lines: nothing to keep.
    fs.writeFileSync(f.filePath, "b\na\n");
    expect(await f.reconcile(["a", "b"], { keepLost: true })).toBe("rewritten");
    await f.close();
    expect(f.keptCopy).toBeNull();
  });

  it("rewrites the file whole on the next append after a failed one", async () => {
    const f = OutputFile.forSlug(tmp(), "s");
    await f.reconcile([]);
    await f.append(["a"], () => ["a"]);
    // Simulate a failed append that left a partial line behind.
    fs.appendFileSync(f.filePath, "b-part");
    (f as unknown as { damaged: boolean }).damaged = true;
    await f.append(["c"], () => ["a", "b", "c"]);
    await f.append(["d"], () => ["a", "b", "c", "d"]);
    await f.close();
    expect(fs.readFileSync(f.filePath, "utf8")).toBe("a\nb\nc\nd\n");
  });

  it("refuses a slug that would escape the output folder", () => {
    expect(() => OutputFile.forSlug(tmp(), "../evil")).toThrow(/unsafe/);
  });
});

describe("OutputFile.rewrite", () => {
  it("replaces the file atomically and keeps appending to the new one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-rewrite-"));
    try {
      const f = new OutputFile(path.join(dir, "output.txt"));
      await f.reconcile([]);
      await f.append(["a", "b", "c"], () => ["a", "b", "c"]);
      await f.rewrite(["a", "c"]);
      await f.append(["d"], () => ["a", "c", "d"]);
      await f.close();
      expect(fs.readFileSync(path.join(dir, "output.txt"), "utf8")).toBe("a\nc\nd\n");
      expect(fs.readdirSync(dir)).toEqual(["output.txt"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("moveAsideUnowned", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("moves an output folder no run owns aside, whole, and leaves empty or missing ones", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "igentai-out-"));
    dirs.push(out);
    const at = new Date("2026-12-07T08:40:00.123Z");
    expect(await moveAsideUnowned(out, "volcanoes-673e14fb", at)).toBeNull();
    fs.mkdirSync(path.join(out, "volcanoes-673e14fb"));
    fs.writeFileSync(path.join(out, "volcanoes-673e14fb", "output.txt"), "");
    expect(await moveAsideUnowned(out, "volcanoes-673e14fb", at)).toBeNull();

    fs.writeFileSync(path.join(out, "volcanoes-673e14fb", "output.txt"), "Etna\nVesuvius\n");
    const first = await moveAsideUnowned(out, "volcanoes-673e14fb", at);
    expect(first).toBe(path.join(out, "volcanoes-673e14fb.moved-2026-12-07T08-40-00-123Z"));
    expect(fs.readFileSync(path.join(first!, "output.txt"), "utf8")).toBe("Etna\nVesuvius\n");
    expect(fs.existsSync(path.join(out, "volcanoes-673e14fb"))).toBe(false);

    // The same millisecond again: a new name, the first copy untouched.
    fs.mkdirSync(path.join(out, "volcanoes-673e14fb"));
    fs.writeFileSync(path.join(out, "volcanoes-673e14fb", "output.txt"), "Fuji\n");
    const second = await moveAsideUnowned(out, "volcanoes-673e14fb", at);
    expect(second).toBe(`${first}-2`);
    expect(fs.readFileSync(path.join(first!, "output.txt"), "utf8")).toBe("Etna\nVesuvius\n");
    expect(fs.readFileSync(path.join(second!, "output.txt"), "utf8")).toBe("Fuji\n");
  });
});
