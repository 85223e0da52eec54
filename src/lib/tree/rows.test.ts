import { describe, expect, it } from "vitest";
import { initialFolds, treeRows, visibleTreeRows } from "./rows";

describe("treeRows", () => {
  it.each([
    { name: "root only", branches: [[0, null]], order: [0] },
    {
      name: "each branch followed by its subtree",
      branches: [
        [0, null],
        [1, 0],
        [2, 0],
        [3, 1],
        [4, 2],
        [5, 1],
      ],
      order: [0, 1, 3, 5, 2, 4],
    },
    {
      name: "input order does not matter",
      branches: [
        [3, 1],
        [2, 0],
        [1, 0],
        [0, null],
      ],
      order: [0, 1, 3, 2],
    },
    {
      name: "an orphan is kept, last",
      branches: [
        [0, null],
        [7, 6],
      ],
      order: [0, 7],
    },
  ] as const)("$name", ({ branches, order }) => {
    expect(treeRows(branches.map(([id, parentId]) => ({ id, parentId }))).map((b) => b.id)).toEqual(order);
  });
});

describe("visibleTreeRows", () => {
  // 0 Birds > 1 Coastal (> 3 Gulls, 4 Terns) , 2 Mountain (> 5 Eagles)
  const branches = [
    { id: 0, parentId: null, label: "Birds", state: "open", depth: 0 },
    { id: 1, parentId: 0, label: "Coastal birds", state: "open", depth: 1 },
    { id: 2, parentId: 0, label: "Mountain birds", state: "saturated", depth: 1 },
    { id: 3, parentId: 1, label: "Gulls", state: "saturated", depth: 2 },
    { id: 4, parentId: 1, label: "Terns", state: "open", depth: 2 },
    { id: 5, parentId: 2, label: "Eagles", state: "saturated", depth: 2 },
  ];
  const none = { query: "", folded: new Set<number>(), hideSaturated: false };

  it.each([
    { name: "everything, each with its number of children", view: none, ids: [0, 1, 3, 4, 2, 5], hidden: 0 },
    { name: "a folded branch hides its subtree", view: { ...none, folded: new Set([1]) }, ids: [0, 1, 2, 5], hidden: 2 },
    { name: "a search shows matches with their ancestors, folds ignored", view: { ...none, query: "ERN", folded: new Set([1]) }, ids: [0, 1, 4], hidden: 3 },
    { name: "hiding saturated branches keeps the ancestors of open ones", view: { ...none, hideSaturated: true }, ids: [0, 1, 4], hidden: 3 },
    { name: "a search that matches nothing", view: { ...none, query: "penguins" }, ids: [], hidden: 6 },
  ])("$name", ({ view, ids, hidden }) => {
    const r = visibleTreeRows(branches, view);
    expect(r.rows.map((b) => b.id)).toEqual(ids);
    expect(r.hidden).toBe(hidden);
    if (ids.includes(1)) expect(r.rows.find((b) => b.id === 1)!.childCount).toBe(2);
  });

  it("starts folded below the root's children once the tree is large", () => {
    expect(initialFolds(branches)).toEqual(new Set());
    const large = Array.from({ length: 70 }, (_, i) => ({ id: i, parentId: i === 0 ? null : i < 10 ? 0 : 1 + (i % 9), depth: i === 0 ? 0 : i < 10 ? 1 : 2 }));
    expect([...initialFolds(large)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
