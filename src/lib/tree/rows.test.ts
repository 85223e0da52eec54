import { describe, expect, it } from "vitest";
import { treeRows } from "./rows";

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
