// How big the topic tree may grow and when it splits or saturates a branch (tree.ts applies them).

export type TreeLimits = {
  /** Deepest branch (root = 0). Default 3. */
  maxDepth: number;
  /** Most branches in the tree, root included. Default 200. */
  maxBranches: number;
  /** Most subtopics taken from one breakdown answer. Default 12. */
  maxChildrenPerBreakdown: number;
};

export type TreePolicy = {
  /** Calls a branch needs before its yield is judged. Default 2. */
  minCalls: number;
  /** Calls whose yield counts as the branch's marginal yield (most recent). Default 3. */
  recentCalls: number;
  /** Break a branch down once its marginal yield (new / candidates) falls below this... Default 0.6. */
  splitBelowYield: number;
  /** ...or its estimated coverage reaches this. Default 0.5. */
  splitAtCoverage: number;
  /** A breakdown again (new siblings for its children) only after this many more calls in its subtree. Default 6. */
  callsBetweenBreakdowns: number;
  /** Stop asking a branch for subtopics after this many breakdowns that added nothing. Default 2. */
  maxBarrenBreakdowns: number;
  /** Saturated once the marginal yield falls below this. Default 0.04. */
  saturateBelowYield: number;
  /**
   * A branch is split only while this many of its entries are still unfound (`unseen`): a small branch is finished by a few more calls, splitting it only adds branches to
   * explore (about four calls' worth of items at the default request size). Default 200.
   */
  minUnseenToSplit: number;
};

export const DEFAULT_TREE_LIMITS: Readonly<TreeLimits> = { maxDepth: 3, maxBranches: 200, maxChildrenPerBreakdown: 12 };
export const DEFAULT_TREE_POLICY: Readonly<TreePolicy> = {
  minCalls: 2,
  recentCalls: 3,
  splitBelowYield: 0.6,
  splitAtCoverage: 0.5,
  callsBetweenBreakdowns: 6,
  maxBarrenBreakdowns: 2,
  saturateBelowYield: 0.04,
  minUnseenToSplit: 200,
};
