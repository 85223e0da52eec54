import { describe, expect, it } from "vitest";
import { escapeLike } from "./repo";

describe("escapeLike", () => {
  it.each([
    ["100%", "100\\%"],
    ["a_b", "a\\_b"],
    ["C\\", "C\\\\"],
    ["Louvre", "Louvre"],
  ])("makes %j literal in a LIKE pattern", (input, expected) => {
    expect(escapeLike(input)).toBe(expected);
  });
});
