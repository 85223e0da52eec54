import { describe, expect, it } from "vitest";
import { gammaSample, linearFit, normalQuantile, quantileSorted, seededRng, tTwoSidedP, twoSidedZ } from "./math";

describe("math helpers", () => {
  it("inverts the normal CDF", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(twoSidedZ(0.9)).toBeCloseTo(1.644854, 5);
  });

  it("gives Student-t p-values matching the tables", () => {
    expect(tTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(tTwoSidedP(2.576, 100_000)).toBeCloseTo(0.01, 3);
    expect(tTwoSidedP(0, 5)).toBeCloseTo(1, 9);
  });

  it("draws gamma variates with the right mean, small shapes included", () => {
    const rng = seededRng(3);
    for (const shape of [0.3, 1, 7.5]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += gammaSample(shape, rng);
      expect(sum / 20_000).toBeCloseTo(shape, 1);
    }
  });

  it("is reproducible for a seed", () => {
    const a = seededRng(42);
    const b = seededRng(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it("fits a line with its slope standard error", () => {
    const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit).toMatchObject({ slope: 2, intercept: 1, slopeSe: 0, n: 4 });
    expect(linearFit([1, 1], [2, 4]).slopeSe).toBeNull();
  });

  it("interpolates quantiles", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([], 0.5)).toBeNull();
  });
});
