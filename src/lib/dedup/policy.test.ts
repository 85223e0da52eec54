import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createDedupEngine, DEFAULT_DEDUP_OPTIONS, type DedupEngine } from "./index";
import { typoKind } from "./typo";

/** The precision-first policy: what merges on string evidence alone, and what is only borderline. */

function engineWith(entries: string[], borderline = false): DedupEngine {
  const engine = createDedupEngine({ borderline });
  for (const e of entries) engine.accept(e);
  return engine;
}

const ISSUE_PAIRS = JSON.parse(readFileSync(new URL("../../../bench/data/dedup-eval/issue-pairs.json", import.meta.url), "utf8")) as [string, string][];

describe("precision first: distinct names that look alike stay apart", () => {
  it.each(ISSUE_PAIRS)("%s / %s (issue 10), in either order, reported as borderline", (a, b) => {
    for (const [first, later] of [
      [a, b],
      [b, a],
    ] as const) {
      const r = engineWith([first], true).check(later);
      expect(r.unique, `${later} after ${first}: ${JSON.stringify(r)}`).toBe(true);
    }
  });

  it.each([
    ["Shanxi", "Shaanxi", "weak-evidence", "doubled-vowel"],
    ["Aymara", "Amara", "weak-evidence", "indel"],
    ["Cajamarca", "Catamarca", "weak-evidence", "substitution"],
    ["Hertfordshire", "Herefordshire", "weak-evidence", "substitution"],
    ["Karaim", "Karami", "weak-evidence", "transposition"],
  ])("%s / %s comes back borderline with the entry and the evidence", (entry, candidate, reason, edit) => {
    const r = engineWith([entry], true).check(candidate);
    expect(r).toMatchObject({ unique: true, borderline: [{ duplicateOf: entry, reason, edit }] });
  });

  it("does not merge a variant of a name not yet listed into a different name (Togo. -> Tsogo)", () => {
    const engine = engineWith(["Tsogo", "Panama", "Maco"]);
    for (const t of ["Togo.", "TOGO", "Paama", "Macao"]) expect(engine.check(t).unique, t).toBe(true);
  });
});

describe("precision first: typos with strong evidence still merge", () => {
  it.each([
    ["Saint Paul", "Sain tPaul", "spacing"],
    ["Castelo Branco", "Castel oBranco", "spacing"],
    ["Castelo Branco", "CasteloB ranco", "spacing"],
    ["Buenos Aires", "Bueno sAires", "spacing"],
    ["Pärnumaa", "Pärnmuaa", "typo"],
    ["Saint James", "Saint Jmaes", "typo"],
    ["Saint Paul", "Sanit Paul", "typo"],
    ["Netherlands", "Netherlnads", "typo"],
    ["Mediterranean", "Mediterrabean", "typo"],
    ["Liechtenstein", "Liechtensteim", "typo"],
    ["Philippines", "Phillipines", "typo"],
    ["Kastrel Bridge", "Kastrel Bridgr", "typo"],
    ["Eiffel Tower", "Eiffek Tower", "typo"],
  ])("%s <- %s (%s)", (entry, candidate, reason) => {
    expect(engineWith([entry]).check(candidate)).toMatchObject({ unique: false, duplicateOf: entry, reason });
  });

  it("needs the rest of the name for a slip in a short word: Towre alone is borderline, in Eiffel Towre it merges", () => {
    expect(engineWith(["Tower"]).check("Towre").unique).toBe(true);
    expect(engineWith(["Eiffel Tower"]).check("Eiffel Towre")).toMatchObject({ unique: false, reason: "typo" });
    // A short name gives too little context.
    expect(engineWith(["Big Tower"]).check("Big Towre").unique).toBe(true);
  });
});

describe("typo kinds and thresholds", () => {
  it.each([
    ["eifel", "eiffel", "doubled"],
    ["shanxi", "shaanxi", "doubled-vowel"],
    ["carribean", "caribbean", "doubled"],
    ["towre", "tower", "transposition"],
    ["tolstoi", "tolstoy", "transliteration"],
    ["petersberg", "petersburg", "vowel"],
    ["mediterrabean", "mediterranean", "keyboard"],
    ["kyrgystan", "kyrgyzstan", "indel"],
    ["catamarca", "cajamarca", "substitution"],
    ["southeastern", "southwestern", "multiple"],
  ])("%s / %s is a %s edit", (a, b, kind) => {
    expect(typoKind(a, b)).toBe(kind);
    expect(typoKind(b, a)).toBe(kind);
  });

  it("are options: a lower threshold merges what the default keeps apart, and bad values are refused", () => {
    expect(createDedupEngine().check("x").unique).toBe(true);
    const loose = createDedupEngine({ indelMinLength: 5 });
    loose.accept("Aymara");
    expect(loose.check("Amara").unique).toBe(false);
    expect(DEFAULT_DEDUP_OPTIONS.indelMinLength).toBe(10);
    expect(() => createDedupEngine({ transpositionMinLength: -1 })).toThrow(RangeError);
  });
});

describe("remove", () => {
  it("takes an entry out of every index and lets it come back", () => {
    const engine = engineWith(["Eiffel Tower", "Catacombs of Paris", "Korea, Republic of"]);
    expect(engine.remove("eiffel tower")).toBe(false); // the exact text only
    expect(engine.remove("Eiffel Tower")).toBe(true);
    expect(engine.size).toBe(2);
    for (const t of ["Eiffel Tower", "Eiffle Tower", "EiffelTower", "Eiffel-Tower"]) expect(engine.check(t).unique, t).toBe(true);
    expect(engine.remove("Catacombs of Paris")).toBe(true);
    expect(engine.check("Paris Catacombs").unique).toBe(true);
    expect(engine.remove("Korea, Republic of")).toBe(true);
    expect(engine.check("Republic of Korea").unique).toBe(true);
    engine.accept("Eiffel Tower");
    expect(engine.check("Eiffle Tower")).toMatchObject({ unique: false, duplicateOf: "Eiffel Tower" });
    expect(engine.size).toBe(1);
  });

  it("invalidates a check() made before it (no stale check-then-accept)", () => {
    const engine = engineWith(["Louvre"]);
    expect(engine.check("Louvre").unique).toBe(false);
    engine.remove("Louvre");
    engine.accept("Louvre");
    expect(engine.size).toBe(1);
    expect(engine.check("the Louvre")).toMatchObject({ unique: false, duplicateOf: "Louvre" });
  });
});

describe("real name lists (bench/data/dedup-eval)", () => {
  it("keeps apart all but at most 0.1 % of the distinct pairs within two edits, in either order", () => {
    let pairs = 0;
    const lost: string[] = [];
    for (const topic of ["places", "languages"]) {
      const data = JSON.parse(readFileSync(new URL(`../../../bench/data/dedup-eval/${topic}.json`, import.meta.url), "utf8")) as {
        names: string[];
        close: [number, number, number][];
      };
      const engine = createDedupEngine();
      for (const [i, j] of data.close) {
        pairs++;
        for (const [a, b] of [
          [i, j],
          [j, i],
        ] as const) {
          engine.accept(data.names[a]!);
          const r = engine.check(data.names[b]!);
          engine.remove(data.names[a]!);
          if (!r.unique) {
            lost.push(`${data.names[b]} -> ${data.names[a]}`);
            break;
          }
        }
      }
    }
    expect(pairs).toBeGreaterThan(50_000);
    expect(lost.length / pairs, lost.join(", ")).toBeLessThanOrEqual(0.001);
  });
});
