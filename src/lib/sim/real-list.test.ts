import { describe, expect, it } from "vitest";
import { parseRealList } from "./real-list";

// The shape of bench/data/explore/*.json, validated at the edge: a list the simulator cannot serve names the file and the field.
describe("a real name list", () => {
  const list = (categories: unknown) => JSON.stringify({ topic: "Rivers", plural: "rivers", categories });
  const nest = (depth: number): unknown => (depth === 1 ? { label: "L1", items: ["Oder"] } : { label: `L${depth}`, children: [nest(depth - 1)] });

  it("reads a list, nested categories included", () => {
    const spec = parseRealList(list([{ label: "Europe", items: ["Oder", "Elbe"], children: [{ label: "Czechia", items: ["Vltava"] }] }]), "rivers.json");
    expect(spec.categories[0]!.children![0]!.items).toEqual(["Vltava"]);
    expect(parseRealList(list([nest(8)]), "deep.json").topic).toBe("Rivers");
  });

  it("refuses what it cannot serve, naming the file and the field", () => {
    expect(() => parseRealList("{nope", "a.json")).toThrow(/^a\.json: not JSON/);
    expect(() => parseRealList(list([{ label: "", items: ["Oder"] }]), "b.json")).toThrow("b.json: categories.0.label must not be empty");
    expect(() => parseRealList(JSON.stringify({ topic: "Rivers", categories: [] }), "c.json")).toThrow(/^c\.json: plural /);
    expect(() => parseRealList(list([{ label: "Europe", items: ["---", "…"] }]), "d.json")).toThrow("d.json: no usable names");
    expect(() => parseRealList(list([nest(9)]), "e.json")).toThrow(/e\.json: categories nest deeper than 8 levels/);
    // A nesting far too deep for the schema's recursion is refused before it.
    expect(() => parseRealList(list([nest(1_000)]), "f.json")).toThrow(/f\.json: categories nest deeper than 8 levels/);
  });
});
