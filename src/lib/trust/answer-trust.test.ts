import { describe, expect, it } from "vitest";
import { answerTrust, RecentTrust } from "./answer-trust";

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

describe("RecentTrust", () => {
  it("weighs each call's trust by its new entries, over the key's last calls", () => {
    const t = new RecentTrust(3);
    expect(t.share("a")).toBe(1);
    t.record("a", 10, 1);
    t.record("a", 30, 0.5);
    t.record("a", 0, 0); // no new entries: nothing to discount
    expect(t.share("a")).toBeCloseTo(25 / 40);
    t.record("a", 10, 0);
    t.record("a", 10, 0);
    expect(t.share("a")).toBeCloseTo(15 / 50);
    expect(t.share("b")).toBe(1);
  });
});
