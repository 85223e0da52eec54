import { describe, expect, it } from "vitest";
import { TopicTree } from "../tree/tree";
import { BranchPrecision, MIN_VERDICTS } from "./branch-precision";

describe("precision per branch", () => {
  it("saturates a branch once most of its recent verdicts are rejections, not before enough verdicts", () => {
    const p = new BranchPrecision();
    for (let i = 0; i < MIN_VERDICTS - 1; i++) expect(p.record(3, true)).toBeNull();
    expect(p.record(3, true)).toBe(1);
    // Another branch with 4 rejections in 10: kept.
    for (let i = 0; i < 6; i++) p.record(4, false);
    p.record(4, true);
    p.record(4, true);
    p.record(4, true);
    expect(p.record(4, true)).toBeNull();
    // A run of good verdicts ages the rejections out of the window.
    for (let i = 0; i < 20; i++) p.record(3, false);
    expect(p.record(3, false)).toBeNull();
  });

  it("the tree saturates an open branch, never the root, a pinned or a pruned one", () => {
    const tree = new TopicTree("Medieval castles of Europe");
    const [a, b, c] = tree.addSubtopics(0, ["Castles of France", "Castles of Spain", "Castles of Wales"], null).added;
    tree.pin(b!.id);
    tree.prune(c!.id);
    expect(tree.saturate(0)).toBe(false);
    expect(tree.saturate(a!.id)).toBe(true);
    expect(tree.branch(a!.id).state).toBe("saturated");
    expect(tree.saturate(a!.id)).toBe(false);
    expect(tree.saturate(b!.id)).toBe(false);
    expect(tree.saturate(c!.id)).toBe(false);
    expect(tree.active().map((x) => x.id)).not.toContain(a!.id);
  });
});
