import { describe, expect, it } from "vitest";
import { EntryLedger } from "./entry-ledger";

describe("EntryLedger", () => {
  it("classifies candidates and counts re-proposals of recorded entries", () => {
    const ledger = new EntryLedger();
    const first = ledger.classify("The Eiffel Tower");
    expect(first).toMatchObject({ outcome: "unique", text: "The Eiffel Tower" });
    // Not recorded yet (still being committed): caught as a duplicate, but nothing to count.
    expect(ledger.classify("eiffel tower")).toEqual({ outcome: "dupExact", previousProposals: undefined });
    expect(ledger.record("The Eiffel Tower")).toBe(1);
    expect(ledger.classify("Eiffel-Tower")).toEqual({ outcome: "dupExact", previousProposals: 1 });
    expect(ledger.classify("EIFFEL TOWER")).toEqual({ outcome: "dupExact", previousProposals: 2 });
    expect(ledger.proposals).toEqual([3]);
    expect(ledger.classify("  *** ")).toEqual({ outcome: "junk" });
  });

  it("loads stored entries into the index and the record", () => {
    const ledger = new EntryLedger();
    ledger.load("Louvre");
    expect(ledger.texts).toEqual(["Louvre"]);
    expect(ledger.classify("the Louvre").outcome).toBe("dupExact");
    expect(ledger.classify("Louvre Pyramid").outcome).toBe("unique");
  });
});
