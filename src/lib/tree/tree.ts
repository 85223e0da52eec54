import { estimateCoverage, ReproposalCounter, type CoverageEstimate } from "../coverage";
import { createDedupEngine, type DedupEngine } from "../dedup";
import type { Branch, BranchCallResult, Expansion, SubtopicRejection } from "./branch";
import { DEFAULT_TREE_LIMITS, DEFAULT_TREE_POLICY, type TreeLimits, type TreePolicy } from "./policy";

/**
 * The topic tree of one run (issue #9). The root is the topic; a branch is a narrower subtopic
 * proposed by a breakdown call. Each call explores one branch; the tree keeps per-branch
 * counters, the entries each branch found and re-proposed, and per-branch re-proposal counts
 * for a coverage estimate. It decides by itself, from each branch's marginal yield, when a
 * branch should be broken down further (or get new siblings), and when it is saturated.
 * Pure: no I/O, no clock; the orchestrator persists what it needs.
 */

/** A branch's unseen entries are at most this many times what it has proposed (see `unseen`). */
const MAX_UNSEEN_RATIO = 3;

type BranchData = {
  /** Entries this branch's own calls found, in order. */
  found: string[];
  /**
   * Entry text -> times this branch's calls re-proposed it. With `foundBy`, it also gives the
   * proposals of an entry within the branch (the coverage sample): one if the branch found it,
   * plus its re-proposals here. (A map of proposals per branch held each re-proposed entry a
   * second time, in many small tables.)
   */
  reproposed: Map<string, number>;
  counter: ReproposalCounter;
  /** new / candidates of the last calls (ring of `recentCalls`). */
  recent: Array<{ fresh: number; resolved: number }>;
  /** Dedup index of this branch's children labels (plus its own and its ancestors'). */
  labels: DedupEngine;
};

export class TopicTree {
  readonly limits: TreeLimits;
  readonly policy: TreePolicy;
  private readonly branches: Branch[] = [];
  private readonly data: BranchData[] = [];
  private estimates = new Map<number, CoverageEstimate | null>();
  /** Every label in the tree: the same subtopic proposed under two parents is one branch. */
  private readonly allLabels = createDedupEngine();
  /** Entry text -> the branch whose call found it. */
  private readonly foundBy = new Map<string, number>();

  constructor(
    readonly topic: string,
    opts: { limits?: Partial<TreeLimits>; policy?: Partial<TreePolicy> } = {},
  ) {
    this.limits = { ...DEFAULT_TREE_LIMITS, ...opts.limits };
    this.policy = { ...DEFAULT_TREE_POLICY, ...opts.policy };
    this.create(null, topic, null);
  }

  /**
   * Rebuilds a stored tree (after a server restart): branches in id order with their state and
   * counters, and the entries each branch found. Re-proposal counts are not stored, so the
   * coverage estimates and marginal yields start again from the next calls.
   */
  static restore(
    topic: string,
    stored: ReadonlyArray<Pick<Branch, "id" | "parentId" | "label" | "state" | "proposedBy" | "counters">>,
    entries: Iterable<{ branchId: number; text: string }>,
    opts: { limits?: Partial<TreeLimits>; policy?: Partial<TreePolicy> } = {},
  ): TopicTree {
    const t = new TopicTree(topic, opts);
    for (const s of [...stored].sort((a, b) => a.id - b.id)) {
      let b: Branch;
      if (s.id === 0) b = t.root;
      else {
        if (s.parentId === null || s.id !== t.branches.length || !t.branches[s.parentId]) throw new Error(`stored branch ${s.id} does not follow its parent`);
        const parent = t.branch(s.parentId);
        t.data[parent.id]!.labels.accept(s.label);
        b = t.create(parent, s.label, s.proposedBy);
        if (s.proposedBy !== null) parent.breakdowns = Math.max(1, parent.breakdowns);
      }
      b.state = s.state;
      b.counters = { ...s.counters };
    }
    for (const b of t.branches) b.subtreeCallsAtBreakdown = b.breakdowns > 0 ? t.subtreeCalls(b.id) : 0;
    for (const e of entries) {
      const d = t.data[e.branchId];
      if (!d) continue;
      t.found(e.branchId, d, e.text);
    }
    return t;
  }

  get size(): number {
    return this.branches.length;
  }

  get root(): Branch {
    return this.branches[0]!;
  }

  branch(id: number): Branch {
    const b = this.branches[id];
    if (!b) throw new Error(`no branch ${id}`);
    return b;
  }

  all(): readonly Branch[] {
    return this.branches;
  }

  /** Pruned itself or under a pruned branch. */
  isPruned(id: number): boolean {
    for (let b: Branch | undefined = this.branch(id); b; b = b.parentId === null ? undefined : this.branches[b.parentId]) if (b.state === "pruned") return true;
    return false;
  }

  /** Branches that may receive item calls: open or pinned, not under a pruned branch. */
  active(): Branch[] {
    return this.branches.filter((b) => (b.state === "open" || b.state === "pinned") && !this.isPruned(b.id));
  }

  private create(parent: Branch | null, label: string, proposedBy: string | null): Branch {
    const b: Branch = {
      id: this.branches.length,
      parentId: parent?.id ?? null,
      label,
      path: parent ? [...parent.path, label] : [],
      depth: parent ? parent.depth + 1 : 0,
      state: "open",
      proposedBy,
      counters: { calls: 0, candidates: 0, newEntries: 0, reproposals: 0, tokens: 0, costUsd: 0 },
      children: [],
      breakdowns: 0,
      barrenBreakdowns: 0,
      lastBreakdownAdded: 0,
      subtreeCallsAtBreakdown: 0,
    };
    const labels = createDedupEngine();
    // A child that merely restates its parent or an ancestor narrows nothing.
    for (let a: Branch | null = b; a; a = a.parentId === null ? null : this.branches[a.parentId]!) labels.accept(a.label);
    this.allLabels.accept(label);
    this.branches.push(b);
    this.data.push({ found: [], reproposed: new Map(), counter: new ReproposalCounter(), recent: [], labels });
    parent?.children.push(b.id);
    return b;
  }

  /**
   * Adds the subtopics of a breakdown answer under `parentId`, skipping labels the dedup engine
   * finds equal to a sibling, the parent or an ancestor, and any beyond the limits.
   */
  addSubtopics(parentId: number, labels: readonly string[], proposedBy: string | null): { added: Branch[]; rejected: SubtopicRejection[] } {
    const parent = this.branch(parentId);
    const d = this.data[parentId]!;
    const added: Branch[] = [];
    const rejected: SubtopicRejection[] = [];
    for (const raw of labels) {
      const label = raw.replace(/\s+/g, " ").trim();
      if (label === "") {
        rejected.push({ label: raw, reason: "empty" });
        continue;
      }
      if (parent.depth + 1 > this.limits.maxDepth || this.branches.length >= this.limits.maxBranches || added.length >= this.limits.maxChildrenPerBreakdown) {
        rejected.push({ label, reason: "limit" });
        continue;
      }
      const check = d.labels.check(label);
      if (check.key === "") {
        rejected.push({ label, reason: "empty" });
        continue;
      }
      if (!check.unique) {
        rejected.push({ label, reason: "duplicate", duplicateOf: check.duplicateOf });
        continue;
      }
      const elsewhere = this.allLabels.check(label);
      if (!elsewhere.unique) {
        rejected.push({ label, reason: "duplicate", duplicateOf: elsewhere.duplicateOf });
        continue;
      }
      d.labels.accept(label, check.key);
      added.push(this.create(parent, label, proposedBy));
    }
    // Only breakdown answers count as breakdowns; a hand-added branch does not.
    if (proposedBy !== null) {
      parent.breakdowns++;
      parent.subtreeCallsAtBreakdown = this.subtreeCalls(parentId);
      parent.lastBreakdownAdded = added.length;
      if (added.length === 0) parent.barrenBreakdowns++;
    }
    return { added, rejected };
  }

  /** A branch added by the user. Throws with a reason the API can show. */
  addBranch(parentId: number, label: string): Branch {
    if (this.isPruned(parentId)) throw new Error(`branch ${parentId} is pruned`);
    const r = this.addSubtopics(parentId, [label], null);
    if (r.added[0]) return r.added[0];
    const why = r.rejected[0];
    throw new Error(
      why?.reason === "duplicate"
        ? `"${label}" duplicates "${why.duplicateOf}"`
        : why?.reason === "limit"
          ? "tree limits reached (depth or branch count)"
          : "empty label",
    );
  }

  /** The user prunes a branch: no more calls to it or its subtree. The root cannot be pruned. */
  prune(id: number): void {
    if (id === 0) throw new Error("the root cannot be pruned");
    this.branch(id).state = "pruned";
  }

  /** The user pins a branch: it keeps getting calls and is never marked saturated. */
  pin(id: number): void {
    if (this.isPruned(id)) throw new Error(`branch ${id} is pruned`);
    this.branch(id).state = "pinned";
  }

  /**
   * Verification rejects much of what this branch's calls found (its models invent there): no
   * more calls to it. Only an open branch other than the root; returns whether it changed.
   */
  saturate(id: number): boolean {
    const b = this.branch(id);
    if (id === 0 || b.state !== "open") return false;
    b.state = "saturated";
    return true;
  }

  /** Undo of a prune: open again (saturation judged anew); else why not (not pruned, under a pruned branch). */
  unprune(id: number): string | null {
    const b = this.branch(id);
    if (b.state !== "pruned") return `branch ${id} is not pruned`;
    for (let p = b.parentId; p !== null; p = this.branch(p).parentId)
      if (this.branch(p).state === "pruned") return `branch ${id} is under pruned branch ${p} ("${this.branch(p).label}"): un-prune that one`;
    b.state = "open";
    return null;
  }

  /** One finished item call on `branchId`. */
  recordCall(branchId: number, result: BranchCallResult): void {
    const b = this.branch(branchId);
    const d = this.data[branchId]!;
    const c = b.counters;
    c.calls++;
    c.newEntries += result.newEntries.length;
    c.reproposals += result.reproposed.length;
    c.candidates += result.newEntries.length + result.reproposed.length;
    c.tokens += result.tokens;
    c.costUsd += result.costUsd;
    for (const text of result.newEntries) this.found(branchId, d, text);
    for (const text of result.reproposed) {
      const repeats = d.reproposed.get(text) ?? 0;
      d.reproposed.set(text, repeats + 1);
      // Proposals of this entry within the branch before this one.
      const prev = (this.foundBy.get(text) === branchId ? 1 : 0) + repeats;
      // An entry whose text changed since (a display form, a merge) may have no bucket at `prev`:
      // it counts as new here rather than failing the call's submission.
      if (prev === 0 || !((d.counter.frequencies[prev] ?? 0) > 0)) d.counter.onNew();
      else d.counter.onRepeat(prev);
    }
    d.recent.push({ fresh: result.newEntries.length, resolved: result.newEntries.length + result.reproposed.length });
    if (d.recent.length > this.policy.recentCalls) d.recent.shift();
    this.estimates.delete(branchId);
    // The root is never saturated: the run's own stop conditions judge the whole topic.
    if (b.state === "open" && b.parentId !== null && c.calls >= this.policy.saturateAfterCalls) {
      const y = this.marginalYield(branchId);
      if (y !== null && y < this.policy.saturateBelowYield) b.state = "saturated";
    }
  }

  /** An entry found by a call on branch `id`: its first proposal there. */
  private found(id: number, d: BranchData, text: string): void {
    d.found.push(text);
    this.foundBy.set(text, id);
    d.counter.onNew();
  }

  /** New entries per resolved candidate over the branch's last calls; null before any. */
  marginalYield(id: number): number | null {
    let fresh = 0;
    let resolved = 0;
    for (const r of this.data[id]!.recent) {
      fresh += r.fresh;
      resolved += r.resolved;
    }
    if (this.data[id]!.recent.length === 0) return null;
    return resolved > 0 ? fresh / resolved : 0;
  }

  subtreeCalls(id: number): number {
    const b = this.branch(id);
    return b.counters.calls + b.children.reduce((n, c) => n + this.subtreeCalls(c), 0);
  }

  /** Coverage of one branch from its own re-proposals (null before any). */
  coverage(id: number): CoverageEstimate | null {
    if (!this.estimates.has(id)) {
      const counter = this.data[id]!.counter;
      this.estimates.set(id, counter.observed > 0 ? estimateCoverage(counter.frequencies, { method: "chao1" }) : null);
    }
    return this.estimates.get(id) ?? null;
  }

  /**
   * Entries of this branch not found yet. Two views, the smaller wins: Chao1 on the branch's own
   * re-proposals (which explodes while a young branch has no repeats), and its marginal yield:
   * if a share y of what its calls propose is new to the run, about y / (1 - y) unfound entries
   * remain for each one it has proposed (capped at 3x). Zero before any call.
   */
  unseen(id: number): number {
    const est = this.coverage(id);
    const y = this.marginalYield(id);
    if (!est || y === null) return 0;
    const byYield = est.observed * Math.min(MAX_UNSEEN_RATIO, y / Math.max(1e-9, 1 - y));
    return Math.max(0, Math.min(est.estimatedTotal - est.observed, byYield));
  }

  /**
   * Whole-topic estimate: entries found plus every branch's unseen entries. A branch's unseen
   * entries include its children's, so a parent adds only what exceeds theirs.
   */
  overallCoverage(found: number): { found: number; estimatedTotal: number; coverage: number } {
    let extra = 0;
    for (const b of this.branches) {
      if (this.isPruned(b.id)) continue;
      const children = b.children.filter((c) => !this.isPruned(c)).reduce((n, c) => n + this.unseen(c), 0);
      extra += Math.max(0, this.unseen(b.id) - children);
    }
    const estimatedTotal = found + extra;
    return { found, estimatedTotal, coverage: estimatedTotal > 0 ? found / estimatedTotal : 0 };
  }

  /** `overallCoverage` in the shape of the run's coverage estimates (no confidence band). */
  coverageEstimate(found: number): CoverageEstimate {
    const c = this.overallCoverage(found);
    const samples = this.branches.reduce((n, b) => n + b.counters.candidates, 0);
    return {
      observed: found,
      samples,
      estimatedTotal: c.estimatedTotal,
      low: found,
      high: Number.POSITIVE_INFINITY,
      coverage: c.coverage,
      sampleCoverage: samples > 0 ? 1 - found / Math.max(found, samples) : 0,
      method: "tree",
    };
  }

  /**
   * Branches to break down now. A branch is partitioned once its calls estimate enough unfound
   * entries (a large topic is partitioned after its first calls, whatever their yield); a
   * partition continues while its last answer added subtopics (complete partitions first); a
   * partitioned branch whose children are mined out asks for the subtopics the partition missed.
   * Pruned branches, branches at the depth limit and ones with barren breakdowns are left alone.
   */
  plannedExpansions(): Expansion[] {
    const out: Expansion[] = [];
    if (this.branches.length >= this.limits.maxBranches) return out;
    for (const b of this.branches) {
      if (b.state === "pruned" || this.isPruned(b.id)) continue;
      if (b.depth >= this.limits.maxDepth || b.barrenBreakdowns >= this.policy.maxBarrenBreakdowns) continue;
      if (b.children.length >= this.limits.maxChildren) continue;
      if (b.breakdowns > 0 && b.lastBreakdownAdded >= this.policy.continueWhileAdded) {
        out.push({ branchId: b.id, reason: "continue" });
        continue;
      }
      if (b.children.length === 0) {
        if (b.counters.calls < this.policy.minCalls) continue;
        if (this.unseen(b.id) >= this.policy.minUnseenToSplit) out.push({ branchId: b.id, reason: "split" });
        continue;
      }
      const subtree = this.subtreeCalls(b.id);
      if (subtree - b.subtreeCallsAtBreakdown < this.policy.callsBetweenBreakdowns * Math.max(1, b.children.length)) continue;
      // The children are mined out: ask for the subtopics the partition missed.
      const yields = b.children
        .filter((c) => this.branch(c).state !== "pruned" && this.branch(c).counters.calls >= this.policy.minCalls)
        .map((c) => (this.branch(c).state === "saturated" ? 0 : (this.marginalYield(c) ?? 1)));
      const tried = b.children.every((c) => this.branch(c).state !== "open" || this.branch(c).counters.calls >= this.policy.minCalls);
      const mean = yields.length > 0 ? yields.reduce((x, y) => x + y, 0) / yields.length : 1;
      if (tried && mean < this.policy.splitBelowYield) out.push({ branchId: b.id, reason: "siblings" });
    }
    return out;
  }

  /** Labels of a branch's current children (the "existing subtopics" of its breakdown prompt). */
  childLabels(id: number): string[] {
    return this.branch(id).children.map((c) => this.branch(c).label);
  }

  /** Entries this branch's own calls found, in order. */
  foundIn(id: number): readonly string[] {
    return this.data[id]!.found;
  }

  /** Entry text -> times this branch's calls re-proposed it. */
  reproposedIn(id: number): ReadonlyMap<string, number> {
    return this.data[id]!.reproposed;
  }
}
