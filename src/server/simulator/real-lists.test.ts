import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readRealLists } from "./real-lists";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function write(name: string, topic: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "igt-real-lists-"));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ topic, plural: "rivers", categories: [{ label: "Europe", items: ["Oder", "Elbe"] }] }));
  return file;
}

describe("IGENTAI_SIM_REAL_LISTS", () => {
  it("reads every file of the list; unset or empty is none", () => {
    const a = write("a.json", "Rivers of Europe");
    const b = write("b.json", "Rivers of Asia");
    expect(readRealLists([a, b].join(path.delimiter)).map((s) => s.topic)).toEqual(["Rivers of Europe", "Rivers of Asia"]);
    expect(readRealLists(undefined)).toEqual([]);
    expect(readRealLists("  ")).toEqual([]);
  });

  it("refuses two lists of one topic, naming both files", () => {
    const a = write("a.json", "Rivers of Europe");
    const b = write("b.json", "rivers of europe");
    expect(() => readRealLists([a, b].join(path.delimiter))).toThrow(/b\.json and .*a\.json both serve the topic "rivers of europe"/);
  });
});
