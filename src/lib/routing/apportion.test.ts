import { describe, expect, it } from "vitest";
import { apportion, SmoothWeightedPicker } from "./apportion";

type Case = { weights: Record<string, number>; pool: number; expected: Record<string, number> };

describe("apportion", () => {
  it.each<Case>([
    { weights: { a: 0.5, b: 0.5 }, pool: 4, expected: { a: 2, b: 2 } },
    { weights: { a: 0.75, b: 0.25 }, pool: 10, expected: { a: 8, b: 2 } }, // tie on .5: by name
    { weights: { a: 0.95, b: 0.05 }, pool: 10, expected: { a: 9, b: 1 } },
    { weights: { a: 0.9, b: 0.05, c: 0.05 }, pool: 2, expected: { a: 2, b: 0, c: 0 } },
    { weights: { a: 0.9, b: 0.05, c: 0.05 }, pool: 3, expected: { a: 1, b: 1, c: 1 } },
    { weights: { a: 1, b: 0 }, pool: 5, expected: { a: 5, b: 0 } },
    { weights: { a: 0, b: 0 }, pool: 3, expected: { a: 0, b: 0 } },
    { weights: { a: 1 / 3, b: 1 / 3, c: 1 / 3 }, pool: 10, expected: { a: 4, b: 3, c: 3 } },
  ])("splits $pool producers over $weights", ({ weights, pool, expected }) => {
    const out = apportion(weights, pool);
    expect(out).toEqual(expected);
    expect(Object.values(out).reduce((s, n) => s + n, 0)).toBe(Object.values(weights).some((w) => w > 0) ? pool : 0);
  });
});

describe("SmoothWeightedPicker", () => {
  it("interleaves instead of bunching", () => {
    const p = new SmoothWeightedPicker();
    const seq = Array.from({ length: 12 }, () => p.pick(["a", "b", "c"], { a: 4, b: 1, c: 1 })).join("");
    expect(seq).toBe("aabacaaabaca");
  });

  it("treats all-zero weights as equal", () => {
    const p = new SmoothWeightedPicker();
    expect([p.pick(["a", "b"], {}), p.pick(["a", "b"], {})].sort()).toEqual(["a", "b"]);
  });
});
