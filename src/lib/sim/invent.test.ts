import { describe, expect, it } from "vitest";
import { exhaustion, InventionPools, inventionShare } from "./invent";
import { Rng } from "./prng";
import { generateUniverse, itemKey } from "./universe";

describe("invention", () => {
  it("grows with the share of known items already listed", () => {
    const known = new Uint8Array([1, 1, 1, 1, 0]);
    expect(exhaustion(known, new Set())).toBe(0);
    expect(exhaustion(known, new Set([0, 1, 2, 3]))).toBe(1);
    expect(exhaustion(known, new Set([4]))).toBe(0); // an item it does not know does not count
    expect(exhaustion(known, new Set([0]))).toBe(0.25);
    expect(exhaustion(known, new Set([3]))).toBe(0.25); // head or tail alike
    expect(exhaustion(known, new Set([1]), new Uint8Array([0, 1, 0, 0, 0]))).toBe(1);
    expect(inventionShare(0.5, 0)).toBe(0);
    expect(inventionShare(0.5, 0.5)).toBeCloseTo(0.125);
    expect(inventionShare(0.5, 1)).toBe(0.5);
  });

  it("draws per-model names that are never universe items, and differ between models", () => {
    const u = generateUniverse("medieval castles of Europe", 500, 0);
    const pools = new InventionPools();
    const rng = Rng.from("t");
    const a = Array.from({ length: 300 }, () => pools.draw(u, "sim-strong", rng));
    const b = new Set(Array.from({ length: 300 }, () => pools.draw(u, "sim-weak", rng)));
    for (const n of a) expect(u.index.has(itemKey(n))).toBe(false);
    expect(a.filter((n) => b.has(n)).length).toBeLessThan(5);
    expect(pools.name(u, "sim-strong", 7)).toBe(new InventionPools().name(u, "sim-strong", 7));
  });
});
