import { describe, expect, it } from "vitest";
import { SlidingCounter } from "./sliding-window";

describe("SlidingCounter", () => {
  it("counts only events inside the window", () => {
    const c = new SlidingCounter(60);
    c.add(0, 5);
    c.add(30_000, 2);
    expect(c.sum(30_500)).toBe(7);
    expect(c.sum(60_500)).toBe(2); // the first bucket fell out
    expect(c.sum(91_000)).toBe(0);
  });

  it("reuses buckets after wrap-around without leaking old counts", () => {
    const c = new SlidingCounter(10);
    c.add(1_000, 3);
    c.add(11_000, 1); // same bucket index, next lap
    expect(c.sum(11_000)).toBe(1);
  });

  it("sums a shorter span", () => {
    const c = new SlidingCounter(60);
    c.add(10_000);
    c.add(58_000);
    expect(c.sum(59_000, 5)).toBe(1);
  });
});
