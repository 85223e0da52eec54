import { describe, expect, it } from "vitest";
import { composeBreakdown, DEFAULT_BREAKDOWN_RATES } from "./breakdown";
import { generateHierarchy, resolveLabel, resolvePath } from "./hierarchy";
import { Rng } from "./prng";
import { readRequest } from "./prompt";
import { generateUniverse } from "./universe";

const universe = generateUniverse("Birds of the world", 6_000, 0);
const h = generateHierarchy(universe, { shape: "hierarchical", categories: 8, subcategories: 5 });

const cat = h.nodes.find((n) => n.depth === 1 && n.children.length >= 2)!;
const [a, b] = cat.children.map((id) => h.nodes[id]!);

describe("hierarchical universe", () => {
  it("splits every item into exactly one leaf, under categories and sub-categories of varying sizes", () => {
    const cats = h.nodes.filter((n) => n.depth === 1);
    const leaves = h.nodes.filter((n) => n.depth === 2);
    expect(cats.length).toBeGreaterThanOrEqual(5);
    expect(leaves.length).toBeGreaterThan(cats.length * 2);
    expect(leaves.reduce((n, l) => n + l.ranks.length, 0)).toBe(6_000);
    expect(cats.reduce((n, c) => n + c.ranks.length, 0)).toBe(6_000);
    const sizes = cats.map((c) => c.ranks.length);
    expect(Math.max(...sizes)).toBeGreaterThan(2 * Math.min(...sizes));
    // Each category holds popular and obscure items alike.
    for (const c of cats) expect(c.ranks[0]!).toBeLessThan(1_000);
  });

  it("is deterministic from the topic, and flat when asked", () => {
    const again = generateHierarchy(generateUniverse("birds of the WORLD", 6_000, 0), { shape: "hierarchical", categories: 8, subcategories: 5 });
    expect(again.nodes.map((n) => n.label)).toEqual(h.nodes.map((n) => n.label));
    const flat = generateHierarchy(universe, { shape: "flat", categories: 8, subcategories: 5 });
    expect(flat.nodes).toHaveLength(1);
    expect(resolveLabel(flat, h.nodes[1]!.label)).toBeNull();
  });

  it.each([
    { name: "a category by its label", label: cat.label, node: cat.id },
    { name: "lower case and singular", label: cat.label.toLowerCase().replace(/s$/, ""), node: cat.id },
    { name: "an alias naming its stem", label: `Birds of ${cat.stem}`, node: cat.id },
    { name: "a sub-category", label: a!.label, node: a!.id },
    { name: "two sub-categories at once: too broad, the category", label: `${a!.qualifier} and ${b!.qualifier} ${cat.keyword} birds`, node: cat.id },
    { name: "a subtopic outside the hierarchy", label: "Rare birds", node: null },
  ])("resolves $name", ({ label, node }) => {
    expect(resolveLabel(h, label)).toBe(node);
  });

  it("reads a branch path top-down, keeping the deepest node that resolves", () => {
    expect(resolvePath(h, [cat.label, a!.label])).toBe(a!.id);
    expect(resolvePath(h, [cat.label, "Rare birds"])).toBe(cat.id);
    expect(resolvePath(h, ["Rare birds"])).toBe(0);
  });
});

describe("breakdown answers", () => {
  const answer = (path: string[], existing: string[], seed: number, recall = 0.9) =>
    composeBreakdown({ hierarchy: h, path, existing, count: 12, profile: { recall }, rates: DEFAULT_BREAKDOWN_RATES, rng: new Rng(seed) })
      .lines.filter((l) => l.kind === "item")
      .map((l) => l.text.replace(/^\s*(?:\d+[.)]|[-*•])\s*/, ""));

  it("names most true sub-categories, imperfectly: overlaps, too broad and outside labels", () => {
    const kinds = { child: 0, overlap: 0, broad: 0, outside: 0 };
    const children = new Set(h.nodes[0]!.children);
    for (let seed = 0; seed < 30; seed++) {
      const seen = new Set<number>();
      for (const label of answer([], [], seed)) {
        const node = resolveLabel(h, label);
        if (node === null) kinds.outside++;
        else if (node === 0) kinds.broad++;
        else if (seen.has(node)) kinds.overlap++;
        else if (children.has(node)) {
          kinds.child++;
          seen.add(node);
        }
      }
    }
    expect(kinds.child / 30).toBeGreaterThan(0.6 * children.size);
    expect(kinds.overlap).toBeGreaterThan(0);
    expect(kinds.broad).toBeGreaterThan(0);
    expect(kinds.outside).toBeGreaterThan(0);
  });

  it("mostly avoids the subtopics that already exist", () => {
    const existing = h.nodes[0]!.children.slice(0, 4).map((id) => h.nodes[id]!.label);
    let relisted = 0;
    for (let seed = 0; seed < 30; seed++) relisted += answer([], existing, seed).filter((l) => existing.includes(l)).length;
    expect(relisted / 30).toBeLessThan(1);
  });

  it("makes subtopics up for a branch with no natural sub-categories", () => {
    const labels = answer([cat.label, a!.label], [], 1);
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (const l of labels) expect(resolvePath(h, [cat.label, a!.label, l])).toBe(a!.id);
  });
});

describe("recognising the tree's requests from the prompt text", () => {
  it.each([
    { name: "an item request without a path", text: "<topic>birds</topic><request_size>5</request_size>", kind: "items", path: [] },
    {
      name: "an item request for a branch",
      text: "<topic>birds</topic>\n<branch_path>\nA\nB\n</branch_path>\n<request_size>5</request_size>",
      kind: "items",
      path: ["A", "B"],
    },
    {
      name: "a breakdown request",
      text: "<topic>birds</topic><branch_path>A</branch_path><existing_subtopics>\nX\nY\n</existing_subtopics><subtopic_count>6</subtopic_count>",
      kind: "breakdown",
      path: ["A"],
    },
  ])("$name", ({ text, kind, path }) => {
    const r = readRequest([text]);
    expect(r.kind).toBe(kind);
    expect(r.path).toEqual(path);
    if (r.kind === "breakdown") expect(r).toMatchObject({ topic: "birds", existing: ["X", "Y"], count: 6 });
  });
});
