import { describe, expect, it } from "vitest";
import { countAtMost } from "./sorted";

describe("countAtMost", () => {
  it("counts the elements at or below a key in an ascending list", () => {
    const xs = [1, 3, 3, 5, 8];
    const id = (x: number) => x;
    expect([0, 1, 2, 3, 4, 5, 8, 9].map((x) => countAtMost(xs, id, x))).toEqual([0, 1, 1, 3, 3, 4, 5, 5]);
    expect(countAtMost([], id, 3)).toBe(0);
  });
});
