import { DomainError, errorMessage } from "../../lib/errors";
import { breakdownMaxTokens, buildBreakdownPrompt, parseBreakdownAnswer } from "../../lib/prompt-branch";
import type { Assignment } from "../../lib/protocol";
import { targetLabel } from "../../lib/providers";
import type { RunConfig } from "../../lib/run-config";
import type { Rng } from "../../lib/stats/math";
import { allocate, ArmStats, armKey, pickArm, type Allocation } from "../../lib/tree/allocate";
import { ArmPrecision, armPauseEvent } from "../../lib/tree/arm-precision";
import { splitOutcome } from "../../lib/tree/split-score";
import type { Branch, Expansion } from "../../lib/tree/branch";
import { cutToChars, knownEntriesFor } from "../../lib/tree/branch-known-entries";
import type { TopicTree } from "../../lib/tree/tree";
import { DEFAULT_VARIANT, PROMPT_VARIANTS, VariantSelector, type PromptVariant } from "../../lib/tree/variants";
import { EventBus, type Subscribable } from "../../lib/event-bus";
import type { BreakdownAnswer, BreakdownRequest } from "./breakdown-call";
import type { CallRecord } from "../../lib/protocol";
import { branchView, type BranchView } from "./branch-view";
import type { RunEventMap } from "./run-events";

/** What the tree announces; its run subscribes (the spend is the run's, a change goes on the run's bus). */
export type TreeEventMap = {
  /** A breakdown call made and stored (failed ones too). */
  spend: { call: CallRecord; costUsd: number };
  tree: RunEventMap["tree"];
};

export type RunTreeDeps = {
  tree: TopicTree;
  config: Pick<RunConfig, "topic" | "providers" | "requestSize" | "promptBudgetTokens">;
  /** Makes one breakdown call through the producers' SDK path, records and costs it. */
  breakdown: (req: BreakdownRequest) => Promise<BreakdownAnswer>;
  /** Persists branches that changed (repo.saveBranches). */
  save: (branches: Branch[]) => Promise<void>;
  /** An optimisation event (a split, a saturation, a variant switch); resolves to its row id (null if not stored). */
  event: (kind: string, message: string, data: Record<string, unknown>) => Promise<bigint | null>;
  /** Scores a stored event once its outcome is known. */
  score: (eventId: bigint, score: number, data: Record<string, unknown>) => Promise<void>;
  clock: () => number;
  rng: Rng;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

type CallTally = { branchId: number; newEntries: string[]; reproposed: string[] };

/** Calls the new children of a split make before the split is scored (at least this many in total). */
const SPLIT_SCORE_CALLS = 4;
/** Item calls between two re-weighings of the prompt variants. */
const VARIANT_UPDATE_EVERY_CALLS = 10;
/** Least time between two allocations redone because calls finished (a tree change redoes it at once). */
const ALLOCATION_REFRESH_MS = 1_000;
/** Breakdown calls at once: a split is rare next to item calls. */
const MAX_BREAKDOWNS_IN_FLIGHT = 2;

/**
 * The topic tree of a tree run, one job: which branch (and prompt variant) each producer's next
 * call explores, what each finished call teaches the tree, and when a branch is broken down
 * (breakdown calls made here). The pure decisions are src/lib/tree's; this adds the calls,
 * persistence and events.
 */
export class RunTree {
  readonly tree: TopicTree;
  private readonly bus: EventBus<TreeEventMap>;
  private readonly arms = new ArmStats();
  /** Verification's verdicts per arm: its yield counts only what is not rejected. */
  private readonly precision = new ArmPrecision();
  // Producers do not send a temperature (some provider APIs reject one): only variants they can honour.
  private readonly variants = new VariantSelector(PROMPT_VARIANTS.filter((v) => v.temperature === null));
  private allocation: Allocation | null = null;
  /** When `allocation` was computed; a finished call makes it stale (see pickBranch). */
  private allocationAt = 0;
  private allocationStale = false;
  /** Branch and variant each producer's next call uses, kept until that call's record arrives. */
  private readonly leases = new Map<string, { branchId: number; variant: PromptVariant }>();
  private readonly calls = new Map<string, CallTally>();
  private readonly inFlight = new Set<number>();
  private readonly dirty = new Set<number>();
  private saving: Promise<void> = Promise.resolve();
  private knownCache = new Map<number, { own: string[]; related: string[] }>();
  private closed = false;
  private variantCalls = 0;
  /** Splits waiting for their children's first calls to be scored. */
  private readonly splits: Array<{
    eventId: Promise<bigint | null>;
    branchId: number;
    children: number[];
    yieldBefore: number | null;
    data: Record<string, unknown>;
  }> = [];

  constructor(private readonly deps: RunTreeDeps) {
    this.tree = deps.tree;
    this.bus = new EventBus((err) => deps.log("error", `topic tree listener: ${errorMessage(err)}`));
  }

  /** Its spend and its changes, for the run that owns it. */
  get events(): Subscribable<TreeEventMap> {
    return this.bus;
  }

  /** The branch part of a producer's assignment (the known entries `shown` lets its target's prompt list) and its variant's request size. */
  assignment(producer: string, target: Assignment["target"], shown = (_: string) => true): Pick<Assignment, "branch" | "requestSize"> {
    let lease = this.leases.get(producer);
    if (!lease || !this.callable(lease.branchId)) {
      lease = { branchId: this.pickBranch(targetLabel(target)), variant: this.variants.pick(this.deps.rng) };
      this.leases.set(producer, lease);
    }
    const b = this.tree.branch(lease.branchId);
    const known = this.known(b.id, shown);
    const v = lease.variant;
    return {
      // Variants scale the run's own request size (the base variant keeps it).
      requestSize: Math.max(5, Math.min(200, Math.round((this.deps.config.requestSize * v.requestSize) / DEFAULT_VARIANT.requestSize))),
      branch: {
        id: b.id,
        path: [...b.path],
        own: known.own,
        related: known.related,
        totalKnown: this.tree.all().reduce((n, x) => n + x.counters.newEntries, 0),
        variant: v.id,
        ownShare: v.ownShare,
        lessObvious: v.lessObvious,
      },
    };
  }

  /** Candidates of a call classified and committed: new entries and the entries re-proposed. */
  observeCandidates(callId: string | undefined, branchId: number | undefined, newEntries: readonly string[], reproposed: readonly string[]): void {
    if (!callId || branchId === undefined || !this.exists(branchId)) return;
    let t = this.calls.get(callId);
    if (!t) this.calls.set(callId, (t = { branchId, newEntries: [], reproposed: [] }));
    t.newEntries.push(...newEntries);
    t.reproposed.push(...reproposed);
    if (this.calls.size > 10_000) this.calls.delete(this.calls.keys().next().value!);
  }

  /** A finished item call (its record is stored once): the tree, the arms and the variants learn. */
  observeCall(
    producer: string,
    call: { callId: string; provider: string; model: string; promptTokens: number; completionTokens: number; latencyMs: number; error?: unknown },
    costUsd: number,
    branchId: number | undefined,
  ): void {
    const tally = this.calls.get(call.callId);
    this.calls.delete(call.callId);
    const lease = this.leases.get(producer);
    this.leases.delete(producer);
    const id = tally?.branchId ?? branchId;
    if (id === undefined || !this.exists(id)) return;
    const before = this.tree.branch(id).state;
    const tokens = call.promptTokens + call.completionTokens;
    const newEntries = tally?.newEntries ?? [];
    if (!call.error) this.tree.recordCall(id, { newEntries, reproposed: tally?.reproposed ?? [], tokens, costUsd });
    this.arms.observe(armKey(targetLabel(call), id), {
      itemsNew: newEntries.length,
      latencyMs: call.latencyMs,
      costUsd,
      ...(call.error ? { error: true } : {}),
    });
    if (lease && lease.branchId === id && !call.error) {
      this.variants.observe(lease.variant.id, newEntries.length, tokens);
      // Re-weighed every few calls: after each one the leader flaps on a handful of observations.
      const sw = ++this.variantCalls % VARIANT_UPDATE_EVERY_CALLS === 0 ? this.variants.update(this.deps.clock(), this.deps.rng) : null;
      if (sw) void this.deps.event("tree.variant", `prompt variant ${sw.from} -> ${sw.to}`, { ...sw });
    }
    this.allocationStale = true;
    this.knownCache.clear();
    const b = this.tree.branch(id);
    // A branch that saturated is no arm any more: no call may be sent to it.
    if (before !== b.state) this.allocation = null;
    if (before !== b.state && b.state === "saturated")
      void this.deps.event("tree.saturated", `branch "${b.label}" saturated after ${b.counters.calls} calls`, {
        branchId: id,
        calls: b.counters.calls,
        newEntries: b.counters.newEntries,
      });
    this.markDirty(id);
    this.scoreSplits();
    this.expand();
  }

  /** Splits whose children made their first calls are scored (split-score.ts). */
  private scoreSplits(): void {
    for (let i = this.splits.length - 1; i >= 0; i--) {
      const s = this.splits[i]!;
      const kids = s.children.map((c) => this.tree.branch(c).counters);
      if (kids.reduce((n, c) => n + c.calls, 0) < Math.max(SPLIT_SCORE_CALLS, s.children.length)) continue;
      this.splits.splice(i, 1);
      const { score, outcome } = splitOutcome(kids, s.yieldBefore);
      void s.eventId
        .then((id) => (id === null ? undefined : this.deps.score(id, score, { ...s.data, outcome })))
        .catch((err: unknown) => this.deps.log("error", `scoring a split: ${errorMessage(err)}`));
    }
  }

  /** Starts the breakdowns the tree plans now (a few at a time). */
  expand(): void {
    if (this.closed) return;
    for (const e of this.tree.plannedExpansions()) {
      if (this.inFlight.size >= MAX_BREAKDOWNS_IN_FLIGHT) return;
      if (this.inFlight.has(e.branchId)) continue;
      this.inFlight.add(e.branchId);
      void this.breakdown(e.branchId, e.reason)
        .catch(() => false)
        .then((answered) => {
          this.inFlight.delete(e.branchId);
          // A partition continues as soon as its last answer is in (complete partitions first).
          // A breakdown that got no answer waits for the next planning round: expanding again at
          // once retried a failing provider in a loop (run-tree.test.ts hung in it).
          if (answered) this.expand();
        });
    }
  }

  /** One breakdown call for `branchId`; true when its answer was applied to the tree. */
  private async breakdown(branchId: number, reason: Expansion["reason"]): Promise<boolean> {
    const b = this.tree.branch(branchId);
    const count = this.tree.policy.subtopicsPerBreakdown;
    const prompt = buildBreakdownPrompt({ topic: this.deps.config.topic, path: b.path, existing: this.tree.childLabels(b.id), count });
    let answer: BreakdownAnswer;
    try {
      answer = await this.deps.breakdown({ system: prompt.system, user: prompt.user, maxTokens: breakdownMaxTokens(count) });
    } catch (err) {
      this.deps.log("warn", `breakdown of "${b.label}": ${errorMessage(err)}`);
      return false;
    }
    if (!answer) return false;
    this.bus.emit("spend", { call: answer.call, costUsd: answer.costUsd });
    if (answer.failed || this.closed) return false;
    const r = this.tree.addSubtopics(branchId, parseBreakdownAnswer(answer.text, { truncated: answer.truncated }), answer.callId);
    this.allocation = null;
    this.knownCache.clear();
    this.markDirty(branchId);
    for (const a of r.added) this.markDirty(a.id);
    const data = {
      branchId,
      reason,
      added: r.added.map((a) => ({ id: a.id, label: a.label })),
      rejected: r.rejected,
      yield: this.tree.marginalYield(branchId),
      coverage: this.tree.coverage(branchId)?.coverage ?? null,
    };
    const eventId = this.deps.event(
      "tree.split",
      `${reason === "split" ? "split" : reason === "continue" ? "more subtopics for" : "missed subtopics for"} "${b.label}": ${r.added.length} added, ${r.rejected.length} rejected`,
      data,
    );
    if (r.added.length > 0) this.splits.push({ eventId, branchId, children: r.added.map((a) => a.id), yieldBefore: data.yield, data });
    this.bus.emit("tree", { kind: "tree.split", branchId });
    return true;
  }

  // ---- user actions ------------------------------------------------------------------

  addBranch(parentId: number, label: string): BranchView {
    this.need(parentId, "parentId");
    if (this.tree.isPruned(parentId)) throw new DomainError("BAD_REQUEST", `parentId: branch ${parentId} is pruned`, "parentId");
    let b: Branch;
    try {
      b = this.tree.addBranch(parentId, label);
    } catch (err) {
      throw new DomainError("BAD_REQUEST", `label: ${errorMessage(err)}`, "label");
    }
    this.afterUserChange(parentId, b.id, "tree.added", `branch "${b.label}" added by hand under "${this.tree.branch(parentId).label}"`);
    return this.view(b);
  }

  /** Prunes a branch (no more calls to it or its subtree); `pruned: false` opens a pruned one again. */
  prune(branchId: number, pruned = true): BranchView {
    this.need(branchId);
    if (pruned && branchId === 0) throw new DomainError("BAD_REQUEST", "branchId: the root cannot be pruned", "branchId");
    if (pruned) this.tree.prune(branchId);
    const refused = pruned ? null : this.tree.unprune(branchId);
    if (refused !== null) throw new DomainError("BAD_REQUEST", `branchId: ${refused}`, "branchId");
    const b = this.tree.branch(branchId);
    this.afterUserChange(branchId, branchId, pruned ? "tree.pruned" : "tree.unpruned", `branch "${b.label}" ${pruned ? "pruned" : "un-pruned"}`);
    return this.view(b);
  }

  pin(branchId: number): BranchView {
    this.need(branchId);
    if (this.tree.isPruned(branchId)) throw new DomainError("BAD_REQUEST", `branchId: branch ${branchId} is pruned`, "branchId");
    this.tree.pin(branchId);
    this.afterUserChange(branchId, branchId, "tree.pinned", `branch "${this.tree.branch(branchId).label}" pinned`);
    return this.view(this.tree.branch(branchId));
  }

  /** Verification rejected `share` of the branch's recent entries: it is saturated (issue #21). */
  saturateByVerification(branchId: number, share: number): void {
    if (!this.exists(branchId) || !this.tree.saturate(branchId)) return;
    const label = this.tree.branch(branchId).label;
    this.afterUserChange(
      branchId,
      branchId,
      "tree.saturated",
      `branch "${label}" saturated: verification rejected ${Math.round(share * 100)} % of its recent entries`,
    );
  }

  /**
   * A verdict on an entry `model`'s call on `branchId` found (the entry only that model
   * proposed): the arm's precision, and its pause when it mostly invents there (issue #21).
   */
  observeVerdict(model: string, branchId: number, kept: boolean): void {
    if (!this.exists(branchId)) return;
    this.precision.record(model, branchId, kept);
    this.allocationStale = true;
    const modelArms = this.tree.all().map((b) => armKey(model, b.id));
    const pause = this.precision.considerPause(armKey(model, branchId), (k) => this.arms.get(k), modelArms);
    if (!pause) return;
    this.allocation = null;
    const e = armPauseEvent(pause, this.tree.branch(branchId).label);
    void this.deps.event("tree.arm-paused", e.message, e.data);
  }

  private afterUserChange(a: number, b: number, kind: string, message: string): void {
    this.allocation = null;
    this.knownCache.clear();
    this.markDirty(a);
    this.markDirty(b);
    void this.deps.event(kind, message, { branchId: b });
    this.bus.emit("tree", { kind, branchId: b });
  }

  private need(id: number, field = "branchId"): void {
    if (!this.exists(id)) throw new DomainError("NOT_FOUND", `${field}: no branch ${id} in this run`, field);
  }

  // ---- read side ---------------------------------------------------------------------

  branches(): BranchView[] {
    return this.tree.all().map((b) => this.view(b));
  }

  /** The tree's whole-topic estimate: found entries plus every branch's unseen ones. */
  overallCoverage(found: number): { found: number; estimatedTotal: number; coverage: number } {
    return this.tree.overallCoverage(found);
  }

  private view(b: Branch): BranchView {
    return branchView(this.tree, b);
  }

  /** Writes pending branch changes; awaited at stop. */
  flush(): Promise<void> {
    if (this.dirty.size === 0) return this.saving;
    const rows = [...this.dirty].map((id) => this.tree.branch(id));
    this.dirty.clear();
    this.saving = this.saving
      .then(() => this.deps.save(rows))
      .catch((err: unknown) => {
        for (const r of rows) this.dirty.add(r.id);
        this.deps.log("error", `saving the topic tree: ${errorMessage(err)}`);
      });
    return this.saving;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private markDirty(id: number): void {
    this.dirty.add(id);
    void this.flush();
  }

  private exists(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.tree.size;
  }

  private callable(id: number): boolean {
    return ["open", "pinned"].includes(this.tree.branch(id).state) && !this.tree.isPruned(id);
  }

  /** A branch for `target`'s next call: the allocation over model x branch, given the model the router chose. */
  private pickBranch(target: string): number {
    const models = this.deps.config.providers.map((p) => targetLabel(p));
    // A finished call moves the evidence a little: the allocation (hundreds of Thompson draws
    // per arm) is redone at most once a second for it, at once after a change of the tree.
    const now = this.deps.clock();
    if (this.allocation && this.allocationStale && now - this.allocationAt >= ALLOCATION_REFRESH_MS) this.allocation = null;
    if (!this.allocation) {
      this.allocation = allocate(this.tree, models.includes(target) ? models : [...models, target], this.arms, this.deps.rng, {}, this.precision);
      this.allocationAt = now;
      this.allocationStale = false;
    }
    const mine = new Map([...this.allocation.weights].filter(([k]) => k.startsWith(`${target}#`)));
    const total = [...mine.values()].reduce((a, b) => a + b, 0);
    if (total <= 0) return 0;
    for (const [k, w] of mine) mine.set(k, w / total);
    return pickArm(mine, this.deps.rng)?.branchId ?? 0;
  }

  /** The branch's known-entry candidates `shown` allows, each list cut to the prompt budget (cached with room for what it leaves out). */
  private known(id: number, shown: (text: string) => boolean): { own: string[]; related: string[] } {
    // ~4 characters a token, with room: the producer's own selection enforces the exact budget.
    const limit = this.deps.config.promptBudgetTokens * 4 * 1.5;
    let k = this.knownCache.get(id);
    if (!k) {
      const all = knownEntriesFor(this.tree, id);
      this.knownCache.set(id, (k = { own: cutToChars(all.own, 2 * limit), related: cutToChars(all.related, 2 * limit) }));
    }
    return { own: cutToChars(k.own.filter(shown), limit), related: cutToChars(k.related.filter(shown), limit) };
  }
}
