import { buildPrompt, KnownEntries, maxTokensFor } from "../prompt";
import { breakdownMaxTokens, buildBranchPrompt, buildBreakdownPrompt, parseBreakdownAnswer } from "../prompt-branch";
import type { EntryLedger } from "../entry-ledger";
import type { Rng } from "../stats/math";
import { allocate, ArmStats, armKey, pickArm, type Allocation, type AllocatorOptions } from "./allocate";
import { knownEntriesFor } from "./branch-known-entries";
import type { TreeLimits, TreePolicy } from "./policy";
import { TopicTree } from "./tree";
import { DEFAULT_VARIANT, VariantSelector, type PromptVariant, type VariantSwitch } from "./variants";

/**
 * One run's exploration as the orchestrator drives it: which call a free producer makes next
 * (a breakdown of a branch, or items for a model x branch arm with a prompt variant), and what
 * each finished call teaches the tree, the allocator and the variant selector. `flat` is
 * today's exploration (one prompt for the whole topic, routing between models only); `tree`
 * grows the topic tree. Pure: the caller makes the calls, dedups the answers and keeps time.
 */

export type { Exploration } from "../run-config";
import type { Exploration } from "../run-config";

export type ExplorerOptions = {
  topic: string;
  exploration: Exploration;
  /** Targets ("provider:model" or bare model ids) that answer item requests. */
  models: readonly string[];
  /** The cheap target that answers breakdown requests. */
  breakdownModel: string;
  /** Token budget of a prompt's known-entries section. */
  promptBudgetTokens: number;
  /** Try prompt variants (seed decision #8, phase 2). */
  promptOptimisation: boolean;
  rng: Rng;
  limits?: Partial<TreeLimits>;
  policy?: Partial<TreePolicy>;
  allocator?: Partial<AllocatorOptions>;
};

export type PlannedCall = {
  id: string;
  kind: "breakdown" | "items";
  branchId: number;
  model: string;
  variant: PromptVariant;
  system: string;
  user: string;
  maxTokens: number;
};

export type ItemsOutcome = {
  /** Entries accepted as new, in order. */
  newEntries: readonly string[];
  /** For each duplicate candidate: the entry it duplicates. */
  reproposed: readonly string[];
  tokens: number;
  costUsd: number;
  latencyMs: number;
  error?: boolean;
};

export class TreeExplorer {
  readonly tree: TopicTree;
  readonly known = new KnownEntries();
  readonly variants: VariantSelector | null;
  /** Leading-variant switches, with the number of item calls finished when each happened. */
  readonly switches: Array<VariantSwitch & { afterCalls: number }> = [];
  private readonly arms = new ArmStats();
  private readonly breakdownsInFlight = new Set<number>();
  private allocation: Allocation | null = null;
  private nextId = 1;
  private itemCalls = 0;

  constructor(private readonly opts: ExplorerOptions) {
    this.tree = new TopicTree(opts.topic, { ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.policy ? { policy: opts.policy } : {}) });
    this.variants = opts.promptOptimisation ? new VariantSelector() : null;
  }

  /** The next call for a free producer; null when no branch may be called (everything pruned). */
  next(): PlannedCall | null {
    const id = `call-${this.nextId++}`;
    if (this.opts.exploration === "tree") {
      const expansion = this.tree.plannedExpansions().find((e) => !this.breakdownsInFlight.has(e.branchId));
      if (expansion) {
        this.breakdownsInFlight.add(expansion.branchId);
        const b = this.tree.branch(expansion.branchId);
        const prompt = buildBreakdownPrompt({
          topic: this.opts.topic,
          path: b.path,
          existing: this.tree.childLabels(b.id),
          count: this.tree.policy.subtopicsPerBreakdown,
        });
        return {
          id,
          kind: "breakdown",
          branchId: b.id,
          model: this.opts.breakdownModel,
          variant: DEFAULT_VARIANT,
          system: prompt.system,
          user: prompt.user,
          maxTokens: breakdownMaxTokens(this.tree.policy.subtopicsPerBreakdown),
        };
      }
    }
    // Flat: the same allocator over the root alone, i.e. routing between models.
    this.allocation ??= allocate(this.tree, this.opts.models, this.arms, this.opts.rng, this.opts.allocator);
    const arm = pickArm(this.allocation.weights, this.opts.rng);
    if (!arm) return null;
    const variant = this.variants ? this.variants.pick(this.opts.rng) : DEFAULT_VARIANT;
    const b = this.tree.branch(arm.branchId);
    const prompt =
      this.opts.exploration === "flat"
        ? buildPrompt({
            topic: this.opts.topic,
            requestSize: variant.requestSize,
            known: this.known,
            budgetTokens: this.opts.promptBudgetTokens,
            lessObvious: variant.lessObvious,
          })
        : buildBranchPrompt({
            topic: this.opts.topic,
            path: b.path,
            requestSize: variant.requestSize,
            known: { ...knownEntriesFor(this.tree, b.id), totalKnown: this.known.size },
            budgetTokens: this.opts.promptBudgetTokens,
            ownShare: variant.ownShare,
            lessObvious: variant.lessObvious,
          });
    return {
      id,
      kind: "items",
      branchId: b.id,
      model: arm.model,
      variant,
      system: prompt.system,
      user: prompt.user,
      maxTokens: maxTokensFor(variant.requestSize),
    };
  }

  /** A finished breakdown call: its answer's labels become subtopics (deduplicated). */
  onBreakdown(call: PlannedCall, answer: string | null, truncated = false): { added: number; rejected: number } {
    this.breakdownsInFlight.delete(call.branchId);
    // A failed breakdown is retried by the plan itself: the branch still qualifies.
    if (answer === null) return { added: 0, rejected: 0 };
    const r = this.tree.addSubtopics(call.branchId, parseBreakdownAnswer(answer, { truncated }), call.id);
    this.allocation = null;
    return { added: r.added.length, rejected: r.rejected.length };
  }

  /** A finished item call. `now` stamps a variant switch. */
  onItems(call: PlannedCall, outcome: ItemsOutcome, now: number): VariantSwitch | null {
    for (const text of outcome.newEntries) this.known.add(this.known.size + 1, text);
    for (const text of outcome.reproposed) this.known.noteReproposal(text);
    if (!outcome.error)
      this.tree.recordCall(call.branchId, { newEntries: outcome.newEntries, reproposed: outcome.reproposed, tokens: outcome.tokens, costUsd: outcome.costUsd });
    this.arms.observe(armKey(call.model, call.branchId), {
      itemsNew: outcome.newEntries.length,
      latencyMs: outcome.latencyMs,
      costUsd: outcome.costUsd,
      ...(outcome.error ? { error: true } : {}),
    });
    this.allocation = null;
    this.itemCalls++;
    if (!this.variants || outcome.error) return null;
    this.variants.observe(call.variant.id, outcome.newEntries.length, outcome.tokens);
    const sw = this.variants.update(now, this.opts.rng);
    if (sw) this.switches.push({ ...sw, afterCalls: this.itemCalls });
    return sw;
  }
}

/**
 * Classifies an answer's candidates with the run's ledger, as the orchestrator does, and says
 * which entry each duplicate repeats (the tree's per-branch re-proposals). The ledger answers
 * "duplicate"; the dedup engine's public `check` names the entry.
 */
export function classifyCandidates(ledger: EntryLedger, candidates: readonly string[]): { newEntries: string[]; reproposed: string[]; junk: number } {
  const newEntries: string[] = [];
  const reproposed: string[] = [];
  let junk = 0;
  for (const raw of candidates) {
    const r = ledger.classify(raw);
    if (r.outcome === "unique") {
      ledger.record(r.text);
      newEntries.push(r.text);
    } else if (r.outcome === "junk") {
      junk++;
    } else {
      const check = ledger.engine.check(raw.trim());
      if (!check.unique) reproposed.push(check.duplicateOf);
    }
  }
  return { newEntries, reproposed, junk };
}
