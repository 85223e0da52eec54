import type { PrismaClient } from "../../generated/prisma/client";
import { DomainError } from "../../lib/errors";
import type { ActiveRun } from "./active-run";
import type { BranchView } from "./branch-view";
import { findRunConfig, readBranches } from "./repo";

// A run's topic tree as the API shows it: live for the active run (run-tree.ts), as stored otherwise.

/** A run's topic tree: live for the active run, as stored otherwise; null for a run without one (flat). */
export async function treeView(
  prisma: PrismaClient,
  active: ActiveRun | undefined,
  runId: string,
): Promise<{
  runId: string;
  exploration: "flat" | "tree";
  branches: BranchView[];
  coverage: { found: number; estimatedTotal: number; coverage: number } | null;
} | null> {
  if (active && active.id === runId && active.tree) {
    return { runId, exploration: "tree", branches: active.tree.branches(), coverage: active.tree.overallCoverage(active.totalUnique) };
  }
  return storedTree(prisma, runId);
}

export type TreeEdit = { addUnder: number; label: string } | { prune: number } | { pin: number };

/** A hand-made change to the active run's tree; refused (changing nothing) for any other run. */
export function editTree(active: ActiveRun | undefined, runId: string, edit: TreeEdit): BranchView {
  const tree = active && active.id === runId ? active.tree : null;
  if (!tree) throw new DomainError("BAD_REQUEST", `runId: run ${runId} is not the active tree run (the tree is edited while it runs)`, "runId");
  if ("addUnder" in edit) return tree.addBranch(edit.addUnder, edit.label);
  if ("prune" in edit) return tree.prune(edit.prune);
  return tree.pin(edit.pin);
}

/** A stored run's tree as shown (no live estimates); a branch under a pruned one shows as pruned. */
async function storedTree(
  prisma: PrismaClient,
  runId: string,
): Promise<{ runId: string; exploration: "flat" | "tree"; branches: BranchView[]; coverage: null } | null> {
  const row = await findRunConfig(prisma, runId);
  if (!row) return null;
  const stored = await readBranches(prisma, runId);
  const byId = new Map(stored.map((b) => [b.id, b]));
  const pruned = (id: number | null): boolean => id !== null && (byId.get(id)?.state === "pruned" || pruned(byId.get(id)?.parentId ?? null));
  return {
    runId,
    exploration: stored.length > 0 ? "tree" : "flat",
    branches: stored.map((b) => ({
      id: b.id,
      parentId: b.parentId,
      label: b.label,
      path: (b.path as string[]) ?? [],
      depth: ((b.path as string[]) ?? []).length,
      state: pruned(b.id) ? "pruned" : (b.state as BranchView["state"]),
      entries: b.newEntries,
      calls: b.calls,
      yield: null,
      coverage: null,
      costUsd: b.costUsd,
    })),
    coverage: null,
  };
}
