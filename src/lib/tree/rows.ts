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
