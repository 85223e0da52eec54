import { describe, expect, it } from "vitest";
import { EntryLedger } from "./entry-ledger";

describe("EntryLedger", () => {
  it("classifies candidates and counts re-proposals of recorded entries", () => {
    const ledger = new EntryLedger();
    const first = ledger.classify("The Eiffel Tower");
    expect(first).toMatchObject({ outcome: "unique", text: "The Eiffel Tower" });
    // Not recorded yet (still being committed): caught as a duplicate, but nothing to count.
    expect(ledger.classify("eiffel tower")).toEqual({ outcome: "dupExact", previousProposals: undefined, duplicateOf: "The Eiffel Tower", reason: "same-key" });
    expect(ledger.record("The Eiffel Tower")).toBe(1);
    expect(ledger.classify("Eiffel-Tower")).toEqual({ outcome: "dupExact", previousProposals: 1, duplicateOf: "The Eiffel Tower", reason: "same-key" });
    expect(ledger.classify("EIFFEL TOWER")).toEqual({ outcome: "dupExact", previousProposals: 2, duplicateOf: "The Eiffel Tower", reason: "same-key" });
    expect(ledger.proposals).toEqual([3]);
    expect(ledger.classify("  *** ")).toEqual({ outcome: "junk", reason: "empty" });
  });

  it("keeps entry numbers across a merge: the removed seq is a gap, admit() brings a merged text back", () => {
    const ledger = new EntryLedger();
    for (const t of ["Aymara", "Louvre", "Amara"]) ledger.record(expectUnique(ledger.classify(t)));
    expect(ledger.seqs).toEqual([1, 2, 3]);
    expect(ledger.merge("Louvre", "Aymara")).toBe(true);
    expect(ledger.seqs).toEqual([1, 3]);
    expect(ledger.texts).toEqual(["Aymara", "Amara"]);
    expect(ledger.seqOf("Amara")).toBe(3);
    expect([1, 2, 3, 4].map((seq) => ledger.textOf(seq))).toEqual(["Aymara", undefined, "Amara", undefined]);
    expect(ledger.indexAfter(1)).toBe(1);
    expect(ledger.indexAfter(2)).toBe(1);
    expect(ledger.record("Taj Mahal")).toBe(4);
    // A stored run loads its seqs as they are.
    const reloaded = new EntryLedger();
    for (const [i, t] of ledger.texts.entries()) reloaded.load(t, ledger.seqs[i]);
    expect(reloaded.lastSeq).toBe(4);
    // Admitted again (the user restores it) and refused while an entry has its key.
    expect(ledger.admit("the Louvre")).toEqual({ text: "the Louvre", key: "louvre" });
    expect(ledger.admit("Louvre")).toBeNull();
    expect(ledger.classify("LOUVRE").outcome).toBe("dupExact");
  });

  it("loads stored entries into the index and the record", () => {
    const ledger = new EntryLedger();
    ledger.load("Louvre");
    expect(ledger.texts).toEqual(["Louvre"]);
    expect(ledger.classify("the Louvre").outcome).toBe("dupExact");
    expect(ledger.classify("Louvre Pyramid").outcome).toBe("unique");
  });

  it("keeps a borderline candidate as a new entry, with the entry it is close to and the evidence", () => {
    const ledger = new EntryLedger();
    ledger.record(expectUnique(ledger.classify("Shanxi")));
    const c = ledger.classify("Shaanxi", "model-a");
    expect(c).toMatchObject({
      outcome: "unique",
      text: "Shaanxi",
      borderline: [{ duplicateOf: "Shanxi", reason: "weak-evidence", edit: "doubled-vowel", sources: 1 }],
    });
    ledger.record("Shaanxi");
    // The same spelling from another model: a duplicate of the kept entry, one more source.
    expect(ledger.classify("shaanxi", "model-b")).toMatchObject({ outcome: "dupExact", duplicateOf: "Shaanxi" });
    expect(ledger.classify("SHAANXI", "model-a")).toMatchObject({ outcome: "dupExact" });
    expect(ledger.texts).toEqual(["Shanxi", "Shaanxi"]);
  });

  it("classifies placeholder lines as junk, using the topic when it has one", () => {
    const ledger = new EntryLedger(undefined, { topic: "famous volcanoes" });
    for (const line of [
      "Other",
      "Miscellaneous",
      "Various others",
      "And many more",
      "N/A",
      "See above",
      "Regional variations",
      "Other volcanoes",
      "Modern examples",
    ]) {
      expect(ledger.classify(line), line).toMatchObject({ outcome: "junk" });
    }
    expect(ledger.classify("Other Music")).toMatchObject({ outcome: "unique" });
    expect(ledger.texts).toEqual([]);
  });

  it("merges a recorded entry into another, keeping the record and the index in step", () => {
    const ledger = new EntryLedger();
    for (const t of ["Aymara", "Amara", "Louvre"]) ledger.record(expectUnique(ledger.classify(t)));
    ledger.classify("Amara");
    expect(ledger.merge("Amara", "Aymara")).toBe(true);
    expect(ledger.texts).toEqual(["Aymara", "Louvre"]);
    expect(ledger.proposals).toEqual([3, 1]);
    expect(ledger.merge("Amara", "Aymara")).toBe(false);
    // Alias memory: proposed again, it is a duplicate of the entry it was merged into (no judge call).
    expect(ledger.classify("Amara")).toMatchObject({ outcome: "dupExact", duplicateOf: "Aymara", reason: "alias" });
    expect(ledger.proposals).toEqual([4, 1]);
  });

  it("restores and admits a merged text although it is an alias: the alias is forgotten", () => {
    const ledger = new EntryLedger();
    for (const t of ["Shanxi", "Shaanxi"]) ledger.record(expectUnique(ledger.classify(t)));
    ledger.merge("Shaanxi", "Shanxi");
    expect(ledger.classify("shaanxi")).toMatchObject({ outcome: "dupExact", duplicateOf: "Shanxi", reason: "alias" });
    expect(ledger.admit("Shaanxi")).toEqual({ text: "Shaanxi", key: "shaanxi" });
    ledger.record("Shaanxi");
    expect(ledger.classify("shaanxi")).toMatchObject({ outcome: "dupExact", duplicateOf: "Shaanxi", reason: "same-key" });
  });

  it("reloads the alias memory after a restart, following an entry merged later to the entry it joined", () => {
    const ledger = new EntryLedger();
    for (const t of ["Myanmar", "Mianmar"]) ledger.load(t);
    expect(
      ledger.loadAliases([
        { text: "Burma", into: "Mianmar" },
        { text: "Mianmar", into: "Myanmar" },
        { text: "Republic of the Union of Myanmar", into: "Myanmar" },
      ]),
    ).toBe(2);
    // "Mianmar" is still an entry here (its merge was not applied to the entries): not an alias of itself.
    expect(ledger.classify("Burma")).toMatchObject({ outcome: "dupExact", duplicateOf: "Mianmar", reason: "alias" });
    const after = new EntryLedger();
    after.load("Myanmar");
    expect(
      after.loadAliases([
        { text: "Burma", into: "Mianmar" },
        { text: "Mianmar", into: "Myanmar" },
      ]),
    ).toBe(2);
    expect(after.classify("Burma")).toMatchObject({ outcome: "dupExact", duplicateOf: "Myanmar", reason: "alias" });
    expect(after.classify("mianmar")).toMatchObject({ outcome: "dupExact", duplicateOf: "Myanmar", reason: "alias" });
  });

  it("hands the judge the entries candidate generation found, best first, with their source", () => {
    const ledger = new EntryLedger();
    for (const t of ["Fiji", "Canterbury", "Midway Islands"]) ledger.record(expectUnique(ledger.classify(t)));
    expect(ledger.classify("Republic of Fiji")).toMatchObject({ outcome: "unique", borderline: [{ duplicateOf: "Fiji", reason: "designator", cost: null }] });
    expect(ledger.classify("Canterbury (region of New Zealand)")).toMatchObject({ borderline: [{ duplicateOf: "Canterbury", reason: "description" }] });
    expect(ledger.classify("Midway sIlands")).toMatchObject({ borderline: [{ duplicateOf: "Midway Islands", reason: "slip" }] });
  });
});

function expectUnique(c: ReturnType<EntryLedger["classify"]>): string {
  if (c.outcome !== "unique") throw new Error(`expected a new entry, got ${JSON.stringify(c)}`);
  return c.text;
}
