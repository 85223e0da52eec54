import { describe, expect, it } from "vitest";
import { composeBreakdown, DEFAULT_BREAKDOWN_RATES } from "./breakdown";
import { SimEngine } from "./engine";
import { resolveLabel, resolvePath } from "./hierarchy";
import { Rng } from "./prng";

// A small real hierarchy in the shape of bench/data/explore/subdivisions.json.
const SPEC = {
  topic: "Administrative subdivisions of the world's countries",
  plural: "subdivisions",
  categories: [
    { label: "France", items: ["Île-de-France", "Bretagne", "Normandie"], children: [{ label: "Île-de-France", items: ["Paris", "Essonne", "Yvelines"] }] },
    { label: "China", items: ["Shanxi", "Shaanxi", "Hebei", "Henan", "Hubei"] },
    { label: "United Kingdom", items: ["England", "Scotland", "Wales"] },
    { label: "Republic of the Congo", items: ["Pool", "Likouala"] },
  ],
};

describe("a universe from a real name list", () => {
  const engine = new SimEngine({ rateLimits: false, errorRate500: 0, overloadRate: 0 }, { realUniverses: [SPEC] });
  const universe = engine.universe(SPEC.topic);
  const h = engine.hierarchy(SPEC.topic);

  it("holds every real name once, including names that differ by one letter", () => {
    expect([...universe.items].sort()).toEqual(
      [
        "Île-de-France",
        "Bretagne",
        "Normandie",
        "Paris",
        "Essonne",
        "Yvelines",
        "Shanxi",
        "Shaanxi",
        "Hebei",
        "Henan",
        "Hubei",
        "England",
        "Scotland",
        "Wales",
        "Pool",
        "Likouala",
      ].sort(),
    );
    expect(engine.universeInfo(SPEC.topic).size).toBe(16);
  });

  it("puts each name under its category, two or three levels deep", () => {
    const node = (label: string) => h.nodes.find((n) => n.label === label)!;
    expect(node("France").ranks).toHaveLength(6);
    expect(node("Île-de-France").depth).toBe(2);
    expect(
      node("Île-de-France")
        .ranks.map((r) => universe.items[r])
        .sort(),
    ).toEqual(["Essonne", "Paris", "Yvelines"]);
  });

  it.each([
    { label: "France", path: ["France"] },
    { label: "Subdivisions of France", path: ["France"] },
    { label: "Regions of the United Kingdom", path: ["United Kingdom"] },
    { label: "Congo, Republic of the", path: ["Republic of the Congo"] },
    { label: "Kingdom", path: null },
    { label: "France and China", path: null },
  ])("resolves the label $label by its words", ({ label, path }) => {
    const id = resolveLabel(h, label);
    expect(id === null ? null : [h.nodes[id]!.label]).toEqual(path);
  });

  it("reads a path top-down: Île-de-France within France", () => {
    const id = resolvePath(h, ["France", "Île-de-France departments"]);
    expect(h.nodes[id]!.label).toBe("Île-de-France");
  });

  it("names the largest sub-categories first in a breakdown answer", () => {
    const answer = composeBreakdown({
      hierarchy: h,
      path: [],
      existing: [],
      count: 2,
      profile: { recall: 1 },
      rates: { ...DEFAULT_BREAKDOWN_RATES, overlapRate: 0, broadRate: 0, outsidePerAnswer: 0 },
      rng: Rng.from("t"),
    });
    const items = answer.lines.filter((l) => l.kind === "item").map((l) => l.text.replace(/^\W*\d*\W*\s*/, "").toLowerCase());
    expect(items).toEqual(["france", "china"]);
  });
});
