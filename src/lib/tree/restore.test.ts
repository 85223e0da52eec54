import { describe, expect, it } from "vitest";
import { knownEntriesFor } from "./branch-known-entries";
import { TopicTree } from "./tree";

/** A stored tree read back after a restart (the orchestrator's `branches` rows and entries' branch ids). */
describe("TopicTree.restore", () => {
  const grown = () => {
    const t = new TopicTree("Cheeses");
    t.addSubtopics(0, ["Soft cheeses", "Hard cheeses"], "call-1");
    t.addSubtopics(1, ["Washed-rind cheeses"], "call-2");
    t.recordCall(1, { newEntries: ["Brie", "Camembert"], reproposed: [], tokens: 100, costUsd: 0.01 });
    t.recordCall(3, { newEntries: ["Epoisses"], reproposed: ["Brie"], tokens: 80, costUsd: 0.01 });
    t.prune(2);
    return t;
  };
  const stored = (t: TopicTree) =>
    t.all().map((b) => ({ id: b.id, parentId: b.parentId, label: b.label, state: b.state, proposedBy: b.proposedBy, counters: { ...b.counters } }));
  const entries = [
    { branchId: 1, text: "Brie" },
    { branchId: 1, text: "Camembert" },
    { branchId: 3, text: "Epoisses" },
  ];

  it("gives back the same branches, states, counters and each branch's entries", () => {
    const t = grown();
    const r = TopicTree.restore("Cheeses", stored(t), entries);
    expect(stored(r)).toEqual(stored(t));
    expect(r.branch(3).path).toEqual(["Soft cheeses", "Washed-rind cheeses"]);
    expect(r.isPruned(2)).toBe(true);
    expect(knownEntriesFor(r, 1).own).toEqual(expect.arrayContaining(["Brie", "Camembert", "Epoisses"]));
  });

  it.each([
    { name: "a sibling's label", parent: 0, label: "soft cheeses" },
    { name: "a label elsewhere in the tree", parent: 2, label: "Washed rind cheeses" },
  ])("still refuses $name as a new branch", ({ parent, label }) => {
    const r = TopicTree.restore(
      "Cheeses",
      stored(grown()).map((b) => ({ ...b, state: b.state === "pruned" ? ("open" as const) : b.state })),
      entries,
    );
    expect(() => r.addBranch(parent, label)).toThrow(/duplicates/);
  });

  it("does not split a restored branch again at once: it waits for new calls", () => {
    const r = TopicTree.restore("Cheeses", stored(grown()), entries);
    expect(r.plannedExpansions()).toEqual([]);
  });

  it("refuses rows whose ids do not follow their parents", () => {
    const rows = stored(grown());
    expect(() => TopicTree.restore("Cheeses", [rows[0]!, rows[3]!], [])).toThrow(/does not follow/);
  });
});
