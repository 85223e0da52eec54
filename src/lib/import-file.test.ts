import { describe, expect, it } from "vitest";
import { importChunks, topicOfFolder } from "./import-file";
import { topicSlug } from "./slug";

describe("the topic of an output folder", () => {
  it.each([
    { topic: "Volcanoes", folder: topicSlug("Volcanoes") },
    { topic: "volcanoes", folder: topicSlug("volcanoes") },
    { topic: "Paris attractions", folder: topicSlug("Paris attractions") },
    { topic: "Rivers Of Europe", folder: topicSlug("Rivers Of Europe") },
    { topic: "Volcanoes", folder: `${topicSlug("Volcanoes")}.moved-2026-12-07T10-00-00-000Z` },
  ])("reads $topic back from $folder", ({ topic, folder }) => {
    expect(topicOfFolder(folder)).toBe(topic);
  });

  it.each([
    { why: "punctuation the slug dropped", folder: topicSlug("C++ compilers") },
    { why: "no hash", folder: "volcanoes" },
    { why: "a hash of another topic", folder: "volcanoes-00000000" },
  ])("gives null when the name cannot tell it exactly ($why)", ({ folder }) => {
    expect(topicOfFolder(folder)).toBeNull();
  });
});

describe("import parts", () => {
  it("drops blank lines, tolerates CRLF and keeps the order", () => {
    expect(importChunks("a\r\n\r\nb\n  \nc\n")).toEqual([["a", "b", "c"]]);
  });

  it("splits by bytes and by lines, never leaving a part empty", () => {
    expect(importChunks("aaaa\nbbbb\ncccc\n", { bytes: 25, lines: 10 })).toEqual([["aaaa", "bbbb"], ["cccc"]]);
    expect(importChunks("a\nb\nc\nd\ne\n", { bytes: 1_000, lines: 2 })).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(importChunks("x".repeat(100), { bytes: 10, lines: 10 })).toEqual([["x".repeat(100)]]);
    expect(importChunks("")).toEqual([]);
  });
});
