// The shapes of the topic tree (tree.ts): a branch, its counters and what a call or a breakdown reports.

export const BRANCH_STATES = ["open", "saturated", "pruned", "pinned"] as const;
export type BranchState = (typeof BRANCH_STATES)[number];

export type BranchCounters = {
  calls: number;
  /** Candidates that resolved to an entry (new or re-proposed); junk is not counted. */
  candidates: number;
  newEntries: number;
  reproposals: number;
  tokens: number;
  costUsd: number;
};

export type Branch = {
  id: number;
  parentId: number | null;
  label: string;
  /** Labels from the root's first subtopic down to this branch; [] for the root. */
  path: string[];
  depth: number;
  state: BranchState;
  /** The call (id) whose breakdown answer proposed it; null for the root and branches added by hand. */
  proposedBy: string | null;
  counters: BranchCounters;
  children: number[];
  /** Breakdowns asked for this branch, and how many of them added nothing. */
  breakdowns: number;
  barrenBreakdowns: number;
  /** Subtopics the last breakdown answer added: while it adds some, the partition is not complete. */
  lastBreakdownAdded: number;
  /** counters.calls of this branch's subtree when it was last broken down. */
  subtreeCallsAtBreakdown: number;
};

/** What one finished item call on a branch found. */
export type BranchCallResult = {
  /** Entries accepted as new, in order. */
  newEntries: readonly string[];
  /** For each re-proposed candidate: the text of the entry it duplicates. */
  reproposed: readonly string[];
  tokens: number;
  costUsd: number;
};

/**
 * Why a branch is broken down: `split` (its first partition), `continue` (the last answer added
 * subtopics, so the partition is not complete: ask for the rest), `siblings` (its children are
 * mined out and the branch still yields: ask for subtopics the partition missed).
 */
export type Expansion = { branchId: number; reason: "split" | "continue" | "siblings" };

export type SubtopicRejection = { label: string; reason: "duplicate" | "empty" | "limit"; duplicateOf?: string };
