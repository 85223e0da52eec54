import { describe, expect, it } from "vitest";
import { ChainMultimap, HashMultimap } from "./hash-multimap";

function valuesOf(map: ChainMultimap | HashMultimap, hash: number): number[] {
  const out: number[] = [];
  for (let r = map.first(hash); r !== -1; r = map.nextSlot(r, hash)) out.push(map.valueAt(r));
  return out;
}

describe("ChainMultimap", () => {
  it("gives each hash's values oldest first, across growth, with other hashes interleaved", () => {
    const chain = new ChainMultimap();
    const expected = new Map<number, number[]>();
    // 3 hashes shared by thousands of values (a common blocking key), and 5,000 hashes of one value each.
    for (let v = 0; v < 20_000; v++) {
      const hash = v % 4 === 0 ? Math.imul(v % 3, 0x9e3779b1) : v * 7919 + 1; // int32, as hashString gives
      chain.add(hash, v);
      expected.set(hash, [...(expected.get(hash) ?? []), v]);
    }
    expect(chain.count).toBe(20_000);
    for (const [hash, values] of expected) expect(valuesOf(chain, hash)).toEqual(values);
    expect(valuesOf(chain, 12345678)).toEqual([]);
  });

  it("holds what HashMultimap holds for the same records", () => {
    const chain = new ChainMultimap();
    const flat = new HashMultimap(16);
    for (let v = 0; v < 3_000; v++) {
      const hash = (v * 2654435761) % 97;
      chain.add(hash, v);
      flat.add(hash, v);
    }
    for (let hash = 0; hash < 97; hash++) expect(valuesOf(chain, hash)).toEqual([...valuesOf(flat, hash)].sort((a, b) => a - b));
  });
});
