import { describe, expect, it } from "vitest";
import { descriptionBase, oneEditApart } from "./blocking";
import { createDedupEngine } from "./index";

/** An engine with blocking on, holding `entries`; returns what `candidate` is compared with. */
function candidatesOf(entries: string[], candidate: string) {
  const engine = createDedupEngine({ borderline: true, blocking: true });
  for (const e of entries) engine.accept(e);
  const r = engine.check(candidate);
  return { r, names: r.unique ? (r.candidates ?? []).map((c) => `${c.source}:${c.duplicateOf}`) : [] };
}

describe("candidate generation beyond edit distance", () => {
  // [entry, candidate, source]: each pair, in both orders, names the entry as a candidate.
  const surfaced: [string, string, string][] = [
    ["Fiji", "Republic of Fiji", "designator"],
    ["Bolivia", "Plurinational State of Bolivia", "designator"],
    ["Bolivia", "Bolivia, Plurinational State of", "designator"],
    ["Bavaria", "Free State of Bavaria", "designator"],
    ["Canterbury", "Canterbury Region", "designator"],
    ["Kent", "County of Kent", "designator"],
    ["Gabon", "Gabonese Republic", "designator"],
    ["Czechia", "Czech Republic", "designator"],
    ["Xinjiang", "Xinjiang Uyghur Autonomous Region", "containment"],
    ["United Kingdom", "United Kingdom of Great Britain and Northern Ireland", "containment"],
    ["Stewa Rava", "Stewa Rava (known for its distinctive style)", "description"],
    ["Canterbury", "Canterbury - a region in New Zealand", "description"],
    ["Canterbury", "Canterbury: region, New Zealand", "description"],
    ["Midway Islands", "Midway sIlands", "slip"],
    ["Souss-Massa", "Souss-aMssa", "slip"],
    ["Pas-de-Calais", "Pas-de-Calias", "slip"],
    ["Laos", "Loas", "slip"],
    ["United States of America", "USA", "acronym"],
    ["United States", "USA", "acronym"],
  ];
  it.each(surfaced)("%s / %s: the entry is a candidate (%s), either order", (entry, candidate, source) => {
    const forward = candidatesOf([entry], candidate);
    expect(forward.r.unique).toBe(true);
    expect(forward.names).toContain(`${source}:${entry}`);
    const backward = candidatesOf([candidate], entry);
    expect(backward.r.unique).toBe(true);
    expect(backward.names.map((n) => n.slice(n.indexOf(":") + 1))).toContain(candidate);
  });

  // Hard negatives: distinct names stay distinct entries. Blocking may name them to the judge
  // (a candidate is not a merge), but never merges them.
  const distinct: [string, string][] = [
    ["Shanxi", "Shaanxi"],
    ["Shanxi Sheng", "Shaanxi Sheng"],
    ["Congo", "Democratic Republic of the Congo"],
    ["Georgia", "Georgia (U.S. state)"],
    ["Niger", "Nigeria"],
    ["Hertfordshire", "Herefordshire"],
    ["Kansas", "Kansas City"],
  ];
  it.each(distinct)("%s / %s are never merged by blocking", (a, b) => {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      const { r } = candidatesOf([x!], y!);
      expect(r.unique).toBe(true);
    }
  });

  it("names no candidate for unrelated names, nor for short prints one edit apart from nothing", () => {
    expect(candidatesOf(["Eiffel Tower", "Louvre"], "Notre-Dame de Paris").names).toEqual([]);
    expect(candidatesOf(["Gabon"], "Gambia").names).toEqual([]);
    expect(candidatesOf(["Iceland"], "Ireland").names).toEqual(["typo:Iceland"]);
  });

  it("shows at most maxCandidates entries, and none once the entry is removed", () => {
    const engine = createDedupEngine({ borderline: true, blocking: true, maxCandidates: 2 });
    for (const e of ["French Southern Territories", "French Afars and Issas", "French Southern and Antarctic Territories", "Fiji"]) engine.accept(e);
    const r = engine.check("French Republic");
    expect(r.unique && r.candidates?.length).toBe(2);
    engine.remove("Fiji");
    const s = engine.check("Republic of Fiji");
    expect(s.unique && s.candidates).toBeUndefined();
  });

  it("is off by default: no candidates, no blocking index", () => {
    const engine = createDedupEngine({ borderline: true });
    engine.accept("Fiji");
    expect(engine.check("Republic of Fiji")).toEqual({ unique: true, key: "republic of fiji" });
  });

  it("suggested aliases are candidates for the judge, never merges", () => {
    const engine = createDedupEngine({ borderline: true, blocking: true });
    engine.accept("Greece");
    expect(engine.suggestAlias("Hellenic Republic", "Greece")).toBe(true);
    const r = engine.check("The Hellenic Republic");
    expect(r.unique && r.candidates).toEqual([{ duplicateOf: "Greece", source: "alias" }]);
  });

  it.each([
    ["Stewa Rava (known for its distinctive style)", "Stewa Rava"],
    ["Canterbury - a region", "Canterbury"],
    ["Foo: bar baz", "Foo"],
    ["Cocos (Keeling) Islands", null],
    ["Guinea-Bissau", null],
    ["(unknown)", null],
  ])("descriptionBase(%j) = %j", (text, base) => {
    expect(descriptionBase(text)).toBe(base);
  });

  it.each([
    ["northern", "notrhern", true],
    ["islands", "sislands", true],
    ["massa", "amssa", true],
    ["calais", "calias", true],
    ["shanxi", "shaanxi", true],
    ["cajamarca", "catamarca", true],
    ["abcd", "abdc", true],
    ["abcd", "abcd", false],
    ["abcd", "badc", false],
    ["hertfordshire", "herefordshire", true],
    ["kaduna", "kaunas", false],
  ] as const)("oneEditApart(%s, %s) = %s", (a, b, want) => {
    expect(oneEditApart(a, b)).toBe(want);
    expect(oneEditApart(b, a)).toBe(want);
  });
});

describe("alias memory", () => {
  it("a text merged into an entry is a duplicate of it at once; restore forgets it", () => {
    const engine = createDedupEngine({ borderline: true, blocking: true });
    engine.accept("Greece");
    expect(engine.check("Hellenic Republic").unique).toBe(true);
    expect(engine.addAlias("Hellenic Republic", "Greece")).toBe(true);
    expect(engine.check("the Hellenic Republic")).toMatchObject({ unique: false, duplicateOf: "Greece", kind: "exact", reason: "alias" });
    expect(engine.removeAlias("Hellenic Republic")).toBe(true);
    expect(engine.check("Hellenic Republic").unique).toBe(true);
    expect(engine.removeAlias("Hellenic Republic")).toBe(false);
  });

  it("never chains: an entry merged away takes its aliases to the entry it joined", () => {
    const engine = createDedupEngine();
    engine.acceptMany(["Burma", "Myanmar"]);
    engine.addAlias("Republic of the Union of Burma", "Burma");
    engine.remove("Burma");
    engine.addAlias("Burma", "Myanmar");
    expect(engine.check("Burma")).toMatchObject({ unique: false, duplicateOf: "Myanmar", reason: "alias" });
    expect(engine.check("Republic of the Union of Burma")).toMatchObject({ unique: false, duplicateOf: "Myanmar", reason: "alias" });
  });

  it("refuses an alias of a text that is not an entry, or of itself", () => {
    const engine = createDedupEngine();
    engine.accept("Greece");
    expect(engine.addAlias("Hellas", "Hellas Republic")).toBe(false);
    expect(engine.addAlias("GREECE", "Greece")).toBe(false);
  });
});
