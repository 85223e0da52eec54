/** Branches in display order: each followed by its subtree (depth-first, children in id order, i.e. as proposed). */
export function treeRows<B extends { id: number; parentId: number | null }>(branches: readonly B[]): B[] {
  const children = new Map<number | null, B[]>();
  for (const b of branches) {
    const list = children.get(b.parentId) ?? [];
    list.push(b);
    children.set(b.parentId, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.id - b.id);
  const out: B[] = [];
  const seen = new Set<number>();
  const walk = (parent: number | null) => {
    for (const b of children.get(parent) ?? []) {
      if (seen.has(b.id)) continue;
      seen.add(b.id);
      out.push(b);
      walk(b.id);
    }
  };
  walk(null);
  // A branch whose parent is missing (a partial list) is still shown, at the end.
  for (const b of branches) if (!seen.has(b.id)) out.push(b);
  return out;
}

/** Above this many branches the panel starts with every subtree below the root's children folded. */
export const FOLD_ABOVE_BRANCHES = 60;

export type RowView = {
  /** Labels containing this text (case-insensitive) are shown with their ancestors; folds are ignored. */
  query: string;
  /** Branches whose subtrees are folded. */
  folded: ReadonlySet<number>;
  /** Hide saturated branches (their ancestors of shown branches stay). */
  hideSaturated: boolean;
};

/**
 * The rows the tree panel shows (issue 18: readable with hundreds of branches): `treeRows`
 * order, folded subtrees left out, narrowed by a search, each row with its number of children.
 */
export function visibleTreeRows<B extends { id: number; parentId: number | null; label: string; state: string }>(
  branches: readonly B[],
  view: RowView,
): { rows: Array<B & { childCount: number }>; hidden: number } {
  const ordered = treeRows(branches);
  const byId = new Map(branches.map((b) => [b.id, b]));
  const childCount = new Map<number, number>();
  for (const b of branches) if (b.parentId !== null) childCount.set(b.parentId, (childCount.get(b.parentId) ?? 0) + 1);
  const q = view.query.trim().toLowerCase();
  const shown = new Set<number>();
  if (q !== "" || view.hideSaturated) {
    for (const b of branches) {
      if (q !== "" && !b.label.toLowerCase().includes(q)) continue;
      if (view.hideSaturated && b.state === "saturated") continue;
      for (let a: B | undefined = b; a && !shown.has(a.id); a = a.parentId === null ? undefined : byId.get(a.parentId)) shown.add(a.id);
    }
  }
  const rows: Array<B & { childCount: number }> = [];
  const hiddenUnder = new Set<number>();
  for (const b of ordered) {
    const parentHidden = b.parentId !== null && (hiddenUnder.has(b.parentId) || (q === "" && view.folded.has(b.parentId)));
    if (parentHidden || ((q !== "" || view.hideSaturated) && !shown.has(b.id))) {
      hiddenUnder.add(b.id);
      continue;
    }
    rows.push({ ...b, childCount: childCount.get(b.id) ?? 0 });
  }
  return { rows, hidden: branches.length - rows.length };
}

/** The folds a panel starts with: none for a small tree, else every branch below the root's children that has children. */
export function initialFolds(branches: ReadonlyArray<{ id: number; parentId: number | null; depth: number }>): Set<number> {
  if (branches.length <= FOLD_ABOVE_BRANCHES) return new Set();
  const parents = new Set(branches.flatMap((b) => (b.parentId === null ? [] : [b.parentId])));
  return new Set(branches.filter((b) => b.depth >= 1 && parents.has(b.id)).map((b) => b.id));
}
