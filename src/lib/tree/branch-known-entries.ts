import type { TopicTree } from "./tree";

/**
 * Candidates for a branch prompt's known-entries section, in priority order: `own` = what this
 * branch's calls keep re-proposing (most first), then what its subtree found (earliest first);
 * `related` = what its ancestors found (nearest first), interleaved with its siblings'.
 */
export function knownEntriesFor(tree: TopicTree, id: number): { own: string[]; related: string[] } {
  const b = tree.branch(id);
  const reproposed = [...tree.reproposedIn(id).entries()].sort((x, y) => y[1] - x[1]).map(([t]) => t);
  const own = [...reproposed, ...subtreeFound(tree, id)];
  const related: string[] = [];
  let child = b;
  for (let a = b.parentId === null ? null : tree.branch(b.parentId); a; child = a, a = a.parentId === null ? null : tree.branch(a.parentId)) {
    related.push(...tree.foundIn(a.id));
    const siblings = a.children.filter((c) => c !== child.id).map((c) => subtreeFound(tree, c));
    for (let i = 0, more = true; more; i++) {
      more = false;
      for (const list of siblings) {
        if (i < list.length) {
          related.push(list[i]!);
          more = true;
        }
      }
    }
  }
  return { own, related };
}

function subtreeFound(tree: TopicTree, id: number): readonly string[] {
  const lists: (readonly string[])[] = [];
  const walk = (x: number) => {
    lists.push(tree.foundIn(x));
    for (const c of tree.branch(x).children) walk(c);
  };
  walk(id);
  if (lists.length === 1) return lists[0]!;
  // Earliest first across the subtree: round-robin keeps every child's first finds near the front.
  const out: string[] = [];
  for (let i = 0, more = true; more; i++) {
    more = false;
    for (const list of lists) {
      if (i < list.length) {
        out.push(list[i]!);
        more = true;
      }
    }
  }
  return out;
}

/** The head of `list` that fits in `limit` characters, a line each. */
export function cutToChars(list: readonly string[], limit: number): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const t of list) {
    if (chars + t.length + 1 > limit) break;
    out.push(t);
    chars += t.length + 1;
  }
  return out;
}
