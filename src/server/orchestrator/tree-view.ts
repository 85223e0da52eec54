import type { PrismaClient } from "../../generated/prisma/client";
import { DomainError } from "../../lib/errors";
import type { ActiveRun } from "./active-run";
import type { BranchView } from "./branch-view";
import { findRunConfig, readBranches } from "./repo";
import type { CoverageNow } from "../../lib/run-view";
import { findRunView, liveRunView } from "./run-view";

// A run's topic tree as the API shows it: live for the active run (run-tree.ts), as stored otherwise.

/** A run's topic tree: live for the active run, as stored otherwise; null for a run without one (flat). */
export async function treeView(
  prisma: PrismaClient,
  active: ActiveRun | undefined,
  runId: string,
  now: number,
): Promise<{
  runId: string;
  exploration: "flat" | "tree";
  branches: BranchView[];
  /** The run's coverage (its RunView's: the same figure as the banner's). */
  coverage: CoverageNow | null;
} | null> {
  const view = await findRunView(prisma, active ? liveRunView(active, now) : null, runId, now);
  if (!view) return null;
  if (active && active.id === runId && active.tree) return { runId, exploration: "tree", branches: active.tree.branches(), coverage: view.coverage };
  const stored = await storedTree(prisma, runId);
  return stored && { ...stored, coverage: view.coverage };
}

export type TreeEdit = { addUnder: number; label: string } | { prune: number } | { unprune: number } | { pin: number };

/** A hand-made change to the active run's tree; refused (changing nothing) for any other run. */
export function editTree(active: ActiveRun | undefined, runId: string, edit: TreeEdit): BranchView {
  const tree = active && active.id === runId ? active.tree : null;
  if (!tree) throw new DomainError("BAD_REQUEST", `runId: run ${runId} is not the active tree run (the tree is edited while it runs)`, "runId");
  if ("addUnder" in edit) return tree.addBranch(edit.addUnder, edit.label);
  if ("prune" in edit) return tree.prune(edit.prune);
  if ("unprune" in edit) return tree.prune(edit.unprune, false);
  return tree.pin(edit.pin);
}

/** A stored run's tree as shown (no live estimates); a branch under a pruned one shows as pruned. */
async function storedTree(prisma: PrismaClient, runId: string): Promise<{ runId: string; exploration: "flat" | "tree"; branches: BranchView[] } | null> {
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
  };
}
