import { describe, expect, it } from "vitest";
import { answerTrust } from "./answer-trust";
import { RecentPrecision } from "./recent-precision";

describe("answerTrust", () => {
  it("counts every new entry of an answer that repeats nothing it was shown", () => {
    expect(answerTrust(40, 0)).toBe(1);
    expect(answerTrust(40, undefined)).toBe(1);
    expect(answerTrust(0, 0)).toBe(1);
  });

  it("falls steeply as the answer repeats more of its prompt's list: half at 15 %, next to nothing when it repeats only that", () => {
    const shares = [0, 5, 10, 20, 30, 40].map((shown) => answerTrust(40, shown));
    for (let i = 1; i < shares.length; i++) expect(shares[i]!).toBeLessThan(shares[i - 1]!);
    expect(answerTrust(40, 2)).toBeGreaterThan(0.95);
    expect(answerTrust(40, 6)).toBeCloseTo(0.5);
    expect(answerTrust(40, 40)).toBeLessThan(0.01);
    // A count above the items (a miscount) is read as all of them.
    expect(answerTrust(10, 12)).toBe(answerTrust(10, 10));
  });
});

describe("RecentPrecision, weighted (a call's new entries at its trust)", () => {
  it("weighs each call's trust by its new entries, over the key's last calls", () => {
    const t = new RecentPrecision(3, 0);
    const record = (key: string, itemsNew: number, trust: number) => t.add(key, itemsNew, itemsNew * trust);
    expect(t.precision("a")).toBe(1);
    record("a", 10, 1);
    record("a", 30, 0.5);
    record("a", 0, 0); // no new entries: nothing to discount
    expect(t.precision("a")).toBeCloseTo(25 / 40);
    record("a", 10, 0);
    record("a", 10, 0);
    expect(t.precision("a")).toBeCloseTo(15 / 50);
    expect(t.precision("b")).toBe(1);
  });
});
