import { describe, expect, it } from "vitest";
import { ALIAS_MARKER, buildAliasPrompt, parseAliasAnswer, parseAliasPrompt } from "./aliases";

describe("alias requests", () => {
  const entries = ["Greece", "Myanmar", "Louvre"];

  it("fences the entries, numbered, and is recognised back", () => {
    const p = buildAliasPrompt({ topic: "places", entries });
    expect(p.system.startsWith(ALIAS_MARKER)).toBe(true);
    expect(p.user).toContain('<entry n="2">Myanmar</entry>');
    expect(parseAliasPrompt([p.system, p.user])).toEqual({ topic: "places", entries });
    expect(parseAliasPrompt(["You are a careful deduplication judge.", p.user])).toBeNull();
    expect(() => buildAliasPrompt({ topic: "t", entries: [] })).toThrow(RangeError);
  });

  it.each([
    ["1: Hellenic Republic; Hellas\n2: Burma\n3: none", { 0: ["Hellenic Republic", "Hellas"], 1: ["Burma"], 2: [] }],
    [
      '- **1**: "Hellas", Hellenic Republic.\n2) Burma | Republic of the Union of Myanmar',
      { 0: ["Hellas", "Hellenic Republic"], 1: ["Burma", "Republic of the Union of Myanmar"] },
    ],
    // its own name, an unknown number, a second line for one entry: dropped
    ["1: Greece; Hellas\n1: Elsewhere\n7: Nowhere\nsome prose", { 0: ["Hellas"] }],
  ])("parses %j", (answer, want) => {
    expect(Object.fromEntries(parseAliasAnswer(answer, entries))).toEqual(want);
  });
});
