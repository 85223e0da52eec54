import { describe, expect, it } from "vitest";
import { idText, int4, INT4_MAX, safeText, storableText, unstorableTextReason } from "./validation";

describe("storable text", () => {
  it.each([
    ["plain", null],
    ["emoji 🧀 (a surrogate pair)", null],
    ["a\u0000b", "must not contain NUL characters"],
    ["lone high \uD800 x", "must be valid Unicode (lone surrogate)"],
    ["lone low \uDC00", "must be valid Unicode (lone surrogate)"],
    ["reversed pair \uDC00\uD800", "must be valid Unicode (lone surrogate)"],
  ])("%j: %s", (text, reason) => {
    expect(unstorableTextReason(text)).toBe(reason);
    expect(safeText({ max: 100 }).safeParse(text).success).toBe(reason === null);
  });

  it("cleans a model's text instead of refusing it", () => {
    expect(storableText("Nu\u0000ll \uD800🧀")).toBe("Null 🧀");
  });
});

describe("numbers and ids", () => {
  it.each([
    [0, true],
    [INT4_MAX, true],
    [INT4_MAX + 1, false],
    [1.5, false],
    [Number.POSITIVE_INFINITY, false],
  ])("int4 accepts %d: %s", (n, ok) => expect(int4({ min: 0 }).safeParse(n).success).toBe(ok));

  it.each([
    ["3f2b9c1e-0000-4000-8000-000000000000", true],
    ["", false],
    ["a/b", false],
    ["a\u0000", false],
    ["x".repeat(65), false],
  ])("idText accepts %j: %s", (id, ok) => expect(idText(64).safeParse(id).success).toBe(ok));
});
