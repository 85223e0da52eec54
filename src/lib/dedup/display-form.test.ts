import { describe, expect, it } from "vitest";
import { EntryLedger } from "../entry-ledger";
import { displayForm, isAllCaps } from "./display-form";

describe("display form", () => {
  it.each([
    ["USA", true],
    ["NOTRE-DAME DE PARIS", true],
    ["Notre-Dame", false],
    ["X", false],
    ["123", false],
    ["ÉCOLE", true],
  ])("isAllCaps(%j) = %s", (text, want) => {
    expect(isAllCaps(text)).toBe(want);
  });

  // [current text, proposed forms with counts, display form]
  const cases: [string, [string, number][], string][] = [
    ["EIFFEL TOWER", [["Eiffel Tower", 1]], "Eiffel Tower"],
    [
      "EIFFEL TOWER",
      [
        ["EIFFEL TOWER", 9],
        ["eiffel tower", 1],
      ],
      "eiffel tower",
    ],
    [
      "eiffel tower",
      [
        ["eiffel tower", 3],
        ["Eiffel Tower", 4],
      ],
      "Eiffel Tower",
    ],
    // a tie keeps the current text
    [
      "eiffel tower",
      [
        ["eiffel tower", 2],
        ["Eiffel Tower", 2],
      ],
      "eiffel tower",
    ],
    ["Stewa Rava (known for its distinctive style)", [["Stewa Rava", 1]], "Stewa Rava"],
    ["Stewa Rava (known for its distinctive style)", [["STEWA RAVA", 1]], "STEWA RAVA"],
    [
      "Canterbury - a region in New Zealand",
      [
        ["Canterbury", 1],
        ["CANTERBURY", 5],
      ],
      "Canterbury",
    ],
    // an alias (another key) is never shown instead of the name
    ["Greece", [["Hellenic Republic", 10]], "Greece"],
    ["USA", [["United States", 10]], "USA"],
    // a described form never replaces the bare name
    ["Stewa Rava", [["Stewa Rava (a style)", 10]], "Stewa Rava"],
  ];
  it.each(cases)("%j with %j is shown as %j", (current, forms, want) => {
    expect(
      displayForm(
        current,
        forms.map(([text, count]) => ({ text, count })),
      ),
    ).toBe(want);
  });

  it("the ledger proposes the change once a better form is seen, and renames the entry", () => {
    const ledger = new EntryLedger();
    for (const t of ["EIFFEL TOWER", "Louvre"]) {
      const c = ledger.classify(t);
      if (c.outcome === "unique") ledger.record(c.text);
    }
    ledger.classify("EIFFEL TOWER");
    expect(ledger.displayChanges()).toEqual([]);
    ledger.classify("Eiffel Tower");
    expect(ledger.displayChanges()).toEqual([{ seq: 1, from: "EIFFEL TOWER", to: "Eiffel Tower" }]);
    expect(ledger.rename("EIFFEL TOWER", "Eiffel Tower")).toBe(true);
    expect(ledger.texts).toEqual(["Eiffel Tower", "Louvre"]);
    expect(ledger.classify("eiffel tower")).toMatchObject({ outcome: "dupExact", duplicateOf: "Eiffel Tower" });
    expect(ledger.displayChanges()).toEqual([]);
  });

  it("a bare name merged into a described entry becomes its display form; the described text an alias", () => {
    const ledger = new EntryLedger();
    for (const t of ["Stewa Rava (known for its distinctive style)", "Stewa Rava"]) {
      const c = ledger.classify(t);
      if (c.outcome === "unique") ledger.record(c.text);
    }
    expect(ledger.merge("Stewa Rava", "Stewa Rava (known for its distinctive style)")).toBe(true);
    const changes = ledger.displayChanges();
    expect(changes).toEqual([{ seq: 1, from: "Stewa Rava (known for its distinctive style)", to: "Stewa Rava" }]);
    expect(ledger.rename(changes[0]!.from, changes[0]!.to)).toBe(true);
    expect(ledger.texts).toEqual(["Stewa Rava"]);
    expect(ledger.classify("stewa rava")).toMatchObject({ outcome: "dupExact", duplicateOf: "Stewa Rava", reason: "same-key" });
    expect(ledger.classify("Stewa Rava (known for its distinctive style)")).toMatchObject({ outcome: "dupExact", duplicateOf: "Stewa Rava", reason: "alias" });
    // After a restart: the stored merge (bare into described) and the renamed entry give the same alias.
    const restarted = new EntryLedger();
    restarted.load("Stewa Rava");
    expect(restarted.loadAliases([{ text: "Stewa Rava", into: "Stewa Rava (known for its distinctive style)" }])).toBe(1);
    expect(restarted.classify("Stewa Rava (known for its distinctive style)")).toMatchObject({
      outcome: "dupExact",
      duplicateOf: "Stewa Rava",
      reason: "alias",
    });
  });
});
