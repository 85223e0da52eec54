"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../trpc/react";
import type { LiveSnapshot } from "../../trpc/shared";
import { formatInt, formatPercent } from "../_lib/format";
import { initialFolds, visibleTreeRows } from "../../lib/tree/rows";
import { coverageText, type CoverageNow } from "../../lib/run-view";

type TreeSnapshot = NonNullable<LiveSnapshot["tree"]>;

type Props = {
  runId: string;
  live: boolean;
  snapshot: TreeSnapshot | null;
  /** The run's coverage (its view's): the same figures as the banner. */
  coverage: CoverageNow | null;
  selected: number | null;
  onSelect: (branch: { id: number; label: string } | null) => void;
};

/**
 * The run's topic tree (issue #9): each branch with its entries, yield, coverage and state,
 * growing as the run splits branches. Clicking a branch filters the entries list; a live run's
 * branches can be added by hand, pinned or pruned. A large tree (hundreds of subtopics) starts
 * folded below the root's children; a search shows matching branches with their ancestors.
 */
export function TreePanel({ runId, live, snapshot, coverage, selected, onSelect }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const stored = useQuery({ ...trpc.topic.tree.queryOptions({ runId }), enabled: !live || snapshot === null });
  const branches = live && snapshot ? snapshot.branches : (stored.data?.branches ?? []);
  const [label, setLabel] = useState("");
  const [query, setQuery] = useState("");
  const [hideSaturated, setHideSaturated] = useState(false);
  // Folds start when the tree first grows large; the user's clicks change them from there.
  const [folded, setFolded] = useState<Set<number> | null>(null);
  const folds = folded ?? initialFolds(branches);
  const toggle = (id: number) => {
    const next = new Set(folds);
    if (!next.delete(id)) next.add(id);
    setFolded(next);
  };
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.topic.tree.queryKey({ runId }) });
  const add = useMutation(
    trpc.topic.addBranch.mutationOptions({
      onSuccess: () => {
        setLabel("");
        refresh();
      },
    }),
  );
  const prune = useMutation(trpc.topic.pruneBranch.mutationOptions({ onSuccess: refresh }));
  const unprune = useMutation(trpc.topic.unpruneBranch.mutationOptions({ onSuccess: refresh }));
  const pin = useMutation(trpc.topic.pinBranch.mutationOptions({ onSuccess: refresh }));
  const error = add.error ?? prune.error ?? unprune.error ?? pin.error;
  const act = { pin: pin.mutate, prune: prune.mutate, unprune: unprune.mutate };
  if (branches.length === 0 && !stored.isPending) return null;
  const parentId = selected ?? 0;
  const parent = branches.find((b) => b.id === parentId);
  const { rows, hidden } = visibleTreeRows(branches, { query, folded: folds, hideSaturated });

  return (
    <section className="card tree" aria-labelledby="tree-title" data-testid="tree-panel">
      <div className="card-head">
        <h2 id="tree-title">Topic tree</h2>
        {coverage && (
          <span className="sub" data-testid="tree-coverage">
            {formatInt(branches.length)} branches · coverage {coverageText(coverage)}
          </span>
        )}
      </div>
      <p className="hint">Click a branch to show only its entries{selected !== null ? "; click it again to show all" : ""}.</p>
      <div className="tree-tools">
        <input
          type="search"
          placeholder="Find a branch"
          aria-label="Find a branch"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          maxLength={120}
          data-testid="tree-search"
        />
        <label>
          <input type="checkbox" checked={hideSaturated} onChange={(e) => setHideSaturated(e.target.checked)} data-testid="tree-hide-saturated" /> Hide
          saturated
        </label>
        {hidden > 0 && (
          <span className="sub" data-testid="tree-hidden">
            {formatInt(rows.length)} of {formatInt(branches.length)} shown
          </span>
        )}
      </div>
      <div className="table-wrap">
        <table className="data" data-testid="tree-table">
          <thead>
            <tr>
              <th scope="col">Branch</th>
              <th scope="col" className="num">
                Entries
              </th>
              <th scope="col" className="num">
                Yield
              </th>
              <th scope="col" className="num">
                Coverage
              </th>
              <th scope="col">State</th>
              {live && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.id} data-testid="tree-branch" data-branch-id={b.id} data-state={b.state} className={selected === b.id ? "selected" : undefined}>
                <td style={{ paddingLeft: `${0.5 + b.depth * 1.25}rem` }}>
                  {b.childCount > 0 && query.trim() === "" ? (
                    <button
                      type="button"
                      className="fold"
                      onClick={() => toggle(b.id)}
                      aria-expanded={!folds.has(b.id)}
                      aria-label={`${folds.has(b.id) ? "Unfold" : "Fold"} ${b.label} (${b.childCount} subtopics)`}
                      data-testid="tree-fold"
                    >
                      {folds.has(b.id) ? `▸ ${formatInt(b.childCount)}` : "▾"}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="link"
                    onClick={() => onSelect(selected === b.id ? null : { id: b.id, label: b.label })}
                    aria-pressed={selected === b.id}
                    data-testid="tree-branch-label"
                  >
                    {b.label}
                  </button>
                </td>
                <td className="num">{formatInt(b.entries)}</td>
                <td className="num">{b.yield === null ? "–" : formatPercent(b.yield)}</td>
                <td className="num">{b.coverage === null ? "–" : formatPercent(b.coverage)}</td>
                <td>
                  <span className={`pill branch-${b.state}`}>{b.state}</span>
                </td>
                {live && <BranchActions runId={runId} branch={b} parentPruned={branches.find((p) => p.id === b.parentId)?.state === "pruned"} act={act} />}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {live && (
        <form
          className="tree-add"
          onSubmit={(e) => {
            e.preventDefault();
            if (label.trim()) add.mutate({ runId, parentId, label: label.trim() });
          }}
        >
          <label htmlFor="tree-add-label">Add a subtopic under “{parent?.label ?? "the topic"}”</label>
          <input id="tree-add-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={120} data-testid="tree-add-label" />
          <button type="submit" className="btn small" disabled={add.isPending || label.trim() === ""} data-testid="tree-add">
            Add
          </button>
        </form>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
    </section>
  );
}

type BranchEdit = (input: { runId: string; branchId: number }) => void;

/**
 * A live branch's buttons: pin, prune, or un-prune one pruned itself (a branch under a pruned
 * one shows as pruned too, and comes back with it).
 */
function BranchActions({
  runId,
  branch: b,
  parentPruned,
  act,
}: {
  runId: string;
  branch: { id: number; label: string; state: string };
  parentPruned: boolean;
  act: Record<"pin" | "prune" | "unprune", BranchEdit>;
}) {
  const button = (kind: "pin" | "prune" | "unprune", text: string, title: string) => (
    <button type="button" className="btn small" onClick={() => act[kind]({ runId, branchId: b.id })} data-testid={`tree-${kind}`} title={title}>
      {text}
    </button>
  );
  return (
    <td className="actions">
      {b.state !== "pinned" && b.state !== "pruned" && button("pin", "Pin", "Keep calling this branch; never mark it saturated")}
      {b.id !== 0 && b.state !== "pruned" && button("prune", "Prune", "No more calls to this branch and its subtopics")}
      {b.state === "pruned" && !parentPruned && button("unprune", "Un-prune", `Call “${b.label}” again`)}
    </td>
  );
}
