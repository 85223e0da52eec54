import type { Branch } from "../../lib/tree/branch";
import type { TopicTree } from "../../lib/tree/tree";

/** A branch of a run's topic tree as the API and the live view show it (live or stored: tree-view.ts). */
export type BranchView = Pick<Branch, "id" | "parentId" | "label" | "path" | "depth" | "state"> & {
  entries: number;
  calls: number;
  /** New entries per resolved candidate over its last calls; null before any. */
  yield: number | null;
  /** Estimated coverage of the branch (0..1); null before any re-proposal evidence. */
  coverage: number | null;
  costUsd: number;
};

/** A live branch's view: a branch under a pruned one shows as pruned. */
export function branchView(tree: TopicTree, b: Branch): BranchView {
  return {
    id: b.id,
    parentId: b.parentId,
    label: b.label,
    path: [...b.path],
    depth: b.depth,
    state: tree.isPruned(b.id) ? "pruned" : b.state,
    entries: b.counters.newEntries,
    calls: b.counters.calls,
    yield: tree.marginalYield(b.id),
    coverage: tree.coverage(b.id)?.coverage ?? null,
    costUsd: b.counters.costUsd,
  };
}
