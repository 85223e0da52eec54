// How big the topic tree may grow and when it splits or saturates a branch (tree.ts applies them).

export type TreeLimits = {
  /** Deepest branch (root = 0). Default 3. */
  maxDepth: number;
  /** Most branches in the tree, root included. Default 200. */
  maxBranches: number;
  /** Most subtopics taken from one breakdown answer. Default 60. */
  maxChildrenPerBreakdown: number;
  /** Most subtopics of one branch (a breakdown prompt lists them all). Default 400. */
  maxChildren: number;
};

export type TreePolicy = {
  /** Calls a branch needs before its yield is judged. Default 2. */
  minCalls: number;
  /** Calls whose yield counts as the branch's marginal yield (most recent). Default 3. */
  recentCalls: number;
  /** A partitioned branch asks for missed subtopics once its children's mean yield falls below this. Default 0.6. */
  splitBelowYield: number;
  /** A breakdown again (new siblings for its children) only after this many more calls in its subtree. Default 6. */
  callsBetweenBreakdowns: number;
  /** Stop asking a branch for subtopics after this many breakdowns that added nothing. Default 2. */
  maxBarrenBreakdowns: number;
  /**
   * A partition is asked to continue (the prompt lists the subtopics so far and asks for the
   * rest) while its last answer added at least this many subtopics. Default 2: real models name
   * the famous subtopics first, and a partition's value is in the ones named last (issue 18).
   */
  continueWhileAdded: number;
  /** Subtopics asked for per breakdown answer (real models give 20-50). Default 40. */
  subtopicsPerBreakdown: number;
  /** Saturated once the marginal yield falls below this. Default 0.1. */
  saturateBelowYield: number;
  /** Calls a subtopic needs before it can be saturated: 1, so a probe that finds nothing new ends it. */
  saturateAfterCalls: number;
  /**
   * A branch is split only while this many of its entries are still unfound (`unseen`): a small branch is finished by a few more calls, splitting it only adds branches to
   * explore (about four calls' worth of items at the default request size). Default 200.
   */
  minUnseenToSplit: number;
};

export const DEFAULT_TREE_LIMITS: Readonly<TreeLimits> = { maxDepth: 3, maxBranches: 1_000, maxChildrenPerBreakdown: 60, maxChildren: 400 };
export const DEFAULT_TREE_POLICY: Readonly<TreePolicy> = {
  minCalls: 2,
  recentCalls: 3,
  splitBelowYield: 0.6,
  callsBetweenBreakdowns: 6,
  maxBarrenBreakdowns: 2,
  continueWhileAdded: 2,
  subtopicsPerBreakdown: 40,
  saturateBelowYield: 0.1,
  saturateAfterCalls: 1,
  minUnseenToSplit: 200,
};
